/**
 * Retention as a pure decision (Kafka's Log.deleteOldSegments): which whole segments, oldest
 * first, may go. Each rule deletes a prefix of the log; the result is the longest prefix any rule
 * allows, never the active segment and never a segment holding an offset at or above the high
 * watermark (consumers and followers may still need it).
 */
export interface SegmentInfo {
  baseOffset: bigint;
  /** Base offset of the next segment (the log end offset for the active one). */
  nextBaseOffset: bigint;
  sizeBytes: number;
  /** Newest record timestamp in the segment (file mtime when it has none). */
  largestTimestamp: bigint;
  isActive: boolean;
}

export interface RetentionLimits {
  /** -1 keeps forever. */
  retentionMs: number;
  /** -1 disables the size limit. */
  retentionBytes: number;
  logStartOffset: bigint;
  highWatermark: bigint;
}

export type DeletionReason = 'retention-time' | 'retention-size' | 'log-start-offset';

export interface SegmentDeletion {
  baseOffset: bigint;
  nextBaseOffset: bigint;
  sizeBytes: number;
  reason: DeletionReason;
}

/** The limits of a log's policy: time and size apply only when cleanup.policy includes delete. */
export function retentionLimits(cfg: { cleanupPolicy: readonly string[]; retentionMs: number; retentionBytes: number }, logStartOffset: bigint, highWatermark: bigint): RetentionLimits {
  const timeAndSize = cfg.cleanupPolicy.includes('delete');
  return { retentionMs: timeAndSize ? cfg.retentionMs : -1, retentionBytes: timeAndSize ? cfg.retentionBytes : -1, logStartOffset, highWatermark };
}

/** `segments` in offset order; returns the prefix to delete, each with the first rule that allowed it. */
export function selectSegmentsToDelete(segments: readonly SegmentInfo[], limits: RetentionLimits, nowMs: number): SegmentDeletion[] {
  const eligible: SegmentInfo[] = [];
  for (const s of segments) {
    if (s.isActive || s.nextBaseOffset > limits.highWatermark) break;
    eligible.push(s);
  }
  const byTime = (): number => {
    if (limits.retentionMs < 0) return 0;
    let n = 0;
    while (n < eligible.length && nowMs - Number(eligible[n]!.largestTimestamp) > limits.retentionMs) n++;
    return n;
  };
  const bySize = (): number => {
    if (limits.retentionBytes < 0) return 0;
    let excess = segments.reduce((sum, s) => sum + s.sizeBytes, 0) - limits.retentionBytes;
    let n = 0;
    while (n < eligible.length && excess - eligible[n]!.sizeBytes >= 0) {
      excess -= eligible[n]!.sizeBytes;
      n++;
    }
    return n;
  };
  const byStart = (): number => {
    let n = 0;
    while (n < eligible.length && eligible[n]!.nextBaseOffset <= limits.logStartOffset) n++;
    return n;
  };
  const counts: [DeletionReason, number][] = [['log-start-offset', byStart()], ['retention-time', byTime()], ['retention-size', bySize()]];
  const total = Math.max(...counts.map(([, n]) => n));
  return eligible.slice(0, total).map((s, i) => ({
    baseOffset: s.baseOffset,
    nextBaseOffset: s.nextBaseOffset,
    sizeBytes: s.sizeBytes,
    reason: counts.find(([, n]) => n > i)![0],
  }));
}
