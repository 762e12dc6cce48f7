/**
 * Mirroring tests: two Samsa clusters of broker processes, each in its own chroot of the test
 * ZooKeeper, and the mirror as a process of its own (scripts/mirror-maker.sh, so kill -9 is
 * real). Helpers to read a topic whole and to see what the mirror reports over HTTP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Admin, Consumer, Producer, type ConsumerRecord, type RecordMetadata } from '../../client/index.js';
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
    'transaction.state.log.replication.factor': replicas,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 3,
    'default.replication.factor': replicas,
    'group.initial.rebalance.delay.ms': 0,
    'num.partitions': 1,
  };
}

/** Cluster A, then cluster B (one after the other: broker starts are CPU-heavy on a shared machine). */
export async function startTwoClusters(size: number, options: Omit<ClusterOptions, 'size' | 'zookeeperConnect'> = {}): Promise<{ a: TestCluster; b: TestCluster }> {
  const start = (name: string): Promise<TestCluster> =>
    startCluster({ startTimeoutMs: 120_000, ...options, size, zookeeperConnect: testZkConnect(`mirror-${name}`), properties: { ...mirrorClusterProperties(size), ...options.properties } });
  const a = await start('a');
  try {
    return { a, b: await start('b') };
  } catch (err) {
    await a.stop();
    throw err;
  }
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

  async health(): Promise<{ status: number; body: { status: string; flows: Array<{ flow: string; state: string; tasks: number; readyTasks: number; partitions: number; topics: string[]; lastError: unknown }> } }> {
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
export async function readAll(
  bootstrap: string,
  topic: string,
  { timeoutMs = 30_000, isolationLevel = 'read_uncommitted' }: { timeoutMs?: number; isolationLevel?: 'read_uncommitted' | 'read_committed' } = {},
): Promise<Map<number, ConsumerRecord[]>> {
  const admin = new Admin({ brokers: [bootstrap] });
  let ends: Array<{ topic: string; partition: number; offset: bigint }>;
  try {
    const [meta] = await admin.fetchTopicMetadata([topic]);
    ends = await admin.listOffsets(meta!.partitions.map((p) => ({ topic, partition: p.partition })), 'latest');
  } finally {
    admin.close();
  }
  const consumer = new Consumer({ brokers: [bootstrap], autoOffsetReset: 'earliest', maxPollRecords: 10_000, isolationLevel });
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
      `${count} records in ${topic}`,
      { timeoutMs, intervalMs: 250 },
    );
  } catch (err) {
    // The label is built before the wait: say here how far it got.
    throw new Error(`${(err as Error).message} (last seen: ${last})`, { cause: err });
  } finally {
    admin.close();
  }
}

export interface Sent {
  topic: string;
  partition: number;
  offset: bigint;
  key: string;
  value: string;
  timestamp: bigint;
  headers: Array<{ key: string; value: string }>;
}

/** Records produced at about `perSecond` (keys, two headers, CreateTime far from now) until stopped. */
export class Load {
  readonly sent: Sent[] = [];
  /** Sends that failed (their records may or may not be in the source log). */
  failed = 0;
  private stopped = false;
  private readonly done: Promise<void>;
  private readonly producer: Producer<string, string>;

  constructor(bootstrap: string, topics: Array<{ topic: string; partitions: () => number }>, perSecond: number) {
    // Idempotent, acks=all: an acknowledged record is in the source log exactly once.
    const producer = new Producer<string, string>({ brokers: [bootstrap], lingerMs: 2, deliveryTimeoutMs: 60_000 });
    this.producer = producer;
    this.done = (async () => {
      let seq = 0;
      const started = Date.now();
      while (!this.stopped) {
        const due = Math.floor(((Date.now() - started) / 1000) * perSecond);
        const batch: Array<Promise<void>> = [];
        for (; seq < due && batch.length < 500; seq++) {
          const t = topics[seq % topics.length]!;
          const partition = Math.floor(seq / topics.length) % t.partitions();
          const key = `k-${seq % 97}`;
          const value = `${t.topic}/${partition}/${seq}`;
          const timestamp = 1_600_000_000_000n + BigInt(seq);
          const headers = [{ key: 'seq', value: String(seq) }, { key: 'origin', value: 'A' }];
          batch.push(
            producer.send({ topic: t.topic, partition, key, value, timestamp, headers: headers.map((h) => ({ key: h.key, value: Buffer.from(h.value) })) }).then(
              (m: RecordMetadata) => {
                this.sent.push({ topic: t.topic, partition, offset: m.offset, key, value, timestamp, headers });
              },
              () => {
                this.failed++;
              },
            ),
          );
        }
        await Promise.all(batch);
        if (batch.length === 0) await new Promise((r) => setTimeout(r, 5));
      }
    })();
  }

  /** After adding partitions on the cluster: the producer learns them before they are used. */
  async learnPartitions(topic: string, count: number): Promise<void> {
    await waitFor(async () => {
      await this.producer.cluster.refreshMetadata([topic]);
      return (this.producer.cluster.topic(topic)?.partitions.length ?? 0) >= count;
    }, `the producer sees ${count} partitions of ${topic}`);
  }

  async stop(): Promise<Sent[]> {
    this.stopped = true;
    await this.done;
    await this.producer.close();
    return this.sent;
  }
}

export interface MirrorCheck {
  /** Source records never seen on the target. */
  missing: number;
  /** Target records that are second copies. */
  duplicates: number;
  /** Places where the target goes back to an earlier source record (a re-mirrored run starts). */
  rewinds: number;
  /** Places where the target skips ahead of the next source record (order broken). */
  gaps: number;
  /** Target records the source does not have. */
  unexpected: number;
  /** The first few rewinds and gaps: "target #i = source #j after source #k" (for a failure's evidence). */
  where: string[];
}

/**
 * One partition, mirrored at least once: the target must be the source's records in order, with
 * possibly some runs sent again (each starting with a rewind to an earlier record and continuing
 * in order). Values must be unique in the source.
 */
export function checkMirrored(source: readonly string[], target: readonly string[]): MirrorCheck {
  const index = new Map(source.map((v, i) => [v, i]));
  const seen = new Set<number>();
  const r: MirrorCheck = { missing: 0, duplicates: 0, rewinds: 0, gaps: 0, unexpected: 0, where: [] };
  const note = (what: string, t: number, i: number, prev: number): void => {
    if (r.where.length < 6) r.where.push(`${what}: target #${t} = source #${i} after source #${prev}`);
  };
  let prev = -1;
  let t = -1;
  let highest = -1;
  for (const v of target) {
    t++;
    const i = index.get(v);
    if (i === undefined) {
      r.unexpected++;
      continue;
    }
    if (seen.has(i)) r.duplicates++;
    seen.add(i);
    if (i <= prev) {
      r.rewinds++;
      note('rewind', t, i, prev);
    } else if (i !== prev + 1 || i > highest + 1) {
      // After a rewind the run must continue in order, and may only go past what was seen by one.
      r.gaps++;
      note('gap', t, i, prev);
    }
    prev = i;
    if (i > highest) highest = i;
  }
  r.missing = source.length - seen.size;
  return r;
}

/**
 * Source log vs target log of a mirrored topic, per partition (checkMirrored), summed, once the
 * target holds as many records as the source: counted by high watermarks, or read_committed
 * (exactly-once: aborted copies do not count).
 */
export async function compareMirrored(
  sourceBootstrap: string,
  targetBootstrap: string,
  topic: string,
  remote: string,
  { isolationLevel = 'read_uncommitted', timeoutMs = 90_000 }: { isolationLevel?: 'read_uncommitted' | 'read_committed'; timeoutMs?: number } = {},
): Promise<MirrorCheck & { total: number }> {
  const count = (m: Map<number, ConsumerRecord[]>): number => [...m.values()].reduce((n, r) => n + r.length, 0);
  const values = (m: Map<number, ConsumerRecord[]>, partition: number): string[] => (m.get(partition) ?? []).map((r) => r.value!.toString('utf8'));
  const source = await readAll(sourceBootstrap, topic);
  const total = count(source);
  let target = new Map<number, ConsumerRecord[]>();
  if (isolationLevel === 'read_committed') {
    await waitFor(
      async () => count((target = await readAll(targetBootstrap, remote, { isolationLevel }))) >= total,
      `${total} records read_committed on ${remote}`,
      { timeoutMs, intervalMs: 1000 },
    );
  } else {
    await waitForRecords(targetBootstrap, remote, total, timeoutMs);
    target = await readAll(targetBootstrap, remote);
  }
  const sum: MirrorCheck & { total: number } = { missing: 0, duplicates: 0, rewinds: 0, gaps: 0, unexpected: 0, where: [], total };
  for (const p of source.keys()) {
    const c = checkMirrored(values(source, p), values(target, p));
    for (const k of ['missing', 'duplicates', 'rewinds', 'gaps', 'unexpected'] as const) sum[k] += c[k];
    sum.where.push(...c.where.map((w) => `${remote}-${p} ${w}`));
  }
  return sum;
}
