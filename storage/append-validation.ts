/**
 * Checks on incoming batches before anything is written (Kafka's analyzeAndValidateRecords):
 * every batch of a request must pass, else the whole request fails with a typed error.
 */
import { isControlBatch, setBaseOffset, setLogAppendTime, setPartitionLeaderEpoch } from '../protocol/index.js';
import { checkBatchAt, isProblem, type CheckedBatch } from './batch-check.js';
import { StorageError } from './errors.js';
import type { AppendInfo } from './segment.js';

export interface AppendAnalysis {
  batches: CheckedBatch[];
  recordCount: number;
  maxTimestamp: bigint;
  /** Index into `batches` of the batch carrying maxTimestamp. */
  maxTimestampBatch: number;
}

function analyze(buf: Buffer, perBatch: (b: CheckedBatch) => void): AppendAnalysis {
  if (buf.length === 0) throw new StorageError('STG_INVALID_RECORD', 'no record batch in the append');
  const batches: CheckedBatch[] = [];
  let recordCount = 0;
  let maxTimestamp = -1n;
  let maxTimestampBatch = 0;
  for (let pos = 0; pos < buf.length; ) {
    const r = checkBatchAt(buf, pos, true);
    if (isProblem(r)) throw new StorageError(r.code, `batch at byte ${pos} of the append: ${r.reason}`);
    perBatch(r);
    if (r.header.maxTimestamp > maxTimestamp || batches.length === 0) {
      maxTimestamp = r.header.maxTimestamp;
      maxTimestampBatch = batches.length;
    }
    batches.push(r);
    recordCount += r.header.recordCount;
    pos += r.size;
  }
  return { batches, recordCount, maxTimestamp, maxTimestampBatch };
}

/** Producer input: offsets are ours to assign, so only shape, size and CRC matter. */
export function analyzeLeaderAppend(buf: Buffer, limits: { maxMessageBytes: number; segmentBytes: number }, isFromClient: boolean): AppendAnalysis {
  return analyze(buf, (b) => {
    const h = b.header;
    if (b.size > limits.maxMessageBytes) throw new StorageError('STG_RECORD_TOO_LARGE', `batch of ${b.size} bytes exceeds maxMessageBytes ${limits.maxMessageBytes}`);
    if (b.size > limits.segmentBytes) throw new StorageError('STG_RECORD_TOO_LARGE', `batch of ${b.size} bytes exceeds segmentBytes ${limits.segmentBytes}`);
    if (h.recordCount <= 0 || h.lastOffsetDelta + 1 !== h.recordCount) {
      throw new StorageError('STG_INVALID_RECORD', `recordCount ${h.recordCount} does not match lastOffsetDelta ${h.lastOffsetDelta}`);
    }
    if (isFromClient && isControlBatch(h.attributes)) throw new StorageError('STG_INVALID_RECORD', 'clients may not write control batches');
    if (h.producerId >= 0n && h.baseSequence < 0 && !isControlBatch(h.attributes)) throw new StorageError('STG_INVALID_RECORD', `producerId ${h.producerId} with baseSequence ${h.baseSequence}`);
  });
}

/** Replicated input: offsets were assigned by the leader and must continue this log. */
export function analyzeFollowerAppend(buf: Buffer, logEndOffset: bigint, segmentBytes: number): AppendAnalysis {
  let expectAtLeast = logEndOffset;
  return analyze(buf, (b) => {
    if (b.header.baseOffset < expectAtLeast) {
      throw new StorageError('STG_UNEXPECTED_APPEND_OFFSET', `batch baseOffset ${b.header.baseOffset} below expected ${expectAtLeast} (log end offset ${logEndOffset})`);
    }
    if (b.size > segmentBytes) throw new StorageError('STG_RECORD_TOO_LARGE', `batch of ${b.size} bytes exceeds segmentBytes ${segmentBytes}`);
    expectAtLeast = b.lastOffset + 1n;
  });
}

/**
 * Leader offset assignment in place: baseOffset and partitionLeaderEpoch sit outside the CRC, so
 * only LogAppendTime stamping (inside it) costs a CRC recomputation. `appendTime` -1 = CreateTime.
 */
export function assignOffsets(buf: Buffer, a: AppendAnalysis, firstOffset: bigint, leaderEpoch: number, appendTime: bigint): AppendInfo {
  let next = firstOffset;
  const lastOffsets: bigint[] = [];
  for (const b of a.batches) {
    setBaseOffset(buf, b.position, next);
    setPartitionLeaderEpoch(buf, b.position, leaderEpoch);
    if (appendTime >= 0n) setLogAppendTime(buf, b.position, appendTime);
    next += BigInt(b.header.lastOffsetDelta) + 1n;
    lastOffsets.push(next - 1n);
  }
  const lastOffset = next - 1n;
  const stamped = appendTime >= 0n;
  return {
    firstOffset,
    lastOffset,
    maxTimestamp: stamped ? appendTime : a.maxTimestamp,
    offsetOfMaxTimestamp: stamped ? lastOffset : lastOffsets[a.maxTimestampBatch]!,
    firstBatchMaxTimestamp: stamped ? appendTime : a.batches[0]!.header.maxTimestamp,
  };
}
