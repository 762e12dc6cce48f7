/**
 * Mirroring A→B (scripts/mirror-maker.sh as its own process, at-least-once, tasks.max 3) between
 * two one-broker clusters, each with a ZooKeeper of its own: 3 topics × 3 partitions, 100-byte
 * records.
 *
 * 1. Steady load: the Samsa producer sends `--rate` msg/s (default 10,000) to A for `--seconds`
 *    (default 30), after `--warmup` seconds (default 5) of the same load whose records are
 *    reported apart. Two lags per record, over the measured seconds only:
 *    - replication latency, MirrorMaker 2's replication-latency-ms: the target's acknowledgement
 *      minus the record's CreateTime, taken by the mirror for every record. Read from the
 *      mirror's histogram (samsa_mirror_replication_latency_ms) before and after the measured
 *      seconds: exact counts over 500 ms and 1 s, percentiles as the bucket bound they fall under.
 *    - end to end, what a user of B sees: a consumer on B takes, for every record, the time it
 *      arrived minus its CreateTime on A (produce on A, mirror, fetch on B): p50/p99/p99.9/max.
 *    Target: p99 < 1 s. The warm-up exists because the first 1-2 s of load on freshly started
 *    processes are slow everywhere (measured: a consumer on A itself saw p99 ~850 ms in the
 *    first second, and the mirror acknowledged nothing for ~1 s, then caught up within ~4 s);
 *    its own p99 is in the result (`warmup`), so the cold start stays visible. `--warmup 0`
 *    measures from the first record.
 * 2. Catch-up: the mirror is stopped, `--backlog` records (default 200,000) are written to A,
 *    the mirror is started again; the time until B holds them all gives the mirror's throughput.
 *
 * Options: --rate, --seconds, --warmup, --backlog, --tasks.
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

/** Cumulative counts of the mirror's replication-latency histogram, by bucket upper bound (ms). */
async function latencyBuckets(m: MirrorProcess): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const s of await m.metrics()) {
    if (s.name !== 'samsa_mirror_replication_latency_ms_bucket') continue;
    const le = s.labels['le'] === '+Inf' ? Infinity : Number(s.labels['le']);
    out.set(le, (out.get(le) ?? 0) + s.value);
  }
  return out;
}

/** The records acknowledged on the target between two scrapes: counts over 500 ms / 1 s, and the bucket bound each percentile falls under. */
function replicationLatency(before: Map<number, number>, after: Map<number, number>): Record<string, number | string> {
  const bounds = [...after.keys()].sort((x, y) => x - y);
  const within = (le: number): number => (after.get(le) ?? 0) - (before.get(le) ?? 0);
  const records = within(Infinity);
  const under = (p: number): string => {
    const le = bounds.find((b) => within(b) >= (p / 100) * records);
    return le === undefined || le === Infinity ? '> last bucket' : `<= ${le}`;
  };
  return { records, over500Ms: records - within(500), over1000Ms: records - within(1000), p50Ms: under(50), p99Ms: under(99), p999Ms: under(99.9) };
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
  const warmup = Number(arg(ctx.args, '--warmup', '5'));
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

    // 1. Steady load: warm-up, then the measured seconds.
    const remote = TOPICS.map((t) => `A.${t}`);
    const lags: number[] = [];
    // CreateTime of each record read, to see where in the run the tail of the lag sits.
    const created: number[] = [];
    const consumer = new Consumer({ brokers: [b.bootstrap], autoOffsetReset: 'earliest', enableAutoCommit: false, maxPollRecords: 10_000, fetchMaxWaitMs: 50 });
    consumer.assign(remote.flatMap((topic) => Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition }))));
    for (const tp of consumer.assignment()) await consumer.position(tp);
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
    // The bench's own clients start before the clock does: a record stamped while the producer
    // still looks up its leaders, or read by a consumer still resolving its positions, would be
    // charged to the mirror (measured: ~300 ms and ~260 ms at the start of the run).
    await producer.connect();
    await producer.cluster.refreshMetadata(TOPICS);
    const warmupStarted = Date.now();
    const warmupSent = warmup > 0 ? await steadyLoad(producer, rate, warmup) : 0;
    const before = await latencyBuckets(m);
    const loadStarted = Date.now();
    const sent = await steadyLoad(producer, rate, seconds);
    await waitFor(() => lags.length >= warmupSent + sent, `${warmupSent + sent} records read on B`, { timeoutMs: 60_000, intervalMs: 100 }).catch(() => undefined);
    const after = await latencyBuckets(m);
    reading = false;
    await reader;
    await consumer.close();
    // The measured seconds: records stamped from loadStarted on (the warm-up's apart).
    const measured = lags.filter((_, i) => created[i]! >= loadStarted).sort((x, y) => x - y);
    const warm = lags.filter((_, i) => created[i]! < loadStarted && created[i]! >= warmupStarted).sort((x, y) => x - y);
    // p99 per 5 s of the run (by CreateTime, warm-up first): where in the run the tail sits.
    const windows: number[][] = [];
    lags.forEach((lag, i) => (windows[Math.max(0, Math.floor((created[i]! - warmupStarted) / 5000))] ??= []).push(lag));
    const windowP99 = [...windows].map((w) => (w === undefined ? NaN : percentile([...w].sort((x, y) => x - y), 99)));
    const steady = {
      rateAsked: rate,
      warmupSeconds: warmup,
      seconds,
      sent,
      sentPerSecond: Math.round(sent / seconds),
      arrived: measured.length,
      replicationLatency: replicationLatency(before, after),
      endToEnd: { p50Ms: percentile(measured, 50), p99Ms: percentile(measured, 99), p999Ms: percentile(measured, 99.9), maxMs: measured.at(-1) ?? NaN },
      warmup: { records: warm.length, p99Ms: percentile(warm, 99), maxMs: warm.at(-1) ?? NaN },
      endToEndP99Per5sMs: windowP99,
    };
    const rl = steady.replicationLatency;
    ctx.log(`steady: sent ${sent} in ${seconds} s (${steady.sentPerSecond} msg/s) after ${warmup} s of warm-up; arrived on B ${measured.length}`);
    ctx.log(`steady: replication latency (MM2: target ack - CreateTime) of ${rl['records']} records: p50 ${rl['p50Ms']} ms, p99 ${rl['p99Ms']} ms, p99.9 ${rl['p999Ms']} ms; over 500 ms: ${rl['over500Ms']}, over 1 s: ${rl['over1000Ms']} (target p99 < 1000 ms)`);
    ctx.log(`steady: end to end (read on B - CreateTime): p50 ${steady.endToEnd.p50Ms} ms, p99 ${steady.endToEnd.p99Ms} ms, p99.9 ${steady.endToEnd.p999Ms} ms, max ${steady.endToEnd.maxMs} ms`);
    ctx.log(`steady: warm-up (${warm.length} records): end-to-end p99 ${steady.warmup.p99Ms} ms, max ${steady.warmup.maxMs} ms; p99 per 5 s from the warm-up on: ${windowP99.join(', ')} ms`);

    // 2. Catch-up throughput.
    expectExit(await m.terminate());
    await producer.sendBatch(Array.from({ length: backlog }, (_, i) => ({ topic: TOPICS[i % TOPICS.length]!, partition: Math.floor(i / TOPICS.length) % PARTITIONS, key: `b${i}`, value: VALUE })));
    await producer.close();
    const t0 = Date.now();
    await m.restart();
    // Record i of each load (warm-up, measured, backlog) went to TOPICS[i % 3]: topic k holds ceil((n - k) / 3) of n.
    const ofTopic = (n: number, k: number): number => Math.ceil((n - k) / TOPICS.length);
    for (const [k, t] of remote.entries()) await waitForRecords(b.bootstrap, t, ofTopic(warmupSent, k) + ofTopic(sent, k) + ofTopic(backlog, k), 300_000);
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
