/**
 * console-producer.sh — Kafka's kafka-console-producer.sh: one record per line of stdin (the key
 * before `key.separator` when `parse.key=true`), sent in order; exits after stdin ends and
 * everything was acknowledged. Exit 1 if any record failed.
 */
import { createInterface } from 'node:readline';
import { Producer, type RecordMetadata } from '../../client/index.js';
import { keyValues, UsageError, type ToolSpec } from './args.js';
import { producerOptions } from './client-props.js';
import { BOOTSTRAP_FLAG, bootstrapList, CLIENT_TIMEOUTS, connectOrFail, describeError, err, runTool, ToolError, clientSecurity } from './common.js';

const spec: ToolSpec = {
  name: 'console-producer.sh',
  summary: 'Read lines from standard input and publish them to a topic.',
  flags: [
    BOOTSTRAP_FLAG,
    { name: 'broker-list', arg: '<String: broker-list>', help: 'DEPRECATED, use --bootstrap-server.' },
    { name: 'topic', arg: '<String: topic>', help: 'REQUIRED: the topic to produce to.' },
    { name: 'property', arg: '<String: prop=value>', repeat: true, help: 'Line reader properties: parse.key (false), key.separator (\\t), ignore.error (false), null.marker.' },
    { name: 'producer-property', arg: '<String: prop=value>', repeat: true, help: 'A producer property, e.g. acks=1, linger.ms=5, compression.type=lz4.' },
    { name: 'request-required-acks', arg: '<String: acks>', help: 'acks of the produce requests: all, -1, 0 or 1 (default all).' },
    { name: 'compression-codec', arg: '<String: codec>', help: 'none, gzip, snappy, lz4 or zstd (default none).' },
    { name: 'partition', arg: '<Integer: partition>', help: 'Send every record to this partition (default: by key, or sticky).' },
    { name: 'sync', help: 'Wait for each record to be acknowledged before reading the next line.' },
  ],
  usageTail: 'Example:\n  printf "k1:v1\\nk2:v2\\n" | console-producer.sh --bootstrap-server 127.0.0.1:9092 --topic orders --property parse.key=true --property key.separator=:',
};

runTool(spec, async (args) => {
  const topic = args.require('topic');
  const servers = bootstrapList(args);
  const reader = keyValues(args.all('property'), '--property');
  for (const k of Object.keys(reader)) {
    if (!['parse.key', 'key.separator', 'ignore.error', 'null.marker'].includes(k)) throw new UsageError(`unknown --property ${k}`);
  }
  const parseKey = reader['parse.key'] === 'true';
  const separator = reader['key.separator'] ?? '\t';
  const ignoreError = reader['ignore.error'] === 'true';
  const nullMarker = reader['null.marker'];
  const props = keyValues(args.all('producer-property'), '--producer-property');
  if (args.get('request-required-acks') !== undefined) props['acks'] = args.get('request-required-acks')!;
  if (args.get('compression-codec') !== undefined) props['compression.type'] = args.get('compression-codec')!;
  const partition = args.int('partition');

  const producer = new Producer<Buffer | null, Buffer | null>({
    brokers: servers,
    clientId: 'console-producer',
    ...CLIENT_TIMEOUTS,
    ...clientSecurity(),
    allowAutoTopicCreation: true,
    ...producerOptions(props),
  });
  await connectOrFail(servers, { connect: () => producer.connect(), close: () => producer.close({ timeoutMs: 0 }) });

  let failed = 0;
  let lineNo = 0;
  const pending: Array<Promise<RecordMetadata | void>> = [];
  const onFail = (n: number) => (e: unknown) => {
    failed++;
    err(`Error when sending line ${n}: ${describeError(e)}`);
  };
  const toBytes = (s: string): Buffer | null => (nullMarker !== undefined && s === nullMarker ? null : Buffer.from(s, 'utf8'));
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    lineNo++;
    let key: Buffer | null = null;
    let value: string = line;
    if (parseKey) {
      const i = line.indexOf(separator);
      if (i < 0) {
        const msg = `No key separator found on line number ${lineNo}: '${line}'`;
        if (!ignoreError) {
          await producer.close().catch(() => undefined);
          throw new ToolError(msg);
        }
      } else {
        key = toBytes(line.slice(0, i));
        value = line.slice(i + separator.length);
      }
    }
    const record = { topic, key, value: toBytes(value), ...(partition === undefined ? {} : { partition }) };
    const sent = producer.send(record).catch(onFail(lineNo));
    if (args.has('sync')) await sent;
    else pending.push(sent);
    // Keep memory bounded when a large file is piped in.
    if (pending.length >= 10_000) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  await producer.close();
  return failed > 0 ? 1 : 0;
});
