/**
 * Client quotas at Kafka's defaults (quota.window.num=11 × 1 s) on one broker process: the issue's
 * figures. Produce: a Samsa producer (client id `bench-throttled`, producer_byte_rate 1 MB/s) and
 * an unthrottled one (`bench-free`) produce as fast as they can, each to its own topic; after a
 * warm-up longer than the quota window (the first windows allow a burst) the broker's
 * `kafka_server_brokertopicmetrics_bytesin_total` per topic is read over `--seconds`.
 * Fetch: the same with raw Fetch loops that ignore throttle_time_ms (`bench-slow-reader` under
 * consumer_byte_rate 1 MB/s, `bench-reader` free), read from bytesout_total. Each unthrottled rate
 * is compared with its rate alone, measured first. Target: throttled within ±15 % of the quota,
 * unthrottled ≥ 80 % of alone. Options: --quota <bytes/s>, --seconds, --fetch-seconds, --warmup-seconds, --only.
 *
 * Why 22 s and not 20: Kafka's Rate lets a client that can send far faster than its quota spend a
 * whole span's allowance ((num − 1) × size × quota, 10 MB) in one burst, then throttles it until the
 * sample holding that burst expires num × size (11 s) later, when the next burst comes: the bytes
 * arrive as one burst per 11 s. A measure over 20 s holds one or two bursts (0.56 × or 1.1 × the
 * quota, the 0.58 × of the first runs); over whole spans it holds the quota's own average. So the
 * default is two spans, and the throttled rate is also reported over every 11 s span inside the
 * measure (counter read each second): `spanMin`/`spanMax`.
 *
 * Fetch is burstier still: an over-quota fetch is answered empty, so every byte arrives in the
 * burst that follows the expiry of the previous burst's sample, and the client, muted for up to
 * one fetch's throttle (1 MB at 1 MB/s: ~1 s), sees that expiry late. Its cycle is 11 s plus that
 * lag (11.5–11.9 s measured), so a fixed 22 s window holds one burst or two (the 0.652 × of the
 * first quiet run). The throttled reader is therefore measured over `--fetch-seconds` (four spans,
 * at least two whole cycles), its counter read every 250 ms, and also reported over whole cycles,
 * from the first burst's start to the last one's (`cycleRatioToQuota`, the figure held to the
 * target). test/unit/quota/fetch-replay.test.ts replays this loop against the rate code.
 * `--only produce|fetch` runs one half.
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

interface Measured {
  /** Bytes/s over the whole measure. */
  rate: number;
  /** The lowest and highest bytes/s over any `spanSeconds` inside the measure. */
  spanMin: number;
  spanMax: number;
  /**
   * A client throttled by emptied answers (fetch) gets its bytes in one burst per cycle: the ms at
   * which each burst began (the counter rose after at least QUIET_MS without a rise), and bytes/s
   * from the first burst's start to the last one's (whole cycles; undefined with fewer than two).
   */
  cycleStarts: number[];
  cycleRate: number | undefined;
}

/** A rise of the counter after this long without one starts a new delivery cycle. */
const QUIET_MS = 2000;

/** Runs `load` until `stop()`; bytes/s measured at the broker over [warmup, warmup + seconds], the counter read every `readEveryMs`. */
async function measured(adminPort: number, counter: string, topic: string, warmupMs: number, seconds: number, spanSeconds: number, readEveryMs: number, load: (running: () => boolean) => Promise<void>): Promise<Measured> {
  let running = true;
  const loading = load(() => running);
  await new Promise((r) => setTimeout(r, warmupMs));
  const readings: { at: number; bytes: number }[] = [{ at: Date.now(), bytes: await topicCounter(adminPort, counter, topic) }];
  const t0 = readings[0]!.at;
  const reads = Math.round((seconds * 1000) / readEveryMs);
  for (let i = 1; i <= reads; i++) {
    await new Promise((r) => setTimeout(r, Math.max(0, t0 + i * readEveryMs - Date.now())));
    readings.push({ at: Date.now(), bytes: await topicCounter(adminPort, counter, topic) });
  }
  running = false;
  await loading;
  const rateBetween = (a: number, b: number): number => (readings[b]!.bytes - readings[a]!.bytes) / ((readings[b]!.at - readings[a]!.at) / 1000);
  let spanMin = Infinity;
  let spanMax = 0;
  const spanReads = Math.round((spanSeconds * 1000) / readEveryMs);
  for (let i = 0; i + spanReads < readings.length; i++) {
    const r = rateBetween(i, i + spanReads);
    spanMin = Math.min(spanMin, r);
    spanMax = Math.max(spanMax, r);
  }
  // A burst starts between the last reading without a rise and the first with one; a measure that
  // begins inside a burst does not count that one.
  const starts: number[] = [];
  let lastRise = readings[0]!.at;
  for (let i = 1; i < readings.length; i++) {
    if (readings[i]!.bytes === readings[i - 1]!.bytes) continue;
    if (readings[i - 1]!.at - lastRise >= QUIET_MS) starts.push(i - 1);
    lastRise = readings[i]!.at;
  }
  const cycleRate = starts.length >= 2 ? rateBetween(starts[0]!, starts[starts.length - 1]!) : undefined;
  return {
    rate: rateBetween(0, readings.length - 1),
    spanMin: Number.isFinite(spanMin) ? spanMin : 0,
    spanMax,
    cycleStarts: starts.map((i) => readings[i]!.at - t0),
    cycleRate,
  };
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
        // A throttled fetch answers no partitions (KafkaApis 2.8); this loop ignores the throttle time.
        const p = res.responses[0]?.partitions[0];
        if (p === undefined) continue;
        let next = offset;
        for (const batch of iterateBatches(p.records ?? Buffer.alloc(0))) next = batch.header.baseOffset + BigInt(batch.header.lastOffsetDelta) + 1n;
        offset = next >= p.highWatermark ? 0n : next;
      }
    } finally {
      sock.close();
    }
  };
}

/** Kafka's defaults, set explicitly: the span every quota rate is measured over is their product. */
const WINDOW_NUM = 11;
const WINDOW_SECONDS = 1;
const SPAN_SECONDS = WINDOW_NUM * WINDOW_SECONDS;

const mb = (bps: number): string => `${(bps / 1e6).toFixed(2)} MB/s`;

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  const quota = Number(arg(ctx.args, '--quota', String(1 << 20)));
  const seconds = Number(arg(ctx.args, '--seconds', String(2 * SPAN_SECONDS)));
  // Fetch cycles run a little longer than a span (see the head comment): four spans hold at least
  // two whole cycles.
  const fetchSeconds = Number(arg(ctx.args, '--fetch-seconds', String(4 * SPAN_SECONDS)));
  const warmupMs = Number(arg(ctx.args, '--warmup-seconds', '12')) * 1000;
  const only = arg(ctx.args, '--only', 'both');
  if (!['both', 'produce', 'fetch'].includes(only)) throw new Error(`--only takes produce, fetch or both, not ${only}`);
  const [adminPort] = await freePorts(1);
  const b = await startBenchBroker(
    ctx,
    { 'admin.http.listener': `127.0.0.1:${adminPort}`, 'quota.window.num': String(WINDOW_NUM), 'quota.window.size.seconds': String(WINDOW_SECONDS) },
    'samsa-bench-quotas',
  );
  const admin = new Admin({ brokers: [b.bootstrap] });
  const measure = (counter: string, topic: string, warmup: number, load: (running: () => boolean) => Promise<void>, over = seconds, readEveryMs = 1000): Promise<Measured> =>
    measured(adminPort!, counter, topic, warmup, over, SPAN_SECONDS, readEveryMs, load);
  const throttledLine = (m: Measured): string =>
    `${mb(m.rate)} = ${(m.rate / quota).toFixed(3)} × quota (each ${SPAN_SECONDS} s span ${(m.spanMin / quota).toFixed(2)}..${(m.spanMax / quota).toFixed(2)} ×)`;
  const results: Record<string, unknown> = { quota, seconds, fetchSeconds, spanSeconds: SPAN_SECONDS };
  try {
    for (const t of ['bench-q-throttled', 'bench-q-free', 'bench-q-read-throttled', 'bench-q-read-free']) await createBenchTopic(b, t, 1);
    await admin.alterClientQuotas([
      { entity: { clientId: 'bench-throttled' }, ops: { producer_byte_rate: quota } },
      { entity: { clientId: 'bench-slow-reader' }, ops: { consumer_byte_rate: quota } },
    ]);
    const bytesIn = 'kafka_server_brokertopicmetrics_bytesin_total';
    const bytesOut = 'kafka_server_brokertopicmetrics_bytesout_total';
    if (only !== 'fetch') {
      ctx.log(`produce: unthrottled alone for ${seconds} s...`);
      const freeAlone = await measure(bytesIn, 'bench-q-free', 2000, produceLoad(b, 'bench-free', 'bench-q-free'));
      ctx.log(`produce: throttled (${quota} B/s) and unthrottled together, ${warmupMs / 1000} s warm-up + ${seconds} s...`);
      const [throttled, freeTogether] = await Promise.all([
        measure(bytesIn, 'bench-q-throttled', warmupMs, produceLoad(b, 'bench-throttled', 'bench-q-throttled')),
        measure(bytesIn, 'bench-q-free', warmupMs, produceLoad(b, 'bench-free', 'bench-q-free')),
      ]);
      ctx.log(`produce: throttled ${throttledLine(throttled)}; unthrottled ${mb(freeTogether.rate)} = ${(freeTogether.rate / freeAlone.rate).toFixed(3)} × alone (${mb(freeAlone.rate)})`);
      // Alone again, with the same warm-up as together: tells a drift of the broker or the machine
      // over the run (page cache, writeback, JIT) from an effect of the throttled client.
      const freeAloneAfter = await measure(bytesIn, 'bench-q-free', warmupMs, produceLoad(b, 'bench-free', 'bench-q-free'));
      ctx.log(`produce: unthrottled alone again ${mb(freeAloneAfter.rate)} (together = ${(freeTogether.rate / freeAloneAfter.rate).toFixed(3)} × this)`);
      results['produce'] = { ...figures(quota, throttled, freeAlone.rate, freeTogether.rate), unthrottledAloneAfter: freeAloneAfter.rate };
    }
    if (only !== 'produce') {
      // 32 MB per read topic, read round and round.
      const fill = new Producer<Buffer, Buffer>({ brokers: [b.bootstrap], clientId: 'bench-fill' });
      try {
        for (const t of ['bench-q-read-throttled', 'bench-q-read-free']) for (let i = 0; i < 8; i++) await Promise.all(Array.from({ length: 256 }, () => fill.send({ topic: t, partition: 0, value: VALUE })));
      } finally {
        await fill.close();
      }
      ctx.log(`fetch: unthrottled alone for ${seconds} s...`);
      const readAlone = await measure(bytesOut, 'bench-q-read-free', 2000, fetchLoad(b, 'bench-reader', 'bench-q-read-free'));
      ctx.log(`fetch: throttled (${quota} B/s, ignoring throttle_time_ms) and unthrottled together, ${warmupMs / 1000} s warm-up + ${fetchSeconds} s...`);
      const [slowRead, freeRead] = await Promise.all([
        measure(bytesOut, 'bench-q-read-throttled', warmupMs, fetchLoad(b, 'bench-slow-reader', 'bench-q-read-throttled'), fetchSeconds, 250),
        measure(bytesOut, 'bench-q-read-free', warmupMs, fetchLoad(b, 'bench-reader', 'bench-q-read-free'), fetchSeconds),
      ]);
      const cycles = slowRead.cycleStarts.slice(1).map((at, i) => ((at - slowRead.cycleStarts[i]!) / 1000).toFixed(1)).join(', ');
      const cycleLine = slowRead.cycleRate === undefined ? 'fewer than two cycle starts' : `${(slowRead.cycleRate / quota).toFixed(3)} × quota over whole cycles of ${cycles} s`;
      ctx.log(`fetch: throttled ${throttledLine(slowRead)}, ${cycleLine}; unthrottled ${mb(freeRead.rate)} = ${(freeRead.rate / readAlone.rate).toFixed(3)} × alone (${mb(readAlone.rate)})`);
      results['fetch'] = {
        ...figures(quota, slowRead, readAlone.rate, freeRead.rate),
        cycleRatioToQuota: slowRead.cycleRate === undefined ? null : slowRead.cycleRate / quota,
        cycleStartsMs: slowRead.cycleStarts,
      };
    }
    return { ...results, target: 'throttled within 0.85..1.15 × quota (fetch: over whole delivery cycles), unthrottled ≥ 0.8 × alone' };
  } finally {
    admin.close();
    await b.stop();
  }
}

/** The JSON figures of one direction: the throttled client against the quota, the free one against itself alone. */
function figures(quota: number, throttled: { rate: number; spanMin: number; spanMax: number }, alone: number, together: number) {
  return {
    throttled: throttled.rate,
    ratioToQuota: throttled.rate / quota,
    spanRatioMin: throttled.spanMin / quota,
    spanRatioMax: throttled.spanMax / quota,
    unthrottledAlone: alone,
    unthrottledTogether: together,
    keptRatio: together / alone,
  };
}
