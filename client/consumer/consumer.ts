/**
 * The consumer. Either `assign()` partitions yourself, or give a `groupId` and `subscribe()` to
 * topics: the group's coordinator then balances partitions among members (assignors: range,
 * roundrobin, cooperative-sticky; static membership with `groupInstanceId`). Position
 * partitions with `seek`/`seekToBeginning`/`seekToEnd`, committed offsets, or
 * `autoOffsetReset`, then `poll()`, iterate with `for await`, or `run({ eachBatch })`.
 * Fetching runs ahead of the application (one fetch in flight per leader). Offsets are committed
 * automatically every `autoCommitIntervalMs`, before partitions are revoked and on close, or by
 * hand with `commitSync`/`commitAsync`.
 */
import type { Clock, Scheduler } from '../../common/index.js';
import { tpKey } from '../../common/index.js';
import { Cluster, type ClusterOptions } from '../cluster.js';
import { asClientError, KafkaClientError } from '../errors.js';
import type { Deserializer } from '../serializers.js';
import type { RecordHeader } from '../producer/batch.js';
import type { Assignor } from './assignors/types.js';
import { rangeAssignor } from './assignors/range.js';
import { cooperativeStickyAssignor } from './assignors/cooperative-sticky.js';
import { Fetcher, type OffsetResetPolicy, type TopicPartition } from './fetcher.js';
import type { FetchedRecord } from './record-reader.js';
import type { OffsetAndMetadata } from './group/group-client.js';
import { GroupMembership } from './group/membership.js';
import type { ConsumerGroupMetadata } from '../producer/transaction-manager.js';

export interface ConsumerOptions<K = Buffer, V = Buffer> extends Omit<ClusterOptions, 'allowAutoTopicCreation'> {
  /** Needed for subscribe() and commits. */
  groupId?: string;
  /** Static membership (KIP-345). */
  groupInstanceId?: string;
  /** Default [range, cooperative-sticky], as Kafka 3.x (eager until range is removed). */
  assignors?: Assignor[];
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  enableAutoCommit?: boolean;
  autoCommitIntervalMs?: number;
  autoOffsetReset?: OffsetResetPolicy;
  fetchMinBytes?: number;
  fetchMaxBytes?: number;
  fetchMaxWaitMs?: number;
  maxPartitionFetchBytes?: number;
  maxPollRecords?: number;
  isolationLevel?: 'read_uncommitted' | 'read_committed';
  retryBackoffMs?: number;
  /** Kafka's client.rack: with a broker-side replica.selector.class, read from a replica in this rack (KIP-392). */
  clientRack?: string;
  /** How long a preferred read replica is used before the leader is asked again (Kafka: metadata.max.age.ms, 5 min). */
  preferredReadReplicaMaxAgeMs?: number;
  keyDeserializer?: Deserializer<K>;
  valueDeserializer?: Deserializer<V>;
  clock?: Clock;
  scheduler?: Scheduler;
  /** Errors no caller is waiting for (heartbeats, async commits without a callback). */
  onError?: (err: KafkaClientError) => void;
}

export interface ConsumerRecord<K = Buffer, V = Buffer> {
  topic: string;
  partition: number;
  offset: bigint;
  timestamp: bigint;
  key: K | null;
  value: V | null;
  headers: RecordHeader[];
}

export interface RebalanceListener {
  onPartitionsRevoked?(partitions: TopicPartition[]): void | Promise<void>;
  onPartitionsAssigned?(partitions: TopicPartition[]): void | Promise<void>;
  /** Partitions taken away without a clean revoke; defaults to onPartitionsRevoked. */
  onPartitionsLost?(partitions: TopicPartition[]): void | Promise<void>;
}

export interface EachBatchPayload<K, V> {
  topic: string;
  partition: number;
  records: Array<ConsumerRecord<K, V>>;
}

export class Consumer<K = Buffer, V = Buffer> {
  readonly cluster: Cluster;
  private readonly fetcher: Fetcher;
  private readonly membership: GroupMembership | undefined;
  private readonly maxPollRecords: number;
  private readonly keyDeserializer: Deserializer<K>;
  private readonly valueDeserializer: Deserializer<V>;
  private readonly autoCommitIntervalMs: number | undefined;
  /** No deserializers: fetched records are returned as they are (no copy per record). */
  private readonly rawBytes: boolean;
  private nextAutoCommitMs = 0;
  private listener: RebalanceListener = {};
  private closed = false;

  constructor(private readonly opts: ConsumerOptions<K, V>) {
    this.cluster = new Cluster({ ...opts, allowAutoTopicCreation: false });
    const retryBackoffMs = opts.retryBackoffMs ?? 100;
    const requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.fetcher = new Fetcher(this.cluster, {
      minBytes: opts.fetchMinBytes ?? 1,
      maxBytes: opts.fetchMaxBytes ?? 52_428_800,
      maxWaitMs: opts.fetchMaxWaitMs ?? 500,
      maxPartitionBytes: opts.maxPartitionFetchBytes ?? 1_048_576,
      isolationLevel: opts.isolationLevel === 'read_committed' ? 1 : 0,
      autoOffsetReset: opts.autoOffsetReset ?? 'latest',
      retryBackoffMs,
      requestTimeoutMs,
      clientRack: opts.clientRack ?? '',
      ...(opts.preferredReadReplicaMaxAgeMs === undefined ? {} : { preferredReadReplicaMaxAgeMs: opts.preferredReadReplicaMaxAgeMs }),
    });
    if (opts.groupId !== undefined) {
      this.membership = new GroupMembership(
        this.cluster,
        {
          groupId: opts.groupId,
          groupInstanceId: opts.groupInstanceId ?? null,
          sessionTimeoutMs: opts.sessionTimeoutMs ?? 45_000,
          rebalanceTimeoutMs: opts.rebalanceTimeoutMs ?? 300_000,
          heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 3_000,
          retryBackoffMs,
          requestTimeoutMs,
          assignors: opts.assignors ?? [rangeAssignor, cooperativeStickyAssignor],
        },
        {
          revoked: (tps) => this.onRevoked(tps),
          assigned: (tps) => this.onAssigned(tps),
          lost: (tps) => this.onLost(tps),
          rejoinNeeded: () => this.fetcher.interrupt(),
          onError: (err) => this.opts.onError?.(err),
        },
      );
      if (opts.enableAutoCommit ?? true) this.autoCommitIntervalMs = opts.autoCommitIntervalMs ?? 5_000;
    }
    this.maxPollRecords = opts.maxPollRecords ?? 500;
    this.keyDeserializer = opts.keyDeserializer ?? ((b) => b as K | null);
    this.valueDeserializer = opts.valueDeserializer ?? ((b) => b as V | null);
    this.rawBytes = opts.keyDeserializer === undefined && opts.valueDeserializer === undefined;
  }

  connect(): Promise<void> {
    return this.cluster.connect();
  }

  /** Manual assignment: replaces the current one (positions of kept partitions survive). */
  assign(partitions: readonly TopicPartition[]): void {
    if (this.membership?.identity() !== undefined) throw new KafkaClientError('CLI_INVALID_CONFIG', 'assign() cannot be mixed with subscribe()');
    this.fetcher.assign(partitions);
  }

  assignment(): TopicPartition[] {
    return this.fetcher.assignment();
  }

  /** Join the group for these topics; the next poll() joins and receives partitions. */
  subscribe(topics: string[], listener: RebalanceListener = {}): void {
    if (this.membership === undefined) throw new KafkaClientError('CLI_INVALID_CONFIG', 'subscribe() needs a groupId');
    this.listener = listener;
    this.cluster.addTopics(topics);
    this.membership.subscribe(topics);
  }

  /**
   * The group id, generation and member id (generation -1 and member id '' until joined): what a
   * transactional producer's sendOffsets needs so a member rebalanced away is fenced (KIP-447).
   */
  groupMetadata(): ConsumerGroupMetadata | undefined {
    if (this.membership === undefined) return undefined;
    const id = this.membership.identity();
    return { groupId: this.opts.groupId!, generationId: id?.generationId ?? -1, memberId: id?.memberId ?? '', groupInstanceId: id?.groupInstanceId ?? this.opts.groupInstanceId ?? null };
  }

  seek(tp: TopicPartition, offset: bigint): void {
    this.fetcher.seek(tp, offset);
  }

  seekToBeginning(tps: readonly TopicPartition[] = this.assignment()): void {
    this.fetcher.seekTo(tps, 'earliest');
  }

  seekToEnd(tps: readonly TopicPartition[] = this.assignment()): void {
    this.fetcher.seekTo(tps, 'latest');
  }

  /** The offset of the next record poll() will return for a partition (resolving resets). */
  async position(tp: TopicPartition): Promise<bigint> {
    if (this.cluster.lastRefreshMs < 0) await this.connect();
    await this.fetcher.resetPositions();
    const position = this.fetcher.state(tp).position;
    if (position === undefined) throw new KafkaClientError('CLI_METADATA', `no leader known for ${tp.topic}/${tp.partition}`, { retriable: true });
    return position;
  }

  pause(tps: readonly TopicPartition[]): void {
    this.fetcher.setPaused(tps, true);
  }

  resume(tps: readonly TopicPartition[]): void {
    this.fetcher.setPaused(tps, false);
  }

  paused(): TopicPartition[] {
    return this.assignment().filter((tp) => this.fetcher.state(tp).paused);
  }

  /** High watermark last seen for a partition (-1n before the first fetch). */
  highWatermark(tp: TopicPartition): bigint {
    return this.fetcher.state(tp).highWatermark;
  }

  /** Records available now or within `timeoutMs` (possibly none). */
  async poll(options: { timeoutMs?: number; maxRecords?: number } = {}): Promise<Array<ConsumerRecord<K, V>>> {
    if (this.closed) throw new KafkaClientError('CLI_CLOSED', 'the consumer is closed');
    const timeoutMs = options.timeoutMs ?? 1000;
    const max = options.maxRecords ?? this.maxPollRecords;
    const deadline = this.cluster.clock.now() + timeoutMs;
    if (this.cluster.lastRefreshMs < 0) await this.connect();
    for (;;) {
      await this.membership?.ensureActive();
      this.maybeAutoCommit();
      await this.fetcher.resetPositions();
      const drained = this.fetcher.drain(max);
      // Prefetch: the next records travel while the application handles these.
      this.fetcher.sendFetches();
      if (drained.length > 0) return this.toRecords(drained);
      const left = deadline - this.cluster.clock.now();
      if (left <= 0 || this.closed) return [];
      await this.fetcher.waitForData(left);
      if (this.closed) return [];
      // A rebalance interrupted the wait: rejoin now, return what we have (nothing) after.
      if (this.membership?.needsJoin === true) {
        await this.membership.ensureActive();
        return [];
      }
    }
  }

  /** `for await (const record of consumer)`: polls until the consumer is closed. */
  async *[Symbol.asyncIterator](): AsyncGenerator<ConsumerRecord<K, V>> {
    while (!this.closed) {
      const records = await this.poll({ timeoutMs: 1000 });
      for (const r of records) yield r;
    }
  }

  /**
   * Runs `eachBatch` for every polled batch of each partition until close(); with a group,
   * offsets after each handled batch are committed by auto commit. A throwing handler stops the
   * loop (the partition's position is rewound to the failed batch) and rejects.
   */
  async run(handlers: { eachBatch: (payload: EachBatchPayload<K, V>) => Promise<void> | void }): Promise<void> {
    while (!this.closed) {
      const records = await this.poll({ timeoutMs: 1000 });
      const byPartition = new Map<string, Array<ConsumerRecord<K, V>>>();
      for (const r of records) {
        const k = tpKey(r.topic, r.partition);
        let l = byPartition.get(k);
        if (l === undefined) byPartition.set(k, (l = []));
        l.push(r);
      }
      const batches = [...byPartition.values()];
      for (let i = 0; i < batches.length; i++) {
        const first = batches[i]![0]!;
        try {
          await handlers.eachBatch({ topic: first.topic, partition: first.partition, records: batches[i]! });
        } catch (err) {
          // Unhandled batches (this one and the rest of the poll) are fetched again later.
          if (!this.closed) for (const b of batches.slice(i)) this.fetcher.seek({ topic: b[0]!.topic, partition: b[0]!.partition }, b[0]!.offset);
          throw err;
        }
      }
    }
  }

  /** Commit offsets (default: the current position of every assigned partition) and wait. */
  async commitSync(offsets?: ReadonlyMap<TopicPartition, OffsetAndMetadata>): Promise<void> {
    const m = this.membership;
    if (m === undefined) throw new KafkaClientError('CLI_INVALID_CONFIG', 'commits need a groupId');
    await m.client.commitOffsets(offsets ?? this.positions(this.assignment()), m.identity());
  }

  /** Commit without waiting; errors go to `callback`, else to `onError`. */
  commitAsync(offsets?: ReadonlyMap<TopicPartition, OffsetAndMetadata>, callback?: (err: KafkaClientError | null) => void): void {
    this.commitSync(offsets).then(
      () => callback?.(null),
      (err: unknown) => {
        const e = asClientError(err);
        if (callback !== undefined) callback(e);
        else this.opts.onError?.(e);
      },
    );
  }

  /** Committed offsets of these partitions (undefined = none). */
  async committed(tps: readonly TopicPartition[]): Promise<Array<bigint | undefined>> {
    const m = this.membership;
    if (m === undefined) throw new KafkaClientError('CLI_INVALID_CONFIG', 'committed offsets need a groupId');
    const found = await m.client.fetchOffsets(tps);
    return tps.map((tp) => found.get(tpKey(tp.topic, tp.partition))?.offset);
  }

  /** Commit (if auto commit is on), leave the group, and release connections and timers. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.membership !== undefined && this.autoCommitIntervalMs !== undefined && this.membership.identity() !== undefined) {
      await this.commitSync().catch((err: unknown) => this.opts.onError?.(err as KafkaClientError));
    }
    this.closed = true;
    this.fetcher.close();
    await this.membership?.close();
    this.cluster.close();
  }

  private positions(tps: readonly TopicPartition[]): Map<TopicPartition, OffsetAndMetadata> {
    const out = new Map<TopicPartition, OffsetAndMetadata>();
    for (const tp of tps) {
      const p = this.fetcher.state(tp).position;
      if (p !== undefined) out.set(tp, { offset: p });
    }
    return out;
  }

  private maybeAutoCommit(): void {
    if (this.autoCommitIntervalMs === undefined || this.membership?.identity() === undefined) return;
    const now = this.cluster.clock.now();
    if (now < this.nextAutoCommitMs) return;
    this.nextAutoCommitMs = now + this.autoCommitIntervalMs;
    this.commitAsync();
  }

  private async onRevoked(tps: TopicPartition[]): Promise<void> {
    if (this.autoCommitIntervalMs !== undefined) {
      await this.commitSync(this.positions(tps.filter((tp) => this.isAssigned(tp)))).catch((err: unknown) => this.opts.onError?.(err as KafkaClientError));
    }
    await this.listener.onPartitionsRevoked?.(tps);
    this.dropFromAssignment(tps);
  }

  private async onLost(tps: TopicPartition[]): Promise<void> {
    await (this.listener.onPartitionsLost ?? this.listener.onPartitionsRevoked)?.call(this.listener, tps);
    this.dropFromAssignment(tps);
  }

  private async onAssigned(tps: TopicPartition[]): Promise<void> {
    this.fetcher.assign([...this.assignment(), ...tps]);
    if (tps.length > 0) {
      const committed = await this.membership!.client.fetchOffsets(tps, this.opts.isolationLevel === 'read_committed');
      for (const tp of tps) {
        const c = committed.get(tpKey(tp.topic, tp.partition));
        if (c !== undefined) this.fetcher.seek(tp, c.offset);
      }
    }
    await this.listener.onPartitionsAssigned?.(tps);
  }

  private isAssigned(tp: TopicPartition): boolean {
    return this.assignment().some((a) => a.topic === tp.topic && a.partition === tp.partition);
  }

  private dropFromAssignment(tps: TopicPartition[]): void {
    const gone = new Set(tps.map((tp) => tpKey(tp.topic, tp.partition)));
    this.fetcher.assign(this.assignment().filter((tp) => !gone.has(tpKey(tp.topic, tp.partition))));
  }

  private toRecords(fetched: FetchedRecord[]): Array<ConsumerRecord<K, V>> {
    if (this.rawBytes) return fetched as unknown as Array<ConsumerRecord<K, V>>;
    // Deserialized in place: the fetched objects are this poll's own.
    const out = fetched as unknown as Array<ConsumerRecord<K, V>>;
    for (let i = 0; i < fetched.length; i++) {
      const r = fetched[i]!;
      const o = out[i]!;
      o.key = this.keyDeserializer(r.key as Buffer | null, r.topic);
      o.value = this.valueDeserializer(r.value as Buffer | null, r.topic);
    }
    return out;
  }
}
