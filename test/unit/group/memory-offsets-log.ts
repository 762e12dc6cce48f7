/**
 * An in-memory OffsetsLogAccess that behaves like a partition log: appended batches are really
 * concatenated into one Buffer per partition with their baseOffset patched, reads return whole
 * batches from the one containing the fetch offset, and the log start can move (retention).
 */
import { batchLastOffset, iterateBatches, readBatchHeader, setBaseOffset } from '../../../protocol/index.js';
import type { OffsetsLogAccess } from '../../../broker/group/index.js';

interface PartitionLog {
  data: Buffer;
  logStartOffset: bigint;
  logEndOffset: bigint;
}

export class MemoryOffsetsLog implements OffsetsLogAccess {
  readonly partitions = new Map<string, PartitionLog>();
  /** Error code the next append answers with (then cleared). */
  nextAppendError = 0;
  /** When false, reads cut at maxBytes even mid-batch (a log that ignores "at least one batch"). */
  minOneBatch = true;
  readonly reads: Array<{ partition: number; fetchOffset: bigint; maxBytes: number }> = [];

  private log(topic: string, partition: number): PartitionLog {
    const key = `${topic}-${partition}`;
    let p = this.partitions.get(key);
    if (p === undefined) this.partitions.set(key, (p = { data: Buffer.alloc(0), logStartOffset: 0n, logEndOffset: 0n }));
    return p;
  }

  async appendRecords(topic: string, partition: number, batch: Buffer): Promise<{ errorCode: number; baseOffset: bigint }> {
    if (this.nextAppendError !== 0) {
      const errorCode = this.nextAppendError;
      this.nextAppendError = 0;
      return { errorCode, baseOffset: -1n };
    }
    const p = this.log(topic, partition);
    const copy = Buffer.from(batch);
    const baseOffset = p.logEndOffset;
    setBaseOffset(copy, 0, baseOffset);
    p.data = Buffer.concat([p.data, copy]);
    p.logEndOffset = batchLastOffset(readBatchHeader(copy)) + 1n;
    return { errorCode: 0, baseOffset };
  }

  async read(topic: string, partition: number, fetchOffset: bigint, maxBytes: number): Promise<{ records: Buffer; highWatermark: bigint; logEndOffset: bigint }> {
    this.reads.push({ partition, fetchOffset, maxBytes });
    const p = this.log(topic, partition);
    let from = -1;
    let to = -1;
    for (const b of iterateBatches(p.data)) {
      if (batchLastOffset(b.header) < (fetchOffset > p.logStartOffset ? fetchOffset : p.logStartOffset)) continue;
      if (from < 0) from = b.start;
      if (b.end - from > maxBytes && to >= 0) break;
      to = b.end;
      if (b.end - from > maxBytes) break;
    }
    let records = from < 0 ? Buffer.alloc(0) : p.data.subarray(from, to);
    if (!this.minOneBatch && records.length > maxBytes) records = records.subarray(0, maxBytes);
    return { records, highWatermark: p.logEndOffset, logEndOffset: p.logEndOffset };
  }

  logStartOffset(topic: string, partition: number): bigint {
    return this.log(topic, partition).logStartOffset;
  }

  /** Moves the log start (as retention or DeleteRecords would). */
  setLogStartOffset(topic: string, partition: number, offset: bigint): void {
    this.log(topic, partition).logStartOffset = offset;
  }

  batchCount(topic: string, partition: number): number {
    return [...iterateBatches(this.log(topic, partition).data)].length;
  }
}
