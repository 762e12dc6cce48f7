/**
 * Real network partitions with Linux network namespaces (root and iproute2 needed; checked at
 * runtime). Every broker runs in a namespace of its own, plugged by a veth pair into one bridge
 * on the host; the host end of the bridge carries the ZooKeeper proxies and the test's clients.
 * Cutting a broker off = taking its veth's host end down: it loses ZooKeeper, the other brokers
 * and the clients at once, while its process keeps running. Every namespace, veth and the
 * bridge are removed by destroy(), which also runs at process exit if a test forgot; what a killed
 * run left (its PID is in every name) is removed before the next lab is made (stale-resources.ts).
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { labTag, pruneStaleHarnessResourcesOnce } from '../../helpers/stale-resources.js';

const execFileAsync = promisify(execFile);

export interface NetnsCapability {
  available: boolean;
  reason: string;
}

let probed: NetnsCapability | undefined;

/** Whether this machine lets us create namespaces, veths and a bridge (probed once). */
export async function netnsCapability(): Promise<NetnsCapability> {
  if (probed !== undefined) return probed;
  if (process.platform !== 'linux') return (probed = { available: false, reason: 'network namespaces need Linux' });
  if (process.getuid?.() !== 0) return (probed = { available: false, reason: 'network namespaces need root' });
  const name = `sfoprobe${randomBytes(3).toString('hex')}`;
  try {
    await execFileAsync('ip', ['netns', 'add', name]);
  } catch (err) {
    return (probed = { available: false, reason: `\`ip netns add\` failed: ${(err as Error).message.split('\n')[0]}` });
  }
  await execFileAsync('ip', ['netns', 'del', name]).catch(() => undefined);
  try {
    await execFileAsync('ip', ['link', 'add', `${name}b`, 'type', 'bridge']);
    await execFileAsync('ip', ['link', 'del', `${name}b`]);
  } catch (err) {
    return (probed = { available: false, reason: `cannot create a bridge: ${(err as Error).message.split('\n')[0]}` });
  }
  return (probed = { available: true, reason: 'root with iproute2' });
}

const live = new Set<NetworkLab>();
process.once('exit', () => {
  for (const lab of live) lab.destroySync();
});

async function ip(...args: string[]): Promise<void> {
  await execFileAsync('ip', args, { timeout: 10_000 });
}

export class NetworkLab {
  private readonly isolated = new Set<number>();

  private constructor(
    /** Random byte + owner PID (stale-resources.ts) in every interface and namespace name (interface names are ≤ 15 chars). */
    readonly tag: string,
    readonly subnet: number,
    readonly members: number[],
  ) {}

  /** A bridge on 10.213.<subnet>.1/24 and one namespace per member at 10.213.<subnet>.<10+id>. */
  static async create(members: number[]): Promise<NetworkLab> {
    await pruneStaleHarnessResourcesOnce();
    // With files running two at a time (mocha --parallel), each worker draws its subnets from its own half.
    const worker = Number(process.env['MOCHA_WORKER_ID']);
    const half = Number.isInteger(worker) && worker >= 0 ? worker % 2 : randomBytes(1)[0]! % 2;
    const subnet = 1 + half * 125 + (randomBytes(1)[0]! % 125);
    const lab = new NetworkLab(labTag(), subnet, members);
    live.add(lab);
    try {
      await ip('link', 'add', lab.bridge, 'type', 'bridge');
      await ip('addr', 'add', `${lab.hostIp}/24`, 'dev', lab.bridge);
      await ip('link', 'set', lab.bridge, 'up');
      for (const id of members) {
        await ip('netns', 'add', lab.namespace(id));
        await ip('link', 'add', lab.hostVeth(id), 'type', 'veth', 'peer', 'name', lab.nsVeth(id));
        await ip('link', 'set', lab.nsVeth(id), 'netns', lab.namespace(id));
        await ip('link', 'set', lab.hostVeth(id), 'master', lab.bridge);
        await ip('link', 'set', lab.hostVeth(id), 'up');
        await ip('-n', lab.namespace(id), 'addr', 'add', `${lab.ip(id)}/24`, 'dev', lab.nsVeth(id));
        await ip('-n', lab.namespace(id), 'link', 'set', lab.nsVeth(id), 'up');
        await ip('-n', lab.namespace(id), 'link', 'set', 'lo', 'up');
      }
    } catch (err) {
      await lab.destroy();
      throw err;
    }
    return lab;
  }

  get bridge(): string {
    return `sfo${this.tag}br`;
  }

  /** The host's address on the bridge: where the ZooKeeper proxies listen. */
  get hostIp(): string {
    return `10.213.${this.subnet}.1`;
  }

  ip(id: number): string {
    return `10.213.${this.subnet}.${10 + id}`;
  }

  namespace(id: number): string {
    return `sfo${this.tag}ns${id}`;
  }

  hostVeth(id: number): string {
    return `sfo${this.tag}h${id}`;
  }

  nsVeth(id: number): string {
    return `sfo${this.tag}n${id}`;
  }

  isIsolated(id: number): boolean {
    return this.isolated.has(id);
  }

  /** Cuts the member off from everything (ZooKeeper, brokers, clients); its process keeps running. */
  async isolate(id: number): Promise<void> {
    await ip('link', 'set', this.hostVeth(id), 'down');
    this.isolated.add(id);
  }

  async heal(id: number): Promise<void> {
    await ip('link', 'set', this.hostVeth(id), 'up');
    this.isolated.delete(id);
  }

  async destroy(): Promise<void> {
    for (const id of this.members) {
      await ip('link', 'del', this.hostVeth(id)).catch(() => undefined);
      await ip('netns', 'del', this.namespace(id)).catch(() => undefined);
    }
    await ip('link', 'del', this.bridge).catch(() => undefined);
    live.delete(this);
  }

  destroySync(): void {
    const run = (...args: string[]): void => {
      try {
        execFileSync('ip', args, { stdio: 'ignore', timeout: 5_000 });
      } catch {
        // Already gone.
      }
    };
    for (const id of this.members) {
      run('link', 'del', this.hostVeth(id));
      run('netns', 'del', this.namespace(id));
    }
    run('link', 'del', this.bridge);
    live.delete(this);
  }
}
