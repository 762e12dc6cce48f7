/**
 * Mirroring A→B (scripts/mirror-maker.sh as its own process, at-least-once, tasks.max 3) between
 * two one-broker clusters, each with a ZooKeeper of its own: 3 topics × 3 partitions, 100-byte
 * records.
 *
 * 1. Steady load: the Samsa producer sends `--rate` msg/s (default 10,000) to A for `--seconds`
 *    (default 30); a consumer on B reads the remote topics and takes, for every record, the time
 *    it arrived minus its CreateTime on A (the replication lag a user of B sees: produce on A,
 *    mirror, fetch on B). Reports p50/p99/max and how many records arrived. Target p99 < 1 s.
 * 2. Catch-up: the mirror is stopped, `--backlog` records (default 200,000) are written to A,
 *    the mirror is started again; the time until B holds them all gives the mirror's throughput.
 *
 * Options: --rate, --seconds, --backlog, --tasks.
 */
import { Admin, Consumer, Producer } from '../../client/index.js';
import { startCluster, type TestCluster } from '../../test/helpers/cluster.js';
import { mirrorClusterProperties, MirrorProcess, waitForRecords } from '../../test/helpers/mirror.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import type { BenchContext } from '../suites.js';
import { arg } from './produce.js';

export const describe = 'MirrorMaker 2-style A→B between two clusters: replication lag p99 at 10,000 msg/s, catch-up throughput';

const TOPICS = ['orders', 'payments', 'audit'];
const PARTITIONS = 3;
const VALUE = Buffer.alloc(100, 'x');

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Sends about `rate` records a second for `seconds` (spread over the topics and partitions), in 10 ms ticks. */
async function steadyLoad(producer: Producer<string, Buffer>, rate: number, seconds: number): Promise<number> {
  const started = Date.now();
  let seq = 0;
  const pending: Array<Promise<unknown>> = [];
  while (Date.now() - started < seconds * 1000) {
    const due = Math.floor(((Date.now() - started) / 1000) * rate);
    for (; seq < due; seq++) {
      pending.push(producer.send({ topic: TOPICS[seq % TOPICS.length]!, partition: Math.floor(seq / TOPICS.length) % PARTITIONS, key: `k${seq}`, value: VALUE }));
    }
    if (pending.length > 20_000) await Promise.all(pending.splice(0));
    await new Promise((r) => setTimeout(r, 10));
  }
  await Promise.all(pending);
  return seq;
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  const rate = Number(arg(ctx.args, '--rate', '10000'));
  const seconds = Number(arg(ctx.args, '--seconds', '30'));
  const backlog = Number(arg(ctx.args, '--backlog', '200000'));
  const tasks = Number(arg(ctx.args, '--tasks', '3'));
  const savedLevel = process.env['SAMSA_LOG_LEVEL'];
  process.env['SAMSA_LOG_LEVEL'] = 'warn';
  const clusters: TestCluster[] = [];
  let m: MirrorProcess | undefined;
  try {
    for (let i = 0; i < 2; i++) clusters.push(await startCluster({ size: 1, properties: mirrorClusterProperties(1) }));
    const [a, b] = clusters as [TestCluster, TestCluster];
    const admin = new Admin({ brokers: [a.bootstrap] });
    await admin.createTopics(TOPICS.map((topic) => ({ topic, numPartitions: PARTITIONS, replicationFactor: 1 })));
    admin.close();
    const config = {
      clusters: 'A, B',
      'A.bootstrap.servers': a.bootstrap,
      'B.bootstrap.servers': b.bootstrap,
      'A->B.enabled': true,
      'A->B.topics': TOPICS.join(', '),
      'tasks.max': tasks,
      'replication.factor': 1,
      'offset-syncs.topic.replication.factor': 1,
      'checkpoints.topic.replication.factor': 1,
      'heartbeats.topic.replication.factor': 1,
      'offset.storage.replication.factor': 1,
    };
    m = await MirrorProcess.start(config);
    await waitFor(async () => (await m!.health()).status === 200, 'the flow running', { timeoutMs: 60_000, intervalMs: 200 });
    ctx.log(`two one-broker clusters; mirror A->B, tasks.max=${tasks}; ${TOPICS.length} topics × ${PARTITIONS} partitions; ${rate} msg/s for ${seconds} s`);

    // 1. Steady load, lag seen by a consumer of B.
    const remote = TOPICS.map((t) => `A.${t}`);
    const lags: number[] = [];
    // CreateTime of each record read, to see where in the run the tail of the lag sits.
    const created: number[] = [];
    const consumer = new Consumer({ brokers: [b.bootstrap], autoOffsetReset: 'earliest', enableAutoCommit: false, maxPollRecords: 10_000, fetchMaxWaitMs: 50 });
    consumer.assign(remote.flatMap((topic) => Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition }))));
    let reading = true;
    const reader = (async () => {
      while (reading) {
        for (const r of await consumer.poll({ timeoutMs: 200 })) {
          lags.push(Date.now() - Number(r.timestamp));
          created.push(Number(r.timestamp));
        }
      }
    })();
    const producer = new Producer<string, Buffer>({ brokers: [a.bootstrap], lingerMs: 5 });
    const loadStarted = Date.now();
    const sent = await steadyLoad(producer, rate, seconds);
    const sendSeconds = seconds;
    await waitFor(() => lags.length >= sent, `${sent} records read on B`, { timeoutMs: 60_000, intervalMs: 100 }).catch(() => undefined);
    reading = false;
    await reader;
    await consumer.close();
    const sorted = [...lags].sort((x, y) => x - y);
    // p99 per 5 s of the run (by CreateTime): the first window includes the remote topics being
    // created and the first metadata of both clients; the others are the steady state.
    const windows: number[][] = [];
    lags.forEach((lag, i) => (windows[Math.max(0, Math.floor((created[i]! - loadStarted) / 5000))] ??= []).push(lag));
    const windowP99 = [...windows].map((w) => (w === undefined ? NaN : percentile([...w].sort((x, y) => x - y), 99)));
    const afterFirst = lags.filter((_, i) => created[i]! - loadStarted >= 5000).sort((x, y) => x - y);
    const steady = {
      rateAsked: rate,
      sent,
      sentPerSecond: Math.round(sent / sendSeconds),
      arrived: lags.length,
      lagP50Ms: percentile(sorted, 50),
      lagP99Ms: percentile(sorted, 99),
      lagMaxMs: sorted[sorted.length - 1] ?? NaN,
      lagP99AfterFirst5sMs: percentile(afterFirst, 99),
      lagP99Per5sMs: windowP99,
    };
    ctx.log(`steady: sent ${sent} (${steady.sentPerSecond} msg/s), arrived on B ${lags.length}; lag p50 ${steady.lagP50Ms} ms, p99 ${steady.lagP99Ms} ms, max ${steady.lagMaxMs} ms (target p99 < 1000 ms)`);
    ctx.log(`steady: lag p99 without the first 5 s ${steady.lagP99AfterFirst5sMs} ms; p99 per 5 s: ${windowP99.join(', ')} ms`);

    // 2. Catch-up throughput.
    expectExit(await m.terminate());
    const before = sent;
    await producer.sendBatch(Array.from({ length: backlog }, (_, i) => ({ topic: TOPICS[i % TOPICS.length]!, partition: Math.floor(i / TOPICS.length) % PARTITIONS, key: `b${i}`, value: VALUE })));
    await producer.close();
    const t0 = Date.now();
    await m.restart();
    // Record i of each load went to TOPICS[i % 3]: topic k holds ceil((n - k) / 3) of n.
    const ofTopic = (n: number, k: number): number => Math.ceil((n - k) / TOPICS.length);
    for (const [k, t] of remote.entries()) await waitForRecords(b.bootstrap, t, ofTopic(before, k) + ofTopic(backlog, k), 300_000);
    const catchUpMs = Date.now() - t0;
    const catchUp = { records: backlog, ms: catchUpMs, perSecond: Math.round(backlog / (catchUpMs / 1000)) };
    ctx.log(`catch-up: ${backlog} records mirrored in ${catchUpMs} ms (${catchUp.perSecond} msg/s, mirror start included)`);
    return { steady, catchUp };
  } finally {
    if (m?.isAlive()) await m.terminate().catch(() => m!.kill9());
    for (const c of clusters) await c.stop();
    if (savedLevel === undefined) delete process.env['SAMSA_LOG_LEVEL'];
    else process.env['SAMSA_LOG_LEVEL'] = savedLevel;
  }
}

function expectExit(code: number | null): void {
  if (code !== 0) throw new Error(`the mirror exited with ${code} on SIGTERM`);
}
