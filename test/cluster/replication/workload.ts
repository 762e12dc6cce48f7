/**
 * Test workload for the replication cluster tests, on raw Kafka requests so every outcome is
 * visible: a producer writing one-record batches with acks=all, one in flight, retrying the same
 * record on retriable errors against whichever broker leads now; a reader of a whole partition;
 * and the checks, by the one history checker (test/helpers/history): every acknowledged record
 * readable at its offset, in order, no offset with two records.
 */
import { ApiKey, ErrorCode, encodeRecordBatch, iterateBatches, iterateRecords } from '../../../protocol/index.js';
import type { BrokerProcess } from '../../helpers/broker-process.js';
import { checkHistory, type ProducedRecord, type ReadRecord } from '../../helpers/history/index.js';
import { KafkaSocket } from '../../helpers/kafka-socket.js';
import { waitFor } from '../../helpers/wait-for.js';
import { sleep, systemScheduler } from '../../../common/index.js';

export interface PartitionView {
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
}

const RETRIABLE = new Set<number>([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.NOT_ENOUGH_REPLICAS,
  ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
  ErrorCode.REQUEST_TIMED_OUT,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
]);

export async function withSocket<T>(b: BrokerProcess, fn: (s: KafkaSocket) => Promise<T>): Promise<T> {
  const s = await KafkaSocket.connect(b.host, b.port);
  try {
    return await fn(s);
  } finally {
    s.close();
  }
}

/** The partition as a live broker's metadata shows it (undefined if no broker answers). */
export async function partitionView(brokers: readonly BrokerProcess[], topic: string, partition = 0): Promise<PartitionView | undefined> {
  for (const b of brokers) {
    if (!b.isAlive()) continue;
    try {
      const m = await withSocket(b, (s) =>
        s.request(ApiKey.Metadata, 8, { topics: [{ name: topic }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }, 3_000),
      );
      const p = m.topics[0]?.partitions.find((x) => x.partitionIndex === partition);
      if (p === undefined) continue;
      return { leader: p.leaderId, leaderEpoch: p.leaderEpoch ?? -1, replicas: [...p.replicaNodes], isr: [...p.isrNodes] };
    } catch {
      // try the next broker
    }
  }
  return undefined;
}

/** Creates a one-partition topic with this assignment, through the current controller. */
export async function createReplicatedTopic(brokers: readonly BrokerProcess[], topic: string, assignment: number[], configs: Record<string, string>): Promise<void> {
  let controller: BrokerProcess | undefined;
  await waitFor(async () => {
    const any = brokers.find((x) => x.isAlive());
    if (any === undefined) return false;
    const m = await withSocket(any, (s) => s.request(ApiKey.Metadata, 8, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }));
    controller = brokers.find((x) => x.brokerId === m.controllerId && x.isAlive());
    return controller !== undefined;
  }, 'a live controller', { timeoutMs: 20_000, intervalMs: 100 });
  const b = controller!;
  const r = await withSocket(b, (s) =>
    s.request(ApiKey.CreateTopics, 4, {
      topics: [{ name: topic, numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: assignment }], configs: Object.entries(configs).map(([name, value]) => ({ name, value })) }],
      timeoutMs: 10_000,
      validateOnly: false,
    }, 15_000),
  );
  if (r.topics[0]!.errorCode !== ErrorCode.NONE) throw new Error(`CreateTopics ${topic}: error ${r.topics[0]!.errorCode}`);
}

export async function waitForIsr(brokers: readonly BrokerProcess[], topic: string, isr: number[], timeoutMs = 30_000): Promise<PartitionView> {
  let last: PartitionView | undefined;
  await waitFor(
    async () => {
      last = await partitionView(brokers, topic);
      return last !== undefined && last.leader >= 0 && last.isr.length === isr.length && isr.every((id) => last!.isr.includes(id));
    },
    `ISR of ${topic} to be ${JSON.stringify(isr)}`,
    { timeoutMs, intervalMs: 100 },
  );
  return last!;
}

export async function produceOne(b: BrokerProcess, topic: string, value: string, acks: number, timeoutMs = 5_000): Promise<{ errorCode: number; baseOffset: bigint }> {
  return withSocket(b, async (s) => {
    const records = encodeRecordBatch([{ key: null, value: Buffer.from(value) }], {});
    const r = await s.request(ApiKey.Produce, 7, { transactionalId: null, acks, timeoutMs, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] }, timeoutMs + 5_000);
    const p = r.responses[0]!.partitionResponses[0]!;
    return { errorCode: p.errorCode, baseOffset: p.baseOffset };
  });
}

export interface Acked {
  readonly value: string;
  readonly offset: bigint;
  /** When the (last) attempt that got this acknowledgement was sent, and when it was acknowledged. */
  readonly sentAtMs: number;
  readonly atMs: number;
  /** The broker that acknowledged it. */
  readonly broker: number;
}

/** acks=all, one record in flight, retried until acknowledged or stopped. */
export class AckedProducer {
  readonly acked: Acked[] = [];
  readonly errorCodes = new Map<number, number>();
  readonly fatal: string[] = [];
  connectionErrors = 0;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private sock: KafkaSocket | undefined;
  private sockBroker = -1;

  constructor(
    private readonly brokers: readonly BrokerProcess[],
    private readonly topic: string,
    private readonly prefix = 'v',
  ) {}

  start(): this {
    this.loop = this.run();
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    this.sock?.close();
  }

  /** Acknowledged records after `t` (ms since epoch). */
  ackedAfter(t: number): number {
    return this.acked.filter((a) => a.atMs > t).length;
  }

  private async run(): Promise<void> {
    let seq = 0;
    let leader = -1;
    // Bounded by stop(): every attempt has a request timeout; failures back off 50 ms.
    while (!this.stopped) {
      const value = `${this.prefix}-${seq}`;
      try {
        if (leader < 0) leader = (await partitionView(this.brokers, this.topic))?.leader ?? -1;
        const b = this.brokers.find((x) => x.brokerId === leader);
        if (b === undefined || !b.isAlive()) throw new Error('no live leader known');
        if (this.sock === undefined || this.sock.closed || this.sockBroker !== leader) {
          this.sock?.close();
          this.sock = await KafkaSocket.connect(b.host, b.port);
          this.sockBroker = leader;
        }
        const records = encodeRecordBatch([{ key: null, value: Buffer.from(value) }], {});
        const sentAtMs = Date.now();
        const r = await this.sock.request(ApiKey.Produce, 7, { transactionalId: null, acks: -1, timeoutMs: 5_000, topicData: [{ name: this.topic, partitionData: [{ index: 0, records }] }] }, 10_000);
        const p = r.responses[0]!.partitionResponses[0]!;
        if (p.errorCode === ErrorCode.NONE) {
          this.acked.push({ value, offset: p.baseOffset, sentAtMs, atMs: Date.now(), broker: leader });
          seq++;
          continue;
        }
        this.errorCodes.set(p.errorCode, (this.errorCodes.get(p.errorCode) ?? 0) + 1);
        if (!RETRIABLE.has(p.errorCode)) this.fatal.push(`${value}: error ${p.errorCode}`);
        leader = -1;
      } catch {
        this.connectionErrors++;
        this.sock?.close();
        this.sock = undefined;
        leader = -1;
      }
      await sleep(systemScheduler, 50);
    }
  }
}

/** Every record of partition 0 up to the high watermark, read from its current leader. */
export async function readPartition(brokers: readonly BrokerProcess[], topic: string): Promise<{ offset: bigint; value: string }[]> {
  const view = await partitionView(brokers, topic);
  const b = brokers.find((x) => x.brokerId === view?.leader);
  if (b === undefined) throw new Error(`no leader for ${topic}`);
  return withSocket(b, async (s) => {
    const out: { offset: bigint; value: string }[] = [];
    let offset = 0n;
    // Bounded: each round advances past at least one batch or ends at the high watermark.
    for (let round = 0; round < 100_000; round++) {
      const r = await s.request(ApiKey.Fetch, 11, {
        replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 4 * 1024 * 1024, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
        topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: offset, logStartOffset: -1n, partitionMaxBytes: 1024 * 1024 }] }],
        forgottenTopicsData: [], rackId: '',
      }, 10_000);
      const p = r.responses[0]!.partitions[0]!;
      if (p.errorCode !== ErrorCode.NONE) throw new Error(`fetch ${topic} at ${offset}: error ${p.errorCode}`);
      const buf = p.records ?? Buffer.alloc(0);
      let progressed = false;
      for (const batch of iterateBatches(buf)) {
        for (const rec of iterateRecords(buf.subarray(batch.start, batch.end))) {
          const o = batch.header.baseOffset + BigInt(rec.offsetDelta);
          if (o >= offset) out.push({ offset: o, value: rec.value?.toString() ?? '' });
        }
        offset = batch.header.baseOffset + BigInt(batch.header.lastOffsetDelta) + 1n;
        progressed = true;
      }
      if (!progressed || offset >= p.highWatermark) return out;
    }
    return out;
  });
}

/** The history checker's violations for partition 0 of `topic`: what was acknowledged vs what the log holds. */
export function historyViolations(topic: string, acked: readonly Acked[], log: readonly { offset: bigint; value: string }[]): string[] {
  const produced: ProducedRecord[] = acked.map((a) => ({
    id: a.value, producer: 'acked-producer', topic, partition: 0, acks: -1, idempotent: false,
    sentAt: a.sentAtMs, answeredAt: a.atMs, outcome: 'acked', offset: a.offset,
  }));
  const read: ReadRecord[] = log.map((r) => ({ topic, partition: 0, offset: r.offset, id: r.value, reader: 'leader', at: Date.now() }));
  const verdict = checkHistory({ produced, read, commits: [], controller: [], faults: [] }, { maxDetails: 20 });
  return verdict.violations.map((v) => `${v.kind}: ${v.detail}`);
}
