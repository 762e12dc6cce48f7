/**
 * One producer batch: the records bound for one partition, encoded into a RecordBatch v2 once
 * (at first drain) and resent byte-for-byte on retries, so its sequence numbers never change.
 * Its outcome is settled once, for all its records: per-record promises derive from it.
 */
import type { KafkaClientError } from '../errors.js';

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/** A record after serialization, as the accumulator holds it. */
export interface ProducerRecordData {
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
  /** CreateTime, ms since the epoch. */
  timestamp: bigint;
}

export interface BatchResult {
  baseOffset: bigint;
  /** -1n unless the topic uses LogAppendTime. */
  logAppendTime: bigint;
}

export interface RecordMetadata {
  topic: string;
  partition: number;
  /** -1n when unknown (acks=0, or a duplicate the broker had already written). */
  offset: bigint;
  timestamp: bigint;
}

// Upper bound of a record's v2 framing: length, attributes, timestampDelta, offsetDelta, key
// and value lengths, header count (varints at their widest).
const RECORD_OVERHEAD = 5 + 1 + 10 + 5 + 5 + 5 + 5;
const HEADER_OVERHEAD = 10;
export const BATCH_HEADER_BYTES = 61;

export function estimateRecordSize(record: ProducerRecordData): number {
  let size = RECORD_OVERHEAD + (record.key?.length ?? 0) + (record.value?.length ?? 0);
  for (const h of record.headers) size += HEADER_OVERHEAD + Buffer.byteLength(h.key) + (h.value?.length ?? 0);
  return size;
}

type Settle = { resolve: (r: BatchResult) => void; reject: (e: KafkaClientError) => void };

export class ProducerBatch {
  readonly records: ProducerRecordData[] = [];
  /** Estimated encoded size in bytes, header included. */
  sizeBytes = BATCH_HEADER_BYTES;
  /** Bytes reserved from bufferMemory for this batch. */
  reservedBytes = 0;
  /** No more appends (full, drained, or the producer is flushing). */
  closed = false;
  attempts = 0;
  /** When the batch was last sent, for retry backoff; -1 before the first send. */
  lastAttemptMs = -1;
  producerId = -1n;
  producerEpoch = -1;
  baseSequence = -1;
  /** The broker lost this batch's sequence: on its next send it takes one under the current producer id. */
  resequence = false;
  /** An earlier batch of the partition failed for good while this one was in flight: it fails too unless it was written. */
  abandoned: KafkaClientError | undefined;
  encoded: Buffer | undefined;
  private outcome: { ok: true; value: BatchResult } | { ok: false; error: KafkaClientError } | undefined;
  private waiters: Settle[] = [];
  private promise: Promise<BatchResult> | undefined;
  private callbacks: Array<(err: KafkaClientError | null, result: BatchResult | null) => void> = [];

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly createdMs: number,
  ) {}

  get recordCount(): number {
    return this.records.length;
  }

  get done(): boolean {
    return this.outcome !== undefined;
  }

  /**
   * The batch outcome as a promise, created on first request and shared by every record of the
   * batch (callers always attach handlers, so a rejection is never unhandled).
   */
  result(): Promise<BatchResult> {
    if (this.promise !== undefined) return this.promise;
    const o = this.outcome;
    if (o !== undefined) this.promise = o.ok ? Promise.resolve(o.value) : Promise.reject(o.error);
    else this.promise = new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
    return this.promise;
  }

  /** Callback form: no promise allocated (the fire-and-forget fast path). */
  onDone(cb: (err: KafkaClientError | null, result: BatchResult | null) => void): void {
    const o = this.outcome;
    if (o === undefined) this.callbacks.push(cb);
    else if (o.ok) cb(null, o.value);
    else cb(o.error, null);
  }

  complete(result: BatchResult): void {
    if (this.outcome !== undefined) return;
    this.outcome = { ok: true, value: result };
    for (const w of this.waiters) w.resolve(result);
    for (const cb of this.callbacks) cb(null, result);
    this.waiters = [];
    this.callbacks = [];
  }

  fail(error: KafkaClientError): void {
    if (this.outcome !== undefined) return;
    this.outcome = { ok: false, error };
    for (const w of this.waiters) w.reject(error);
    for (const cb of this.callbacks) cb(error, null);
    this.waiters = [];
    this.callbacks = [];
  }

  metadataFor(index: number, result: BatchResult): RecordMetadata {
    const record = this.records[index]!;
    return {
      topic: this.topic,
      partition: this.partition,
      offset: result.baseOffset < 0n ? -1n : result.baseOffset + BigInt(index),
      timestamp: result.logAppendTime >= 0n ? result.logAppendTime : record.timestamp,
    };
  }
}
