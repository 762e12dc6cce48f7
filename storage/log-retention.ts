/**
 * Moving a log's start forward, run by PartitionLog inside its single writer: retention by time,
 * size and log start offset (Kafka's UnifiedLog.deleteOldSegments) and DeleteRecords
 * (maybeIncrementLogStartOffset). retention.ts is the pure policy that picks the segments; this
 * file applies it to the log, its leader epochs and its producer state.
 */
import type { Logger } from 'pino';
import { StorageError } from './errors.js';
import type { AppendHost } from './log-append.js';
import { retentionLimits, selectSegmentsToDelete, type SegmentDeletion } from './retention.js';

/** The log start offset and high watermark of one PartitionLog, moved by its operations. */
export interface LogOffsets {
  logStartOffset: bigint;
  highWatermark: bigint;
}

/** What retention and truncation need of their PartitionLog. */
export interface LogBoundsHost extends AppendHost {
  readonly offsets: LogOffsets;
  readonly logger: Logger;
  /** Tells the LogManager, which checkpoints log start offsets. */
  onLogStartOffsetChange(): void;
}

/** Retention by time, size and log start offset (the policy decides which apply). */
export async function deleteOldSegments(h: LogBoundsHost): Promise<SegmentDeletion[]> {
  const o = h.offsets;
  const limits = retentionLimits(h.config, o.logStartOffset, o.highWatermark);
  const active = h.local.activeSegment;
  const leo = h.local.writtenEndOffset;
  // An expired active segment can only go once it is rolled (and fully below the high watermark).
  if (limits.retentionMs >= 0 && active.size > 0 && o.highWatermark >= leo && h.clock.now() - Number(active.largestTimestamp()) > limits.retentionMs) await h.local.roll(leo);
  const selected = selectSegmentsToDelete(h.local.segmentInfos(), limits, h.clock.now());
  await deleteSegments(h, selected);
  return selected;
}

/**
 * DeleteRecords: moves logStartOffset up to `offset` (≤ high watermark) and deletes segments
 * now entirely below it. Returns the log start offset in force.
 */
export async function advanceLogStartOffset(h: LogBoundsHost, offset: bigint): Promise<bigint> {
  const o = h.offsets;
  if (offset <= o.logStartOffset) return o.logStartOffset;
  if (offset > o.highWatermark) throw new StorageError('STG_OFFSET_OUT_OF_RANGE', `cannot move log start to ${offset}, above the high watermark ${o.highWatermark}`);
  await moveLogStart(h, offset);
  const leo = h.local.writtenEndOffset;
  if (offset === leo && h.local.activeSegment.size > 0) await h.local.roll(leo);
  const limits = { retentionMs: -1, retentionBytes: -1, logStartOffset: offset, highWatermark: o.highWatermark };
  await deleteSegments(h, selectSegmentsToDelete(h.local.segmentInfos(), limits, h.clock.now()));
  return o.logStartOffset;
}

/** Epochs and producers entirely below the new log start are forgotten; the owner is told. */
async function moveLogStart(h: LogBoundsHost, offset: bigint): Promise<void> {
  h.offsets.logStartOffset = offset;
  await h.epochs.truncateFromStart(offset);
  await h.producers.prune(offset);
  h.onLogStartOffsetChange();
}

async function deleteSegments(h: LogBoundsHost, selected: readonly SegmentDeletion[]): Promise<void> {
  if (selected.length === 0) return;
  const newStart = selected.at(-1)!.nextBaseOffset;
  // logStartOffset moves first, so nobody is sent to a segment about to vanish.
  if (newStart > h.offsets.logStartOffset) await moveLogStart(h, newStart);
  await h.local.remove(new Set(selected.map((s) => s.baseOffset)));
  await h.producers.followSegments(h.local.segments);
  h.logger.info({ segments: selected.map((s) => `${s.baseOffset}:${s.reason}`), logStartOffset: String(h.offsets.logStartOffset) }, 'deleted log segments');
}
