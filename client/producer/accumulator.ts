/**
 * The record accumulator: per-partition queues of batches. Records are appended to the open
 * batch at the tail of their partition's queue until it reaches `batchSize`; a batch becomes
 * sendable when full, when `lingerMs` has passed since it was created, or when the producer
 * flushes or closes. Memory is reserved per record from `bufferMemory` and released when the
 * batch is settled. The accumulator never encodes, sends or sets timers for linger: the sender
 * asks `ready(now)` and drains; it is told (`onWakeup`) when a batch fills up.
 *
 * Concurrency contract: call from the producer and its sender only (one event loop, no awaits
 * between reading and changing a queue).
 */
import type { Scheduler } from '../../common/index.js';
import { KafkaClientError } from '../errors.js';
import { BufferPool } from './buffer-pool.js';
import { ProducerBatch, estimateRecordSize, type ProducerRecordData, BATCH_HEADER_BYTES } from './batch.js';

export interface AccumulatorOptions {
  batchSize: number;
  lingerMs: number;
  bufferMemory: number;
  maxBlockMs: number;
  retryBackoffMs: number;
  /** Largest record (with batch header) accepted at all; maxRequestSize. */
  maxRecordBytes: number;
  scheduler: Scheduler;
  /** A batch was started, or became sendable before its linger expired (full, flush). */
  onWakeup: () => void;
}

export interface AppendResult {
  batch: ProducerBatch;
  index: number;
  /** This append started a new batch because the previous one was full. */
  newBatch: boolean;
}

export class PartitionQueue {
  readonly batches: ProducerBatch[] = [];
  /** Batches of this partition in flight (sent, not yet answered). */
  readonly inFlight = new Set<ProducerBatch>();
  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}
}

interface ReadyResult {
  /** Partitions whose head batch may be sent now. */
  partitions: PartitionQueue[];
  /** When to look again, in ms (Infinity when nothing is waiting). */
  nextReadyInMs: number;
}

export class RecordAccumulator {
  private readonly queues = new Map<string, PartitionQueue[]>();
  private readonly pool: BufferPool;
  private flushes = 0;
  private closed = false;
  /** Batches created and not yet settled (queued or in flight). */
  private incomplete = 0;
  private emptyWaiters: Array<() => void> = [];

  constructor(private readonly opts: AccumulatorOptions) {
    if (opts.batchSize <= 0 || opts.bufferMemory <= 0) {
      throw new KafkaClientError('CLI_INVALID_CONFIG', 'batchSize and bufferMemory must be positive');
    }
    this.pool = new BufferPool(opts.bufferMemory, opts.maxBlockMs, opts.scheduler);
  }

  get bufferUsedBytes(): number {
    return this.pool.usedBytes;
  }

  get incompleteBatches(): number {
    return this.incomplete;
  }

  queue(topic: string, partition: number): PartitionQueue {
    let byPartition = this.queues.get(topic);
    if (byPartition === undefined) {
      byPartition = [];
      this.queues.set(topic, byPartition);
    }
    let q = byPartition[partition];
    if (q === undefined) {
      q = new PartitionQueue(topic, partition);
      byPartition[partition] = q;
    }
    return q;
  }

  /**
   * Append without waiting. Returns undefined when bufferMemory is full (then use `append`).
   * With `abortOnNewBatch`, returns 'new-batch' instead of starting any new batch, so a sticky
   * partitioner moves on first (KIP-480) — also when the last batch left by linger, or keyless
   * records would stay on one partition forever under light load.
   */
  tryAppend(
    topic: string,
    partition: number,
    record: ProducerRecordData,
    now: number,
    abortOnNewBatch = false,
  ): AppendResult | 'new-batch' | undefined {
    this.checkOpen();
    const size = this.checkSize(record);
    const q = this.queue(topic, partition);
    const tail = q.batches[q.batches.length - 1];
    const fits = tail !== undefined && !tail.closed && (tail.records.length === 0 || tail.sizeBytes + size <= this.opts.batchSize);
    if (!fits && abortOnNewBatch) return 'new-batch';
    if (!this.pool.tryReserve(size)) return undefined;
    return this.appendReserved(q, tail, fits, record, size, now);
  }

  /** Append, waiting up to maxBlockMs for bufferMemory. */
  async append(topic: string, partition: number, record: ProducerRecordData, now: () => number): Promise<AppendResult> {
    this.checkOpen();
    const size = this.checkSize(record);
    await this.pool.reserve(size);
    if (this.closed) {
      this.pool.release(size);
      this.checkOpen();
    }
    const q = this.queue(topic, partition);
    const tail = q.batches[q.batches.length - 1];
    const fits = tail !== undefined && !tail.closed && (tail.records.length === 0 || tail.sizeBytes + size <= this.opts.batchSize);
    return this.appendReserved(q, tail, fits, record, size, now());
  }

  private appendReserved(
    q: PartitionQueue,
    tail: ProducerBatch | undefined,
    fits: boolean,
    record: ProducerRecordData,
    size: number,
    now: number,
  ): AppendResult {
    let batch = tail;
    let newBatch = false;
    if (!fits || batch === undefined) {
      if (batch !== undefined && !batch.closed) {
        batch.closed = true;
        this.opts.onWakeup();
      }
      newBatch = batch !== undefined;
      batch = new ProducerBatch(q.topic, q.partition, now);
      q.batches.push(batch);
      // The sender must learn of every new batch to arm its linger timer.
      this.opts.onWakeup();
      this.incomplete++;
    }
    batch.records.push(record);
    batch.sizeBytes += size;
    batch.reservedBytes += size;
    if (batch.sizeBytes >= this.opts.batchSize) {
      batch.closed = true;
      this.opts.onWakeup();
    }
    return { batch, index: batch.records.length - 1, newBatch };
  }

  /**
   * Which partitions have a sendable head batch. `canSend(q)` lets the sender exclude partitions
   * (no leader, too many in flight, an idempotent retry waiting for order).
   */
  ready(now: number, canSend: (q: PartitionQueue) => boolean = () => true): ReadyResult {
    const partitions: PartitionQueue[] = [];
    let next = Infinity;
    for (const byPartition of this.queues.values()) {
      for (const q of byPartition) {
        if (q === undefined) continue;
        const head = q.batches[0];
        if (head === undefined) continue;
        const waitMs = this.waitMs(head, now);
        if (waitMs > 0) {
          next = Math.min(next, waitMs);
        } else if (canSend(q)) {
          partitions.push(q);
        }
      }
    }
    return { partitions, nextReadyInMs: next };
  }

  /** Whether the partition's head batch may be sent now. */
  sendable(q: PartitionQueue, now: number): boolean {
    const head = q.batches[0];
    return head !== undefined && this.waitMs(head, now) <= 0;
  }

  private waitMs(batch: ProducerBatch, now: number): number {
    if (batch.attempts > 0) return batch.lastAttemptMs + this.opts.retryBackoffMs - now;
    if (batch.closed || this.flushes > 0 || this.closed) return 0;
    return batch.createdMs + this.opts.lingerMs - now;
  }

  /** Take the head batch of a ready partition, closing it for appends. */
  poll(q: PartitionQueue): ProducerBatch | undefined {
    const batch = q.batches.shift();
    if (batch !== undefined) batch.closed = true;
    return batch;
  }

  /** Put a batch back for a retry, in baseSequence order ahead of unsent batches. */
  reenqueue(batch: ProducerBatch): void {
    const q = this.queue(batch.topic, batch.partition);
    let i = 0;
    while (i < q.batches.length) {
      const other = q.batches[i]!;
      if (other.attempts === 0 || (batch.baseSequence >= 0 && other.baseSequence > batch.baseSequence)) break;
      i++;
    }
    q.batches.splice(i, 0, batch);
  }

  /** The batch is settled (acknowledged or failed): free its memory. */
  release(batch: ProducerBatch): void {
    this.pool.release(batch.reservedBytes);
    batch.reservedBytes = 0;
    this.incomplete--;
    if (this.incomplete === 0) {
      for (const w of this.emptyWaiters.splice(0)) w();
    }
  }

  /** Remove and return queued (unsent) batches older than deliveryTimeoutMs. */
  expired(now: number, deliveryTimeoutMs: number): ProducerBatch[] {
    const out: ProducerBatch[] = [];
    for (const byPartition of this.queues.values()) {
      for (const q of byPartition) {
        if (q === undefined) continue;
        while (q.batches.length > 0 && now - q.batches[0]!.createdMs >= deliveryTimeoutMs) out.push(q.batches.shift()!);
      }
    }
    return out;
  }

  /** Every queued batch, removed (close/abort). */
  drainAll(): ProducerBatch[] {
    const out: ProducerBatch[] = [];
    for (const byPartition of this.queues.values()) {
      for (const q of byPartition) if (q !== undefined) out.push(...q.batches.splice(0));
    }
    return out;
  }

  hasQueued(): boolean {
    for (const byPartition of this.queues.values()) {
      for (const q of byPartition) if (q !== undefined && q.batches.length > 0) return true;
    }
    return false;
  }

  /** Make every batch sendable now until `endFlush`; resolves when all batches created so far are settled. */
  beginFlush(): void {
    this.flushes++;
    this.opts.onWakeup();
  }

  endFlush(): void {
    this.flushes = Math.max(0, this.flushes - 1);
  }

  /** Resolves when no batch is queued or in flight. */
  whenEmpty(): Promise<void> {
    if (this.incomplete === 0) return Promise.resolve();
    return new Promise((resolve) => this.emptyWaiters.push(resolve));
  }

  /** Refuse new records; batches already queued are still sent (graceful close). */
  close(): void {
    this.closed = true;
    this.pool.abortWaiters(new KafkaClientError('CLI_CLOSED', 'the producer is closing'));
    this.opts.onWakeup();
  }

  private checkOpen(): void {
    if (this.closed) throw new KafkaClientError('CLI_CLOSED', 'the producer is closed');
  }

  private checkSize(record: ProducerRecordData): number {
    const size = estimateRecordSize(record);
    if (size + BATCH_HEADER_BYTES > this.opts.maxRecordBytes || size > this.opts.bufferMemory) {
      throw new KafkaClientError(
        'CLI_RECORD_TOO_LARGE',
        `a record of ~${size} bytes exceeds maxRequestSize (${this.opts.maxRecordBytes}) or bufferMemory (${this.opts.bufferMemory})`,
      );
    }
    return size;
  }
}
