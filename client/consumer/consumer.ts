/**
 * The consumer (skeleton: manual assignment). `assign()` partitions, position them with
 * `seek`/`seekToBeginning`/`seekToEnd` or `autoOffsetReset`, then `poll()` or iterate with
 * `for await`. Fetching runs ahead of the application (one fetch in flight per leader). Group
 * membership (`subscribe`, commits, rebalance listeners) is not built yet: the assignors and the
 * ConsumerProtocol codecs it will use are in ./assignors.
 */
import type { DecodedRecord } from '../../protocol/index.js';
import type { Clock, Scheduler } from '../clock.js';
import { Cluster, type ClusterOptions } from '../cluster.js';
import { KafkaClientError } from '../errors.js';
import type { Deserializer } from '../serializers.js';
import type { RecordHeader } from '../producer/batch.js';
import { Fetcher, type OffsetResetPolicy, type TopicPartition } from './fetcher.js';

export interface ConsumerOptions<K = Buffer, V = Buffer> extends Omit<ClusterOptions, 'allowAutoTopicCreation'> {
  autoOffsetReset?: OffsetResetPolicy;
  fetchMinBytes?: number;
  fetchMaxBytes?: number;
  fetchMaxWaitMs?: number;
  maxPartitionFetchBytes?: number;
  maxPollRecords?: number;
  isolationLevel?: 'read_uncommitted' | 'read_committed';
  retryBackoffMs?: number;
  keyDeserializer?: Deserializer<K>;
  valueDeserializer?: Deserializer<V>;
  clock?: Clock;
  scheduler?: Scheduler;
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

export class Consumer<K = Buffer, V = Buffer> {
  readonly cluster: Cluster;
  private readonly fetcher: Fetcher;
  private readonly maxPollRecords: number;
  private readonly keyDeserializer: Deserializer<K>;
  private readonly valueDeserializer: Deserializer<V>;
  private closed = false;

  constructor(opts: ConsumerOptions<K, V>) {
    this.cluster = new Cluster({ ...opts, allowAutoTopicCreation: false });
    this.fetcher = new Fetcher(this.cluster, {
      minBytes: opts.fetchMinBytes ?? 1,
      maxBytes: opts.fetchMaxBytes ?? 52_428_800,
      maxWaitMs: opts.fetchMaxWaitMs ?? 500,
      maxPartitionBytes: opts.maxPartitionFetchBytes ?? 1_048_576,
      isolationLevel: opts.isolationLevel === 'read_committed' ? 1 : 0,
      autoOffsetReset: opts.autoOffsetReset ?? 'latest',
      retryBackoffMs: opts.retryBackoffMs ?? 100,
      requestTimeoutMs: opts.requestTimeoutMs ?? 30_000,
    });
    this.maxPollRecords = opts.maxPollRecords ?? 500;
    this.keyDeserializer = opts.keyDeserializer ?? ((b) => b as K | null);
    this.valueDeserializer = opts.valueDeserializer ?? ((b) => b as V | null);
  }

  connect(): Promise<void> {
    return this.cluster.connect();
  }

  /** Manual assignment: replaces the current one (positions of kept partitions survive). */
  assign(partitions: readonly TopicPartition[]): void {
    this.fetcher.assign(partitions);
  }

  assignment(): TopicPartition[] {
    return this.fetcher.assignment();
  }

  /** Group subscription is not implemented yet. */
  subscribe(_topics: string[]): never {
    throw new KafkaClientError('CLI_INVALID_CONFIG', 'subscribe() (consumer groups) is not implemented yet; use assign()');
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
    await this.ensurePositions();
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
      await this.ensurePositions();
      const drained = this.fetcher.drain(max);
      // Prefetch: the next records travel while the application handles these.
      this.fetcher.sendFetches();
      if (drained.length > 0) return drained.map(({ state, record }) => this.toRecord(state.topic, state.partition, record));
      const left = deadline - this.cluster.clock.now();
      if (left <= 0 || this.closed) return [];
      await this.fetcher.waitForData(left);
      if (this.closed) return [];
    }
  }

  /** `for await (const record of consumer)`: polls until the consumer is closed. */
  async *[Symbol.asyncIterator](): AsyncGenerator<ConsumerRecord<K, V>> {
    while (!this.closed) {
      const records = await this.poll({ timeoutMs: 1000 });
      for (const r of records) yield r;
    }
  }

  close(): void {
    this.closed = true;
    this.fetcher.close();
    this.cluster.close();
  }

  private async ensurePositions(): Promise<void> {
    await this.fetcher.resetPositions();
  }

  private toRecord(topic: string, partition: number, r: DecodedRecord): ConsumerRecord<K, V> {
    return {
      topic,
      partition,
      offset: r.offset,
      timestamp: r.timestamp,
      key: this.keyDeserializer(r.key, topic),
      value: this.valueDeserializer(r.value, topic),
      headers: r.headers,
    };
  }
}
