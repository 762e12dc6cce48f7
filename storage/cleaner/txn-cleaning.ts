/**
 * What compaction does with transactions (Kafka 2.8's LogCleaner with its
 * CleanedTransactionMetadata): the batches of an aborted transaction are removed whole (they never
 * enter the offset map either, so they cannot supersede committed records); a COMMIT or ABORT
 * marker stays while any batch of its transaction is still in the log, and once none is left it
 * goes like a tombstone, when its segment is past delete.retention.ms. A producer's last data
 * batch is never removed outright: emptied, its header stays (Kafka's RETAIN_EMPTY), so the
 * producer's epoch and last sequence survive compaction and a restarted leader still dedupes.
 */
import { BatchOffsets, crc32c, decodeEndTxnMarker, isControlBatch, isTransactional, iterateRecords, RECORD_BATCH_HEADER_SIZE } from '../../protocol/index.js';
import type { AbortedTxn } from '../txn-index.js';

interface TxnBatch {
  readonly producerId: bigint;
  readonly attributes: number;
  readonly lastOffset: bigint;
}

export class CleanedTxnState {
  /** Aborted transactions not yet reached, by first offset. */
  private readonly upcoming: AbortedTxn[];
  /** Aborted transactions being read, by producer: whether any of their batches was seen. */
  private readonly ongoingAborted = new Map<bigint, { dataSeen: boolean }>();
  /** Producers with a committed (or still open) transaction being read. */
  private readonly ongoingCommitted = new Set<bigint>();

  constructor(aborted: readonly AbortedTxn[]) {
    this.upcoming = [...aborted].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
  }

  private reach(offset: bigint): void {
    while (this.upcoming.length > 0 && this.upcoming[0]!.firstOffset <= offset) {
      const t = this.upcoming.shift()!;
      if (!this.ongoingAborted.has(t.producerId)) this.ongoingAborted.set(t.producerId, { dataSeen: false });
    }
  }

  /** A data batch, in log order: true when it belongs to an aborted transaction (every record goes). */
  isAbortedData(b: TxnBatch): boolean {
    this.reach(b.lastOffset);
    if (!isTransactional(b.attributes) || isControlBatch(b.attributes)) return false;
    const aborted = this.ongoingAborted.get(b.producerId);
    if (aborted !== undefined) {
      aborted.dataSeen = true;
      return true;
    }
    this.ongoingCommitted.add(b.producerId);
    return false;
  }

  /**
   * A control batch, in log order: true when no batch of the transaction it ends was seen in
   * this pass, so the marker may go (once its segment is past the delete horizon).
   */
  markerCanGo(b: TxnBatch, bytes: Buffer): boolean {
    this.reach(b.lastOffset);
    let marker;
    for (const r of iterateRecords(bytes, 0)) marker = decodeEndTxnMarker(r.key, r.value);
    if (marker === undefined) return false;
    if (marker.type === 'ABORT') {
      const aborted = this.ongoingAborted.get(b.producerId);
      this.ongoingAborted.delete(b.producerId);
      return aborted === undefined || !aborted.dataSeen;
    }
    return !this.ongoingCommitted.delete(b.producerId);
  }
}

/** The batch without its records, header kept (offsets, producer id/epoch, sequence, lastOffsetDelta); CRC recomputed. */
export function emptyBatchOf(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes.subarray(0, RECORD_BATCH_HEADER_SIZE));
  out.writeInt32BE(RECORD_BATCH_HEADER_SIZE - BatchOffsets.partitionLeaderEpoch, BatchOffsets.batchLength);
  // No records: nothing to compress.
  out.writeInt16BE(out.readInt16BE(BatchOffsets.attributes) & ~0x07, BatchOffsets.attributes);
  out.writeInt32BE(0, BatchOffsets.recordCount);
  out.writeUInt32BE(crc32c(out.subarray(BatchOffsets.attributes)), BatchOffsets.crc);
  return out;
}
