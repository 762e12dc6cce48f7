/**
 * A real small disk that can be made to fail: an ext4 filesystem in an image file, attached to a
 * loop device and mounted on a directory (root on Linux only; `faultyDiskAvailable()` says why
 * not). Its faults come from the kernel, not from a hook in our code:
 *
 *   fill() / free()       ENOSPC: a ballast file takes every free block, then goes away
 *   failIo()              EIO: the filesystem is shut down (EXT4_IOC_SHUTDOWN, as when the device
 *                         dies); every later read, write, fsync or open fails with EIO
 *   remountReadOnly()     EROFS: an ext4 error is triggered on a filesystem mounted
 *                         errors=remount-ro, so the kernel turns it read-only under open files
 *   replace()             a new empty filesystem on the same directory (the disk was swapped)
 *
 * Device-mapper's `error` target would be the classic EIO fault, but this kernel has no
 * device-mapper; the ext4 shutdown ioctl gives the same EIO on every operation. Unmounted and
 * detached by release(), and at process exit if a test forgot; a killed run's are removed by the
 * next run's first disk (stale-resources.ts).
 */
import { execFile, execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { diskImagePrefix, pruneStaleHarnessResourcesOnce } from './stale-resources.js';
import { tmpDir } from './tmp.js';

const execFileAsync = promisify(execFile);

interface Attached {
  readonly dir: string;
  readonly device: string;
  readonly image: string;
}

const attached = new Set<Attached>();
process.once('exit', () => {
  for (const a of attached) {
    for (const cmd of [['umount', '-l', a.dir], ['losetup', '-d', a.device]]) {
      try {
        execFileSync(cmd[0]!, cmd.slice(1), { stdio: 'ignore', timeout: 5_000 });
      } catch {
        // Already gone.
      }
    }
    rmSync(a.image, { force: true });
  }
});

/** EXT4_IOC_SHUTDOWN = _IOR('X', 125, __u32); flag 2 = EXT4_GOING_FLAGS_NOLOGFLUSH (a dead device flushes nothing). */
const SHUTDOWN_SCRIPT = 'open(my $f, "<", $ARGV[0]) or die "open $ARGV[0]: $!\\n"; my $flags = pack("L", 2); ioctl($f, 0x8004587d, $flags) or die "EXT4_IOC_SHUTDOWN: $!\\n";';

let probed: Promise<{ available: boolean; reason: string }> | undefined;

/** Root, Linux, losetup/mkfs.ext4/mount/perl present, and a loop device can really be attached. */
export function faultyDiskAvailable(): Promise<{ available: boolean; reason: string }> {
  probed ??= (async () => {
    if (process.platform !== 'linux' || process.getuid?.() !== 0) return { available: false, reason: 'a loop-mounted ext4 disk needs root on Linux' };
    for (const tool of ['losetup', 'mkfs.ext4', 'mount', 'umount', 'perl']) {
      try {
        await execFileAsync('which', [tool], { timeout: 5_000 });
      } catch {
        return { available: false, reason: `${tool} is not installed` };
      }
    }
    try {
      const d = await FaultyDisk.create(tmpDir('samsa-disk-probe-'), 8);
      await d.release();
    } catch (err) {
      return { available: false, reason: `cannot attach and mount a loop device: ${(err as Error).message.split('\n')[0]}` };
    }
    return { available: true, reason: 'root with loop devices' };
  })();
  return probed;
}

export class FaultyDisk {
  private constructor(
    private a: Attached,
    readonly sizeMb: number,
  ) {}

  /** Formats a new `sizeMb` ext4 image and mounts it on `dir` (created if missing). */
  static async create(dir: string, sizeMb: number): Promise<FaultyDisk> {
    return new FaultyDisk(await attach(dir, sizeMb), sizeMb);
  }

  get dir(): string {
    return this.a.dir;
  }

  get device(): string {
    return this.a.device;
  }

  get ballast(): string {
    return join(this.dir, 'ballast.bin');
  }

  /** Writes a ballast file until the disk is full (ENOSPC for everyone after). */
  fill(): void {
    const fd = openSync(this.ballast, 'a');
    const chunk = Buffer.alloc(256 * 1024, 0xaa);
    try {
      for (let i = 0; i < 100_000; i++) writeSync(fd, chunk);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      const small = Buffer.alloc(512);
      try {
        for (let i = 0; i < 10_000; i++) writeSync(fd, small);
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

  /** The device "dies": every operation on the filesystem fails with EIO from now on. */
  async failIo(): Promise<void> {
    await execFileAsync('perl', ['-e', SHUTDOWN_SCRIPT, this.dir], { timeout: 10_000 });
  }

  /** An ext4 error under errors=remount-ro: the kernel makes the filesystem read-only (EROFS on writes). */
  async remountReadOnly(): Promise<void> {
    writeFileSync(`/sys/fs/ext4/${basename(this.device)}/trigger_fs_error`, 'samsa test fault\n');
  }

  /** Swaps the failed disk for a new, empty one on the same directory (its data is gone). */
  async replace(): Promise<void> {
    await detach(this.a);
    this.a = await attach(this.a.dir, this.sizeMb);
  }

  async release(): Promise<void> {
    await detach(this.a);
  }
}

async function attach(dir: string, sizeMb: number): Promise<Attached> {
  await pruneStaleHarnessResourcesOnce();
  mkdirSync(dir, { recursive: true });
  // The owner's PID in the path: a killed run's disk is recognised and removed by the next one.
  const image = join(tmpDir(diskImagePrefix()), 'disk.img');
  await execFileAsync('truncate', ['-s', `${sizeMb}M`, image], { timeout: 10_000 });
  // -m 0: no blocks reserved for root (the broker runs as root); errors=remount-ro for EROFS.
  await execFileAsync('mkfs.ext4', ['-q', '-F', '-m', '0', image], { timeout: 30_000 });
  const { stdout } = await execFileAsync('losetup', ['-f', '--show', image], { timeout: 10_000 });
  const device = stdout.trim();
  const a: Attached = { dir, device, image };
  attached.add(a);
  try {
    await execFileAsync('mount', ['-t', 'ext4', '-o', 'errors=remount-ro', device, dir], { timeout: 10_000 });
  } catch (err) {
    await detach(a);
    throw err;
  }
  return a;
}

async function detach(a: Attached): Promise<void> {
  if (!attached.has(a)) return;
  attached.delete(a);
  await execFileAsync('umount', ['-l', a.dir], { timeout: 10_000 }).catch(() => undefined);
  await execFileAsync('losetup', ['-d', a.device], { timeout: 10_000 }).catch(() => undefined);
  if (existsSync(a.image)) rmSync(a.image, { force: true });
}
