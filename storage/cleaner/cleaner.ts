/**
 * Log compaction (Kafka's Cleaner, 2.x semantics): map every key of the dirty range to its
 * latest offset, then recopy the log from its start up to the first uncleanable offset, keeping
 * a record only if it is the newest for its key. Tombstones survive until the segment holding
 * them has been clean for deleteRetentionMs; transactions as txn-cleaning.ts says. The active segment and anything at or above the
 * high watermark or younger than minCompactionLagMs is never touched.
 *
 * Crash safety: a group of old segments is rewritten into `<base>.log.cleaned` (+ indexes),
 * fsynced, renamed to `.swap` (the commit point), the old segments renamed `.deleted`, then the
 * swap renamed to its final name. Opening a log deletes `.cleaned` leftovers (roll back) and
 * completes `.swap` files (roll forward); see log-loader.ts.
 */
import { utimes } from 'node:fs/promises';
import type { Logger } from 'pino';
import {
  batchLastOffset,
  compressionOf,
  decodeEndTxnMarker,
  encodeRecordBatch,
  isControlBatch,
  isTransactional,
  iterateRecords,
  readBatchHeader,
  setLogAppendTime,
  TimestampType,
  timestampTypeOf,
} from '../../protocol/index.js';
import type { CheckedBatch } from '../batch-check.js';
import type { Clock } from '../../common/index.js';
import { CLEANED_SUFFIX, fsyncDir, SWAP_SUFFIX } from '../files.js';
import type { PartitionLog } from '../partition-log.js';
import { LogSegment } from '../segment.js';
import { OffsetMap } from './offset-map.js';
import { CleanedTxnState, emptyBatchOf } from './txn-cleaning.js';

export interface CleanableRange {
  /** Where the dirty part starts (cleaner checkpoint or log start). */
  firstDirtyOffset: bigint;
  /** Base offset of the first segment that may not be cleaned. */
  firstUncleanableOffset: bigint;
  cleanBytes: number;
  dirtyBytes: number;
  /** dirty / (clean + dirty); 0 when nothing is cleanable. */
  dirtyRatio: number;
}

export interface CleanStats {
  cleaned: boolean;
  /** Why nothing was done. */
  skipped?: string;
  range: CleanableRange;
  /** New cleaner checkpoint: offsets below it are clean. */
  cleanedUpTo: bigint;
  segmentsIn: number;
  segmentsOut: number;
  bytesIn: number;
  bytesOut: number;
  recordsRemoved: number;
  tombstonesRemoved: number;
  /** Batches of aborted transactions removed (emptied when a producer's last). */
  abortedBatchesRemoved: number;
  markersRemoved: number;
}

/** Which part of `log` compaction may work on at `nowMs`. */
export function cleanableRange(log: PartitionLog, cleanerCheckpoint: bigint | undefined, nowMs: number): CleanableRange {
  const segs = log.segmentList;
  const logStartOffset = log.logStartOffset;
  let firstDirty = cleanerCheckpoint ?? logStartOffset;
  if (firstDirty < logStartOffset || firstDirty > log.logEndOffset) firstDirty = logStartOffset;
  let firstUncleanable = log.activeSegment.baseOffset;
  const lagLimit = BigInt(nowMs - log.config.minCompactionLagMs);
  for (let i = 0; i < segs.length - 1; i++) {
    const s = segs[i]!;
    const next = segs[i + 1]!.baseOffset;
    // Whole segments only: below the high watermark and old enough.
    if (next > log.highWatermark || (log.config.minCompactionLagMs > 0 && s.largestTimestamp() > lagLimit)) {
      firstUncleanable = s.baseOffset;
      break;
    }
  }
  let cleanBytes = 0;
  let dirtyBytes = 0;
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    if (s.baseOffset >= firstUncleanable) break;
    const next = segs[i + 1]?.baseOffset ?? log.logEndOffset;
    if (next <= firstDirty) cleanBytes += s.size;
    else dirtyBytes += s.size;
  }
  const total = cleanBytes + dirtyBytes;
  return { firstDirtyOffset: firstDirty, firstUncleanableOffset: firstUncleanable, cleanBytes, dirtyBytes, dirtyRatio: total === 0 ? 0 : dirtyBytes / total };
}

/**
 * The compacted log with the highest dirty ratio worth cleaning (Kafka's
 * LogCleanerManager.grabFilthiestCompactedLog); `force` ignores min.cleanable.dirty.ratio.
 */
export function filthiestLog(logs: readonly PartitionLog[], checkpointOf: (log: PartitionLog) => bigint | undefined, nowMs: number, force: boolean): { log: PartitionLog; ratio: number } | undefined {
  let best: { log: PartitionLog; ratio: number } | undefined;
  for (const log of logs) {
    if (!log.config.cleanupPolicy.includes('compact') || log.isClosed) continue;
    const range = cleanableRange(log, checkpointOf(log), nowMs);
    if (range.dirtyBytes === 0 || (!force && range.dirtyRatio < log.config.minCleanableDirtyRatio)) continue;
    if (!best || range.dirtyRatio > best.ratio) best = { log, ratio: range.dirtyRatio };
  }
  return best;
}

export interface CleanOptions {
  map: OffsetMap;
  clock: Clock;
  logger: Logger;
  /** Ignore minCleanableDirtyRatio (tools, tests). */
  force?: boolean;
}

interface Rewrite {
  /** undefined when no record survives and the batch goes. */
  bytes: Buffer | undefined;
  removed: number;
  tombstonesRemoved: number;
}

/** Decides which records of one batch survive, rewriting the batch only when some do not. */
function rewriteBatch(b: CheckedBatch, bytes: Buffer, map: OffsetMap, dropTombstones: boolean): Rewrite {
  const h = b.header;
  if (isControlBatch(h.attributes)) return { bytes, removed: 0, tombstonesRemoved: 0 };
  const kept = [];
  let removed = 0;
  let tombstonesRemoved = 0;
  for (const rec of iterateRecords(bytes, 0)) {
    const latest = rec.key === null ? -1n : map.get(rec.key);
    const superseded = latest >= 0n && rec.offset < latest;
    const expiredTombstone = rec.value === null && dropTombstones;
    if (superseded || expiredTombstone) {
      removed++;
      if (expiredTombstone && !superseded) tombstonesRemoved++;
    } else kept.push(rec);
  }
  if (removed === 0) return { bytes, removed, tombstonesRemoved };
  if (kept.length === 0) return { bytes: undefined, removed, tombstonesRemoved };
  const logAppendTime = timestampTypeOf(h.attributes) === TimestampType.LogAppendTime;
  const out = encodeRecordBatch(
    kept.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp })),
    {
      baseOffset: h.baseOffset,
      offsetDeltas: kept.map((r) => r.offsetDelta),
      compression: compressionOf(h.attributes),
      partitionLeaderEpoch: h.partitionLeaderEpoch,
      producerId: h.producerId,
      producerEpoch: h.producerEpoch,
      baseSequence: h.baseSequence,
      transactional: isTransactional(h.attributes),
      baseTimestamp: h.baseTimestamp,
    },
  );
  if (logAppendTime) setLogAppendTime(out, 0, h.maxTimestamp);
  return { bytes: out, removed, tombstonesRemoved };
}

/**
 * The transactional side of a batch, undefined when plain compaction decides: an aborted
 * transaction's batch goes whole; a marker goes when no batch of its transaction is left and its
 * segment is past the delete horizon (as tombstones).
 */
function transactionalFate(b: CheckedBatch, bytes: Buffer, txns: CleanedTxnState, pastDeleteHorizon: boolean, removedAbortMarkers: bigint[], stats: CleanStats): Rewrite | undefined {
  const h = { producerId: b.header.producerId, attributes: b.header.attributes, lastOffset: b.lastOffset };
  if (isControlBatch(h.attributes)) {
    if (!txns.markerCanGo(h, bytes) || !pastDeleteHorizon) return { bytes, removed: 0, tombstonesRemoved: 0 };
    stats.markersRemoved++;
    if (isAbortMarker(bytes)) removedAbortMarkers.push(b.header.baseOffset);
    return { bytes: undefined, removed: 0, tombstonesRemoved: 0 };
  }
  if (!txns.isAbortedData(h)) return undefined;
  stats.abortedBatchesRemoved++;
  return { bytes: undefined, removed: b.header.recordCount, tombstonesRemoved: 0 };
}

function isAbortMarker(bytes: Buffer): boolean {
  for (const r of iterateRecords(bytes, 0)) return decodeEndTxnMarker(r.key, r.value)?.type === 'ABORT';
  return false;
}

/** Groups consecutive segments whose combined size and offset span fit one segment. */
function groupSegments(segs: readonly LogSegment[], maxBytes: number, maxIndexEntries: number, indexInterval: number): LogSegment[][] {
  const groups: LogSegment[][] = [];
  let cur: LogSegment[] = [];
  let bytes = 0;
  for (const s of segs) {
    const span = s.nextOffset - (cur[0]?.baseOffset ?? s.baseOffset);
    const entries = Math.ceil((bytes + s.size) / Math.max(1, indexInterval));
    if (cur.length > 0 && (bytes + s.size > maxBytes || span > 0x7fffffffn || entries > maxIndexEntries)) {
      groups.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(s);
    bytes += s.size;
  }
  if (cur.length > 0) groups.push(cur);
  return groups;
}

/** One compaction pass over `log`. Safe to run while the log takes appends and reads. */
export async function cleanLog(log: PartitionLog, cleanerCheckpoint: bigint | undefined, o: CleanOptions): Promise<CleanStats> {
  const now = o.clock.now();
  const range = cleanableRange(log, cleanerCheckpoint, now);
  const stats: CleanStats = { cleaned: false, range, cleanedUpTo: range.firstDirtyOffset, segmentsIn: 0, segmentsOut: 0, bytesIn: 0, bytesOut: 0, recordsRemoved: 0, tombstonesRemoved: 0, abortedBatchesRemoved: 0, markersRemoved: 0 };
  if (range.dirtyBytes === 0) return { ...stats, skipped: 'nothing dirty' };
  if (!o.force && range.dirtyRatio < log.config.minCleanableDirtyRatio) return { ...stats, skipped: `dirty ratio ${range.dirtyRatio.toFixed(3)} below ${log.config.minCleanableDirtyRatio}` };

  // 1. Key → latest offset over the dirty segments, as many whole segments as the map holds.
  const segs = log.segmentList.filter((s) => s.baseOffset < range.firstUncleanableOffset);
  const map = o.map;
  map.clear();
  let mappedUpTo = range.firstDirtyOffset;
  const mapTxns = new CleanedTxnState(log.abortedTransactions);
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    const next = segs[i + 1]?.baseOffset ?? range.firstUncleanableOffset;
    if (next <= range.firstDirtyOffset) continue;
    let full = false;
    await s.scan({ validate: true }, (b, bytes) => {
      const h = { producerId: b.header.producerId, attributes: b.header.attributes, lastOffset: b.lastOffset };
      if (isControlBatch(h.attributes)) {
        mapTxns.markerCanGo(h, bytes);
        return true;
      }
      // Aborted records never supersede anything.
      if (mapTxns.isAbortedData(h)) return true;
      for (const rec of iterateRecords(bytes, 0)) {
        if (rec.key !== null && rec.offset >= range.firstDirtyOffset && !map.put(rec.key, rec.offset)) {
          full = true;
          return false;
        }
      }
      return true;
    });
    if (full) break;
    mappedUpTo = next;
  }
  if (mappedUpTo <= range.firstDirtyOffset) return { ...stats, skipped: 'offset map too small for one segment' };

  // 2. Recopy [log start, mappedUpTo) group by group.
  const toClean = segs.filter((s, i) => (segs[i + 1]?.baseOffset ?? range.firstUncleanableOffset) <= mappedUpTo);
  const deleteBefore = BigInt(now - log.config.deleteRetentionMs);
  const txns = new CleanedTxnState(log.abortedTransactions);
  // A producer's last data batch keeps its header (sequence and epoch survive).
  const lastBatchOf = new Map(log.activeProducers().map((e) => [e.producerId, e.batches.at(-1)?.lastOffset]));
  const removedAbortMarkers: bigint[] = [];
  const params = { segmentIndexBytes: log.config.segmentIndexBytes, indexIntervalBytes: log.config.indexIntervalBytes };
  for (const group of groupSegments(toClean, log.config.segmentBytes, Math.floor(log.config.segmentIndexBytes / 12), log.config.indexIntervalBytes)) {
    const out = LogSegment.create(log.dir, group[0]!.baseOffset, params, now, 0, CLEANED_SUFFIX);
    let outMtime = 0;
    try {
      for (const src of group) {
        const srcNext = log.segmentList[log.segmentList.indexOf(src) + 1]?.baseOffset ?? log.logEndOffset;
        // Tombstones go only from segments that were already clean and untouched for deleteRetentionMs.
        const dropTombstones = srcNext <= range.firstDirtyOffset && BigInt(Math.floor(src.lastModifiedMs())) < deleteBefore;
        outMtime = Math.max(outMtime, src.lastModifiedMs());
        stats.bytesIn += src.size;
        await src.scan({ validate: true }, (b, bytes) => {
          const r = transactionalFate(b, bytes, txns, dropTombstones, removedAbortMarkers, stats) ?? rewriteBatch(b, bytes, map, dropTombstones);
          stats.recordsRemoved += r.removed;
          stats.tombstonesRemoved += r.tombstonesRemoved;
          const keepEmpty = r.bytes === undefined && b.header.producerId >= 0n && !isControlBatch(b.header.attributes) && lastBatchOf.get(b.header.producerId) === b.lastOffset;
          if (keepEmpty) r.bytes = emptyBatchOf(bytes);
          if (!r.bytes) return true;
          const h = readBatchHeader(r.bytes, 0);
          const lastOffset = batchLastOffset(h);
          out.append(r.bytes, { firstOffset: h.baseOffset, lastOffset, maxTimestamp: h.maxTimestamp, offsetOfMaxTimestamp: lastOffset, firstBatchMaxTimestamp: h.maxTimestamp });
          return true;
        });
      }
      out.onBecomeInactive();
      await out.flush();
      // Kafka keeps the source's modification time so tombstone ageing is not reset by cleaning.
      await utimes(out.logPath, outMtime / 1000, outMtime / 1000);
      const swapped = await swapIn(log, group, out, removedAbortMarkers);
      if (!swapped) {
        await out.deleteFiles();
        return { ...stats, skipped: 'log changed during cleaning' };
      }
      stats.segmentsIn += group.length;
      stats.segmentsOut += 1;
      stats.bytesOut += out.size;
    } catch (err) {
      await out.deleteFiles().catch(() => undefined);
      throw err;
    }
  }
  o.logger.info({ topic: log.topic, partition: log.partition, ...stats, range: undefined, cleanedUpTo: String(mappedUpTo) }, 'compacted log');
  return { ...stats, cleaned: true, cleanedUpTo: mappedUpTo };
}

/** The crash-safe swap, as the log's single writer. False if the group is no longer in the log. */
async function swapIn(log: PartitionLog, group: LogSegment[], out: LogSegment, removedAbortMarkers: readonly bigint[]): Promise<boolean> {
  return log.exclusive(async () => {
    const list = log.segmentList;
    const at = list.indexOf(group[0]!);
    if (at < 0 || group.some((s, i) => list[at + i] !== s) || list[at + group.length] === undefined) return false;
    await out.renameSuffix(SWAP_SUFFIX);
    await fsyncDir(log.dir);
    await log.replaceSegmentList([...list.slice(0, at), out, ...list.slice(at + group.length)], removedAbortMarkers);
    await log.retire(group);
    await fsyncDir(log.dir);
    await out.renameSuffix('');
    await fsyncDir(log.dir);
    out.unloadIndexes();
    return true;
  });
}
