/**
 * Real Apache ZooKeeper for tests, started through the project's own
 * scripts/zookeeper-server-start.sh -daemon so that the scripts are exercised on every run.
 * Fast tuning: tickTime 500, sessions of 1–30 s. A single server or a loopback ensemble.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePorts } from './ports.js';
import { tmpDir } from './tmp.js';
import { waitFor } from './wait-for.js';

const execFileAsync = promisify(execFile);
export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const START = join(REPO_ROOT, 'scripts', 'zookeeper-server-start.sh');
const STOP = join(REPO_ROOT, 'scripts', 'zookeeper-server-stop.sh');

/** Sends a four-letter word and returns the whole answer ('' when nothing answers). */
export async function fourLetterWord(host: string, port: number, word: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolvePromise) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host, port });
    const done = (): void => {
      socket.destroy();
      resolvePromise(Buffer.concat(chunks).toString('utf8'));
    };
    socket.setTimeout(timeoutMs, done);
    socket.on('connect', () => socket.write(word));
    socket.on('data', (d) => chunks.push(d));
    socket.on('close', done);
    socket.on('error', done);
  });
}

export interface ZooKeeperNodeOptions {
  dataDir: string;
  clientPort: number;
  tickTime?: number;
  /** Ensemble members as `server.N=host:quorumPort:electionPort` lines, and this node's id. */
  servers?: string[];
  myId?: number;
}

export class ZooKeeperNode {
  readonly host = '127.0.0.1';
  readonly configFile: string;

  constructor(readonly options: ZooKeeperNodeOptions) {
    mkdirSync(options.dataDir, { recursive: true });
    this.configFile = join(options.dataDir, 'zookeeper.properties');
    const lines = [
      `dataDir=${options.dataDir}`,
      `clientPort=${options.clientPort}`,
      'clientPortAddress=127.0.0.1',
      `tickTime=${options.tickTime ?? 500}`,
      'initLimit=10',
      'syncLimit=4',
      'maxClientCnxns=0',
      'admin.enableServer=false',
      '4lw.commands.whitelist=ruok,srvr,mntr,stat,conf,cons',
      'minSessionTimeout=1000',
      'maxSessionTimeout=30000',
      ...(options.servers ?? []),
    ];
    writeFileSync(this.configFile, lines.join('\n') + '\n');
    if (options.myId !== undefined) writeFileSync(join(options.dataDir, 'myid'), `${options.myId}\n`);
  }

  get connectString(): string {
    return `${this.host}:${this.options.clientPort}`;
  }

  get pid(): number | undefined {
    const file = join(this.options.dataDir, 'zookeeper.pid');
    if (!existsSync(file)) return undefined;
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  }

  /** Starts the server; for a standalone server, resolves once it serves. */
  async start(): Promise<void> {
    await execFileAsync('bash', [START, '-daemon', this.configFile], { timeout: 90_000 }).catch((err: Error & { stderr?: string }) => {
      // An ensemble member is not "serving" until a quorum exists; the caller waits for that.
      if (this.options.servers === undefined) throw new Error(`ZooKeeper failed to start: ${err.stderr ?? err.message}`);
    });
  }

  async stop(): Promise<void> {
    if (this.pid === undefined) return;
    await execFileAsync('bash', [STOP, this.configFile], { timeout: 30_000 }).catch(() => undefined);
  }

  /** Sends a signal to the server process (SIGKILL, SIGSTOP, SIGCONT). */
  signal(sig: NodeJS.Signals): void {
    const pid = this.pid;
    if (pid !== undefined) process.kill(pid, sig);
  }

  async mode(): Promise<string | undefined> {
    const answer = await fourLetterWord(this.host, this.options.clientPort, 'srvr');
    return /^Mode: (\S+)/m.exec(answer)?.[1];
  }

  async waitServing(timeoutMs = 30_000): Promise<string> {
    return waitFor(() => this.mode(), `ZooKeeper on ${this.connectString} to serve`, { timeoutMs, intervalMs: 100 });
  }
}

export async function startZooKeeper(options: { tickTime?: number } = {}): Promise<ZooKeeperNode> {
  const [port] = await freePorts(1);
  const node = new ZooKeeperNode({ dataDir: tmpDir('samsa-zk-'), clientPort: port!, tickTime: options.tickTime });
  await node.start();
  return node;
}

export class ZooKeeperEnsemble {
  constructor(readonly nodes: ZooKeeperNode[]) {}

  get connectString(): string {
    return this.nodes.map((n) => n.connectString).join(',');
  }

  async start(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.start()));
    await Promise.all(this.nodes.map((n) => n.waitServing(60_000)));
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
  }

  async leader(): Promise<ZooKeeperNode | undefined> {
    for (const n of this.nodes) if ((await n.mode()) === 'leader') return n;
    return undefined;
  }
}

export async function startZooKeeperEnsemble(size = 3): Promise<ZooKeeperEnsemble> {
  const ports = await freePorts(size * 3);
  const servers = Array.from({ length: size }, (_, i) => `server.${i + 1}=127.0.0.1:${ports[size + i]}:${ports[2 * size + i]}`);
  const nodes = Array.from(
    { length: size },
    (_, i) => new ZooKeeperNode({ dataDir: tmpDir('samsa-zk-ens-'), clientPort: ports[i]!, servers, myId: i + 1 }),
  );
  const ensemble = new ZooKeeperEnsemble(nodes);
  await ensemble.start();
  return ensemble;
}
