/**
 * A small disk for a broker: a tmpfs of a few MiB mounted on its directory (root only, checked
 * at runtime), which the harness can fill with a ballast file to make every append fail with
 * ENOSPC, and empty again. Unmounted by release(), and at process exit if a test forgot.
 */
import { execFile, execFileSync } from 'node:child_process';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const mounted = new Set<string>();
process.once('exit', () => {
  for (const dir of mounted) {
    try {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore', timeout: 5_000 });
    } catch {
      // Already unmounted.
    }
  }
});

export async function smallDiskAvailable(): Promise<{ available: boolean; reason: string }> {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return { available: false, reason: 'mounting a tmpfs needs root on Linux' };
  return { available: true, reason: 'root' };
}

export class SmallDisk {
  private constructor(readonly dir: string) {}

  static async mount(dir: string, sizeMb: number): Promise<SmallDisk> {
    await execFileAsync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir], { timeout: 10_000 });
    mounted.add(dir);
    return new SmallDisk(dir);
  }

  get ballast(): string {
    return join(this.dir, 'ballast.bin');
  }

  /** Writes a ballast file until the disk is full. */
  fill(): void {
    const fd = openSync(this.ballast, 'a');
    const chunk = Buffer.alloc(256 * 1024, 0xaa);
    try {
      for (let i = 0; i < 100_000; i++) writeSync(fd, chunk);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      // Fill the last bytes one small write at a time.
      const small = Buffer.alloc(512);
      try {
        for (let i = 0; i < 1_000; i++) writeSync(fd, small);
      } catch {
        // Full.
      }
    } finally {
      closeSync(fd);
    }
  }

  free(): void {
    rmSync(this.ballast, { force: true });
  }

  async release(): Promise<void> {
    if (!mounted.has(this.dir)) return;
    await execFileAsync('umount', ['-l', this.dir], { timeout: 10_000 }).catch(() => undefined);
    mounted.delete(this.dir);
  }
}
