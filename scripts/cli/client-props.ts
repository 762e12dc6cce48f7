/**
 * Kafka client property names (`acks`, `linger.ms`, `auto.offset.reset`, …) given on the command
 * line (`--producer-property`, `--producer-props`, `--consumer-property`) mapped onto the Samsa
 * client's options. Unknown names are refused, so a typo does not silently do nothing.
 */
import type { CompressionName, ConsumerOptions, ProducerOptions } from '../../client/index.js';
import { UsageError } from './args.js';

const int = (k: string, v: string): number => {
  if (!/^-?\d+$/.test(v)) throw new UsageError(`${k} wants an integer, got "${v}"`);
  return Number(v);
};
const bool = (k: string, v: string): boolean => {
  if (v !== 'true' && v !== 'false') throw new UsageError(`${k} wants true or false, got "${v}"`);
  return v === 'true';
};

type ProducerProps = Partial<ProducerOptions<Buffer | null, Buffer | null>>;
type ConsumerProps = Partial<ConsumerOptions>;

const PRODUCER: Record<string, (o: ProducerProps, k: string, v: string) => void> = {
  acks: (o, k, v) => {
    if (v === 'all' || v === '-1') o.acks = -1;
    else if (v === '0' || v === '1') o.acks = Number(v) as 0 | 1;
    else throw new UsageError(`${k} wants all, -1, 0 or 1`);
  },
  'linger.ms': (o, k, v) => (o.lingerMs = int(k, v)),
  'batch.size': (o, k, v) => (o.batchSize = int(k, v)),
  'buffer.memory': (o, k, v) => (o.bufferMemory = int(k, v)),
  'max.block.ms': (o, k, v) => (o.maxBlockMs = int(k, v)),
  'max.request.size': (o, k, v) => (o.maxRequestSize = int(k, v)),
  retries: (o, k, v) => (o.retries = int(k, v)),
  'retry.backoff.ms': (o, k, v) => (o.retryBackoffMs = int(k, v)),
  'delivery.timeout.ms': (o, k, v) => (o.deliveryTimeoutMs = int(k, v)),
  'request.timeout.ms': (o, k, v) => (o.requestTimeoutMs = int(k, v)),
  'max.in.flight.requests.per.connection': (o, k, v) => (o.maxInFlightRequestsPerConnection = int(k, v)),
  'enable.idempotence': (o, k, v) => (o.idempotent = bool(k, v)),
  'compression.type': (o, k, v) => {
    if (!['none', 'gzip', 'snappy', 'lz4', 'zstd'].includes(v)) throw new UsageError(`${k} wants none, gzip, snappy, lz4 or zstd`);
    o.compression = v as CompressionName;
  },
  'client.id': (o, _k, v) => (o.clientId = v),
  'bootstrap.servers': (o, _k, v) => (o.brokers = v.split(',')),
};

const CONSUMER: Record<string, (o: ConsumerProps, k: string, v: string) => void> = {
  'group.id': (o, _k, v) => (o.groupId = v),
  'group.instance.id': (o, _k, v) => (o.groupInstanceId = v),
  'auto.offset.reset': (o, k, v) => {
    if (v !== 'earliest' && v !== 'latest' && v !== 'none') throw new UsageError(`${k} wants earliest, latest or none`);
    o.autoOffsetReset = v;
  },
  'enable.auto.commit': (o, k, v) => (o.enableAutoCommit = bool(k, v)),
  'auto.commit.interval.ms': (o, k, v) => (o.autoCommitIntervalMs = int(k, v)),
  'session.timeout.ms': (o, k, v) => (o.sessionTimeoutMs = int(k, v)),
  'heartbeat.interval.ms': (o, k, v) => (o.heartbeatIntervalMs = int(k, v)),
  'fetch.min.bytes': (o, k, v) => (o.fetchMinBytes = int(k, v)),
  'fetch.max.bytes': (o, k, v) => (o.fetchMaxBytes = int(k, v)),
  'fetch.max.wait.ms': (o, k, v) => (o.fetchMaxWaitMs = int(k, v)),
  'max.partition.fetch.bytes': (o, k, v) => (o.maxPartitionFetchBytes = int(k, v)),
  'max.poll.records': (o, k, v) => (o.maxPollRecords = int(k, v)),
  'isolation.level': (o, k, v) => {
    if (v !== 'read_uncommitted' && v !== 'read_committed') throw new UsageError(`${k} wants read_uncommitted or read_committed`);
    o.isolationLevel = v;
  },
  'request.timeout.ms': (o, k, v) => (o.requestTimeoutMs = int(k, v)),
  'client.id': (o, _k, v) => (o.clientId = v),
  'bootstrap.servers': (o, _k, v) => (o.brokers = v.split(',')),
};

export function producerOptions(props: Record<string, string>): ProducerProps {
  const o: ProducerProps = {};
  for (const [k, v] of Object.entries(props)) {
    const set = PRODUCER[k];
    if (set === undefined) throw new UsageError(`unknown producer property "${k}" (known: ${Object.keys(PRODUCER).join(', ')})`);
    set(o, k, v);
  }
  // Kafka 3.x: idempotence that was only defaulted gives way to an explicit acks other than all.
  if (o.acks !== undefined && o.acks !== -1 && o.idempotent === undefined) o.idempotent = false;
  return o;
}

export function consumerOptions(props: Record<string, string>): ConsumerProps {
  const o: ConsumerProps = {};
  for (const [k, v] of Object.entries(props)) {
    const set = CONSUMER[k];
    if (set === undefined) throw new UsageError(`unknown consumer property "${k}" (known: ${Object.keys(CONSUMER).join(', ')})`);
    set(o, k, v);
  }
  return o;
}
