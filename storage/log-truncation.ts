/**
 * Follower truncation (Kafka's UnifiedLog.truncateTo / truncateFullyAndStartAt), run by
 * PartitionLog inside its single writer: the log end moves back to where this replica and its
 * leader agree, and leader epochs, producer state and the high watermark follow it.
 */
import { StorageError } from './errors.js';
import type { LogBoundsHost } from './log-retention.js';

/**
 * Removes every offset ≥ `offset` (a batch straddling it goes whole), later segments entirely,
 * and epochs that started there. Below the log start it empties the log. Returns the new log end
 * offset.
 */
export async function truncateTo(h: LogBoundsHost, offset: bigint): Promise<bigint> {
  if (offset < 0n) throw new StorageError('STG_OFFSET_OUT_OF_RANGE', `cannot truncate to ${offset}`);
  const o = h.offsets;
  if (offset >= h.local.writtenEndOffset) return h.local.writtenEndOffset;
  if (offset < o.logStartOffset) {
    await truncateFully(h, offset);
    return h.local.writtenEndOffset;
  }
  const { logEndOffset: newLeo, removedSegments } = await h.local.truncateTo(offset);
  await h.epochs.truncateFromEnd(newLeo);
  await h.producers.truncated(newLeo, { segments: h.local.segments, logStartOffset: o.logStartOffset, nowMs: h.clock.now() });
  if (o.highWatermark > newLeo) o.highWatermark = newLeo;
  h.logger.info({ offset: String(offset), logEndOffset: String(newLeo), removedSegments }, 'truncated log');
  return newLeo;
}

/** Empties the log and restarts it at `offset` (a follower far behind the leader's log start). */
export async function truncateFully(h: LogBoundsHost, offset: bigint): Promise<void> {
  await h.local.reset(offset);
  h.offsets.logStartOffset = h.offsets.highWatermark = offset;
  await h.epochs.clear();
  await h.producers.clear(offset);
  h.onLogStartOffsetChange();
}
