/**
 * Opening a partition directory: finish or roll back an interrupted compaction swap, drop
 * leftovers, open segments, rebuild missing or corrupt indexes and, after an unclean shutdown,
 * re-validate every batch from the recovery point on, cutting the log at the first bad one.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { readEpochCheckpoint } from './checkpoint.js';
import { CLEAN_SHUTDOWN_MARKER, CLEANED_SUFFIX, DELETED_SUFFIX, fsyncDir, LEADER_EPOCH_CHECKPOINT, LOG_SUFFIX, parseSegmentFileName, segmentFileName, SWAP_SUFFIX } from './files.js';
import { LeaderEpochCache } from './leader-epoch-cache.js';
import { LogSegment, type SegmentParams } from './segment.js';

export interface RecoveryProblem {
  segmentBaseOffset: bigint;
  position: number;
  reason: string;
}

/** What opening a log found and changed; anything cut is also logged at warn. */
export interface RecoveryReport {
  hadCleanShutdown: boolean;
  /** Segments whose batches were re-validated (unclean shutdown, from the recovery point on). */
  recoveredSegments: bigint[];
  /** Segments whose index files were missing or inconsistent and were rebuilt. */
  rebuiltIndexes: bigint[];
  /** Bytes cut from the segment holding the first invalid batch. */
  truncatedBytes: number;
  /** Whole segments after the first invalid batch that were removed. */
  deletedSegments: bigint[];
  problem?: RecoveryProblem;
  /** Compaction swaps completed (their `.swap` files replaced the old segments). */
  completedSwaps: bigint[];
  /** Leftover `.cleaned` / `.deleted` / orphan files removed. */
  removedFiles: string[];
}

export interface LoadOptions {
  dir: string;
  params: SegmentParams;
  hadCleanShutdown: boolean;
  recoveryPoint: bigint;
  /** Base offset of the first segment when the directory holds none. */
  initialOffset: bigint;
  nowMs: number;
  jitterMs: () => number;
  epochCache: LeaderEpochCache;
  logger: Logger;
}

async function removeFiles(dir: string, baseOffset: bigint, transient = ''): Promise<void> {
  for (const suffix of [LOG_SUFFIX, '.index', '.timeindex']) {
    await fsp.rm(join(dir, segmentFileName(baseOffset, suffix) + transient), { force: true });
  }
}

/** A `.swap` file means the cleaned copy is complete: replace the segments it covers, then promote it. */
async function completeSwaps(o: LoadOptions, names: string[], report: RecoveryReport): Promise<void> {
  const swaps = names.map(parseSegmentFileName).filter((p) => p && p.transient === SWAP_SUFFIX && p.suffix === LOG_SUFFIX);
  for (const p of swaps) {
    const swap = await LogSegment.open(o.dir, p!.baseOffset, o.params, o.nowMs, 0, SWAP_SUFFIX);
    await swap.recover(true);
    const end = swap.nextOffset > p!.baseOffset ? swap.nextOffset : p!.baseOffset + 1n;
    const olds = names.map(parseSegmentFileName).filter((q) => q && q.transient === '' && q.suffix === LOG_SUFFIX && q.baseOffset >= p!.baseOffset && q.baseOffset < end);
    for (const q of olds) await removeFiles(o.dir, q!.baseOffset);
    await swap.close();
    await swap.renameSuffix('');
    report.completedSwaps.push(p!.baseOffset);
  }
}

async function loadSegments(o: LoadOptions): Promise<{ segments: LogSegment[]; report: RecoveryReport }> {
  const report: RecoveryReport = {
    hadCleanShutdown: o.hadCleanShutdown, recoveredSegments: [], rebuiltIndexes: [], truncatedBytes: 0,
    deletedSegments: [], completedSwaps: [], removedFiles: [],
  };
  let names = await fsp.readdir(o.dir);
  // Cleaner output that never became a swap is incomplete: the old segments are still whole.
  for (const name of names) {
    if (name.endsWith(CLEANED_SUFFIX) || name.endsWith(DELETED_SUFFIX) || /^\..*\.tmp$/.test(name)) {
      await fsp.rm(join(o.dir, name), { force: true });
      report.removedFiles.push(name);
    }
  }
  names = await fsp.readdir(o.dir);
  await completeSwaps(o, names, report);
  names = await fsp.readdir(o.dir);

  const parsed = names.map(parseSegmentFileName).filter((p): p is NonNullable<typeof p> => p !== undefined && p.transient === '');
  const logBases = new Set(parsed.filter((p) => p.suffix === LOG_SUFFIX).map((p) => p.baseOffset));
  for (const p of parsed) {
    if ((p.suffix === '.index' || p.suffix === '.timeindex') && !logBases.has(p.baseOffset)) {
      const name = segmentFileName(p.baseOffset, p.suffix);
      await fsp.rm(join(o.dir, name), { force: true });
      report.removedFiles.push(name);
    }
  }
  const bases = [...logBases].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const segments: LogSegment[] = [];
  if (bases.length === 0) {
    segments.push(LogSegment.create(o.dir, o.initialOffset, o.params, o.nowMs, o.jitterMs()));
    return { segments, report };
  }

  // The first segment that may hold unflushed data: the one containing the recovery point.
  let firstUnflushed = bases.length;
  if (!o.hadCleanShutdown) {
    firstUnflushed = 0;
    for (let i = 0; i < bases.length; i++) if (bases[i]! <= o.recoveryPoint) firstUnflushed = i;
  }
  // One segment at a time, its index entries dropped once checked: memory stays flat however long the log.
  for (let i = 0; i < bases.length; i++) {
    const seg = await LogSegment.open(o.dir, bases[i]!, o.params, o.nowMs, o.jitterMs());
    segments.push(seg);
    let recover = i >= firstUnflushed;
    if (!recover) {
      let bad = seg.indexFilesComplete ? seg.offsetIndex.sanityCheck(seg.size) : 'index file missing or partial';
      if (!bad) {
        const tail = await seg.loadTail();
        bad = tail.problem ? `invalid batch at position ${tail.problem.position}: ${tail.problem.reason}` : seg.timeIndex.sanityCheck(seg.nextOffset);
      }
      if (bad) {
        o.logger.warn({ segment: seg.logPath, reason: bad }, 'rebuilding segment indexes');
        report.rebuiltIndexes.push(seg.baseOffset);
        recover = true;
      }
    } else report.recoveredSegments.push(seg.baseOffset);
    if (recover) {
      const latest = () => o.epochCache.latestEpoch ?? -1;
      const result = await seg.recover(true, (b) => {
        const epoch = b.header.partitionLeaderEpoch;
        if (epoch >= 0 && epoch > latest()) o.epochCache.assign(epoch, b.header.baseOffset);
      });
      await Promise.all([seg.offsetIndex.persist(false), seg.timeIndex.persist(false)]);
      if (result.problem) {
        report.problem = { segmentBaseOffset: seg.baseOffset, position: result.problem.position, reason: result.problem.reason };
        report.truncatedBytes = result.truncatedBytes;
        for (const later of bases.slice(i + 1)) {
          await removeFiles(o.dir, later);
          report.deletedSegments.push(later);
        }
        o.logger.warn(
          { segment: seg.logPath, position: result.problem.position, reason: result.problem.reason, truncatedBytes: result.truncatedBytes, deletedSegments: report.deletedSegments.map(String) },
          'log recovery cut the log at an invalid batch',
        );
        break;
      }
    }
    if (i < bases.length - 1) seg.unloadIndexes();
  }
  return { segments, report };
}

interface OpenedDirectory {
  segments: LogSegment[];
  epochCache: LeaderEpochCache;
  report: RecoveryReport;
  /**
   * Whether the checkpoint file differs from `entries` (the cache after recovery and the
   * caller's truncations): opening a log rewrites it only then (Kafka writes it only on change).
   */
  epochsDifferFromCheckpoint(entries: readonly { epoch: number; startOffset: bigint }[]): boolean;
  /** Call once the log is usable: from then on a crash must be treated as unclean. */
  removeCleanShutdownMarker(): Promise<void>;
}

/** Creates the directory if needed, reads the marker and the epoch checkpoint, loads segments. */
export async function openLogDirectory(o: Omit<LoadOptions, 'hadCleanShutdown' | 'epochCache'>): Promise<OpenedDirectory> {
  await fsp.mkdir(o.dir, { recursive: true });
  const markerPath = join(o.dir, CLEAN_SHUTDOWN_MARKER);
  const hadCleanShutdown = await fsp.access(markerPath).then(() => true, () => false);
  let unreadable = false;
  const epochs = await readEpochCheckpoint(join(o.dir, LEADER_EPOCH_CHECKPOINT)).catch((err: unknown) => {
    o.logger.warn({ err }, 'unreadable leader-epoch-checkpoint, rebuilding it from the log');
    unreadable = true;
    return [];
  });
  const epochCache = new LeaderEpochCache(epochs);
  const { segments, report } = await loadSegments({ ...o, hadCleanShutdown, epochCache, recoveryPoint: hadCleanShutdown ? 0n : o.recoveryPoint });
  return {
    segments, epochCache, report,
    epochsDifferFromCheckpoint: (entries) =>
      unreadable || entries.length !== epochs.length || entries.some((e, i) => e.epoch !== epochs[i]!.epoch || e.startOffset !== epochs[i]!.startOffset),
    async removeCleanShutdownMarker() {
      if (!hadCleanShutdown) return;
      // Gone for good (directory fsynced) before any new write, or a later crash would skip recovery.
      await fsp.rm(markerPath, { force: true });
      await fsyncDir(o.dir);
    },
  };
}
