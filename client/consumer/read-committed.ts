/**
 * read_committed (KIP-98): a Fetch with isolation level 1 returns data up to the last stable
 * offset, plus the list of aborted transactions (producer id, first offset) that overlap the
 * returned range. Like Kafka's Fetcher, walk the batches in offset order: an aborted transaction
 * becomes active once a batch reaches its first offset; transactional batches of an active
 * producer id are dropped; that producer's ABORT marker (a control batch) ends it. Control
 * batches are never returned. Used per partition response; pure (no I/O).
 */
import type { RecordBatchHeader } from '../../protocol/index.js';
import { decodeControlRecordType, decodeRecordBatch, isControlBatch, isTransactional } from '../wire.js';

/** As the Fetch response carries them (fields optional in its type, present from v4). */
export interface AbortedTransaction {
  producerId?: bigint;
  firstOffset?: bigint;
}

export class AbortedTransactionFilter {
  /** Not yet reached, by first offset. */
  private readonly upcoming: Array<{ producerId: bigint; firstOffset: bigint }>;
  private readonly active = new Set<bigint>();

  constructor(aborted: readonly AbortedTransaction[] | null | undefined) {
    this.upcoming = (aborted ?? []).map((a) => ({ producerId: a.producerId ?? -1n, firstOffset: a.firstOffset ?? -1n })).sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
  }

  /**
   * Should the batch's records be dropped? `controlType` is the marker's type for a control batch.
   * Call once per batch, in offset order.
   */
  skip(header: Pick<RecordBatchHeader, 'baseOffset' | 'lastOffsetDelta' | 'producerId' | 'attributes'>, controlType: 'ABORT' | 'COMMIT' | undefined): boolean {
    const control = isControlBatch(header.attributes);
    if (header.producerId >= 0n) {
      const last = header.baseOffset + BigInt(header.lastOffsetDelta);
      while (this.upcoming.length > 0 && this.upcoming[0]!.firstOffset <= last) this.active.add(this.upcoming.shift()!.producerId);
      if (control) {
        if (controlType === 'ABORT') this.active.delete(header.producerId);
      } else if (isTransactional(header.attributes) && this.active.has(header.producerId)) {
        return true;
      }
    }
    return control;
  }
}

/** The marker type of the control batch at `start` in `buf` (protocol/'s control-record codec). */
export function controlTypeAt(buf: Buffer, start: number): 'ABORT' | 'COMMIT' | undefined {
  const first = decodeRecordBatch(buf, start).records[0];
  return first === undefined ? undefined : decodeControlRecordType(first.key);
}
