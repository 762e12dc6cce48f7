/**
 * Offset lookups and log-start moves on the leader: ListOffsets (earliest / latest / by
 * timestamp), DeleteRecords and OffsetForLeaderEpoch. Consumers never see offsets above the
 * high watermark, so "latest" is the HW (= last stable offset until transactions exist).
 */
import { BrokerError } from '../errors.js';
import type { Partition } from './partition.js';
import type { ReplicaManager } from './replica-manager.js';

export const LATEST_TIMESTAMP = -1n;
export const EARLIEST_TIMESTAMP = -2n;

export interface OffsetAndEpoch {
  readonly offset: bigint;
  readonly timestamp: bigint;
  readonly leaderEpoch: number;
}

/** The epoch whose range holds `offset` (from the leader-epoch cache), -1 when unknown. */
export function epochForOffset(p: Partition, offset: bigint): number {
  let epoch = -1;
  for (const e of p.log.epochEntries) {
    if (e.startOffset <= offset) epoch = e.epoch;
    else break;
  }
  return epoch;
}

/**
 * ListOffsets v1+: read_committed (isolationLevel 1) sees the log up to the last stable offset,
 * read_uncommitted up to the high watermark, for "latest" and for a timestamp alike (as Kafka).
 */
export async function listOffset(rm: ReplicaManager, topic: string, partition: number, timestamp: bigint, currentLeaderEpoch: number, isolationLevel = 0): Promise<OffsetAndEpoch> {
  const p = rm.leaderPartition(topic, partition, currentLeaderEpoch);
  const log = p.log;
  const visibleEnd = isolationLevel === 1 ? log.lastStableOffset : log.highWatermark;
  if (timestamp === EARLIEST_TIMESTAMP) return { offset: log.logStartOffset, timestamp: -1n, leaderEpoch: epochForOffset(p, log.logStartOffset) };
  if (timestamp === LATEST_TIMESTAMP) return { offset: visibleEnd, timestamp: -1n, leaderEpoch: p.leaderEpoch };
  if (timestamp < 0n) throw new BrokerError('BRK_INVALID_REQUEST', `invalid timestamp ${timestamp}`);
  const found = await log.offsetForTimestamp(timestamp);
  if (found === undefined || found.offset >= visibleEnd) return { offset: -1n, timestamp: -1n, leaderEpoch: -1 };
  return { offset: found.offset, timestamp: found.timestamp, leaderEpoch: epochForOffset(p, found.offset) };
}

/**
 * ListOffsets v0: up to `max` offsets, newest first: the HW for "latest" followed by segment
 * base offsets below it; the log start offset for "earliest".
 */
export function listOldStyleOffsets(rm: ReplicaManager, topic: string, partition: number, timestamp: bigint, max: number): bigint[] {
  const p = rm.leaderPartition(topic, partition);
  const log = p.log;
  if (timestamp === EARLIEST_TIMESTAMP) return [log.logStartOffset].slice(0, Math.max(0, max));
  const hw = log.highWatermark;
  const bases = log.segments().map((s) => s.baseOffset).filter((b) => b < hw && b >= log.logStartOffset).reverse();
  const candidates = timestamp === LATEST_TIMESTAMP ? [hw, ...bases] : bases;
  return candidates.slice(0, Math.max(0, max));
}

/** DeleteRecords: offset -1 = the high watermark; above it → OFFSET_OUT_OF_RANGE. Returns the new low watermark. */
export async function deleteRecordsBefore(rm: ReplicaManager, topic: string, partition: number, offset: bigint): Promise<bigint> {
  const p = rm.leaderPartition(topic, partition);
  const log = p.log;
  const target = offset === -1n ? log.highWatermark : offset;
  if (target < 0n || target > log.highWatermark) {
    throw new BrokerError('BRK_OFFSET_OUT_OF_RANGE', `offset ${offset} is outside [0, ${log.highWatermark}] (the high watermark) of ${p.key}`);
  }
  if (target > log.logStartOffset) await log.advanceLogStartOffset(target);
  return log.logStartOffset;
}

export function endOffsetForEpoch(rm: ReplicaManager, topic: string, partition: number, leaderEpoch: number, currentLeaderEpoch: number): { leaderEpoch: number; endOffset: bigint } {
  const p = rm.leaderPartition(topic, partition, currentLeaderEpoch);
  return p.log.endOffsetForEpoch(leaderEpoch);
}
