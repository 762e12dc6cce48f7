/**
 * consumer-perf-test.sh — Kafka's kafka-consumer-perf-test.sh: consumes --messages records and
 * prints Kafka's header and result line (start.time, end.time, data.consumed.in.MB, MB.sec, …);
 * --json prints one JSON object instead. Without --group it reads every partition by manual
 * assignment from the earliest offset (no rebalance; rebalance.time.ms is 0); with --group it
 * subscribes like Kafka's tool. Exit 1 when --timeout passes without a record before the count.
 */
import { Consumer } from '../../client/index.js';
import { keyValues, UsageError, type ToolSpec } from './args.js';
import { consumerOptions } from './client-props.js';
import { BOOTSTRAP_FLAG, bootstrapList, CLIENT_TIMEOUTS, connectAdmin, connectOrFail, err, out, runTool, clientSecurity } from './common.js';
import { kafkaDate, ProgressBar } from './perf-report.js';

const spec: ToolSpec = {
  name: 'consumer-perf-test.sh',
  summary: 'Measure consumer throughput.',
  flags: [
    BOOTSTRAP_FLAG,
    { name: 'broker-list', arg: '<String: host:port,...>', help: 'DEPRECATED, use --bootstrap-server.' },
    { name: 'topic', arg: '<String: topic>', help: 'REQUIRED: the topic to consume.' },
    { name: 'messages', arg: '<Long: count>', help: 'REQUIRED: how many records to consume.' },
    { name: 'group', arg: '<String: group id>', help: 'Consume as this consumer group (default: no group, every partition assigned).' },
    { name: 'from-latest', help: 'Start at the latest offset instead of the earliest.' },
    { name: 'timeout', arg: '<Long: ms>', help: 'Give up when no record arrived for this long (default 10000).' },
    { name: 'consumer-property', arg: '<String: prop=value>', repeat: true, help: 'A consumer property, e.g. max.partition.fetch.bytes=1048576.' },
    { name: 'hide-header', help: 'Do not print the header line.' },
    { name: 'json', help: 'Print one JSON object with the results instead of Kafka\'s lines.' },
  ],
  usageTail: 'Example:\n  consumer-perf-test.sh --bootstrap-server 127.0.0.1:9092 --topic perf --messages 1000000',
};

runTool(spec, async (args) => {
  const topic = args.require('topic');
  const messages = args.int('messages');
  if (messages === undefined || messages <= 0) throw new UsageError('--messages (a positive count) is required');
  const servers = bootstrapList(args);
  const timeoutMs = args.int('timeout', 10_000)!;
  const groupId = args.get('group');
  const json = args.has('json');
  const props = consumerOptions(keyValues(args.all('consumer-property'), '--consumer-property'));

  let partitions: number[] = [];
  if (groupId === undefined) {
    const admin = await connectAdmin(servers, 'consumer-performance');
    try {
      const [m] = await admin.fetchTopicMetadata([topic]);
      partitions = m!.partitions.map((p) => p.partition);
    } finally {
      admin.close();
    }
  }
  const consumer = new Consumer({
    brokers: servers,
    clientId: 'consumer-performance',
    ...CLIENT_TIMEOUTS,
    ...clientSecurity(),
    autoOffsetReset: args.has('from-latest') ? 'latest' : 'earliest',
    enableAutoCommit: groupId !== undefined,
    maxPollRecords: 10_000,
    ...props,
    ...(groupId === undefined ? {} : { groupId }),
  });
  await connectOrFail(servers, consumer);

  const startMs = Date.now();
  let joinedAt: number | undefined;
  if (groupId === undefined) {
    const tps = partitions.map((partition) => ({ topic, partition }));
    consumer.assign(tps);
    if (args.has('from-latest')) consumer.seekToEnd(tps);
    else consumer.seekToBeginning(tps);
    joinedAt = startMs;
  } else {
    consumer.subscribe([topic], { onPartitionsAssigned: async () => void (joinedAt ??= Date.now()) });
  }

  const bar = json ? undefined : new ProgressBar(messages, 'records');
  let count = 0;
  let bytes = 0;
  let lastRecordAt = Date.now();
  let timedOut = false;
  try {
    while (count < messages) {
      const records = await consumer.poll({ timeoutMs: 200, maxRecords: Math.min(10_000, messages - count) });
      const now = Date.now();
      for (const r of records) {
        count++;
        bytes += (r.key?.length ?? 0) + (r.value?.length ?? 0);
      }
      if (records.length > 0) lastRecordAt = now;
      else if (now - lastRecordAt >= timeoutMs) {
        timedOut = true;
        break;
      }
      bar?.update(count, (count * 1000) / Math.max(1, now - startMs));
    }
  } finally {
    await consumer.close().catch(() => undefined);
  }
  const endMs = Date.now();
  bar?.clear();
  const mb = bytes / 1024 / 1024;
  const secs = Math.max(endMs - startMs, 1) / 1000;
  const rebalanceMs = (joinedAt ?? endMs) - startMs;
  const fetchSecs = Math.max(endMs - startMs - rebalanceMs, 1) / 1000;
  if (json) {
    const r2 = (x: number) => Math.round(x * 100) / 100;
    out(
      JSON.stringify({
        records: count,
        bytes,
        elapsedMs: endMs - startMs,
        mb: r2(mb),
        mbPerSec: r2(mb / secs),
        recordsPerSec: r2(count / secs),
        rebalanceTimeMs: rebalanceMs,
        fetchTimeMs: Math.round(fetchSecs * 1000),
        fetchMbPerSec: r2(mb / fetchSecs),
        fetchRecordsPerSec: r2(count / fetchSecs),
        timedOut,
      }),
    );
  } else {
    if (!args.has('hide-header')) out('start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec');
    out(
      `${kafkaDate(startMs)}, ${kafkaDate(endMs)}, ${mb.toFixed(4)}, ${(mb / secs).toFixed(4)}, ${count}, ${(count / secs).toFixed(4)}, ` +
        `${rebalanceMs}, ${Math.round(fetchSecs * 1000)}, ${(mb / fetchSecs).toFixed(4)}, ${(count / fetchSecs).toFixed(4)}`,
    );
  }
  if (timedOut) {
    err(`WARNING: Exiting before consuming the expected number of messages: timeout (${timeoutMs} ms) exceeded. You can use the --timeout option to increase the timeout.`);
    return 1;
  }
  return 0;
});
