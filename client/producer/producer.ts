/**
 * The producer. `send()` gives a promise per record but the work is per batch: records are
 * serialized, placed by the partitioner, appended to the accumulator, and resolved together when
 * their batch is acknowledged. `sendBatch()` takes many records for one promise; `produce()` is
 * the fire-and-forget form with an optional callback (no promise at all). Idempotence is on by
 * default (acks=all, retries, ≤5 in flight), as in Kafka 3.0+.
 */
import type { Clock, Scheduler } from '../../common/index.js';
import { sleep, systemClock, systemScheduler } from '../../common/index.js';
import { Cluster, type ClusterOptions } from '../cluster.js';
import { asClientError, KafkaClientError } from '../errors.js';
import { defaultPartitioner, type Partitioner } from '../partitioners/partitioner.js';
import { loadXxhash } from '../partitioners/xxhash.js';
import type { Serializer } from '../serializers.js';
import { CompressionType } from '../wire.js';
import { RecordAccumulator, type AppendResult } from './accumulator.js';
import type { BatchResult, ProducerBatch, RecordHeader, RecordMetadata, ProducerRecordData } from './batch.js';
import { IdempotenceManager } from './idempotence.js';
import { Sender } from './sender.js';
import { Transaction } from './transaction.js';
import { TransactionManager } from './transaction-manager.js';

export type CompressionName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export interface ProducerOptions<K = unknown, V = unknown> extends Omit<ClusterOptions, 'allowAutoTopicCreation'> {
  /** -1 ("all", default), 0 or 1. */
  acks?: -1 | 0 | 1 | 'all';
  batchSize?: number;
  lingerMs?: number;
  bufferMemory?: number;
  maxBlockMs?: number;
  maxRequestSize?: number;
  retries?: number;
  retryBackoffMs?: number;
  deliveryTimeoutMs?: number;
  maxInFlightRequestsPerConnection?: number;
  compression?: CompressionName;
  /** Refresh metadata at least this often (ms), as metadata.max.age.ms. */
  metadataMaxAgeMs?: number;
  /**
   * Default true; requires acks=all, retries > 0 and ≤ 5 in flight. When only defaulted (not
   * set), it is dropped if the cluster lacks InitProducerId (reported through onError).
   */
  idempotent?: boolean;
  /**
   * transactional.id: makes the producer transactional (records are sent only inside
   * `producer.transaction()`); the id survives restarts, so a new incarnation fences the old one.
   */
  transactionalId?: string;
  /** transaction.timeout.ms (default 60000): the coordinator aborts a transaction open longer. */
  transactionTimeoutMs?: number;
  partitioner?: Partitioner;
  keySerializer?: Serializer<K>;
  valueSerializer?: Serializer<V>;
  allowAutoTopicCreation?: boolean;
  clock?: Clock;
  scheduler?: Scheduler;
  /** Errors that no send() is waiting for (background metadata, InitProducerId). */
  onError?: (err: KafkaClientError) => void;
}

export interface ProducerRecord<K = unknown, V = unknown> {
  topic: string;
  key?: K | null;
  value: V | null;
  partition?: number;
  headers?: Record<string, string | Buffer | null> | RecordHeader[];
  /** CreateTime; defaults to now. */
  timestamp?: bigint | number;
}

export type DeliveryCallback = (err: KafkaClientError | null, metadata: RecordMetadata | null) => void;

/** Buffer/Uint8Array as is, strings as UTF-8, null as null, anything else as JSON. */
export function autoSerializer(value: unknown): Buffer | null {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return Buffer.from(JSON.stringify(value), 'utf8');
}

const COMPRESSION: Record<CompressionName, number> = {
  none: CompressionType.None,
  gzip: CompressionType.Gzip,
  snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4,
  zstd: CompressionType.Zstd,
};

export class Producer<K = unknown, V = unknown> {
  readonly cluster: Cluster;
  private readonly acc: RecordAccumulator;
  private readonly sender: Sender;
  private readonly partitioner: Partitioner;
  private readonly keySerializer: Serializer<K>;
  private readonly valueSerializer: Serializer<V>;
  private readonly clock: Clock;
  private readonly maxBlockMs: number;
  private readonly txn: TransactionManager | undefined;
  private connected: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly opts: ProducerOptions<K, V>) {
    this.clock = opts.clock ?? systemClock;
    const scheduler = opts.scheduler ?? systemScheduler;
    const acks = opts.acks === 'all' || opts.acks === undefined ? -1 : opts.acks;
    const idempotent = opts.idempotent ?? true;
    if (opts.transactionalId !== undefined && (!idempotent || opts.transactionalId === '')) {
      throw new KafkaClientError('CLI_INVALID_CONFIG', 'a transactional producer needs a non-empty transactionalId and idempotence');
    }
    const maxInFlight = opts.maxInFlightRequestsPerConnection ?? 5;
    const retries = opts.retries ?? 2147483647;
    if (idempotent && (acks !== -1 || maxInFlight > 5 || retries === 0)) {
      throw new KafkaClientError('CLI_INVALID_CONFIG', 'idempotent producers need acks=all, retries > 0 and maxInFlightRequestsPerConnection <= 5');
    }
    this.maxBlockMs = opts.maxBlockMs ?? 60_000;
    const maxRequestSize = opts.maxRequestSize ?? 1_048_576;
    const retryBackoffMs = opts.retryBackoffMs ?? 100;
    const requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.cluster = new Cluster({ ...opts, allowAutoTopicCreation: opts.allowAutoTopicCreation ?? true, clock: this.clock, scheduler });
    this.acc = new RecordAccumulator({
      batchSize: opts.batchSize ?? 16_384,
      lingerMs: opts.lingerMs ?? 5,
      bufferMemory: opts.bufferMemory ?? 33_554_432,
      maxBlockMs: this.maxBlockMs,
      retryBackoffMs,
      maxRecordBytes: maxRequestSize,
      scheduler,
      onWakeup: () => this.sender.wakeup(),
    });
    const idempotence = idempotent ? new IdempotenceManager() : undefined;
    this.txn =
      opts.transactionalId === undefined
        ? undefined
        : new TransactionManager(this.cluster, idempotence!, {
            transactionalId: opts.transactionalId,
            transactionTimeoutMs: opts.transactionTimeoutMs ?? 60_000,
            retryBackoffMs,
            maxBlockMs: this.maxBlockMs,
            clock: this.clock,
            scheduler,
          });
    this.sender = new Sender(
      this.acc,
      this.cluster,
      {
        acks,
        requestTimeoutMs,
        maxInFlightRequestsPerConnection: maxInFlight,
        maxRequestSize,
        retries,
        retryBackoffMs,
        deliveryTimeoutMs: opts.deliveryTimeoutMs ?? 120_000,
        compression: COMPRESSION[opts.compression ?? 'none'],
        ...(opts.metadataMaxAgeMs === undefined ? {} : { metadataMaxAgeMs: opts.metadataMaxAgeMs }),
        clock: this.clock,
        scheduler,
        ...(opts.onError === undefined ? {} : { onBackgroundError: opts.onError }),
      },
      idempotence,
      opts.idempotent === undefined,
      this.txn,
    );
    this.partitioner = opts.partitioner ?? defaultPartitioner();
    this.keySerializer = opts.keySerializer ?? (autoSerializer as Serializer<K>);
    this.valueSerializer = opts.valueSerializer ?? (autoSerializer as Serializer<V>);
  }

  /** Load the hash function and bootstrap metadata. send() calls it if you did not. */
  connect(): Promise<void> {
    this.connected ??= Promise.all([loadXxhash(), this.cluster.connect()]).then(() => undefined);
    return this.connected;
  }

  /**
   * Begin a transaction (the first call obtains the producer id from the transaction coordinator,
   * fencing any older producer with the same transactionalId). One transaction at a time.
   */
  async transaction(): Promise<Transaction<K, V>> {
    const txn = this.txn;
    if (txn === undefined) throw new KafkaClientError('CLI_TXN_STATE', 'transaction() needs a transactionalId');
    await this.connect();
    await txn.initOnce();
    txn.begin();
    return new Transaction(this, txn);
  }

  /** The transactional state (undefined without a transactionalId). */
  get transactionState(): TransactionManager['state'] | undefined {
    return this.txn?.state;
  }

  /** One record, one promise (resolved when its batch is acknowledged). */
  send(record: ProducerRecord<K, V>): Promise<RecordMetadata> {
    let placed: AppendResult | undefined;
    try {
      placed = this.placeSync(record);
    } catch (err) {
      return Promise.reject(err);
    }
    if (placed !== undefined) return recordResult(placed);
    return this.place(record).then(recordResult);
  }

  /** Many records, one promise; the results are in input order. */
  async sendBatch(records: ReadonlyArray<ProducerRecord<K, V>>): Promise<RecordMetadata[]> {
    const placed: AppendResult[] = new Array(records.length);
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      placed[i] = this.placeSync(record) ?? (await this.place(record));
    }
    const results = new Map<ProducerBatch, BatchResult>();
    for (const p of placed) {
      if (!results.has(p.batch)) results.set(p.batch, await p.batch.result());
    }
    return placed.map((p) => p.batch.metadataFor(p.index, results.get(p.batch)!));
  }

  /**
   * Fire-and-forget: no promise per record. Throws synchronously only when the record cannot
   * be placed at once (unknown topic metadata, full buffer: then use send()).
   */
  produce(record: ProducerRecord<K, V>, callback?: DeliveryCallback): void {
    const r = this.placeSync(record);
    if (r === undefined) {
      throw new KafkaClientError('CLI_BUFFER_EXHAUSTED', 'cannot place the record without waiting (metadata unknown or bufferMemory full); use send()', { retriable: true });
    }
    if (callback === undefined) return;
    r.batch.onDone((err, res) => {
      // A throwing callback must not break the settlement of the other records of its batch.
      try {
        if (err === null) callback(null, r.batch.metadataFor(r.index, res!));
        else callback(err, null);
      } catch (cbErr) {
        this.opts.onError?.(asClientError(cbErr));
      }
    });
  }

  /** Send everything buffered now and wait until every record so far is settled. */
  async flush(): Promise<void> {
    this.acc.beginFlush();
    try {
      await this.acc.whenEmpty();
    } finally {
      this.acc.endFlush();
    }
  }

  /**
   * Stop taking records, deliver what is buffered (within `timeoutMs`), then fail the rest
   * with CLI_CLOSED and release every connection and timer.
   */
  close(options: { timeoutMs?: number } = {}): Promise<void> {
    this.closing ??= (async () => {
      this.acc.close();
      this.txn?.close();
      const timeoutMs = options.timeoutMs ?? 30_000;
      const flushed = new AbortController();
      try {
        await Promise.race([this.flush(), sleep(this.opts.scheduler ?? systemScheduler, timeoutMs, flushed.signal)]);
      } finally {
        flushed.abort(); // no timer left behind when the flush won
      }
      this.sender.stop();
      const err = new KafkaClientError('CLI_CLOSED', 'the producer closed before the record was acknowledged');
      for (const b of this.acc.drainAll()) {
        b.fail(err);
        this.acc.release(b);
      }
      this.cluster.close();
    })();
    return this.closing;
  }

  private async place(record: ProducerRecord<K, V>): Promise<AppendResult> {
    const fast = this.placeSync(record);
    if (fast !== undefined) return fast;
    await this.connect();
    const partitionCount = await this.waitForTopic(record.topic);
    const data = this.serialize(record);
    const partition = this.choosePartition(record, data, partitionCount);
    this.txn?.checkCanSend();
    this.txn?.addPartition(record.topic, partition);
    const r = this.acc.tryAppend(record.topic, partition, data, this.clock.now());
    if (r !== undefined && r !== 'new-batch') return r;
    return this.acc.append(record.topic, partition, data, () => this.clock.now());
  }

  /** The synchronous path: metadata known, memory available. undefined = take the slow path. */
  private placeSync(record: ProducerRecord<K, V>): AppendResult | undefined {
    if (this.closing !== undefined) throw new KafkaClientError('CLI_CLOSED', 'the producer is closed');
    this.txn?.checkCanSend();
    const topic = this.cluster.topic(record.topic);
    if (topic === undefined || topic.partitions.length === 0 || this.connected === undefined) return undefined;
    // One clock read per record: it stamps the record and ages the batch.
    const now = this.clock.now();
    const data = this.serialize(record, now);
    const partitionCount = topic.partitions.length;
    let partition = this.choosePartition(record, data, partitionCount);
    const keyless = data.key === null && record.partition === undefined;
    this.txn?.addPartition(record.topic, partition);
    let r = this.acc.tryAppend(record.topic, partition, data, now, keyless && this.partitioner.onNewBatch !== undefined);
    if (r === 'new-batch') {
      this.partitioner.onNewBatch!(record.topic, partition, { topic: record.topic, partitionCount, availablePartitions: this.available(record.topic) });
      partition = this.choosePartition(record, data, partitionCount);
      this.txn?.addPartition(record.topic, partition);
      r = this.acc.tryAppend(record.topic, partition, data, now);
    }
    return r === 'new-batch' ? undefined : r;
  }

  private serialize(record: ProducerRecord<K, V>, now = this.clock.now()): ProducerRecordData {
    const ts = record.timestamp;
    return {
      key: record.key === undefined || record.key === null ? null : this.keySerializer(record.key, record.topic),
      value: record.value === null ? null : this.valueSerializer(record.value, record.topic),
      headers: normalizeHeaders(record.headers),
      timestamp: ts === undefined ? this.nowBigint(now) : BigInt(ts),
    };
  }

  private lastNowMs = -1;
  private lastNowBig = 0n;

  /** BigInt(now), reused within the same millisecond (a BigInt per record shows in profiles). */
  private nowBigint(now: number): bigint {
    if (now !== this.lastNowMs) {
      this.lastNowMs = now;
      this.lastNowBig = BigInt(now);
    }
    return this.lastNowBig;
  }

  private choosePartition(record: ProducerRecord<K, V>, data: ProducerRecordData, partitionCount: number): number {
    if (record.partition !== undefined) {
      if (!Number.isInteger(record.partition) || record.partition < 0 || record.partition >= partitionCount) {
        throw new KafkaClientError('CLI_METADATA', `partition ${record.partition} does not exist in ${record.topic} (${partitionCount} partitions)`);
      }
      return record.partition;
    }
    return this.partitioner.partition({
      topic: record.topic,
      key: data.key,
      value: data.value,
      partitionCount,
      availablePartitions: this.available(record.topic),
    });
  }

  private available(topic: string): readonly number[] {
    return this.cluster.availablePartitions(topic);
  }

  /** Kafka's waitOnMetadata: refresh until the topic has partitions, up to maxBlockMs. */
  private async waitForTopic(topic: string): Promise<number> {
    const deadline = this.clock.now() + this.maxBlockMs;
    const backoff = this.opts.retryBackoffMs ?? 100;
    const scheduler = this.opts.scheduler ?? systemScheduler;
    for (let attempt = 0; ; attempt++) {
      const known = this.cluster.topic(topic);
      if (known !== undefined && known.partitions.length > 0) return known.partitions.length;
      if (attempt > 0 && this.clock.now() >= deadline) throw this.cluster.topicError(topic);
      if (attempt > 0) await sleep(scheduler, Math.min(backoff, deadline - this.clock.now()));
      try {
        await this.cluster.refreshMetadata([topic]);
      } catch (err) {
        if (!asClientError(err).retriable || this.clock.now() >= deadline) throw err;
      }
    }
  }
}

function recordResult(placed: AppendResult): Promise<RecordMetadata> {
  const { batch, index } = placed;
  return batch.result().then((res) => batch.metadataFor(index, res));
}

// Shared by every header-less record; never mutated.
const NO_HEADERS: RecordHeader[] = [];

function normalizeHeaders(h: ProducerRecord['headers']): RecordHeader[] {
  if (h === undefined) return NO_HEADERS;
  if (Array.isArray(h)) return h;
  return Object.entries(h).map(([key, value]) => ({ key, value: typeof value === 'string' ? Buffer.from(value, 'utf8') : value }));
}
