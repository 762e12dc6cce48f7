/**
 * One log's idempotent-producer state with its `.snapshot` files: rebuilt at open and after a
 * truncation, checked before a client's append, updated after every append, snapshotted at each
 * roll and clean close, pruned when the log start moves (Kafka's ProducerStateManager as
 * UnifiedLog drives it).
 */
import type { Logger } from 'pino';
import type { AppendAnalysis } from './append-validation.js';
import { ioError, isIoError, type StorageError } from './errors.js';
import { deleteSnapshotsOutside, rebuildProducerState, type ProducerStateLoad } from './producer-state-loader.js';
import { writeProducerSnapshot } from './producer-state-snapshot.js';
import { ProducerStateManager, type DuplicateBatch, type ProducerBatch, type ProducerStateEntry } from './producer-state.js';
import type { LogSegment } from './segment.js';

/** The producer-state side of one leader append, decided before anything is written. */
export interface LeaderAppendPlan {
  batches: ProducerBatch[];
  idempotent: boolean;
  /** A retry of a batch already in the log: nothing is written, the original offsets answer. */
  duplicate?: DuplicateBatch;
}

export interface LogProducersOptions {
  dir: string;
  /** `<topic>-<partition>`, for error messages. */
  name: string;
  logger: Logger;
  producerIdExpirationMs: number;
  /** A snapshot write hit the disk failing (the caller's operation itself does not fail). */
  onIoError: (err: StorageError) => void;
}

export class LogProducers {
  private readonly state: ProducerStateManager;

  constructor(private readonly o: LogProducersOptions) {
    this.state = new ProducerStateManager({ producerIdExpirationMs: o.producerIdExpirationMs });
  }

  entry(producerId: bigint): Readonly<ProducerStateEntry> | undefined {
    return this.state.entry(producerId);
  }

  get size(): number {
    return this.state.size;
  }

  removeExpired(nowMs: number): number {
    return this.state.removeExpired(nowMs);
  }

  rebuild(o: { segments: readonly LogSegment[]; logStartOffset: bigint; logEndOffset: bigint; nowMs: number }): Promise<ProducerStateLoad> {
    return rebuildProducerState(this.state, { dir: this.o.dir, logger: this.o.logger, ...o });
  }

  /** A missing snapshot only makes the next open replay more, so a failed write does not fail the caller. */
  async snapshot(offset: bigint, keepFrom?: bigint): Promise<void> {
    try {
      await writeProducerSnapshot(this.o.dir, offset, this.state.entries());
      if (keepFrom !== undefined) await deleteSnapshotsOutside(this.o.dir, keepFrom);
    } catch (err) {
      this.o.logger.warn({ err, snapshotOffset: String(offset) }, 'producer state snapshot failed');
      // A failing disk still takes the directory offline; the caller's operation need not fail.
      if (isIoError(err)) this.o.onIoError(ioError(`producer state snapshot of ${this.o.name}`, err));
    }
  }

  /** The log start moved: producers entirely below it are forgotten, and so are older snapshots. */
  async prune(logStartOffset: bigint): Promise<void> {
    this.state.pruneBefore(logStartOffset);
    await deleteSnapshotsOutside(this.o.dir, logStartOffset);
  }

  /** The log restarts empty: no producer, no snapshot. */
  async clear(offset: bigint): Promise<void> {
    this.state.clear();
    await deleteSnapshotsOutside(this.o.dir, offset, offset - 1n);
  }

  /**
   * The batches as they will land from `firstOffset`; a client's idempotent batches are checked
   * against the state (a gap or an old epoch throws, a retry comes back as `duplicate`).
   */
  planLeaderAppend(a: AppendAnalysis, firstOffset: bigint, appendTime: bigint, isFromClient: boolean): LeaderAppendPlan {
    const batches: ProducerBatch[] = [];
    let next = firstOffset;
    let idempotent = false;
    for (const b of a.batches) {
      batches.push({ header: b.header, baseOffset: next, maxTimestamp: appendTime >= 0n ? appendTime : b.header.maxTimestamp });
      next += BigInt(b.header.lastOffsetDelta) + 1n;
      if (b.header.producerId >= 0n) idempotent = true;
    }
    const duplicate = isFromClient && idempotent ? this.state.checkLeaderAppend(batches) : undefined;
    return duplicate ? { batches, idempotent, duplicate } : { batches, idempotent };
  }

  /** After a leader append was written. */
  recordLeaderAppend(plan: LeaderAppendPlan, nowMs: number): void {
    if (!plan.idempotent) return;
    for (const b of plan.batches) this.state.update(b, nowMs);
  }

  /** After a follower append was written: the leader's batches as they are. */
  recordFollowerAppend(a: AppendAnalysis, nowMs: number): void {
    for (const b of a.batches) {
      if (b.header.producerId >= 0n) this.state.update({ header: b.header, baseOffset: b.header.baseOffset, maxTimestamp: b.header.maxTimestamp }, nowMs);
    }
  }
}
