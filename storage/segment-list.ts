/**
 * What a log does with its list of segments, apart from any one segment: which segment holds an
 * offset, when the active segment rolls (Kafka's LogSegment.shouldRoll), and how segments leave.
 */
import { runAfter, type Scheduler } from '../common/index.js';
import type { LogConfig } from './config.js';
import { DELETED_SUFFIX } from './files.js';
import type { AppendInfo, LogSegment, SegmentParams } from './segment.js';

const INT32_MAX = 0x7fffffffn;

export function segmentParams(c: { segmentIndexBytes: number; indexIntervalBytes: number }): SegmentParams {
  return { segmentIndexBytes: c.segmentIndexBytes, indexIntervalBytes: c.indexIntervalBytes };
}

/** Per-segment roll jitter in [0, min(segmentJitterMs, segmentMs)). */
export function jitterFn(c: { segmentJitterMs: number; segmentMs: number }, random: () => number): () => number {
  return () => (c.segmentJitterMs > 0 ? Math.floor(random() * Math.min(c.segmentJitterMs, c.segmentMs)) : 0);
}

/** Index of the last segment with baseOffset ≤ offset, or -1. */
export function floorSegment(segs: readonly LogSegment[], offset: bigint): number {
  let lo = 0;
  let hi = segs.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (segs[mid]!.baseOffset <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * Segments leaving the log: closed (after in-flight reads) and renamed `.deleted` at once, files
 * removed after `delayMs` (Kafka's file.delete.delay.ms); leftovers are removed on the next open.
 */
export async function retireSegments(victims: readonly LogSegment[], delayMs: number, scheduler: Scheduler, onError: (err: unknown) => void): Promise<void> {
  if (victims.length === 0) return;
  for (const s of victims) {
    await s.close(false);
    await s.renameSuffix(DELETED_SUFFIX);
  }
  const remove = async (): Promise<void> => {
    for (const s of victims) await s.deleteFiles();
  };
  if (delayMs === 0) await remove();
  else runAfter(scheduler, delayMs, remove, onError);
}

/**
 * Whether `info` (of `size` bytes) must go into a new segment: the active one would pass
 * segment.bytes, is older than segment.ms less its jitter, its indexes are full, or the offsets
 * would not fit its 32-bit relative offsets.
 */
export function shouldRoll(seg: LogSegment, size: number, info: AppendInfo, cfg: Readonly<LogConfig>, nowMs: number): boolean {
  // Kafka's timeWaitedForRoll: incoming timestamp minus the first batch's, else wall-clock age.
  const first = seg.rollingBasedTimestamp;
  const age = first !== undefined && first >= 0n ? Number(info.maxTimestamp - first) : nowMs - seg.createdMs;
  const full = seg.size > 0 && seg.size > cfg.segmentBytes - size;
  const old = seg.size > 0 && age > cfg.segmentMs - seg.rollJitterMs;
  const overflow = info.lastOffset - seg.baseOffset > INT32_MAX || info.firstOffset < seg.baseOffset;
  return full || old || overflow || seg.indexesFull;
}
