/**
 * Client quotas at Kafka's defaults (quota.window.num=11 × 1 s) on one broker process: the issue's
 * figures. Produce: a Samsa producer (client id `bench-throttled`, producer_byte_rate 1 MB/s) and
 * an unthrottled one (`bench-free`) produce as fast as they can, each to its own topic; after a
 * warm-up longer than the quota window (the first windows allow a burst) the broker's
 * `kafka_server_brokertopicmetrics_bytesin_total` per topic is read over `--seconds` (20).
 * Fetch: the same with raw Fetch loops that ignore throttle_time_ms (`bench-slow-reader` under
 * consumer_byte_rate 1 MB/s, `bench-reader` free), read from bytesout_total. Each unthrottled rate
 * is compared with its rate alone, measured first. Target: throttled within ±15 % of the quota,
 * unthrottled ≥ 80 % of alone. Options: --quota <bytes/s>, --seconds, --warmup-seconds.
 */
import { Admin, Producer } from '../../client/index.js';
import { ApiKey, iterateBatches } from '../../protocol/index.js';
import { KafkaSocket } from '../../test/helpers/kafka-socket.js';
import { freePorts } from '../../test/helpers/ports.js';
import { parsePrometheusText } from '../../test/helpers/prometheus-text.js';
import type { BenchContext } from '../suites.js';
import { arg, createBenchTopic, startBenchBroker, type BenchBroker } from './produce.js';

export const describe = 'producer_byte_rate and consumer_byte_rate of 1 MB/s held at the broker over 20 s, next to unthrottled clients (one broker process)';

const VALUE = Buffer.alloc(16 * 1024, 7);

async function topicCounter(adminPort: number, name: string, topic: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  return parsePrometheusText(text).get(name)?.samples.find((s) => s.labels.topic === topic)?.value ?? 0;
}

/** Runs `load` until `stop()`; returns bytes/s measured at the broker over [warmup, warmup + seconds]. */
async function measured(adminPort: number, counter: string, topic: string, warmupMs: number, seconds: number, load: (running: () => boolean) => Promise<void>): Promise<number> {
  let running = true;
  const loading = load(() => running);
  await new Promise((r) => setTimeout(r, warmupMs));
  const before = await topicCounter(adminPort, counter, topic);
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const after = await topicCounter(adminPort, counter, topic);
  const elapsed = (Date.now() - t0) / 1000;
  running = false;
  await loading;
  return (after - before) / elapsed;
}

function produceLoad(b: BenchBroker, clientId: string, topic: string) {
  return async (running: () => boolean): Promise<void> => {
    const producer = new Producer<Buffer, Buffer>({ brokers: [b.bootstrap], clientId, lingerMs: 5 });
    try {
      while (running()) await Promise.all(Array.from({ length: 16 }, () => producer.send({ topic, partition: 0, value: VALUE })));
    } finally {
      await producer.close();
    }
  };
}

function fetchLoad(b: BenchBroker, clientId: string, topic: string) {
  return async (running: () => boolean): Promise<void> => {
    const sock = await KafkaSocket.connect(b.broker.host, b.broker.port);
    let offset = 0n;
    try {
      while (running()) {
        const res = await sock.request(ApiKey.Fetch, 11, {
          replicaId: -1, maxWaitMs: 100, minBytes: 1, maxBytes: 4 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
          topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: offset, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
          forgottenTopicsData: [], rackId: '',
        } as never, 60_000, clientId);
        const p = res.responses[0]!.partitions[0]!;
        let next = offset;
        for (const batch of iterateBatches(p.records ?? Buffer.alloc(0))) next = batch.header.baseOffset + BigInt(batch.header.lastOffsetDelta) + 1n;
        offset = next >= p.highWatermark ? 0n : next;
      }
    } finally {
      sock.close();
    }
  };
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  const quota = Number(arg(ctx.args, '--quota', String(1 << 20)));
  const seconds = Number(arg(ctx.args, '--seconds', '20'));
  const warmupMs = Number(arg(ctx.args, '--warmup-seconds', '12')) * 1000;
  const [adminPort] = await freePorts(1);
  const b = await startBenchBroker(ctx, { 'admin.http.listener': `127.0.0.1:${adminPort}` }, 'samsa-bench-quotas');
  const admin = new Admin({ brokers: [b.bootstrap] });
  try {
    for (const t of ['bench-q-throttled', 'bench-q-free', 'bench-q-read-throttled', 'bench-q-read-free']) await createBenchTopic(b, t, 1);
    await admin.alterClientQuotas([
      { entity: { clientId: 'bench-throttled' }, ops: { producer_byte_rate: quota } },
      { entity: { clientId: 'bench-slow-reader' }, ops: { consumer_byte_rate: quota } },
    ]);
    const bytesIn = 'kafka_server_brokertopicmetrics_bytesin_total';
    const bytesOut = 'kafka_server_brokertopicmetrics_bytesout_total';
    ctx.log(`produce: unthrottled alone for ${seconds} s...`);
    const freeAlone = await measured(adminPort!, bytesIn, 'bench-q-free', 2000, seconds, produceLoad(b, 'bench-free', 'bench-q-free'));
    ctx.log(`produce: throttled (${quota} B/s) and unthrottled together, ${warmupMs / 1000} s warm-up + ${seconds} s...`);
    const [throttled, freeTogether] = await Promise.all([
      measured(adminPort!, bytesIn, 'bench-q-throttled', warmupMs, seconds, produceLoad(b, 'bench-throttled', 'bench-q-throttled')),
      measured(adminPort!, bytesIn, 'bench-q-free', warmupMs, seconds, produceLoad(b, 'bench-free', 'bench-q-free')),
    ]);
    ctx.log(`produce: throttled ${Math.round(throttled)} B/s = ${(throttled / quota).toFixed(3)} × quota; unthrottled ${Math.round(freeTogether)} B/s = ${(freeTogether / freeAlone).toFixed(3)} × alone (${Math.round(freeAlone)} B/s)`);
    // Alone again, with the same warm-up as together: tells a drift of the broker or the machine
    // over the run (page cache, writeback, JIT) from an effect of the throttled client.
    const freeAloneAfter = await measured(adminPort!, bytesIn, 'bench-q-free', warmupMs, seconds, produceLoad(b, 'bench-free', 'bench-q-free'));
    ctx.log(`produce: unthrottled alone again ${Math.round(freeAloneAfter)} B/s (together = ${(freeTogether / freeAloneAfter).toFixed(3)} × this)`);

    // 32 MB per read topic, read round and round.
    const fill = new Producer<Buffer, Buffer>({ brokers: [b.bootstrap], clientId: 'bench-fill' });
    try {
      for (const t of ['bench-q-read-throttled', 'bench-q-read-free']) for (let i = 0; i < 8; i++) await Promise.all(Array.from({ length: 256 }, () => fill.send({ topic: t, partition: 0, value: VALUE })));
    } finally {
      await fill.close();
    }
    ctx.log(`fetch: unthrottled alone for ${seconds} s...`);
    const readAlone = await measured(adminPort!, bytesOut, 'bench-q-read-free', 2000, seconds, fetchLoad(b, 'bench-reader', 'bench-q-read-free'));
    ctx.log(`fetch: throttled (${quota} B/s, ignoring throttle_time_ms) and unthrottled together...`);
    const [slowRead, freeRead] = await Promise.all([
      measured(adminPort!, bytesOut, 'bench-q-read-throttled', warmupMs, seconds, fetchLoad(b, 'bench-slow-reader', 'bench-q-read-throttled')),
      measured(adminPort!, bytesOut, 'bench-q-read-free', warmupMs, seconds, fetchLoad(b, 'bench-reader', 'bench-q-read-free')),
    ]);
    ctx.log(`fetch: throttled ${Math.round(slowRead)} B/s = ${(slowRead / quota).toFixed(3)} × quota; unthrottled ${Math.round(freeRead)} B/s = ${(freeRead / readAlone).toFixed(3)} × alone (${Math.round(readAlone)} B/s)`);
    return {
      quota,
      seconds,
      produce: { throttled, ratioToQuota: throttled / quota, unthrottledAlone: freeAlone, unthrottledTogether: freeTogether, keptRatio: freeTogether / freeAlone, unthrottledAloneAfter: freeAloneAfter },
      fetch: { throttled: slowRead, ratioToQuota: slowRead / quota, unthrottledAlone: readAlone, unthrottledTogether: freeRead, keptRatio: freeRead / readAlone },
      target: 'throttled within 0.85..1.15 × quota, unthrottled ≥ 0.8 × alone',
    };
  } finally {
    admin.close();
    await b.stop();
  }
}
