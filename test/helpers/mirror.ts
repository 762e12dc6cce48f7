/**
 * Mirroring tests: two Samsa clusters of broker processes, each in its own chroot of the test
 * ZooKeeper, and the mirror as a process of its own (scripts/mirror-maker.sh, so kill -9 is
 * real). Helpers to read a topic whole and to see what the mirror reports over HTTP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Admin, Consumer, type ConsumerRecord } from '../../client/index.js';
import { startCluster, type ClusterOptions, type TestCluster } from './cluster.js';
import { freePort } from './ports.js';
import { parsePrometheusText, type Sample } from './prometheus-text.js';
import { testZkConnect } from './shared-zookeeper.js';
import { tmpDir } from './tmp.js';
import { waitFor } from './wait-for.js';
import { REPO_ROOT } from './zookeeper.js';

export const MIRROR_SCRIPT = join(REPO_ROOT, 'scripts', 'mirror-maker.sh');

/** Broker settings for small test clusters (RF as given, fast group starts). */
export function mirrorClusterProperties(replicas: number): Record<string, string | number | boolean> {
  return {
    'offsets.topic.replication.factor': replicas,
    'offsets.topic.num.partitions': 3,
    'default.replication.factor': replicas,
    'group.initial.rebalance.delay.ms': 0,
    'num.partitions': 1,
  };
}

export async function startTwoClusters(size: number, options: Omit<ClusterOptions, 'size' | 'zookeeperConnect'> = {}): Promise<{ a: TestCluster; b: TestCluster }> {
  const start = (name: string): Promise<TestCluster> =>
    startCluster({ ...options, size, zookeeperConnect: testZkConnect(`mirror-${name}`), properties: { ...mirrorClusterProperties(size), ...options.properties } });
  const [a, b] = await Promise.allSettled([start('a'), start('b')]);
  if (a.status === 'rejected' || b.status === 'rejected') {
    if (a.status === 'fulfilled') await a.value.stop();
    if (b.status === 'fulfilled') await b.value.stop();
    throw a.status === 'rejected' ? a.reason : (b as PromiseRejectedResult).reason;
  }
  return { a: a.value, b: b.value };
}

export class MirrorProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> | undefined;
  readonly logFile: string;
  readonly configFile: string;
  private starts = 0;

  private constructor(
    readonly dir: string,
    readonly httpPort: number,
  ) {
    this.logFile = join(dir, 'mirror.out');
    this.configFile = join(dir, 'mm2.properties');
  }

  /** Writes the config (plus admin.http.listener on a free port) and starts the process. */
  static async start(config: Record<string, string | number | boolean>): Promise<MirrorProcess> {
    const port = await freePort();
    const m = new MirrorProcess(tmpDir('samsa-mirror-'), port);
    const lines = Object.entries({ ...config, 'admin.http.listener': `127.0.0.1:${port}` }).map(([k, v]) => `${k} = ${v}`);
    writeFileSync(m.configFile, lines.join('\n') + '\n');
    await m.restart();
    return m;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get url(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  /** Starts (again): resolves once the process printed that it started and /health answers. */
  async restart(): Promise<void> {
    if (this.isAlive()) throw new Error('the mirror is still running');
    this.starts++;
    const fd = openSync(this.logFile, 'a');
    writeFileSync(fd, `---- start ${this.starts}\n`);
    this.child = spawn('bash', [MIRROR_SCRIPT, this.configFile], { stdio: ['ignore', fd, fd], env: { ...process.env, SAMSA_LOG_LEVEL: process.env['SAMSA_LOG_LEVEL'] ?? 'info' } });
    closeSync(fd);
    const child = this.child;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`the mirror exited with ${child.exitCode}: ${this.log().slice(-2000)}`);
        return (await this.health().catch(() => undefined)) !== undefined;
      },
      'the mirror process to serve /health',
      { timeoutMs: 60_000, intervalMs: 100 },
    );
  }

  isAlive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** kill -9: no commit, no goodbye. */
  async kill9(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM: the mirror stops its flows, committing; resolves with the exit code. */
  async terminate(timeoutMs = 60_000): Promise<number | null> {
    if (!this.isAlive()) return this.child?.exitCode ?? null;
    this.child!.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([this.exited!, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)))]);
    clearTimeout(timer);
    if (code === 'timeout') {
      this.child!.kill('SIGKILL');
      throw new Error(`the mirror did not stop within ${timeoutMs} ms after SIGTERM`);
    }
    return code;
  }

  async health(): Promise<{ status: number; body: { status: string; flows: Array<{ flow: string; state: string; tasks: number; partitions: number; topics: string[]; lastError: unknown }> } }> {
    const res = await fetch(`${this.url}/health`);
    return { status: res.status, body: (await res.json()) as never };
  }

  /** Every sample of /metrics (read by the strict Prometheus text reader). */
  async metrics(): Promise<Sample[]> {
    const res = await fetch(`${this.url}/metrics`);
    if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
    return [...parsePrometheusText(await res.text()).values()].flatMap((f) => f.samples);
  }

  /** Sum of a metric's samples whose labels include `labels`. */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    return (await this.metrics()).filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);
  }

  log(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }
}

/** Every record of every partition of `topic`, in offset order per partition (bounded by time). */
export async function readAll(bootstrap: string, topic: string, timeoutMs = 30_000): Promise<Map<number, ConsumerRecord[]>> {
  const admin = new Admin({ brokers: [bootstrap] });
  let ends: Array<{ topic: string; partition: number; offset: bigint }>;
  try {
    const [meta] = await admin.fetchTopicMetadata([topic]);
    ends = await admin.listOffsets(meta!.partitions.map((p) => ({ topic, partition: p.partition })), 'latest');
  } finally {
    admin.close();
  }
  const consumer = new Consumer({ brokers: [bootstrap], autoOffsetReset: 'earliest', maxPollRecords: 10_000 });
  const out = new Map<number, ConsumerRecord[]>(ends.map((e) => [e.partition, []]));
  try {
    consumer.assign(ends.map(({ topic: t, partition }) => ({ topic: t, partition })));
    const deadline = Date.now() + timeoutMs;
    const behind = async (): Promise<boolean> => {
      for (const e of ends) if ((await consumer.position(e)) < e.offset) return true;
      return false;
    };
    while (await behind()) {
      if (Date.now() > deadline) throw new Error(`could not read ${topic} to its end within ${timeoutMs} ms`);
      for (const r of await consumer.poll({ timeoutMs: 500 })) out.get(r.partition)!.push(r);
    }
  } finally {
    await consumer.close();
  }
  return out;
}

/** Waits until `topic` on `bootstrap` holds at least `count` records in all (summed high watermarks). */
export async function waitForRecords(bootstrap: string, topic: string, count: number, timeoutMs = 60_000): Promise<void> {
  const admin = new Admin({ brokers: [bootstrap] });
  let last = -1n;
  try {
    await waitFor(
      async () => {
        const [meta] = await admin.fetchTopicMetadata([topic]);
        const ends = await admin.listOffsets(meta!.partitions.map((p) => ({ topic, partition: p.partition })), 'latest');
        last = ends.reduce((n, e) => n + e.offset, 0n);
        return last >= BigInt(count);
      },
      `${count} records in ${topic} (last seen: ${last})`,
      { timeoutMs, intervalMs: 250 },
    );
  } finally {
    admin.close();
  }
}
