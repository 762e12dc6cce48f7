/**
 * The broker's OffsetsStore: `__consumer_offsets` records live in the replicated partition log.
 * An append is ONE record batch (so a group's commit is atomic: all of it or none of it lands)
 * written with acks=all; a replay reads the partition from its log start to the log end offset
 * seen when the load began, whole batches at a time, as Kafka's GroupMetadataManager loads.
 *
 * What the ReplicaManager must provide is `OffsetsLogAccess` below, nothing more.
 */
import { CompressionType, batchLastOffset, decodeControlRecordType, encodeRecordBatch, errorName, isControlBatch, isTransactional, iterateBatches, iterateRecords } from '../../protocol/index.js';
import { silentLogger, type Logger } from '../logging.js';
import { OffsetsLogError } from './errors.js';
import type { OffsetsRecord, OffsetsStore, ReplayedRecord, TxnProducer } from './offsets-store.js';
import { OFFSETS_TOPIC_NAME } from './partition-for.js';

export interface OffsetsLogAccess {
  /**
   * Append `batch` (one complete v2 record batch, baseOffset 0) to the partition as its LEADER,
   * exactly as a Produce with acks=-1: check leadership and min.insync.replicas first (nothing
   * written on refusal), assign offsets, then resolve once the high watermark has passed the
   * batch, or with an error code (NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS[_AFTER_APPEND],
   * REQUEST_TIMED_OUT after `timeoutMs`, MESSAGE_TOO_LARGE, …). Never rejects for those: the code
   * is the answer; a rejection is treated as COORDINATOR_NOT_AVAILABLE.
   */
  appendRecords(topic: string, partition: number, batch: Buffer, opts: { acks: -1; timeoutMs: number }): Promise<{ errorCode: number; baseOffset: bigint }>;
  /**
   * Whole batches starting with the one that contains `fetchOffset`, up to the LOG END OFFSET
   * (not the high watermark: a new leader loads everything it has), at most `maxBytes` but at
   * least one whole batch when one exists at or above `fetchOffset`. Rejects when this broker no
   * longer has the partition.
   */
  read(topic: string, partition: number, fetchOffset: bigint, maxBytes: number): Promise<{ records: Buffer; highWatermark: bigint; logEndOffset: bigint }>;
  /** Current log start offset of the local replica. Throws when the partition is not here. */
  logStartOffset(topic: string, partition: number): bigint;
}

export interface LogOffsetsStoreOptions {
  log: OffsetsLogAccess;
  /** offsets.commit.timeout.ms */
  commitTimeoutMs?: number;
  /** offsets.load.buffer.size: bytes per read during a load. */
  loadBufferSize?: number;
  /** Wall clock for record timestamps (injected for tests). */
  now?: () => number;
  logger?: Logger;
  /** Defaults to `__consumer_offsets`. */
  topic?: string;
}

/** Loads grow the read size up to this when a single batch is larger than the buffer. */
const MAX_LOAD_READ_BYTES = 256 * 1024 * 1024;

export class LogOffsetsStore implements OffsetsStore {
  private readonly log: OffsetsLogAccess;
  private readonly topic: string;
  private readonly commitTimeoutMs: number;
  private readonly loadBufferSize: number;
  private readonly now: () => number;
  private readonly logger: Logger;

  constructor(o: LogOffsetsStoreOptions) {
    this.log = o.log;
    this.topic = o.topic ?? OFFSETS_TOPIC_NAME;
    this.commitTimeoutMs = o.commitTimeoutMs ?? 5000;
    this.loadBufferSize = Math.max(1024, o.loadBufferSize ?? 5242880);
    this.now = o.now ?? Date.now;
    this.logger = (o.logger ?? silentLogger()).child({ module: 'offsets-store' });
  }

  async append(partition: number, records: OffsetsRecord[], txn?: TxnProducer): Promise<bigint> {
    if (records.length === 0) return -1n;
    const timestamp = BigInt(this.now());
    // A transactional offset commit is one transactional batch of its producer; Kafka writes
    // baseSequence 0 (the coordinator's appends are not sequence-checked).
    const batch = encodeRecordBatch(
      records.map((r) => ({ key: r.key, value: r.value, timestamp })),
      txn === undefined
        ? { compression: CompressionType.None }
        : { compression: CompressionType.None, producerId: txn.producerId, producerEpoch: txn.producerEpoch, baseSequence: 0, transactional: true },
    );
    const { errorCode, baseOffset } = await this.log.appendRecords(this.topic, partition, batch, { acks: -1, timeoutMs: this.commitTimeoutMs });
    if (errorCode !== 0) {
      throw new OffsetsLogError('BRK_GROUP_OFFSETS_APPEND', `append of ${records.length} record(s) to ${this.topic}-${partition} failed with error ${errorCode}`, errorName(errorCode));
    }
    return baseOffset;
  }

  async *replay(partition: number): AsyncIterable<ReplayedRecord> {
    let next = this.log.logStartOffset(this.topic, partition);
    let end: bigint | undefined;
    let readSize = this.loadBufferSize;
    // Every round either moves `next` forward, grows the read size (bounded), or stops.
    for (;;) {
      const r = await this.log.read(this.topic, partition, next, readSize);
      end ??= r.logEndOffset;
      if (next >= end) return;
      const before = next;
      for (const { header, start, end: batchEnd } of iterateBatches(r.records)) {
        const last = batchLastOffset(header);
        if (last < next) continue;
        if (header.baseOffset >= end) return;
        const control = isControlBatch(header.attributes);
        const txn = isTransactional(header.attributes) ? { producerId: header.producerId } : {};
        for (const rec of iterateRecords(r.records.subarray(start, batchEnd))) {
          if (rec.offset < next || rec.offset >= end) continue;
          if (rec.key === null) {
            this.logger.warn({ partition, offset: rec.offset }, 'skipping an offsets record without a key');
            continue;
          }
          const replayed: ReplayedRecord = { key: Buffer.from(rec.key), value: rec.value === null ? null : Buffer.from(rec.value), batchOffset: header.baseOffset, ...txn };
          if (control) {
            // Only transaction markers matter to a coordinator; other control records carry nothing.
            let type: 'COMMIT' | 'ABORT' | undefined;
            try {
              type = decodeControlRecordType(rec.key);
            } catch (err) {
              this.logger.warn({ err, partition, offset: rec.offset }, 'skipping an undecodable control record');
            }
            if (type !== undefined) yield { ...replayed, control: type };
            continue;
          }
          yield replayed;
        }
        next = last + 1n;
      }
      if (next >= end) return;
      if (next === before) {
        if (r.records.length === 0) {
          // Nothing at or after `next` although the end was further: the log was truncated under us.
          this.logger.warn({ partition, next, end }, 'offsets partition ended early during load');
          return;
        }
        if (readSize >= MAX_LOAD_READ_BYTES) {
          throw new OffsetsLogError('BRK_GROUP_OFFSETS_READ', `no whole batch at offset ${next} of ${this.topic}-${partition} within ${readSize} bytes`);
        }
        readSize = Math.min(MAX_LOAD_READ_BYTES, readSize * 2);
      } else {
        readSize = this.loadBufferSize;
      }
    }
  }
}
