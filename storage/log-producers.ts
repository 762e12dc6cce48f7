/**
 * One log's producer state with its `.snapshot` files, and its aborted transaction index
 * (`.txnindex`): rebuilt at open and after a truncation, checked before a client's append (and a
 * coordinator's marker), updated after every append, snapshotted at each roll and clean close,
 * pruned when the log start moves (Kafka's ProducerStateManager and TransactionIndex as
 * UnifiedLog drives them). Open transactions bound the last stable offset.
 */
import type { Logger } from 'pino';
import type { AppendAnalysis } from './append-validation.js';
import { ioError, isIoError, type StorageError } from './errors.js';
import { deleteSnapshotsOutside, rebuildProducerState, type ProducerStateLoad } from './producer-state-loader.js';
import { writeProducerSnapshot } from './producer-state-snapshot.js';
import { controlMarkerOf, ProducerStateManager, type CompletedTxn, type DuplicateBatch, type ProducerBatch, type ProducerStateEntry } from './producer-state.js';
import type { LogSegment } from './segment.js';
import { floorSegment } from './segment-list.js';
import { AbortedTxnIndex } from './txn-index.js';

/**
 * Who appends as leader (Kafka's AppendOrigin): a client's batches are checked against producer
 * state and may not be control batches; the transaction coordinator writes markers (control
 * batches) and its own logs without sequence checks, its markers checked against the epochs.
 */
export type AppendOrigin = 'client' | 'coordinator';

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
  /** Aborted transactions (`.txnindex`), for read_committed fetches. */
  private readonly txnIndex: AbortedTxnIndex;
  /**
   * The offset of a snapshot on disk that holds the state as it is now (loaded from it with
   * nothing replayed, or written since with nothing appended): a clean close need not write it
   * again (Kafka's takeSnapshot skips a snapshot at the offset of the last one too).
   */
  private currentSnapshotAt: bigint | undefined;

  constructor(private readonly o: LogProducersOptions) {
    this.state = new ProducerStateManager({ producerIdExpirationMs: o.producerIdExpirationMs });
    this.txnIndex = new AbortedTxnIndex(o.dir);
  }

  entry(producerId: bigint): Readonly<ProducerStateEntry> | undefined {
    return this.state.entry(producerId);
  }

  /** Every producer with state (DescribeProducers). */
  entries(): readonly Readonly<ProducerStateEntry>[] {
    return this.state.entries();
  }

  get size(): number {
    return this.state.size;
  }

  removeExpired(nowMs: number): number {
    return this.state.removeExpired(nowMs);
  }

  /** At open: the `.txnindex` files of these segments (others' are removed). */
  loadTxnIndex(segments: readonly LogSegment[]): Promise<void> {
    return this.txnIndex.load(segments.map((s) => s.baseOffset));
  }

  /** Producer state from the latest snapshot plus the log after it; replayed ABORT markers the index missed are re-added. */
  async rebuild(o: { segments: readonly LogSegment[]; logStartOffset: bigint; logEndOffset: bigint; nowMs: number }): Promise<ProducerStateLoad> {
    const completed: CompletedTxn[] = [];
    this.currentSnapshotAt = undefined;
    const load = await rebuildProducerState(this.state, { dir: this.o.dir, logger: this.o.logger, ...o, onCompletedTxn: (t) => completed.push(t) });
    for (const t of completed) await this.indexIfAborted(t, o.segments);
    if (load.snapshotOffset === o.logEndOffset && load.replayedBatches === 0) this.currentSnapshotAt = o.logEndOffset;
    return load;
  }

  private async indexIfAborted(t: CompletedTxn | undefined, segments: readonly LogSegment[]): Promise<void> {
    if (t === undefined || !t.aborted) return;
    const segmentBase = segments[Math.max(0, floorSegment(segments, t.lastOffset))]!.baseOffset;
    const lastStableOffset = this.state.firstUnstableOffset() ?? t.lastOffset + 1n;
    await this.txnIndex.append(segmentBase, { producerId: t.producerId, firstOffset: t.firstOffset, lastOffset: t.lastOffset, lastStableOffset });
  }

  /**
   * The last stable offset (Kafka's LSO): below it every transaction has ended, so a
   * read_committed consumer may read up to here. The high watermark when none is open.
   */
  lastStableOffset(highWatermark: bigint): bigint {
    const firstUnstable = this.state.firstUnstableOffset();
    return firstUnstable !== undefined && firstUnstable < highWatermark ? firstUnstable : highWatermark;
  }

  /** Aborted transactions overlapping [fetchOffset, upperBoundOffset) (read_committed Fetch). */
  collectAbortedTransactions(fetchOffset: bigint, upperBoundOffset: bigint): { producerId: bigint; firstOffset: bigint }[] {
    return this.txnIndex.collect(fetchOffset, upperBoundOffset);
  }

  /** Every indexed aborted transaction (the cleaner, tools, tests). */
  abortedTransactions(): ReturnType<AbortedTxnIndex['all']> {
    return this.txnIndex.all();
  }

  /** The log was cut at `offset`: index entries at or past it go, producer state is rebuilt. */
  async truncated(offset: bigint, o: { segments: readonly LogSegment[]; logStartOffset: bigint; nowMs: number }): Promise<ProducerStateLoad> {
    await this.txnIndex.truncateTo(offset);
    return this.rebuild({ ...o, logEndOffset: offset });
  }

  /** The segment list changed (retention, DeleteRecords, reset, cleaner swap): index files follow; ABORT markers compaction removed leave it. */
  async followSegments(segments: readonly LogSegment[], removedAbortMarkers: readonly bigint[] = []): Promise<void> {
    await this.txnIndex.removeMarkers(removedAbortMarkers);
    await this.txnIndex.followSegments(segments.map((s) => s.baseOffset));
  }

  /** A missing snapshot only makes the next open replay more, so a failed write does not fail the caller. */
  async snapshot(offset: bigint, keepFrom?: bigint): Promise<void> {
    this.currentSnapshotAt = undefined;
    try {
      await writeProducerSnapshot(this.o.dir, offset, this.state.entries());
      if (keepFrom === undefined || offset >= keepFrom) this.currentSnapshotAt = offset;
      if (keepFrom !== undefined) await deleteSnapshotsOutside(this.o.dir, keepFrom);
    } catch (err) {
      this.o.logger.warn({ err, snapshotOffset: String(offset) }, 'producer state snapshot failed');
      // A failing disk still takes the directory offline; the caller's operation need not fail.
      if (isIoError(err)) this.o.onIoError(ioError(`producer state snapshot of ${this.o.name}`, err));
    }
  }

  /** A clean close: the snapshot at `offset`, unless the one on disk already holds this state. */
  snapshotAtClose(offset: bigint): Promise<void> {
    return this.currentSnapshotAt === offset ? Promise.resolve() : this.snapshot(offset);
  }

  /** The log start moved: producers entirely below it are forgotten, and so are older snapshots. */
  async prune(logStartOffset: bigint): Promise<void> {
    this.currentSnapshotAt = undefined;
    this.state.pruneBefore(logStartOffset);
    await deleteSnapshotsOutside(this.o.dir, logStartOffset);
  }

  /** The log restarts empty at `offset` (its one segment): no producer, no snapshot, no aborted transaction. */
  async clear(offset: bigint): Promise<void> {
    this.currentSnapshotAt = undefined;
    this.state.clear();
    await this.txnIndex.followSegments([offset]);
    await deleteSnapshotsOutside(this.o.dir, offset, offset - 1n);
  }

  /**
   * The batches as they will land from `firstOffset`; a client's idempotent batches are checked
   * against the state (a gap or an old epoch throws, a retry comes back as `duplicate`); a
   * coordinator's markers are checked against the producer and coordinator epochs.
   */
  planLeaderAppend(data: Buffer, a: AppendAnalysis, firstOffset: bigint, appendTime: bigint, origin: AppendOrigin): LeaderAppendPlan {
    const batches: ProducerBatch[] = [];
    let next = firstOffset;
    let idempotent = false;
    for (const b of a.batches) {
      const marker = controlMarkerOf(b.header, data.subarray(b.position, b.position + b.size));
      batches.push({ header: b.header, baseOffset: next, maxTimestamp: appendTime >= 0n ? appendTime : b.header.maxTimestamp, marker });
      next += BigInt(b.header.lastOffsetDelta) + 1n;
      if (b.header.producerId >= 0n) idempotent = true;
    }
    if (origin === 'coordinator') for (const b of batches) if (b.marker !== undefined) this.state.checkMarker(b.header.producerId, b.header.producerEpoch, b.marker);
    const duplicate = origin === 'client' && idempotent ? this.state.checkLeaderAppend(batches) : undefined;
    return duplicate ? { batches, idempotent, duplicate } : { batches, idempotent };
  }

  /** After a leader append was written into `segments`. */
  async recordLeaderAppend(plan: LeaderAppendPlan, nowMs: number, segments: readonly LogSegment[]): Promise<void> {
    if (!plan.idempotent) return;
    for (const b of plan.batches) await this.indexIfAborted(this.state.update(b, nowMs), segments);
  }

  /** After a follower append was written: the leader's batches as they are. */
  async recordFollowerAppend(data: Buffer, a: AppendAnalysis, nowMs: number, segments: readonly LogSegment[]): Promise<void> {
    for (const b of a.batches) {
      if (b.header.producerId < 0n) continue;
      const marker = controlMarkerOf(b.header, data.subarray(b.position, b.position + b.size));
      await this.indexIfAborted(this.state.update({ header: b.header, baseOffset: b.header.baseOffset, maxTimestamp: b.header.maxTimestamp, marker }, nowMs), segments);
    }
  }
}
