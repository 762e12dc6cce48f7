/**
 * The Samsa client against one broker process (RF 1), with KafkaJS 2.2.4 from the same run
 * beside it: producer-perf (1,000,000 × 100-byte records, acks=1), consumer-perf (the same
 * records read back from the beginning) and end-to-end latency (10,000 msg/s for 10 s, acks=1,
 * p50/p99/p99.9 from send to poll in one process). Targets: produce ≥ 1,000,000 msg/s, consume
 * ≥ 2,000,000 msg/s, p99 ≤ 5 ms. Options: --messages <n>, --partitions <n> (default 1),
 * --rate <msg/s>, --seconds <n>, --only <ours|kafkajs>, --skip-latency, --latency-only,
 * --fetch-bytes <n>, --fetch-wait-ms <n>, --zk <host:port>. Each throughput line also gives the
 * client process's CPU time per record (steadier than msg/s on a shared machine). To profile
 * the client: `node --cpu-prof --import tsx bench/run.ts client --only ours`.
 */
import { Kafka, logLevel } from 'kafkajs';
import { Consumer, Producer, type KafkaClientError } from '../../client/index.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import type { BenchContext } from '../suites.js';
import { paced, percentiles, round3, stamped, type Latency } from '../latency.js';
import { arg, type BenchBroker, createBenchTopic, MESSAGE_BYTES, rates, startBenchBroker, topicEndOffset } from './produce.js';
import { backgroundScheduler, withTimeout } from '../../common/index.js';

export const describe = 'Samsa client vs KafkaJS on one broker (RF 1, acks=1): producer-perf and consumer-perf of 1,000,000 × 100 B, end-to-end latency at 10,000 msg/s';

/** max.partition.fetch.bytes for both consumers (kafka-consumer-perf-test's --fetch-size); --fetch-bytes. */
let FETCH_BYTES = 1_048_576;
/** fetch.max.wait.ms of the latency runs (Kafka's default); --fetch-wait-ms. */
let FETCH_WAIT_MS = 500;

const TARGETS = { produceMsgPerSec: 1_000_000, consumeMsgPerSec: 2_000_000, e2eP99Ms: 5 };

interface Throughput {
  msgPerSec: number;
  mbPerSec: number;
  seconds: number;
  /** CPU time of this (client) process per record: steadier than msg/s on a shared machine. */
  clientCpuNsPerMsg: number;
}


/** Like the produce suite's broker, plus an offsets topic of RF 1 so KafkaJS's group consumer works. */
function startBroker(ctx: BenchContext): Promise<BenchBroker> {
  return startBenchBroker(ctx, { 'offsets.topic.replication.factor': 1, 'offsets.topic.num.partitions': 4, 'group.initial.rebalance.delay.ms': 0 }, 'samsa-bench-client');
}


function throughput(messages: number, ns: bigint, cpu: NodeJS.CpuUsage): Throughput {
  const seconds = Number(ns) / 1e9;
  const used = process.cpuUsage(cpu);
  return { ...rates(messages, seconds), seconds: round3(seconds), clientCpuNsPerMsg: Math.round(((used.user + used.system) * 1000) / messages) };
}

function payload(): Buffer {
  return Buffer.alloc(MESSAGE_BYTES, 'x');
}

async function oursProduce(bootstrap: string, topic: string, messages: number): Promise<Throughput> {
  const producer = new Producer<Buffer, Buffer>({ brokers: [bootstrap], clientId: 'samsa-perf', acks: 1, idempotent: false, batchSize: 262_144, lingerMs: 5, bufferMemory: 67_108_864 });
  await producer.connect();
  const value = payload();
  const record = { topic, value };
  let failed: KafkaClientError | null = null;
  const onDone = (err: KafkaClientError | null): void => {
    if (err !== null) failed ??= err;
  };
  // The first record waits for the topic's metadata; the rest go through the synchronous path.
  await producer.send(record);
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  for (let i = 1; i < messages; i++) {
    try {
      producer.produce(record, i % 1024 === 0 ? onDone : undefined);
    } catch {
      // Buffer full: wait for room like KafkaProducer.send blocks.
      await producer.send(record);
    }
  }
  await producer.flush();
  const took = process.hrtime.bigint() - start;
  await producer.close();
  if (failed !== null) throw failed;
  return throughput(messages, took, cpu);
}

async function oursConsume(bootstrap: string, topic: string, partitions: number, messages: number): Promise<Throughput> {
  const consumer = new Consumer({ brokers: [bootstrap], clientId: 'samsa-perf', maxPartitionFetchBytes: FETCH_BYTES });
  await consumer.connect();
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition })));
  consumer.seekToBeginning();
  let seen = 0;
  const deadline = Date.now() + 300_000;
  while (seen < messages && Date.now() < deadline) {
    const records = await consumer.poll({ timeoutMs: 1000, maxRecords: 1_000_000 });
    seen += records.length;
  }
  const took = process.hrtime.bigint() - start;
  await consumer.close();
  if (seen < messages) throw new Error(`our consumer saw only ${seen} of ${messages} records`);
  return throughput(messages, took, cpu);
}

function kafkajs(bootstrap: string): Kafka {
  return new Kafka({ clientId: 'kafkajs-perf', brokers: [bootstrap], logLevel: logLevel.NOTHING });
}

async function kafkajsProduce(bootstrap: string, topic: string, messages: number): Promise<Throughput> {
  const producer = kafkajs(bootstrap).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const value = payload();
  // KafkaJS puts one send() into one batch per partition: keep it under message.max.bytes (1 MiB).
  const chunk = 5_000;
  const inFlight = 5;
  await producer.send({ topic, acks: 1, messages: [{ value }] });
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  let next = 1;
  const worker = async (): Promise<void> => {
    while (next < messages) {
      const n = Math.min(chunk, messages - next);
      next += n;
      await producer.send({ topic, acks: 1, messages: Array.from({ length: n }, () => ({ value })) });
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const took = process.hrtime.bigint() - start;
  await producer.disconnect();
  return throughput(messages, took, cpu);
}

async function kafkajsConsume(bootstrap: string, topic: string, messages: number): Promise<Throughput & { joinSeconds: number }> {
  const consumer = kafkajs(bootstrap).consumer({ groupId: `kafkajs-perf-${Date.now()}`, maxBytes: 52_428_800, maxBytesPerPartition: FETCH_BYTES });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  let first = 0n;
  let seen = 0;
  const done = new Promise<bigint>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (first === 0n) first = process.hrtime.bigint();
        seen += batch.messages.length;
        if (seen >= messages) resolve(process.hrtime.bigint());
      },
    });
  });
  const end = await withTimeout(backgroundScheduler, done, 300_000, () => new Error(`KafkaJS consumed only ${seen} of ${messages}`));
  await consumer.disconnect();
  // Throughput from the first batch: the group join (with its rebalance delay) is reported apart.
  return { ...throughput(messages, end - first, cpu), joinSeconds: round3(Number(first - start) / 1e9) };
}




async function oursLatency(bootstrap: string, topic: string, rate: number, seconds: number): Promise<Latency> {
  const producer = new Producer<Buffer, Buffer>({ brokers: [bootstrap], clientId: 'samsa-e2e', acks: 1, idempotent: false, lingerMs: 0 });
  const consumer = new Consumer({ brokers: [bootstrap], clientId: 'samsa-e2e', fetchMaxWaitMs: FETCH_WAIT_MS });
  await producer.connect();
  await producer.send({ topic, partition: 0, value: stamped(MESSAGE_BYTES) });
  await consumer.connect();
  consumer.assign([{ topic, partition: 0 }]);
  consumer.seekToEnd();
  await consumer.position({ topic, partition: 0 });
  const samples: number[] = [];
  let producing = true;
  const reader = (async () => {
    const deadline = Date.now() + (seconds + 30) * 1000;
    while ((producing || samples.length < rate * seconds) && Date.now() < deadline) {
      const records = await consumer.poll({ timeoutMs: 200 });
      const now = performance.now();
      for (const r of records) samples.push(now - r.value!.readDoubleLE(0));
    }
  })();
  await paced(rate, seconds, (n) => {
    for (let i = 0; i < n; i++) producer.produce({ topic, partition: 0, value: stamped(MESSAGE_BYTES) });
  });
  producing = false;
  await producer.flush();
  await reader;
  await producer.close();
  await consumer.close();
  return percentiles(samples);
}

async function kafkajsLatency(bootstrap: string, topic: string, rate: number, seconds: number): Promise<Latency> {
  const kafka = kafkajs(bootstrap);
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const consumer = kafka.consumer({ groupId: `kafkajs-e2e-${Date.now()}`, maxWaitTimeInMs: FETCH_WAIT_MS });
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: false });
  const samples: number[] = [];
  let joined!: () => void;
  const ready = new Promise<void>((r) => (joined = r));
  consumer.on(consumer.events.GROUP_JOIN, () => joined());
  void consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      const now = performance.now();
      for (const m of batch.messages) if (m.value !== null && m.value.length === MESSAGE_BYTES) samples.push(now - m.value.readDoubleLE(0));
    },
  });
  await ready;
  // One warm-up record (not counted: wrong size) so the producer's metadata and connection exist.
  await producer.send({ topic, acks: 1, messages: [{ value: Buffer.from('warm-up') }] });
  const pending: Promise<unknown>[] = [];
  await paced(rate, seconds, (n) => {
    pending.push(producer.send({ topic, acks: 1, messages: Array.from({ length: n }, () => ({ value: stamped(MESSAGE_BYTES) })) }));
  });
  await Promise.all(pending);
  await waitFor(() => samples.length >= rate * seconds, 'KafkaJS to consume the latency run', { timeoutMs: 30_000, intervalMs: 20 }).catch(() => undefined);
  await consumer.disconnect();
  await producer.disconnect();
  return percentiles(samples);
}

function line(name: string, t: Throughput, target: number): string {
  return `${name.padEnd(28)} ${t.msgPerSec.toLocaleString('en').padStart(11)} msg/s ${String(t.mbPerSec).padStart(7)} MB/s ${String(t.seconds).padStart(7)} s, client CPU ${t.clientCpuNsPerMsg} ns/msg${target > 0 ? `  (target ≥ ${target.toLocaleString('en')}: ${t.msgPerSec >= target ? 'met' : 'MISSED'})` : ''}`;
}

function latLine(name: string, l: Latency, target: number): string {
  return `${name.padEnd(28)} p50 ${l.p50Ms} ms, p99 ${l.p99Ms} ms, p99.9 ${l.p999Ms} ms, max ${l.maxMs} ms over ${l.messages} msgs${target > 0 ? `  (target p99 ≤ ${target} ms: ${l.p99Ms <= target ? 'met' : 'MISSED'})` : ''}`;
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  const messages = Number(arg(ctx.args, '--messages', '1000000'));
  const partitions = Number(arg(ctx.args, '--partitions', '1'));
  const rate = Number(arg(ctx.args, '--rate', '10000'));
  const seconds = Number(arg(ctx.args, '--seconds', '10'));
  const only = arg(ctx.args, '--only', 'both');
  FETCH_BYTES = Number(arg(ctx.args, '--fetch-bytes', String(FETCH_BYTES)));
  FETCH_WAIT_MS = Number(arg(ctx.args, '--fetch-wait-ms', String(FETCH_WAIT_MS)));
  const withOurs = only !== 'kafkajs';
  const withKafkajs = only !== 'ours';
  const results: Record<string, unknown> = { messages, messageBytes: MESSAGE_BYTES, partitions, targets: TARGETS };
  const b = await startBroker(ctx);
  try {
    const check = async (topic: string): Promise<void> => {
      const landed = await topicEndOffset(b, topic, partitions);
      if (landed !== messages) throw new Error(`${topic} holds ${landed} records, expected ${messages}`);
    };
    const throughputRuns = !ctx.args.includes('--latency-only');
    if (withOurs && throughputRuns) {
      await createBenchTopic(b, 'perf-ours', partitions);
      const p = await oursProduce(b.bootstrap, 'perf-ours', messages);
      await check('perf-ours');
      ctx.log(line('samsa producer-perf', p, TARGETS.produceMsgPerSec));
      const c = await oursConsume(b.bootstrap, 'perf-ours', partitions, messages);
      ctx.log(line('samsa consumer-perf', c, TARGETS.consumeMsgPerSec));
      Object.assign(results, { oursProduce: p, oursConsume: c });
    }
    if (withKafkajs && throughputRuns) {
      await createBenchTopic(b, 'perf-kafkajs', partitions);
      const p = await kafkajsProduce(b.bootstrap, 'perf-kafkajs', messages);
      await check('perf-kafkajs');
      ctx.log(line('kafkajs producer-perf', p, 0));
      const c = await kafkajsConsume(b.bootstrap, 'perf-kafkajs', messages);
      ctx.log(`${line('kafkajs consumer-perf', c, 0)}  (group join ${c.joinSeconds} s not counted)`);
      Object.assign(results, { kafkajsProduce: p, kafkajsConsume: c });
    }
    if (!ctx.args.includes('--skip-latency')) {
      if (withOurs) {
        await createBenchTopic(b, 'e2e-ours', 1);
        const l = await oursLatency(b.bootstrap, 'e2e-ours', rate, seconds);
        ctx.log(latLine(`samsa end-to-end ${rate}/s`, l, TARGETS.e2eP99Ms));
        results['oursLatency'] = l;
      }
      if (withKafkajs) {
        await createBenchTopic(b, 'e2e-kafkajs', 1);
        const l = await kafkajsLatency(b.bootstrap, 'e2e-kafkajs', rate, seconds);
        ctx.log(latLine(`kafkajs end-to-end ${rate}/s`, l, 0));
        results['kafkajsLatency'] = l;
      }
    }
  } finally {
    await b.stop();
  }
  return results;
}
