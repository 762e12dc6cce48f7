/** Just enough of a PartitionLog for Partition's replication bookkeeping. */
import type { PartitionLog } from '../../../storage/index.js';

export interface FakeLog {
  logStartOffset: bigint;
  logEndOffset: bigint;
  highWatermark: bigint;
  updateHighWatermark(hw: bigint): bigint;
}

export function fakeLog(logEndOffset: bigint, highWatermark = 0n): FakeLog & PartitionLog {
  const log: FakeLog = {
    logStartOffset: 0n,
    logEndOffset,
    highWatermark,
    updateHighWatermark(hw: bigint): bigint {
      const v = hw > this.logEndOffset ? this.logEndOffset : hw;
      if (v > this.highWatermark) this.highWatermark = v;
      return this.highWatermark;
    },
  };
  return log as FakeLog & PartitionLog;
}

/** Moves a fake log's end (the leader appended). */
export function setLogEnd(log: PartitionLog, offset: bigint): void {
  (log as unknown as FakeLog).logEndOffset = offset;
}
