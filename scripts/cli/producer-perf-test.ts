/**
 * producer-perf-test.sh — Kafka's kafka-producer-perf-test.sh: sends --num-records records of
 * --record-size bytes as fast as allowed (--throughput records/s, -1 = unthrottled), prints a
 * window line every 5 s (or a progress bar on a terminal) and Kafka's summary line with latency
 * percentiles; --json prints one JSON object instead. Exit 1 if any record failed.
 */
import { asClientError, Producer, KafkaClientError } from '../../client/index.js';
import { keyValues, UsageError, type ToolSpec } from './args.js';
import { producerOptions } from './client-props.js';
import { CLIENT_TIMEOUTS, connectOrFail, describeError, err, out, runTool, clientSecurity } from './common.js';
import { LatencyStats, ProgressBar } from './perf-report.js';
import { sleep, systemScheduler } from '../../common/index.js';

const spec: ToolSpec = {
  name: 'producer-perf-test.sh',
  summary: 'Measure producer throughput and latency.',
  flags: [
    { name: 'topic', arg: '<String: topic>', help: 'REQUIRED: the topic to produce to.' },
    { name: 'num-records', arg: '<Long: num-records>', help: 'REQUIRED: how many records to send.' },
    { name: 'record-size', arg: '<Integer: record-size>', help: 'REQUIRED: the size of each record in bytes.' },
    { name: 'throughput', arg: '<Integer: throughput>', help: 'REQUIRED: maximum records/sec; -1 = no limit.' },
    { name: 'producer-props', arg: '<prop=value ...>', variadic: true, help: 'Producer properties, e.g. bootstrap.servers=127.0.0.1:9092 acks=1 linger.ms=5.' },
    { name: 'bootstrap-server', arg: '<String: host:port,...>', help: 'The brokers (or bootstrap.servers in --producer-props).' },
    { name: 'json', help: 'Print one JSON object with the results instead of Kafka\'s lines.' },
    { name: 'reporting-interval', arg: '<Integer: ms>', help: 'Window line interval (default 5000).' },
  ],
  usageTail: 'Example:\n  producer-perf-test.sh --topic perf --num-records 1000000 --record-size 100 --throughput -1 --producer-props bootstrap.servers=127.0.0.1:9092 acks=1 linger.ms=5',
};

runTool(spec, async (args) => {
  const topic = args.require('topic');
  const numRecords = args.int('num-records');
  const recordSize = args.int('record-size');
  const throughput = args.int('throughput');
  if (numRecords === undefined || recordSize === undefined || throughput === undefined) throw new UsageError('--num-records, --record-size and --throughput are required');
  if (numRecords <= 0 || recordSize < 0) throw new UsageError('--num-records must be positive and --record-size not negative');
  const props = keyValues(args.all('producer-props'), '--producer-props');
  if (args.get('bootstrap-server') !== undefined) props['bootstrap.servers'] = args.get('bootstrap-server')!;
  if (props['bootstrap.servers'] === undefined) throw new UsageError('give --bootstrap-server or bootstrap.servers in --producer-props');
  const json = args.has('json');
  const interval = args.int('reporting-interval', 5000)!;
  const opts = producerOptions(props);
  const servers = opts.brokers!;

  let firstError: unknown;
  let failed = 0;
  const producer = new Producer<Buffer | null, Buffer>({ ...CLIENT_TIMEOUTS, ...clientSecurity(), clientId: 'producer-performance', allowAutoTopicCreation: true, ...opts, brokers: servers, onError: () => undefined });
  await connectOrFail(servers, { connect: () => producer.connect(), close: () => producer.close({ timeoutMs: 0 }) });

  // Kafka's payload: random upper-case letters, the same bytes for every record.
  const payload = Buffer.alloc(recordSize);
  for (let i = 0; i < recordSize; i++) payload[i] = 65 + Math.floor(Math.random() * 26);
  const stats = new LatencyStats(numRecords);
  const bar = new ProgressBar(numRecords, 'records');
  const start = performance.now();
  const onDone = (t0: number) => (e: KafkaClientError | null) => {
    if (e !== null) {
      failed++;
      firstError ??= e;
      return;
    }
    stats.record(performance.now() - t0, recordSize);
  };
  const ticker = setInterval(() => {
    const now = performance.now();
    if (json) return;
    if (process.stdout.isTTY) bar.update(stats.count + failed, (stats.count / (now - start)) * 1000);
    else if (now - stats.windowStart >= interval) out(stats.windowLine(now));
  }, Math.min(100, interval));

  try {
    for (let i = 0; i < numRecords; i++) {
      if (throughput > 0) {
        // Kafka's ThroughputThrottler: sleep whenever we are ahead of the target rate.
        const due = start + (i / throughput) * 1000;
        const ahead = due - performance.now();
        if (ahead > 1) await sleep(systemScheduler, ahead);
      }
      const record = { topic, value: payload };
      const t0 = performance.now();
      try {
        producer.produce(record, onDone(t0));
      } catch (e) {
        if (!(e instanceof KafkaClientError) || e.code !== 'CLI_BUFFER_EXHAUSTED') throw e;
        // Metadata not there yet or the buffer is full: wait for room like KafkaProducer.send blocks.
        await producer.send(record).then(
          () => stats.record(performance.now() - t0, recordSize),
          (err2: unknown) => onDone(t0)(asClientError(err2)),
        );
      }
      // Let the sender and timers run: produce() alone never yields.
      if ((i & 1023) === 1023) await new Promise((r) => setImmediate(r));
    }
    await producer.flush();
  } finally {
    clearInterval(ticker);
    await producer.close().catch(() => undefined);
  }
  const elapsedMs = performance.now() - start;
  bar.clear();
  const sent = stats.count;
  const rate = (sent * 1000) / elapsedMs;
  const mbRate = (rate * recordSize) / 1024 / 1024;
  const avg = sent === 0 ? 0 : stats.totalMs / sent;
  const [p50, p95, p99, p999] = stats.percentiles([0.5, 0.95, 0.99, 0.999]);
  if (json) {
    out(
      JSON.stringify({
        records: sent,
        failed,
        recordSize,
        elapsedMs: Math.round(elapsedMs),
        recordsPerSec: Math.round(rate * 10) / 10,
        mbPerSec: Math.round(mbRate * 100) / 100,
        avgLatencyMs: Math.round(avg * 100) / 100,
        maxLatencyMs: Math.round(stats.maxMs * 100) / 100,
        p50Ms: Math.round(p50!),
        p95Ms: Math.round(p95!),
        p99Ms: Math.round(p99!),
        p999Ms: Math.round(p999!),
      }),
    );
  } else {
    out(
      `${sent} records sent, ${rate.toFixed(1)} records/sec (${mbRate.toFixed(2)} MB/sec), ${avg.toFixed(2)} ms avg latency, ${stats.maxMs.toFixed(2)} ms max latency, ` +
        `${Math.round(p50!)} ms 50th, ${Math.round(p95!)} ms 95th, ${Math.round(p99!)} ms 99th, ${Math.round(p999!)} ms 99.9th.`,
    );
  }
  if (failed > 0) {
    err(`Error: ${failed} record(s) failed; first error: ${describeError(firstError)}`);
    return 1;
  }
  return 0;
});
