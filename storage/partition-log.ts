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
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { analyzeFollowerAppend, analyzeLeaderAppend, assignOffsets, type AppendAnalysis } from './append-validation.js';
import { writeEpochCheckpoint } from './checkpoint.js';
import { backgroundScheduler, systemClock, type Clock, type Scheduler } from '../common/index.js';
import { resolveLogConfig, type LogConfig } from './config.js';
import { ioError, isIoError, StorageError } from './errors.js';
import { CLEAN_SHUTDOWN_MARKER, LEADER_EPOCH_CHECKPOINT, writeFileAtomic } from './files.js';
import type { EpochEndOffset, LeaderEpochCache } from './leader-epoch-cache.js';
import { openLogDirectory, type RecoveryReport } from './log-loader.js';
import { LogProducers } from './log-producers.js';
import type { ProducerStateLoad } from './producer-state-loader.js';
import type { ProducerStateEntry } from './producer-state.js';
import { findOffsetByTimestamp, readFromSegments, type ReadOptions, type ReadResult, type TimestampAndOffset } from './log-read.js';
import { selectSegmentsToDelete, type SegmentDeletion, type SegmentInfo } from './retention.js';
import type { LogSegment } from './segment.js';
import { jitterFn, segmentParams } from './segment-list.js';
import { LocalLog } from './local-log.js';
import { SerialQueue } from './serial-queue.js';
import { DEFAULT_PRODUCER_ID_EXPIRATION_MS, type AppendResult, type PartitionLogOptions } from './partition-log-options.js';

const EMPTY: Buffer = Buffer.alloc(0);

export class PartitionLog {
  readonly topic: string;
  readonly partition: number;
  readonly dir: string;
  private cfg: Readonly<LogConfig>;
  /** The segments, the log end offset and the recovery point. */
  private readonly local: LocalLog;
  #logStartOffset: bigint;
  private hw: bigint;
  private readonly queue = new SerialQueue();
  private closed = false;
  /** An I/O error was seen: nothing more is read or written (STG_LOG_DIR_OFFLINE). */
  private offline = false;
  private readonly producers: LogProducers;
  /** How producer state was rebuilt at open (snapshot used, batches replayed). */
  producerStateLoad: ProducerStateLoad = { replayedBatches: 0 };

  private constructor(
    o: PartitionLogOptions,
    segments: LogSegment[],
    private readonly epochCache: LeaderEpochCache,
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
    this.local = new LocalLog({
      dir: o.dir, config: () => this.cfg, clock, scheduler, logger, random,
      // Producer state as of the new segment's base: recovery replays at most this segment. As
      // Kafka, snapshots of the last two segments are kept (a truncation rarely goes further).
      onRoll: (base, previous) => this.producers.snapshot(base, previous > this.#logStartOffset ? previous : this.#logStartOffset),
      onIoError: (err) => this.reportIoError(err),
      stopped: () => this.closed || this.offline,
    }, segments);
    const start = o.logStartOffset !== undefined && o.logStartOffset > segments[0]!.baseOffset ? o.logStartOffset : segments[0]!.baseOffset;
    this.#logStartOffset = start < this.leo ? start : this.leo;
    this.hw = this.clamp(o.highWatermark ?? this.#logStartOffset);
    this.onLogStartOffsetChange = o.onLogStartOffsetChange;
    this.onIoError = o.onIoError;
    this.producers = new LogProducers({
      dir: o.dir, name: `${o.topic}-${o.partition}`, logger, producerIdExpirationMs: o.producerIdExpirationMs ?? DEFAULT_PRODUCER_ID_EXPIRATION_MS,
      onIoError: (err) => this.reportIoError(err),
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
    opened.epochCache.truncateFromStart(log.#logStartOffset);
    await log.persistEpochs();
    // Recovered data and rebuilt indexes are fsynced, so the recovery point is the log end.
    if (!opened.report.hadCleanShutdown) await log.local.flush();
    log.producerStateLoad = await log.rebuildProducers();
    await opened.removeCleanShutdownMarker();
    logger.debug({ logStartOffset: String(log.#logStartOffset), logEndOffset: String(log.leo), segments: opened.segments.length }, 'log opened');
    return log;
  }

  get config(): Readonly<LogConfig> { return this.cfg; }
  get logStartOffset(): bigint { return this.#logStartOffset; }
  get logEndOffset(): bigint { return this.leo; }
  get highWatermark(): bigint { return this.hw; }
  /** Offsets below this are fsynced (with their indexes). */
  get recoveryPoint(): bigint { return this.local.recoveryPoint; }
  get latestEpoch(): number | undefined { return this.epochCache.latestEpoch; }
  get epochEntries(): readonly { epoch: number; startOffset: bigint }[] { return this.epochCache.entries; }
  get isClosed(): boolean { return this.closed; }
  /** True after an I/O error: the log's directory is offline on this broker. */
  get isOffline(): boolean { return this.offline; }
  /** Bytes of all segments' .log files. */
  get size(): number { return this.segs.reduce((sum, s) => sum + s.size, 0); }
  get numberOfSegments(): number { return this.segs.length; }
  get activeSegment(): LogSegment { return this.local.activeSegment; }
  /** Snapshot for the cleaner and tools; never mutate. */
  get segmentList(): readonly LogSegment[] { return this.segs; }
  private get segs(): readonly LogSegment[] { return this.local.segments; }
  private get leo(): bigint { return this.local.logEndOffset; }

  segments(): SegmentInfo[] {
    return this.local.segmentInfos();
  }

  /** Idempotent producer state of one producer id (tools, tests). */
  producerState(producerId: bigint): Readonly<ProducerStateEntry> | undefined {
    return this.producers.entry(producerId);
  }

  get activeProducerCount(): number {
    return this.producers.size;
  }

  /** Forgets producers idle for producerIdExpirationMs (LogManager runs it periodically). */
  removeExpiredProducers(): Promise<number> {
    return this.queue.run(() => (this.closed || this.offline ? 0 : this.producers.removeExpired(this.clock.now())));
  }

  private rebuildProducers(): Promise<ProducerStateLoad> {
    return this.producers.rebuild({ segments: this.segs, logStartOffset: this.#logStartOffset, logEndOffset: this.leo, nowMs: this.clock.now() });
  }

  updateConfig(partial: Partial<LogConfig>): void {
    this.cfg = resolveLogConfig({ ...this.cfg, ...partial });
  }

  /** Moves the high watermark forward (never back), clamped to [logStartOffset, logEndOffset]. Returns the value now in force. */
  updateHighWatermark(hw: bigint): bigint {
    const v = this.clamp(hw);
    if (v > this.hw) this.hw = v;
    return this.hw;
  }

  /** Sets the high watermark even backwards (a follower adopting a new leader's value). */
  resetHighWatermark(hw: bigint): bigint {
    this.hw = this.clamp(hw);
    return this.hw;
  }

  private clamp(offset: bigint): bigint {
    return offset < this.#logStartOffset ? this.#logStartOffset : offset > this.leo ? this.leo : offset;
  }

  private ensureOpen(): void {
    if (this.offline) throw new StorageError('STG_LOG_DIR_OFFLINE', `log ${this.topic}-${this.partition} is offline: its log directory failed`);
    if (this.closed) throw new StorageError('STG_LOG_CLOSED', `log ${this.topic}-${this.partition} is closed`);
  }

  /** The single writer's queue, with I/O errors turned into a failed log directory. */
  private run<T>(task: () => Promise<T>): Promise<T> {
    return this.queue.run(() => this.guard(task));
  }

  private async guard<T>(task: () => Promise<T>): Promise<T> {
    try {
      return await task();
    } catch (err) {
      if (!isIoError(err)) throw err;
      const failure = ioError(`${this.topic}-${this.partition}`, err);
      this.reportIoError(failure);
      throw failure;
    }
  }

  /**
   * The disk failed under this log: stop at once (no flush, no marker; what is on disk is left
   * for recovery) and tell the owner, who takes the whole directory offline. Once only.
   */
  private reportIoError(err: StorageError): void {
    if (this.offline) return;
    this.logger.error({ err, dir: this.dir }, 'I/O error: the log goes offline');
    this.markOffline();
    try {
      this.onIoError?.(err, this);
    } catch (e) {
      this.logger.error({ err: e }, 'log directory failure handler failed');
    }
  }

  /**
   * Offline without touching the disk (Kafka's closeHandlers): later operations fail with
   * STG_LOG_DIR_OFFLINE; file descriptors close once in-flight reads finish.
   */
  markOffline(): void {
    if (this.offline) return;
    this.offline = true;
    this.closed = true;
    this.local.abandon();
  }

  /**
   * Producer batches: validated (nothing written if any fails), offsets assigned from the log end
   * offset by patching baseOffset, partitionLeaderEpoch stamped. Patches `batches` in place.
   * Idempotent batches from clients are checked against producer state first: a retry of one of
   * a producer's last 5 batches is not written and gets the original offsets with
   * `duplicate: true`; a sequence gap → STG_OUT_OF_ORDER_SEQUENCE, an old epoch →
   * STG_INVALID_PRODUCER_EPOCH, nothing written.
   */
  appendAsLeader(batches: Buffer, leaderEpoch: number, opts: { isFromClient?: boolean } = {}): Promise<AppendResult> {
    return this.run(async () => {
      this.ensureOpen();
      const isFromClient = opts.isFromClient ?? true;
      const a = analyzeLeaderAppend(batches, this.cfg, isFromClient);
      const appendTime = this.cfg.messageTimestampType === 'LogAppendTime' ? BigInt(this.clock.now()) : -1n;
      const firstOffset = this.leo;
      const plan = this.producers.planLeaderAppend(a, firstOffset, appendTime, isFromClient);
      const dup = plan.duplicate;
      if (dup) {
        const logAppendTime = this.cfg.messageTimestampType === 'LogAppendTime' ? dup.timestamp : -1n;
        return { firstOffset: dup.firstOffset, lastOffset: dup.lastOffset, logAppendTime, recordCount: 0, duplicate: true };
      }
      const info = assignOffsets(batches, a, firstOffset, leaderEpoch, appendTime);
      if (leaderEpoch >= 0 && this.epochCache.assign(leaderEpoch, firstOffset)) await this.persistEpochs();
      await this.local.append(batches, info, a.recordCount);
      this.producers.recordLeaderAppend(plan, this.clock.now());
      return { firstOffset, lastOffset: info.lastOffset, logAppendTime: appendTime, recordCount: a.recordCount };
    });
  }

  /** Replicated batches, offsets already assigned: must start at or after the log end offset and grow. Appended verbatim. */
  appendAsFollower(batches: Buffer): Promise<AppendResult> {
    return this.run(async () => {
      this.ensureOpen();
      const a: AppendAnalysis = analyzeFollowerAppend(batches, this.leo, this.cfg.segmentBytes);
      let changed = false;
      for (const b of a.batches) {
        const epoch = b.header.partitionLeaderEpoch;
        if (epoch >= 0 && this.epochCache.assign(epoch, b.header.baseOffset)) changed = true;
      }
      if (changed) await this.persistEpochs();
      const first = a.batches[0]!;
      const last = a.batches.at(-1)!;
      await this.local.append(batches, {
        firstOffset: first.header.baseOffset,
        lastOffset: last.lastOffset,
        maxTimestamp: a.maxTimestamp,
        offsetOfMaxTimestamp: a.batches[a.maxTimestampBatch]!.lastOffset,
        firstBatchMaxTimestamp: first.header.maxTimestamp,
      }, a.recordCount);
      this.producers.recordFollowerAppend(a, this.clock.now());
      return { firstOffset: first.header.baseOffset, lastOffset: last.lastOffset, logAppendTime: -1n, recordCount: a.recordCount };
    });
  }

  /** Forces a roll at the log end offset (tests, tools). */
  forceRoll(): Promise<void> {
    return this.run(() => this.local.roll(this.leo));
  }

  /**
   * Whole batches from the one holding `fetchOffset`, up to maxBytes (but at least one batch with
   * minOneBatch), below `maxOffset`. Out of [logStartOffset, logEndOffset] → STG_OFFSET_OUT_OF_RANGE.
   */
  async read(fetchOffset: bigint, maxBytes: number, opts: ReadOptions = {}): Promise<ReadResult> {
    for (let attempt = 0; ; attempt++) {
      this.ensureOpen();
      const segs = this.segs;
      const sizes = segs.map((s) => s.size);
      if (fetchOffset < this.#logStartOffset || fetchOffset > this.leo) {
        throw new StorageError('STG_OFFSET_OUT_OF_RANGE', `offset ${fetchOffset} outside [${this.#logStartOffset}, ${this.leo}] of ${this.topic}-${this.partition}`);
      }
      if (fetchOffset === this.leo || (opts.maxOffset !== undefined && fetchOffset >= opts.maxOffset)) return { records: EMPTY, firstOffset: fetchOffset };
      try {
        return await readFromSegments(segs, sizes, fetchOffset, maxBytes, opts);
      } catch (err) {
        if (isIoError(err)) {
          const failure = ioError(`read of ${this.topic}-${this.partition}`, err);
          this.reportIoError(failure);
          throw failure;
        }
        if (!(err instanceof StorageError && err.code === 'STG_LOG_CLOSED' && attempt < 3 && !this.closed)) throw err;
      }
    }
  }

  /** Earliest record with timestamp ≥ ts (ListOffsets by time), or undefined when none. */
  offsetForTimestamp(ts: bigint): Promise<TimestampAndOffset | undefined> {
    this.ensureOpen();
    return this.guard(() => findOffsetByTimestamp(this.segs, ts, this.#logStartOffset));
  }

  endOffsetForEpoch(epoch: number): EpochEndOffset {
    return this.epochCache.endOffsetFor(epoch, this.leo);
  }

  /** Becoming leader (KIP-279): the new epoch starts at the current log end offset. */
  assignEpochStartOffset(epoch: number, startOffset: bigint): Promise<void> {
    return this.run(async () => {
      this.ensureOpen();
      if (this.epochCache.assign(epoch, startOffset)) await this.persistEpochs();
    });
  }

  private persistEpochs(): Promise<void> {
    return writeEpochCheckpoint(join(this.dir, LEADER_EPOCH_CHECKPOINT), this.epochCache.entries);
  }

  /**
   * Follower truncation: removes every offset ≥ `offset` (a batch straddling it goes whole),
   * later segments entirely, and epochs that started there. Returns the new log end offset.
   */
  truncateTo(offset: bigint): Promise<bigint> {
    return this.run(async () => {
      this.ensureOpen();
      if (offset < 0n) throw new StorageError('STG_OFFSET_OUT_OF_RANGE', `cannot truncate to ${offset}`);
      if (offset >= this.leo) return this.leo;
      if (offset < this.#logStartOffset) {
        await this.truncateFully(offset);
        return this.leo;
      }
      const { logEndOffset: newLeo, removedSegments } = await this.local.truncateTo(offset);
      if (this.epochCache.truncateFromEnd(newLeo)) await this.persistEpochs();
      await this.rebuildProducers();
      if (this.hw > newLeo) this.hw = newLeo;
      this.logger.info({ offset: String(offset), logEndOffset: String(newLeo), removedSegments }, 'truncated log');
      return newLeo;
    });
  }

  /** Empties the log and restarts it at `offset` (a follower far behind the leader's log start). */
  truncateFullyAndStartAt(offset: bigint): Promise<void> {
    return this.run(() => this.truncateFully(offset));
  }

  private async truncateFully(offset: bigint): Promise<void> {
    this.ensureOpen();
    await this.local.reset(offset);
    this.#logStartOffset = this.hw = offset;
    this.epochCache.clear();
    await this.producers.clear(offset);
    await this.persistEpochs();
    this.onLogStartOffsetChange?.(this);
  }

  /**
   * DeleteRecords: moves logStartOffset up to `offset` (≤ high watermark) and deletes segments
   * now entirely below it. Returns the log start offset in force.
   */
  advanceLogStartOffset(offset: bigint): Promise<bigint> {
    return this.run(async () => {
      this.ensureOpen();
      if (offset <= this.#logStartOffset) return this.#logStartOffset;
      if (offset > this.hw) throw new StorageError('STG_OFFSET_OUT_OF_RANGE', `cannot move log start to ${offset}, above the high watermark ${this.hw}`);
      this.#logStartOffset = offset;
      if (this.epochCache.truncateFromStart(offset)) await this.persistEpochs();
      await this.producers.prune(this.#logStartOffset);
      this.onLogStartOffsetChange?.(this);
      if (offset === this.leo && this.activeSegment.size > 0) await this.local.roll(this.leo);
      await this.deleteSegments(selectSegmentsToDelete(this.segments(), { retentionMs: -1, retentionBytes: -1, logStartOffset: offset, highWatermark: this.hw }, this.clock.now()));
      return this.#logStartOffset;
    });
  }

  deleteRecordsBefore(offset: bigint): Promise<bigint> {
    return this.advanceLogStartOffset(offset);
  }

  /** Retention by time, size and log start offset (the policy decides which apply). */
  deleteOldSegments(): Promise<SegmentDeletion[]> {
    return this.run(async () => {
      if (this.closed || this.offline) return [];
      const timeAndSize = this.cfg.cleanupPolicy.includes('delete');
      const active = this.activeSegment;
      // An expired active segment can only go once it is rolled (and fully below the high watermark).
      if (timeAndSize && this.cfg.retentionMs >= 0 && active.size > 0 && this.hw >= this.leo && this.clock.now() - Number(active.largestTimestamp()) > this.cfg.retentionMs) {
        await this.local.roll(this.leo);
      }
      const selected = selectSegmentsToDelete(this.segments(), {
        retentionMs: timeAndSize ? this.cfg.retentionMs : -1,
        retentionBytes: timeAndSize ? this.cfg.retentionBytes : -1,
        logStartOffset: this.#logStartOffset,
        highWatermark: this.hw,
      }, this.clock.now());
      await this.deleteSegments(selected);
      return selected;
    });
  }

  private async deleteSegments(selected: readonly SegmentDeletion[]): Promise<void> {
    if (selected.length === 0) return;
    const newStart = selected.at(-1)!.nextBaseOffset;
    if (newStart > this.#logStartOffset) {
      // logStartOffset moves first, so nobody is sent to a segment about to vanish.
      this.#logStartOffset = newStart;
      if (this.epochCache.truncateFromStart(newStart)) await this.persistEpochs();
      await this.producers.prune(this.#logStartOffset);
      this.onLogStartOffsetChange?.(this);
    }
    await this.local.remove(new Set(selected.map((s) => s.baseOffset)));
    this.logger.info({ segments: selected.map((s) => `${s.baseOffset}:${s.reason}`), logStartOffset: String(this.#logStartOffset) }, 'deleted log segments');
  }

  /** Renames to `.deleted` now, removes after fileDeleteDelayMs (leftovers are removed on the next open). */
  retire(victims: readonly LogSegment[]): Promise<void> {
    return this.local.retire(victims);
  }

  /** fsync everything appended so far; the recovery point becomes the log end offset. */
  flush(): Promise<void> {
    return this.run(() => this.local.flush());
  }

  /** Flushes when flushIntervalMs has passed since the last flush and something is unflushed. */
  maybeFlushOnTime(): Promise<void> {
    if (this.closed || this.offline || !this.local.flushDue) return Promise.resolve();
    return this.flush();
  }

  /** Runs `task` as the single writer (the cleaner's swap uses this). */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.run(async () => {
      this.ensureOpen();
      return task();
    });
  }

  /** Replaces the segment list (cleaner swap); only from inside `exclusive`. */
  replaceSegmentList(segments: LogSegment[]): void {
    this.local.replaceSegments(segments);
  }

  /** Flushes, persists indexes and the epoch cache, and leaves the clean-shutdown marker. */
  close(opts: { clean?: boolean } = {}): Promise<void> {
    return this.run(async () => {
      if (this.closed || this.offline) return;
      const clean = opts.clean ?? true;
      await this.local.rolledSegmentsFlushed();
      if (clean) {
        await this.local.flush();
        await this.persistEpochs();
        await this.producers.snapshot(this.leo);
      }
      this.closed = true;
      await this.local.closeSegments(clean);
      if (clean) await writeFileAtomic(join(this.dir, CLEAN_SHUTDOWN_MARKER), `${this.leo}\n`);
    });
  }
}
