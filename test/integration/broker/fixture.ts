/**
 * In-process brokers (the real composition root: ZooKeeper session, log manager, replica manager,
 * controller, handlers) on the shared test ZooKeeper, each test in its own chroot. Ports and log
 * dirs are fixed per broker so that a restart finds its data and its registration.
 */
import { createBroker, type Broker } from '../../../broker/broker.js';
import { loadBrokerConfig, silentLogger } from '../../../broker/index.js';
import { ApiKey, encodeRecordBatch, type RecordInput } from '../../../protocol/index.js';
import { KafkaSocket } from '../../helpers/kafka-socket.js';
import { freePorts } from '../../helpers/ports.js';
import { tmpDir } from '../../helpers/tmp.js';
import { waitFor } from '../../helpers/wait-for.js';

export interface TestBroker {
  readonly id: number;
  readonly port: number;
  readonly interPort: number;
  readonly logDir: string;
  broker: Broker;
  connect(): Promise<KafkaSocket>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestBroker(id: number, zkConnect: string, overrides: Record<string, string | number | boolean> = {}): Promise<TestBroker> {
  const [port, interPort] = await freePorts(2);
  const logDir = tmpDir(`samsa-broker-${id}-`);
  // `__extraListener: 'SASL_PLAINTEXT://127.0.0.1:N[,SSL://…]'` adds listeners, each named by its security protocol.
  const { __extraListener: extra, ...rest } = overrides;
  overrides = rest;
  const extras = typeof extra === 'string' ? extra.split(',') : [];
  const props: Record<string, string | number | boolean> = {
    'broker.id': id,
    listeners: [`PLAINTEXT://127.0.0.1:${port}`, `INTERNAL://127.0.0.1:${interPort}`, ...extras].join(','),
    'listener.security.protocol.map': ['PLAINTEXT:PLAINTEXT', 'INTERNAL:PLAINTEXT', ...extras.map((e) => `${e.slice(0, e.indexOf(':'))}:${e.slice(0, e.indexOf(':'))}`)].join(','),
    'inter.broker.listener.name': 'INTERNAL',
    'admin.http.listener': '',
    'zookeeper.connect': zkConnect,
    'zookeeper.session.timeout.ms': 6000,
    'log.dirs': logDir,
    'num.partitions': 1,
    'default.replication.factor': 1,
    'log.segment.delete.delay.ms': 0,
    ...overrides,
  };
  const config = loadBrokerConfig({ overrides: Object.entries(props).map(([k, v]) => `${k}=${v}`) });
  const make = (): Broker => createBroker({ config, logger: silentLogger(), shutdownDrainMs: 1_000 });
  const tb: TestBroker = {
    id,
    port: port!,
    interPort: interPort!,
    logDir,
    broker: make(),
    connect: () => KafkaSocket.connect('127.0.0.1', port!),
    async restart() {
      await tb.broker.stop();
      tb.broker = make();
      await tb.broker.start();
    },
    stop: () => tb.broker.stop(),
  };
  await tb.broker.start();
  return tb;
}

/** Until one broker is the controller and every given broker's metadata cache names it. Returns its id. */
export async function waitForController(brokers: readonly TestBroker[], timeoutMs = 15_000): Promise<number> {
  return waitFor(
    () => {
      const active = brokers.filter((b) => b.broker.controller.isActive);
      if (active.length !== 1) return undefined;
      const id = active[0]!.id;
      return brokers.every((b) => b.broker.metadataCache.controllerId === id && b.broker.metadataCache.aliveBrokers().length >= brokers.length) ? id : undefined;
    },
    'one active controller known to every broker',
    { timeoutMs },
  );
}

/** Until this broker's metadata cache names a live leader for every partition of `topic`. */
export async function waitForLeaders(b: TestBroker, topic: string, partitions: number, timeoutMs = 15_000): Promise<number[]> {
  return waitFor(
    () => {
      const parts = b.broker.metadataCache.getTopic(topic);
      if (parts === undefined || parts.length < partitions || parts.some((p) => p.leader < 0)) return undefined;
      return parts.map((p) => p.leader);
    },
    `leaders for ${partitions} partition(s) of ${topic} in broker ${b.id}'s metadata cache`,
    { timeoutMs },
  );
}

/** Until the broker hosting the leader has actually become leader (LeaderAndIsr applied). */
export async function waitForLeadership(b: TestBroker, topic: string, partition: number, timeoutMs = 15_000): Promise<void> {
  await waitFor(() => b.broker.replicaManager.getPartition(topic, partition)?.isLeader, `broker ${b.id} to lead ${topic}-${partition}`, { timeoutMs });
}

export async function createTopic(sock: KafkaSocket, name: string, numPartitions = 1, configs: Record<string, string> = {}): Promise<number> {
  const r = await sock.request(ApiKey.CreateTopics, 4, {
    topics: [{ name, numPartitions, replicationFactor: 1, assignments: [], configs: Object.entries(configs).map(([k, v]) => ({ name: k, value: v })) }],
    timeoutMs: 10_000,
    validateOnly: false,
  }, 15_000);
  return r.topics[0]!.errorCode;
}

export function batch(values: string[], keys?: (string | null)[]): Buffer {
  const records: RecordInput[] = values.map((v, i) => ({ key: keys?.[i] == null ? null : Buffer.from(keys[i]!), value: Buffer.from(v) }));
  return encodeRecordBatch(records, {});
}

export async function produce(sock: KafkaSocket, topic: string, partition: number, records: Buffer | null, acks = -1, timeoutMs = 5_000, version = 7) {
  const r = await sock.request(ApiKey.Produce, version, { transactionalId: null, acks, timeoutMs, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] }, timeoutMs + 5_000);
  return r.responses[0]!.partitionResponses[0]!;
}

export async function fetch(sock: KafkaSocket, topic: string, partition: number, fetchOffset: bigint, options: { maxWaitMs?: number; minBytes?: number; partitionMaxBytes?: number; version?: number } = {}) {
  const r = await sock.request(
    ApiKey.Fetch,
    options.version ?? 11,
    {
      replicaId: -1,
      maxWaitMs: options.maxWaitMs ?? 0,
      minBytes: options.minBytes ?? 1,
      maxBytes: 50 * 1024 * 1024,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset, logStartOffset: -1n, partitionMaxBytes: options.partitionMaxBytes ?? 1024 * 1024 }] }],
      forgottenTopicsData: [],
      rackId: '',
    },
    (options.maxWaitMs ?? 0) + 10_000,
  );
  return r.responses[0]!.partitions[0]!;
}
