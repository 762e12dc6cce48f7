/**
 * End-to-end latency (issue 18): the Samsa producer sends 100-byte records paced at `--rate`
 * msg/s (default 10,000) into one partition, acks=all, linger.ms 0 (as Kafka's EndToEndLatency
 * tool); the Samsa consumer in the same process polls them (fetch.max.wait.ms 500, Kafka's
 * default); each record carries its send time, so send→poll latency needs one clock. After
 * `--warmup-seconds` (default 5, not counted) come `--seconds` (default 20) measured:
 * p50/p99/p99.9/max, and send → producer acknowledgement beside it, with the client process's
 * event-loop delay, CPU and GC pauses and the machine's load average (a tail with the loop delayed
 * and the load above the 2 cores is the scheduler's, not the data path's), and the Node flags the
 * brokers ran with (GC settings move the tail: scripts/broker-start.sh). Two set-ups, one after the other: `rf1` one broker process, RF 1; `rf3`
 * three broker processes, RF 3, min.insync.replicas 2. Targets (quiet machine): p99 ≤ 3 ms at
 * RF 1, ≤ 5 ms at RF 3. Options: --only <rf1|rf3>, --rate <n>, --seconds <n>,
 * --warmup-seconds <n>, --fetch-wait-ms <n>, --zk <host:port>, --cpu-prof (broker profiles
 * summarised after the run, as in the produce suite).
 */
import { loadavg } from 'node:os';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { Consumer, Producer, type KafkaClientError } from '../../client/index.js';
import type { BenchContext } from '../suites.js';
import { paced, percentiles, round3, stamped, type Latency } from '../latency.js';
import type { LoadWindow } from '../cpu-profile-summary.js';
import type { BrokerProcess } from '../../test/helpers/broker-process.js';
import { arg, createBenchTopic, createRf3Topic, MESSAGE_BYTES, reportProfiles, startBenchBroker, startReplicatedCluster } from './produce.js';

export const describe = 'end-to-end latency at 10,000 msg/s, acks=all: one broker RF 1 and three brokers RF 3 (min ISR 2); p50/p99/p99.9/max';

const TARGET_P99_MS = { rf1: 3, rf3: 5 } as const;

interface Settings {
  rate: number;
  seconds: number;
  warmupSeconds: number;
  fetchWaitMs: number;
}

interface Measured {
  /** Send → poll. */
  latency: Latency;
  /** Send → the producer's acknowledgement (acks=all: the high watermark passed the record). */
  ack: Latency;
  window: LoadWindow;
  /** This (client) process's event-loop delay while measuring: a stall here is not the brokers'. */
  clientLoopDelay: { p99Ms: number; maxMs: number };
  /** This (client) process's CPU time per second measured: producer, consumer and pacing. */
  clientCpuMsPerS: number;
  /** This (client) process's garbage-collection pauses while measuring: count, sum and longest (ms). */
  clientGc: { pauses: number; totalMs: number; maxMs: number };
  /** The machine's 1-minute load average before and after measuring: other work on the 2 cores shows here. */
  loadAverage: { before: number; after: number };
  /** The 100 ms windows (by send time, from the start of measuring) whose records waited longest. */
  slowest: { atS: number; maxMs: number }[];
}

async function measure(bootstrap: string, topic: string, s: Settings): Promise<Measured> {
  const producer = new Producer<Buffer, Buffer>({ brokers: [bootstrap], clientId: 'samsa-e2e', acks: 'all', lingerMs: 0 });
  const consumer = new Consumer({ brokers: [bootstrap], clientId: 'samsa-e2e', fetchMaxWaitMs: s.fetchWaitMs });
  let failed: KafkaClientError | null = null;
  const acks: number[] = [];
  try {
    await producer.connect();
    await producer.send({ topic, partition: 0, value: stamped(MESSAGE_BYTES) });
    await consumer.connect();
    consumer.assign([{ topic, partition: 0 }]);
    consumer.seekToEnd();
    await consumer.position({ topic, partition: 0 });
    const expected = s.rate * s.seconds;
    const samples: number[] = [];
    const sentAts: number[] = [];
    // Records stamped before this are the warm-up's.
    let measureFrom = Infinity;
    let producing = true;
    const reader = (async () => {
      const deadline = Date.now() + (s.warmupSeconds + s.seconds + 30) * 1000;
      while ((producing || samples.length < expected) && Date.now() < deadline) {
        const records = await consumer.poll({ timeoutMs: 200 });
        const now = performance.now();
        for (const r of records) {
          const sentAt = r.value!.readDoubleLE(0);
          if (sentAt >= measureFrom) {
            samples.push(now - sentAt);
            sentAts.push(sentAt - measureFrom);
          }
        }
      }
    })();
    const send = (n: number): void => {
      for (let i = 0; i < n; i++) {
        const value = stamped(MESSAGE_BYTES);
        const sentAt = value.readDoubleLE(0);
        producer.produce({ topic, partition: 0, value }, (err) => {
          if (err !== null) failed ??= err;
          else if (sentAt >= measureFrom) acks.push(performance.now() - sentAt);
        });
      }
    };
    await paced(s.rate, s.warmupSeconds, send);
    measureFrom = performance.now();
    const startNs = process.hrtime.bigint();
    const loadBefore = loadavg()[0]!;
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    const clientGc = { pauses: 0, totalMs: 0, maxMs: 0 };
    const gc = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        clientGc.pauses++;
        clientGc.totalMs += e.duration;
        clientGc.maxMs = Math.max(clientGc.maxMs, e.duration);
      }
    });
    gc.observe({ entryTypes: ['gc'] });
    const cpu = process.cpuUsage();
    await paced(s.rate, s.seconds, send);
    gc.disconnect();
    loop.disable();
    const loadAverage = { before: round3(loadBefore), after: round3(loadavg()[0]!) };
    const used = process.cpuUsage(cpu);
    const window = { startNs, endNs: process.hrtime.bigint() };
    producing = false;
    await producer.flush();
    await reader;
    if (failed !== null) throw failed;
    const clientLoopDelay = { p99Ms: round3(loop.percentile(99) / 1e6), maxMs: round3(loop.max / 1e6) };
    const clientCpuMsPerS = Math.round((used.user + used.system) / 1000 / s.seconds);
    return {
      latency: percentiles(samples, expected),
      ack: percentiles(acks, expected),
      window,
      clientLoopDelay,
      clientCpuMsPerS,
      clientGc: { pauses: clientGc.pauses, totalMs: round3(clientGc.totalMs), maxMs: round3(clientGc.maxMs) },
      loadAverage,
      slowest: slowestWindows(samples, sentAts),
    };
  } finally {
    await producer.close();
    await consumer.close();
  }
}

function slowestWindows(samples: readonly number[], sentAts: readonly number[]): { atS: number; maxMs: number }[] {
  const worst = new Map<number, number>();
  for (let i = 0; i < samples.length; i++) {
    const w = Math.floor(sentAts[i]! / 100);
    worst.set(w, Math.max(worst.get(w) ?? 0, samples[i]!));
  }
  return [...worst]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([w, ms]) => ({ atS: w / 10, maxMs: round3(ms) }));
}

function detailLines(m: Measured): string[] {
  const l = m.ack;
  return [
    `${'  send → producer ack'.padEnd(30)} p50 ${l.p50Ms} ms, p99 ${l.p99Ms} ms, p99.9 ${l.p999Ms} ms, max ${l.maxMs} ms`,
    `${'  client (this process)'.padEnd(30)} event-loop delay p99 ${m.clientLoopDelay.p99Ms} ms, max ${m.clientLoopDelay.maxMs} ms; CPU ${m.clientCpuMsPerS} ms/s; GC ${m.clientGc.pauses} pauses, ${m.clientGc.totalMs} ms in all, longest ${m.clientGc.maxMs} ms`,
    `${'  machine'.padEnd(30)} load average (1 min) ${m.loadAverage.before} before measuring, ${m.loadAverage.after} after`,
    `${'  slowest 100 ms windows'.padEnd(30)} ${m.slowest.map((w) => `${w.atS}s:${Math.round(w.maxMs)}ms`).join(' ')}`,
  ];
}

/**
 * The Node/V8 flags a broker process runs with (scripts/broker-start.sh's defaults and
 * SAMSA_NODE_OPTS), from its command line: GC settings change the tail, so the figures name them.
 */
function brokerNodeFlags(b: BrokerProcess): string {
  try {
    return b.nodeFlags().filter((f) => f !== '--enable-source-maps').join(' ') || '(none)';
  } catch {
    return '(unknown: no /proc)';
  }
}

function latLine(name: string, l: Latency, target: number): string {
  return `${name.padEnd(30)} p50 ${l.p50Ms} ms, p99 ${l.p99Ms} ms, p99.9 ${l.p999Ms} ms, max ${l.maxMs} ms over ${l.messages} msgs${(l.missing ?? 0) > 0 ? ` (${l.missing} missing)` : ''}  (target p99 ≤ ${target} ms: ${l.p99Ms <= target ? 'met' : 'MISSED'})`;
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  const settings: Settings = {
    rate: Number(arg(ctx.args, '--rate', '10000')),
    seconds: Number(arg(ctx.args, '--seconds', '20')),
    warmupSeconds: Number(arg(ctx.args, '--warmup-seconds', '5')),
    fetchWaitMs: Number(arg(ctx.args, '--fetch-wait-ms', '500')),
  };
  const only = arg(ctx.args, '--only', 'both');
  const results: Record<string, unknown> = { ...settings, messageBytes: MESSAGE_BYTES, acks: 'all', lingerMs: 0, targetsP99Ms: TARGET_P99_MS };
  if (only !== 'rf3') {
    const b = await startBenchBroker(ctx, {}, 'samsa-bench-e2e');
    let window: LoadWindow | undefined;
    try {
      await createBenchTopic(b, 'e2e-rf1', 1);
      results['brokerNodeFlags'] = brokerNodeFlags(b.broker);
      ctx.log(`broker Node flags: ${String(results['brokerNodeFlags'])}`);
      const m = await measure(b.bootstrap, 'e2e-rf1', settings);
      window = m.window;
      ctx.log(latLine(`RF 1, ${settings.rate}/s`, m.latency, TARGET_P99_MS.rf1));
      for (const d of detailLines(m)) ctx.log(d);
      results['rf1'] = { ...m.latency, ack: m.ack, clientLoopDelay: m.clientLoopDelay, clientCpuMsPerS: m.clientCpuMsPerS, clientGc: m.clientGc, loadAverage: m.loadAverage };
    } finally {
      await b.stop();
    }
    const profiles = reportProfiles(ctx, 'RF 1 broker profile', b.profileDir, window === undefined ? [] : [window]);
    if (profiles !== undefined) results['rf1Profiles'] = profiles.map((p) => ({ cpuMs: p.cpuMs, gcPercent: p.gcPercent, top: p.top.slice(0, 5) }));
  }
  if (only !== 'rf1') {
    const c = await startReplicatedCluster(ctx);
    let window: LoadWindow | undefined;
    try {
      await createRf3Topic(c.brokers, 'e2e-rf3', 1);
      results['brokerNodeFlags'] = brokerNodeFlags(c.brokers[0]!);
      ctx.log(`broker Node flags: ${String(results['brokerNodeFlags'])}`);
      const m = await measure(c.bootstrap, 'e2e-rf3', settings);
      window = m.window;
      ctx.log(latLine(`RF 3 min ISR 2, ${settings.rate}/s`, m.latency, TARGET_P99_MS.rf3));
      for (const d of detailLines(m)) ctx.log(d);
      results['rf3'] = { ...m.latency, ack: m.ack, clientLoopDelay: m.clientLoopDelay, clientCpuMsPerS: m.clientCpuMsPerS, clientGc: m.clientGc, loadAverage: m.loadAverage };
    } finally {
      await c.stop();
    }
    const profiles = reportProfiles(ctx, 'RF 3 broker profile', c.profileDir, window === undefined ? [] : [window]);
    if (profiles !== undefined) results['rf3Profiles'] = profiles.map((p) => ({ cpuMs: p.cpuMs, gcPercent: p.gcPercent, top: p.top.slice(0, 5) }));
  }
  return results;
}
