/**
 * One partition's log: an ordered list of segments, the last one active.
 *
 * Concurrency contract: every mutation (appends, rolls, truncation, log-start moves, retention,
 * compaction swaps, flush, close) runs through one SerialQueue, one at a time, in call order.
 * Reads, offsetForTimestamp and the getters are not queued: they take a snapshot of the segment
 * list and of each segment's size synchronously, so they only ever see whole batches. The segment
 * list is replaced, never mutated in place, and a segment closes its file only after in-flight
 * reads finish; a read racing with deletion retries and then reports offset-out-of-range.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { followerAppend, leaderAppend, type AppendHost } from './log-append.js';
import { backgroundScheduler, systemClock, type Clock, type Scheduler } from '../common/index.js';
import { resolveLogConfig, type LogConfig } from './config.js';
import { StorageError } from './errors.js';
import { CLEAN_SHUTDOWN_MARKER } from './files.js';
import type { EpochEndOffset, LeaderEpochCache } from './leader-epoch-cache.js';
import { openLogDirectory, type RecoveryReport } from './log-loader.js';
import { LogProducers, type AppendOrigin } from './log-producers.js';
import type { AbortedTxn } from './txn-index.js';
import type { ProducerStateLoad } from './producer-state-loader.js';
import type { ProducerStateEntry } from './producer-state.js';
import { findOffsetByTimestamp, readFromSegments, type ReadOptions, type ReadResult, type TimestampAndOffset } from './log-read.js';
import type { SegmentDeletion, SegmentInfo } from './retention.js';
import { advanceLogStartOffset, deleteOldSegments, type LogBoundsHost, type LogOffsets } from './log-retention.js';
import { truncateFully, truncateTo } from './log-truncation.js';
import type { LogSegment } from './segment.js';
import { jitterFn, segmentParams } from './segment-list.js';
import { LocalLog } from './local-log.js';
import { LogEpochs } from './log-epochs.js';
import { LogGuard } from './log-guard.js';
import { DEFAULT_PRODUCER_ID_EXPIRATION_MS, type AppendResult, type PartitionLogOptions } from './partition-log-options.js';

const EMPTY: Buffer = Buffer.alloc(0);

export class PartitionLog {
  readonly topic: string;
  readonly partition: number;
  readonly dir: string;
  private cfg: Readonly<LogConfig>;
  /** The segments, the log end offset and the recovery point. */
  private readonly local: LocalLog;
  /** logStartOffset and highWatermark, moved by retention and truncation too. */
  private readonly offsets: LogOffsets;
  /** Open/closed/offline and the single writer's queue; an I/O error takes the log offline. */
  private readonly g: LogGuard;
  /** Leader epochs, written through to `leader-epoch-checkpoint`. */
  private readonly epochs: LogEpochs;
  private readonly producers: LogProducers;
  /** How producer state was rebuilt at open (snapshot used, batches replayed). */
  producerStateLoad: ProducerStateLoad = { replayedBatches: 0 };

  private constructor(
    o: PartitionLogOptions,
    segments: LogSegment[],
    epochCache: LeaderEpochCache,
    readonly recoveryReport: RecoveryReport,
    private readonly clock: Clock,
    scheduler: Scheduler,
    readonly logger: Logger,
    random: () => number,
  ) {
    this.topic = o.topic;
    this.partition = o.partition;
    this.dir = o.dir;
    this.cfg = resolveLogConfig(o.config);
    this.epochs = new LogEpochs(epochCache, o.dir);
    this.local = new LocalLog({
      dir: o.dir, config: () => this.cfg, clock, scheduler, logger, random,
      // Producer state as of the new segment's base: recovery replays at most this segment. As
      // Kafka, snapshots of the last two segments are kept (a truncation rarely goes further).
      onRoll: (base, previous) => this.producers.snapshot(base, previous > this.offsets.logStartOffset ? previous : this.offsets.logStartOffset),
      onIoError: (err) => this.g.reportIoError(err),
      stopped: () => this.g.stopped,
      writerFs: o.writerFs,
    }, segments);
    this.g = new LogGuard({
      name: `${o.topic}-${o.partition}`, dir: o.dir, logger, abandon: () => this.local.abandon(),
      onIoError: (err) => this.onIoError?.(err, this),
    });
    const start = o.logStartOffset !== undefined && o.logStartOffset > segments[0]!.baseOffset ? o.logStartOffset : segments[0]!.baseOffset;
    this.offsets = { logStartOffset: start < this.leo ? start : this.leo, highWatermark: 0n };
    this.offsets.highWatermark = this.clamp(o.highWatermark ?? this.offsets.logStartOffset);
    this.onLogStartOffsetChange = o.onLogStartOffsetChange;
    this.onIoError = o.onIoError;
    this.producers = new LogProducers({
      dir: o.dir, name: `${o.topic}-${o.partition}`, logger, producerIdExpirationMs: o.producerIdExpirationMs ?? DEFAULT_PRODUCER_ID_EXPIRATION_MS,
      onIoError: (err) => this.g.reportIoError(err),
    });
  }

  private readonly onLogStartOffsetChange: ((log: PartitionLog) => void) | undefined;
  private readonly onIoError: ((err: StorageError, log: PartitionLog) => void) | undefined;

  static async open(o: PartitionLogOptions): Promise<PartitionLog> {
    const config = resolveLogConfig(o.config);
    const clock = o.clock ?? systemClock;
    const logger = (o.logger ?? pino({ level: 'silent' })).child({ topic: o.topic, partition: o.partition });
    const scheduler = o.scheduler ?? backgroundScheduler;
    const random = o.random ?? Math.random;
    const opened = await openLogDirectory({
      dir: o.dir, params: segmentParams(config), recoveryPoint: o.recoveryPoint ?? 0n, initialOffset: o.logStartOffset ?? 0n,
      nowMs: clock.now(), jitterMs: jitterFn(config, random), logger,
    });
    const log = new PartitionLog(o, opened.segments, opened.epochCache, opened.report, clock, scheduler, logger, random);
    opened.epochCache.truncateFromEnd(log.leo);
    opened.epochCache.truncateFromStart(log.offsets.logStartOffset);
    if (opened.epochsDifferFromCheckpoint(log.epochs.entries)) await log.epochs.persist();
    // Recovered data and rebuilt indexes are fsynced, so the recovery point is the log end. A log
    // without a byte has nothing to make durable (unflushed, the next unclean start checks it
    // again): opening 10,000 empty partitions costs no fsync of their segments.
    if (!opened.report.hadCleanShutdown && (log.size > 0 || opened.report.truncatedBytes > 0 || opened.report.deletedSegments.length > 0)) await log.local.flush();
    await log.producers.loadTxnIndex(log.segs);
    log.producerStateLoad = await log.rebuildProducers();
    await opened.removeCleanShutdownMarker();
    logger.debug({ logStartOffset: String(log.offsets.logStartOffset), logEndOffset: String(log.leo), segments: opened.segments.length }, 'log opened');
    return log;
  }

  get config(): Readonly<LogConfig> { return this.cfg; }
  get logStartOffset(): bigint { return this.offsets.logStartOffset; }
  /** Offset after the last batch whose bytes are in the file (an append in flight is not counted yet). */
  get logEndOffset(): bigint { return this.leo; }
  get highWatermark(): bigint { return this.offsets.highWatermark; }
  /** Offsets below this are fsynced (with their indexes). */
  get recoveryPoint(): bigint { return this.local.recoveryPoint; }
  get latestEpoch(): number | undefined { return this.epochs.latestEpoch; }
  get epochEntries(): readonly { epoch: number; startOffset: bigint }[] { return this.epochs.entries; }
  get isClosed(): boolean { return this.g.closed; }
  /** Mutations queued or running, or appends not yet in the file; 0 = nothing can change the log before the caller's next await. */
  get pendingWrites(): number { return this.g.pending + this.local.pendingWrites; }
  /** True after an I/O error: the log's directory is offline on this broker. */
  get isOffline(): boolean { return this.g.offline; }
  /** Bytes of all segments' .log files. */
  get size(): number { return this.segs.reduce((sum, s) => sum + s.size, 0); }
  get numberOfSegments(): number { return this.segs.length; }
  get activeSegment(): LogSegment { return this.local.activeSegment; }
  /** Snapshot for the cleaner and tools; never mutate. */
  get segmentList(): readonly LogSegment[] { return this.segs; }
  private get segs(): readonly LogSegment[] { return this.local.segments; }
  /**
   * What the log shows: the end of what is written. Appends take offsets from `local.logEndOffset`;
   * every other queued operation drains pending writes first (`settled`), so there both agree.
   */
  private get leo(): bigint { return this.local.writtenEndOffset; }

  segments(): SegmentInfo[] {
    return this.local.segmentInfos();
  }

  /** Idempotent producer state of one producer id (tools, tests). */
  producerState(producerId: bigint): Readonly<ProducerStateEntry> | undefined {
    return this.producers.entry(producerId);
  }

  /** Every producer with state in this log (DescribeProducers). */
  activeProducers(): readonly Readonly<ProducerStateEntry>[] {
    return this.producers.entries();
  }

  get activeProducerCount(): number {
    return this.producers.size;
  }

  /** Forgets producers idle for producerIdExpirationMs (LogManager runs it periodically). */
  removeExpiredProducers(): Promise<number> {
    return this.g.queued(() => (this.g.stopped ? 0 : this.producers.removeExpired(this.clock.now())));
  }

  private rebuildProducers(): Promise<ProducerStateLoad> {
    return this.producers.rebuild({ segments: this.segs, logStartOffset: this.offsets.logStartOffset, logEndOffset: this.leo, nowMs: this.clock.now() });
  }

  /** The last stable offset (Kafka's LSO): every transaction below it has ended (read_committed reads up to it); the HW when none is open. */
  get lastStableOffset(): bigint { return this.producers.lastStableOffset(this.offsets.highWatermark); }

  /** Every indexed aborted transaction (the cleaner removes their data). */
  get abortedTransactions(): readonly AbortedTxn[] { return this.producers.abortedTransactions(); }
  /** Aborted transactions overlapping [fetchOffset, upperBoundOffset) (read_committed Fetch). */
  collectAbortedTransactions(fetchOffset: bigint, upperBoundOffset: bigint): { producerId: bigint; firstOffset: bigint }[] {
    return this.producers.collectAbortedTransactions(fetchOffset, upperBoundOffset);
  }

  updateConfig(partial: Partial<LogConfig>): void {
    this.cfg = resolveLogConfig({ ...this.cfg, ...partial });
  }

  /** Moves the high watermark forward (never back), clamped to [logStartOffset, logEndOffset]. Returns the value now in force. */
  updateHighWatermark(hw: bigint): bigint {
    const v = this.clamp(hw);
    if (v > this.offsets.highWatermark) this.offsets.highWatermark = v;
    return this.offsets.highWatermark;
  }

  /** Sets the high watermark even backwards (a follower adopting a new leader's value). */
  resetHighWatermark(hw: bigint): bigint {
    this.offsets.highWatermark = this.clamp(hw);
    return this.offsets.highWatermark;
  }

  private clamp(offset: bigint): bigint {
    return offset < this.offsets.logStartOffset ? this.offsets.logStartOffset : offset > this.leo ? this.leo : offset;
  }

  /** Offline without touching the disk (Kafka's closeHandlers): later operations fail with STG_LOG_DIR_OFFLINE. */
  markOffline(): void {
    this.g.markOffline();
  }

  /**
   * A producer's (or the coordinator's) batches, as leader: see `leaderAppend`. Patches `batches`
   * in place. Resolves once the bytes are in the file (page cache), Kafka's condition for acks=1.
   */
  appendAsLeader(batches: Buffer, leaderEpoch: number, opts: { origin?: AppendOrigin } = {}): Promise<AppendResult> {
    return this.written(() => leaderAppend(this.appendHost(), batches, leaderEpoch, opts.origin ?? 'client'));
  }

  /** Replicated batches, offsets already assigned: see `followerAppend`. Resolves once written. */
  appendAsFollower(batches: Buffer): Promise<AppendResult> {
    return this.written(() => followerAppend(this.appendHost(), batches));
  }

  /**
   * Runs an append as the single writer, which frees the queue as soon as offsets and state are
   * decided; the caller waits outside the queue for the bytes (and every earlier append's) to be
   * in the file, so appends arriving meanwhile coalesce into the next write.
   */
  private async written(append: () => Promise<AppendResult>): Promise<AppendResult> {
    const { result, write } = await this.g.run(async () => {
      this.g.ensureOpen();
      const result = await append();
      return { result, write: this.local.lastWrite };
    });
    await this.g.guard(() => write, `append to ${this.topic}-${this.partition}`);
    return result;
  }

  /** A queued operation other than an append: runs once every pending write is in the file. */
  private settled<T>(task: () => Promise<T>): Promise<T> {
    return this.g.run(async () => {
      // Stopped: the task's own check answers (closed / offline), not a write's old failure.
      if (!this.g.stopped) await this.local.drain();
      return task();
    });
  }

  private appendHost(): AppendHost {
    return { config: this.cfg, clock: this.clock, local: this.local, epochs: this.epochs, producers: this.producers };
  }

  private boundsHost(): LogBoundsHost {
    return { ...this.appendHost(), offsets: this.offsets, logger: this.logger, onLogStartOffsetChange: () => this.onLogStartOffsetChange?.(this) };
  }

  /** Forces a roll at the log end offset (tests, tools). */
  forceRoll(): Promise<void> {
    return this.settled(() => this.local.roll(this.leo));
  }

  /**
   * Whole batches from the one holding `fetchOffset`, up to maxBytes (but at least one batch with
   * minOneBatch), below `maxOffset`. Out of [logStartOffset, logEndOffset] → STG_OFFSET_OUT_OF_RANGE.
   */
  async read(fetchOffset: bigint, maxBytes: number, opts: ReadOptions = {}): Promise<ReadResult> {
    for (let attempt = 0; ; attempt++) {
      this.g.ensureOpen();
      const segs = this.segs;
      // Only bytes already in the file: nothing outside this broker sees an append before its write completed.
      const sizes = segs.map((s) => s.writtenSize);
      if (fetchOffset < this.offsets.logStartOffset || fetchOffset > this.leo) {
        throw new StorageError('STG_OFFSET_OUT_OF_RANGE', `offset ${fetchOffset} outside [${this.offsets.logStartOffset}, ${this.leo}] of ${this.topic}-${this.partition}`);
      }
      if (fetchOffset === this.leo || (opts.maxOffset !== undefined && fetchOffset >= opts.maxOffset)) return { records: EMPTY, firstOffset: fetchOffset };
      try {
        return await this.g.guard(() => readFromSegments(segs, sizes, fetchOffset, maxBytes, opts), `read of ${this.topic}-${this.partition}`);
      } catch (err) {
        // A segment closed under the read (deleted meanwhile): retry on the new list.
        if (!(err instanceof StorageError && err.code === 'STG_LOG_CLOSED' && attempt < 3 && !this.g.closed)) throw err;
      }
    }
  }

  /** Earliest record with timestamp ≥ ts (ListOffsets by time), or undefined when none. */
  offsetForTimestamp(ts: bigint): Promise<TimestampAndOffset | undefined> {
    this.g.ensureOpen();
    return this.g.guard(() => findOffsetByTimestamp(this.segs, ts, this.offsets.logStartOffset));
  }

  endOffsetForEpoch(epoch: number): EpochEndOffset {
    return this.epochs.endOffsetFor(epoch, this.leo);
  }

  /**
   * Becoming leader (KIP-279): the new epoch starts at the current log end offset. Starting at
   * the log end it holds no record yet, so it reaches the file with the first append in it
   * (LogEpochs.assignDeferred); one starting below the end is written through.
   */
  assignEpochStartOffset(epoch: number, startOffset: bigint): Promise<void> {
    return this.settled(async () => {
      this.g.ensureOpen();
      if (startOffset === this.leo) this.epochs.assignDeferred(epoch, startOffset);
      else await this.epochs.assign(epoch, startOffset);
    });
  }

  /** Follower truncation (log-truncation.ts). Returns the new log end offset. */
  truncateTo(offset: bigint): Promise<bigint> {
    return this.settled(async () => {
      this.g.ensureOpen();
      return truncateTo(this.boundsHost(), offset);
    });
  }

  /** Empties the log and restarts it at `offset` (a follower far behind the leader's log start). */
  truncateFullyAndStartAt(offset: bigint): Promise<void> {
    return this.settled(async () => {
      this.g.ensureOpen();
      await truncateFully(this.boundsHost(), offset);
    });
  }

  /** DeleteRecords (log-retention.ts). Returns the log start offset in force. */
  advanceLogStartOffset(offset: bigint): Promise<bigint> {
    return this.settled(async () => {
      this.g.ensureOpen();
      return advanceLogStartOffset(this.boundsHost(), offset);
    });
  }

  deleteRecordsBefore(offset: bigint): Promise<bigint> {
    return this.advanceLogStartOffset(offset);
  }

  /** Retention by time, size and log start offset (log-retention.ts). */
  deleteOldSegments(): Promise<SegmentDeletion[]> {
    return this.settled(async () => (this.g.stopped ? [] : deleteOldSegments(this.boundsHost())));
  }

  /** Renames to `.deleted` now, removes after fileDeleteDelayMs (leftovers are removed on the next open). */
  retire(victims: readonly LogSegment[]): Promise<void> {
    return this.local.retire(victims);
  }

  /** fsync everything appended so far; the recovery point becomes the log end offset. */
  flush(): Promise<void> {
    return this.g.run(() => this.local.flush());
  }

  /** Flushes when flushIntervalMs has passed since the last flush and something is unflushed. */
  maybeFlushOnTime(): Promise<void> {
    if (this.g.stopped || !this.local.flushDue) return Promise.resolve();
    return this.flush();
  }

  /** Runs `task` as the single writer (the cleaner's swap uses this). */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.settled(async () => {
      this.g.ensureOpen();
      return task();
    });
  }

  /** Replaces the segment list (cleaner swap, with the ABORT markers it removed); only from inside `exclusive`. */
  replaceSegmentList(segments: LogSegment[], removedAbortMarkers: readonly bigint[] = []): Promise<void> {
    this.local.replaceSegments(segments);
    return this.producers.followSegments(segments, removedAbortMarkers);
  }

  /** Flushes, persists indexes and the epoch cache, and leaves the clean-shutdown marker. */
  close(opts: { clean?: boolean } = {}): Promise<void> {
    return this.settled(async () => {
      if (this.g.stopped) return;
      const clean = opts.clean ?? true;
      await this.local.rolledSegmentsFlushed();
      if (clean) {
        await this.local.flush();
        await this.epochs.persistIfWriteFailed();
        await this.producers.snapshotAtClose(this.leo);
      }
      this.g.markClosed();
      await this.local.closeSegments(clean);
      // No fsync of the marker or its directory: everything it vouches for was fsynced above, so
      // after a crash the marker is either there (and true) or missing (a recovery, never a loss).
      if (clean) await fsp.writeFile(join(this.dir, CLEAN_SHUTDOWN_MARKER), `${this.leo}\n`);
    });
  }
}
