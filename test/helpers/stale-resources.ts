/**
 * What a killed test run leaves behind: the failover harness's network namespaces, veths and
 * bridge (harness/netns.ts) and FaultyDisk's loop devices and mounts (faulty-disk.ts). Their exit
 * handlers do not run on kill -9, and a later run would meet a busy subnet, a full loop-device
 * table or a mount under a dead temp dir. Each resource's name carries the PID of the process that
 * made it; at its first NetworkLab or FaultyDisk, a process removes the ones whose owner is gone,
 * and only those: another run on the same machine (another worktree, another helper) keeps its
 * own. Names of the older format (no PID) are reported, never touched.
 *
 *   network: `sfo` + 2 random hex + owner PID in base 36 over 5 chars, then `br` (bridge),
 *            `h<id>`/`n<id>` (veth ends), `ns<id>` (namespace); ≤ 15 chars for interfaces
 *   disks:   the image in `<tmp>/samsa-disk-img-p<pid>-XXXXXX/disk.img`, mounted from /dev/loopN
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const NET_PREFIX = 'sfo';
const PID_CHARS = 5;
const NET_NAME = /^sfo[0-9a-f]{2}([0-9a-z]{5})(?:br|h\d+|n\d+|ns\d+)$/;
/** The format before owners were named: `sfo` + 4 hex + suffix. */
const LEGACY_NET_NAME = /^sfo[0-9a-f]{4}(?:br|h\d+|n\d+|ns\d+)$/;
const DISK_IMAGE = /\/samsa-disk-img-p(\d+)-[^/]+\/disk\.img(?: \(deleted\))?$/;

/** A lab tag naming its owner: 2 random hex, then `pid` in base 36 (pid_max 2^22 fits in 5). */
export function labTag(pid = process.pid): string {
  return randomBytes(1).toString('hex') + pid.toString(36).padStart(PID_CHARS, '0');
}

/** The temp-dir prefix of a disk image made by `pid`. */
export function diskImagePrefix(pid = process.pid): string {
  return `samsa-disk-img-p${pid}-`;
}

export function netOwner(name: string): number | undefined {
  const m = NET_NAME.exec(name);
  return m === null ? undefined : parseInt(m[1]!, 36);
}

export function diskImageOwner(backingFile: string): number | undefined {
  const m = DISK_IMAGE.exec(backingFile);
  return m === null ? undefined : Number(m[1]);
}

export interface LoopDevice {
  readonly device: string;
  readonly backingFile: string;
}

export interface Mount {
  readonly device: string;
  readonly dir: string;
}

export interface HarnessResources {
  readonly namespaces: readonly string[];
  readonly links: readonly string[];
  readonly loops: readonly LoopDevice[];
  /** Mounts of the stale loop devices (what must be unmounted before detaching them). */
  readonly mounts: readonly Mount[];
}

export interface StaleSelection extends HarnessResources {
  /** Network names of the older format: no owner known, left alone. */
  readonly unowned: readonly string[];
}

/**
 * The pure choice: a namespace, link or loop device is stale when its name carries an owner PID
 * and that process is gone; a mount is stale when its device is a stale loop device. Anything
 * else (other names, live owners, the older format) is kept.
 */
export function selectStale(found: HarnessResources, alive: (pid: number) => boolean): StaleSelection {
  const dead = (owner: number | undefined): boolean => owner !== undefined && !alive(owner);
  const loops = found.loops.filter((l) => dead(diskImageOwner(l.backingFile)));
  const staleDevices = new Set(loops.map((l) => l.device));
  return {
    namespaces: found.namespaces.filter((n) => dead(netOwner(n))),
    links: found.links.filter((l) => dead(netOwner(l))),
    loops,
    mounts: found.mounts.filter((m) => staleDevices.has(m.device)),
    unowned: [...found.namespaces, ...found.links].filter((n) => LEGACY_NET_NAME.test(n)),
  };
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, owned by someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function lines(cmd: string, args: string[]): Promise<string[]> {
  try {
    const { stdout } = await execFileAsync(cmd, args, { timeout: 10_000 });
    return stdout.split('\n').filter((l) => l.trim() !== '');
  } catch {
    return [];
  }
}

/** /proc/mounts escapes spaces and the like as octal (\040). */
const unescapeMount = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/** This machine's namespaces, links, loop devices and loop mounts (empty where a tool is missing). */
export async function listHarnessResources(): Promise<HarnessResources> {
  const namespaces = (await lines('ip', ['netns', 'list'])).map((l) => l.split(' ')[0]!);
  // `5: sfoab0001xh1@if4: <…>`: the name is before any `@`.
  const links = (await lines('ip', ['-o', 'link', 'show'])).map((l) => l.split(': ')[1]?.split('@')[0] ?? '').filter((n) => n !== '');
  let loops: LoopDevice[] = [];
  try {
    const { stdout } = await execFileAsync('losetup', ['--list', '--json', '--output', 'NAME,BACK-FILE'], { timeout: 10_000 });
    const parsed = JSON.parse(stdout === '' ? '{}' : stdout) as { loopdevices?: { name: string; 'back-file': string | null }[] };
    loops = (parsed.loopdevices ?? []).map((d) => ({ device: d.name, backingFile: d['back-file'] ?? '' }));
  } catch {
    // No losetup, no loop devices.
  }
  let mounts: Mount[] = [];
  try {
    mounts = readFileSync('/proc/mounts', 'utf8').split('\n').filter((l) => l.startsWith('/dev/loop')).map((l) => {
      const [device, dir] = l.split(' ');
      return { device: device!, dir: unescapeMount(dir!) };
    });
  } catch {
    // Not Linux.
  }
  return { namespaces, links, loops, mounts };
}

/** Removes what dead runs of this harness left (unmount, detach, delete the image; links, namespaces). */
export async function pruneStaleHarnessResources(log: (line: string) => void = (l) => console.log(l)): Promise<StaleSelection> {
  const stale = selectStale(await listHarnessResources(), processAlive);
  const run = (cmd: string, ...args: string[]): Promise<unknown> => execFileAsync(cmd, args, { timeout: 10_000 }).catch(() => undefined);
  for (const m of stale.mounts) await run('umount', '-l', m.dir);
  for (const l of stale.loops) {
    await run('losetup', '-d', l.device);
    const image = l.backingFile.replace(/ \(deleted\)$/, '');
    rmSync(dirname(image), { recursive: true, force: true });
  }
  // Host veth ends first (their peers go with them), then namespaces, then bridges.
  const bridgesLast = [...stale.links].sort((a, b) => Number(a.endsWith('br')) - Number(b.endsWith('br')));
  for (const l of bridgesLast) await run('ip', 'link', 'del', l);
  for (const n of stale.namespaces) await run('ip', 'netns', 'del', n);
  const removed = stale.namespaces.length + stale.links.length + stale.loops.length + stale.mounts.length;
  if (removed > 0) log(`harness: removed what dead runs left: namespaces [${stale.namespaces.join(', ')}], links [${stale.links.join(', ')}], loop devices [${stale.loops.map((l) => l.device).join(', ')}], mounts [${stale.mounts.map((m) => m.dir).join(', ')}]`);
  if (stale.unowned.length > 0) log(`harness: left alone (older names without an owner PID; remove by hand if no run uses them): ${stale.unowned.join(', ')}`);
  return stale;
}

let pruned: Promise<StaleSelection> | undefined;

/** Once per process, before its first lab or disk. */
export function pruneStaleHarnessResourcesOnce(): Promise<StaleSelection> {
  pruned ??= pruneStaleHarnessResources();
  return pruned;
}
