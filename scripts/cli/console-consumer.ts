/**
 * console-consumer.sh — Kafka's kafka-console-consumer.sh: prints records of a topic, one per
 * line. With --partition it reads that partition without a group (from --offset); otherwise it
 * joins a consumer group (--group, or a fresh console-consumer-NNNNN as Kafka does). It stops
 * after --max-messages, after --timeout-ms without a record, or on Ctrl-C, commits what it
 * printed (in a group), and reports "Processed a total of N messages" on stderr.
 */
import { tpKey } from '../../common/index.js';
import { Consumer, type ConsumerRecord, type OffsetAndMetadata, type TopicPartition } from '../../client/index.js';
import { keyValues, UsageError, type ToolSpec } from './args.js';
import { consumerOptions } from './client-props.js';
import { BOOTSTRAP_FLAG, bootstrapList, CLIENT_TIMEOUTS, connectOrFail, err, runTool, clientSecurity } from './common.js';

const spec: ToolSpec = {
  name: 'console-consumer.sh',
  summary: 'Read records from a topic and print them to standard output.',
  flags: [
    BOOTSTRAP_FLAG,
    { name: 'topic', arg: '<String: topic>', help: 'REQUIRED: the topic to consume from.' },
    { name: 'group', arg: '<String: consumer group id>', help: 'The consumer group id (default: a new console-consumer-NNNNN group).' },
    { name: 'from-beginning', help: 'Start from the earliest offset when the group has no committed offset (or with --partition).' },
    { name: 'partition', arg: '<Integer: partition>', help: 'Read only this partition, without a group.' },
    { name: 'offset', arg: '<String: offset>', help: 'With --partition: earliest, latest (default) or an offset.' },
    { name: 'max-messages', arg: '<Integer: num_messages>', help: 'Exit after this many records.' },
    { name: 'timeout-ms', arg: '<Integer: timeout_ms>', help: 'Exit when no record arrived for this long.' },
    { name: 'property', arg: '<String: prop=value>', repeat: true, help: 'Formatter properties: print.key, print.value (true), print.timestamp, print.partition, print.offset, print.headers, key.separator (\\t), line.separator (\\n), null.literal (null).' },
    { name: 'consumer-property', arg: '<String: prop=value>', repeat: true, help: 'A consumer property, e.g. fetch.max.wait.ms=100.' },
    { name: 'isolation-level', arg: '<String: level>', help: 'read_uncommitted (default) or read_committed.' },
    { name: 'skip-message-on-error', help: 'Accepted for compatibility (records are printed as bytes).' },
  ],
  usageTail: 'Example:\n  console-consumer.sh --bootstrap-server 127.0.0.1:9092 --topic orders --from-beginning --group billing --max-messages 10 --property print.key=true',
};

const FORMAT_KEYS = ['print.key', 'print.value', 'print.timestamp', 'print.partition', 'print.offset', 'print.headers', 'key.separator', 'line.separator', 'headers.separator', 'null.literal'];

runTool(spec, async (args) => {
  const topic = args.require('topic');
  const servers = bootstrapList(args);
  const fmt = keyValues(args.all('property'), '--property');
  for (const k of Object.keys(fmt)) if (!FORMAT_KEYS.includes(k)) throw new UsageError(`unknown --property ${k}`);
  const partition = args.int('partition');
  const offsetArg = args.get('offset');
  if (offsetArg !== undefined && partition === undefined) throw new UsageError('--offset needs --partition');
  if (partition !== undefined && args.get('group') !== undefined) throw new UsageError('--partition cannot be used with --group');
  if (offsetArg !== undefined && args.has('from-beginning')) throw new UsageError('--offset cannot be used with --from-beginning');
  if (offsetArg !== undefined && !/^(earliest|latest|\d+)$/.test(offsetArg)) throw new UsageError(`--offset wants earliest, latest or a non-negative number, got "${offsetArg}"`);
  const maxMessages = args.int('max-messages');
  const timeoutMs = args.int('timeout-ms');
  const props = keyValues(args.all('consumer-property'), '--consumer-property');
  if (args.get('isolation-level') !== undefined) props['isolation.level'] = args.get('isolation-level')!;
  const groupId = partition === undefined ? (args.get('group') ?? props['group.id'] ?? `console-consumer-${Math.floor(Math.random() * 100_000)}`) : undefined;

  const consumer = new Consumer({
    brokers: servers,
    clientId: 'console-consumer',
    ...CLIENT_TIMEOUTS,
    ...clientSecurity(),
    autoOffsetReset: args.has('from-beginning') ? 'earliest' : 'latest',
    enableAutoCommit: false,
    fetchMaxWaitMs: 500,
    ...consumerOptions(props),
    ...(groupId === undefined ? {} : { groupId }),
  });
  await connectOrFail(servers, consumer);

  if (partition !== undefined) {
    const tp = { topic, partition };
    consumer.assign([tp]);
    if (offsetArg === 'earliest' || (offsetArg === undefined && args.has('from-beginning'))) consumer.seekToBeginning([tp]);
    else if (offsetArg === undefined || offsetArg === 'latest') consumer.seekToEnd([tp]);
    else consumer.seek(tp, BigInt(offsetArg));
  } else {
    consumer.subscribe([topic]);
  }

  let stopping = false;
  const stop = () => {
    stopping = true;
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  const printer = formatter(fmt);
  const next = new Map<string, { tp: TopicPartition; offset: bigint }>();
  let count = 0;
  let lastRecordAt = Date.now();
  let lastCommitAt = Date.now();
  const printedOffsets = () => new Map<TopicPartition, OffsetAndMetadata>([...next.values()].map((v) => [v.tp, { offset: v.offset }]));
  try {
    while (!stopping && (maxMessages === undefined || count < maxMessages)) {
      const wait = timeoutMs === undefined ? 500 : Math.max(1, Math.min(500, lastRecordAt + timeoutMs - Date.now()));
      const records = await consumer.poll({ timeoutMs: wait, ...(maxMessages === undefined ? {} : { maxRecords: maxMessages - count }) });
      for (const r of records) {
        if (maxMessages !== undefined && count >= maxMessages) break;
        process.stdout.write(printer(r));
        count++;
        next.set(tpKey(r.topic, r.partition), { tp: { topic: r.topic, partition: r.partition }, offset: r.offset + 1n });
      }
      if (records.length > 0) lastRecordAt = Date.now();
      // Like Kafka's auto commit (every 5 s), but of what was printed, not of what was fetched.
      if (groupId !== undefined && next.size > 0 && Date.now() - lastCommitAt >= 5000) {
        lastCommitAt = Date.now();
        consumer.commitAsync(printedOffsets(), () => undefined);
      }
      else if (timeoutMs !== undefined && Date.now() - lastRecordAt >= timeoutMs) {
        err(`[${new Date().toISOString()}] ERROR Error processing message, terminating consumer process: TimeoutException`);
        break;
      }
    }
    // Commit exactly what was printed: a poll may have fetched past --max-messages.
    if (groupId !== undefined && next.size > 0) {
      await consumer.commitSync(printedOffsets());
    }
  } finally {
    await consumer.close().catch(() => undefined);
    err(`Processed a total of ${count} messages`);
  }
  return 0;
});

function formatter(p: Record<string, string>): (r: ConsumerRecord) => string {
  const on = (k: string, dflt = false) => (p[k] === undefined ? dflt : p[k] === 'true');
  const sep = p['key.separator'] ?? '\t';
  const eol = p['line.separator'] ?? '\n';
  const nul = p['null.literal'] ?? 'null';
  const text = (b: Buffer | null) => (b === null ? nul : b.toString('utf8'));
  return (r) => {
    const parts: string[] = [];
    if (on('print.timestamp')) parts.push(`CreateTime:${r.timestamp}`);
    if (on('print.partition')) parts.push(`Partition:${r.partition}`);
    if (on('print.offset')) parts.push(`Offset:${r.offset}`);
    if (on('print.headers')) parts.push(r.headers.length === 0 ? 'NO_HEADERS' : r.headers.map((h) => `${h.key}:${text(h.value)}`).join(p['headers.separator'] ?? ','));
    if (on('print.key')) parts.push(text(r.key));
    if (on('print.value', true)) parts.push(text(r.value));
    return parts.join(sep) + eol;
  };
}
