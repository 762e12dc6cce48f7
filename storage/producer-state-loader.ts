/**
 * Rebuilding producer state when a log opens or is truncated: the latest readable snapshot at or
 * below the log end offset, then every batch after it replayed from the segments (only headers
 * matter). Snapshots past the log end (left by a truncation or a recovery cut) or below the log
 * start are stale and removed.
 */
import type { Logger } from 'pino';
import { deleteProducerSnapshot, listSnapshotOffsets, readProducerSnapshot } from './producer-state-snapshot.js';
import { controlMarkerOf, type CompletedTxn, type ProducerStateManager } from './producer-state.js';
import type { LogSegment } from './segment.js';

export interface ProducerStateLoad {
  /** The snapshot the state started from, or undefined (replayed from the log start). */
  snapshotOffset?: bigint;
  replayedBatches: number;
}

interface RebuildOptions {
  dir: string;
  segments: readonly LogSegment[];
  logStartOffset: bigint;
  logEndOffset: bigint;
  nowMs: number;
  logger: Logger;
  /** Each transaction a replayed marker ends (the aborted transaction index re-adds what it missed). */
  onCompletedTxn?: (t: CompletedTxn) => void;
}

export async function rebuildProducerState(state: ProducerStateManager, o: RebuildOptions): Promise<ProducerStateLoad> {
  const offsets = await listSnapshotOffsets(o.dir);
  const usable: bigint[] = [];
  for (const off of offsets) {
    if (off > o.logEndOffset || off < o.logStartOffset) await deleteProducerSnapshot(o.dir, off);
    else usable.push(off);
  }
  let from: bigint | undefined;
  while (usable.length > 0 && from === undefined) {
    const off = usable.pop()!;
    try {
      state.load(await readProducerSnapshot(o.dir, off), o.nowMs);
      from = off;
    } catch (err) {
      o.logger.warn({ err, snapshotOffset: String(off) }, 'ignoring unreadable producer state snapshot');
      await deleteProducerSnapshot(o.dir, off);
    }
  }
  if (from === undefined) state.clear();
  const replayedBatches = await replayBatches(state, o.segments, from ?? o.segments[0]?.baseOffset ?? o.logStartOffset, o.logEndOffset, o.nowMs, o.onCompletedTxn);
  state.pruneBefore(o.logStartOffset);
  return { snapshotOffset: from, replayedBatches };
}

/** Applies every batch with an offset in [from, upTo) to the state, in log order. */
async function replayBatches(state: ProducerStateManager, segments: readonly LogSegment[], from: bigint, upTo: bigint, nowMs: number, onCompletedTxn?: (t: CompletedTxn) => void): Promise<number> {
  let replayed = 0;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const next = segments[i + 1]?.baseOffset ?? upTo;
    if (next <= from || seg.baseOffset >= upTo) continue;
    const start = from > seg.baseOffset ? seg.offsetIndex.lookup(from).position : 0;
    await seg.scan({ validate: false, start, chunkSize: 256 * 1024 }, (b, bytes) => {
      if (b.header.baseOffset >= upTo) return false;
      if (b.lastOffset < from) return true;
      const completed = state.update({ header: b.header, baseOffset: b.header.baseOffset, maxTimestamp: b.header.maxTimestamp, marker: controlMarkerOf(b.header, bytes) }, nowMs);
      if (completed !== undefined) onCompletedTxn?.(completed);
      replayed++;
      return true;
    });
  }
  return replayed;
}

/** Deletes snapshots below `keepFrom` (Kafka keeps those of the last two segments) or above `keepUpTo` (`keepUpTo < keepFrom`: all). */
export async function deleteSnapshotsOutside(dir: string, keepFrom: bigint, keepUpTo?: bigint): Promise<void> {
  for (const off of await listSnapshotOffsets(dir)) {
    if (off < keepFrom || (keepUpTo !== undefined && off > keepUpTo)) await deleteProducerSnapshot(dir, off);
  }
}
