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
import { CLEAN_SHUTDOWN_MARKER, fsyncDir, LEADER_EPOCH_CHECKPOINT, writeFileAtomic } from './files.js';
import type { EpochEndOffset, LeaderEpochCache } from './leader-epoch-cache.js';
import { openLogDirectory, type RecoveryReport } from './log-loader.js';
import { deleteSnapshotsOutside, rebuildProducerState, type ProducerStateLoad } from './producer-state-loader.js';
import { writeProducerSnapshot } from './producer-state-snapshot.js';
import { controlMarkerOf, ProducerStateManager, type CompletedTxn, type ProducerBatch, type ProducerStateEntry } from './producer-state.js';
import { AbortedTxnIndex } from './txn-index.js';
import { findOffsetByTimestamp, readFromSegments, type ReadOptions, type ReadResult, type TimestampAndOffset } from './log-read.js';
import { selectSegmentsToDelete, type SegmentDeletion, type SegmentInfo } from './retention.js';
import { jitterFn, LogSegment, retireSegments, segmentParams, type AppendInfo } from './segment.js';
import { SerialQueue } from './serial-queue.js';

export interface PartitionLogOptions {
  /** The partition directory itself (`<logDir>/<topic>-<partition>`); created if missing. */
  dir: string;
  topic: string;
  partition: number;
  config?: Partial<LogConfig>;
  clock?: Clock;
  scheduler?: Scheduler;
  logger?: Logger;
  /** From recovery-point-offset-checkpoint; after an unclean shutdown batches from here on are re-validated (default 0: all). */
  recoveryPoint?: bigint;
  /** From log-start-offset-checkpoint (DeleteRecords may have moved it inside a segment). */
  logStartOffset?: bigint;
  /** From replication-offset-checkpoint. */
  highWatermark?: bigint;
  /** Source of segment roll jitter (default Math.random). */
  random?: () => number;
  /** Told after logStartOffset moved, so the owner can checkpoint it promptly. */
  onLogStartOffsetChange?: (log: PartitionLog) => void;
  /** `producer.id.expiration.ms` (default 1 day): idle idempotent producers are forgotten after this. */
  producerIdExpirationMs?: number;
  /**
   * Told once when an operation hits an I/O error (Kafka's LogDirFailureChannel): the log is
   * offline from then on, and the owner takes the whole log directory offline.
   */
  onIoError?: (err: StorageError, log: PartitionLog) => void;
}

export interface AppendResult {
  firstOffset: bigint;
  lastOffset: bigint;
  /** The broker time stamped into the batches with LogAppendTime, else -1. */
  logAppendTime: bigint;
  recordCount: number;
  /**
   * True when the batches were retries of batches already in the log (idempotent producer whose
   * response was lost): nothing was written and the offsets are those of the ORIGINAL append.
   */
  duplicate?: boolean;
}

const DEFAULT_PRODUCER_ID_EXPIRATION_MS = 86_400_000;

/**
 * Who appends as leader (Kafka's AppendOrigin): a client's batches are checked against producer
 * state and may not be control batches; the transaction coordinator writes markers (control
 * batches) and its own logs without sequence checks.
 */
export type AppendOrigin = 'client' | 'coordinator';

const EMPTY: Buffer = Buffer.alloc(0);
const INT32_MAX = 0x7fffffffn;

export class PartitionLog {
  readonly topic: string;
  readonly partition: number;
  readonly dir: string;
  private cfg: Readonly<LogConfig>;
  private segs: readonly LogSegment[];
  private leo: bigint;
  private logStart: bigint;
  private hw: bigint;
  private rp: bigint;
  private readonly queue = new SerialQueue();
  private unflushedMessages = 0;
  /** fsyncs of rolled segments running in the background, in roll order. */
  private rollFlushes: Promise<void> = Promise.resolve();
  /** Bumped by every truncation, so a late background flush does not raise the recovery point past it. */
  private truncations = 0;
  private lastFlushMs: number;
  private closed = false;
  /** An I/O error was seen: nothing more is read or written (STG_LOG_DIR_OFFLINE). */
  private offline = false;
  private readonly producers: ProducerStateManager;
  /** Aborted transactions (`.txnindex`), for read_committed fetches. */
  private readonly txnIndex: AbortedTxnIndex;
  /** How producer state was rebuilt at open (snapshot used, batches replayed). */
  producerStateLoad: ProducerStateLoad = { replayedBatches: 0 };

  private constructor(
    o: PartitionLogOptions,
    segments: LogSegment[],
    private readonly epochCache: LeaderEpochCache,
    readonly recoveryReport: RecoveryReport,
    private readonly clock: Clock,
    private readonly scheduler: Scheduler,
    readonly logger: Logger,
    private readonly random: () => number,
  ) {
    this.topic = o.topic;
    this.partition = o.partition;
    this.dir = o.dir;
    this.cfg = resolveLogConfig(o.config);
    this.segs = segments;
    this.leo = segments.at(-1)!.nextOffset;
    const start = o.logStartOffset !== undefined && o.logStartOffset > segments[0]!.baseOffset ? o.logStartOffset : segments[0]!.baseOffset;
    this.logStart = start < this.leo ? start : this.leo;
    this.hw = this.clamp(o.highWatermark ?? this.logStart);
    this.rp = this.leo;
    this.lastFlushMs = clock.now();
    this.onLogStartOffsetChange = o.onLogStartOffsetChange;
    this.onIoError = o.onIoError;
    this.producers = new ProducerStateManager({ producerIdExpirationMs: o.producerIdExpirationMs ?? DEFAULT_PRODUCER_ID_EXPIRATION_MS });
    this.txnIndex = new AbortedTxnIndex(o.dir);
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
    opened.epochCache.truncateFromStart(log.logStart);
    await log.persistEpochs();
    // Recovered data and rebuilt indexes are fsynced, so the recovery point is the log end.
    if (!opened.report.hadCleanShutdown) await log.flushSegments();
    await log.txnIndex.load(log.segs.map((seg) => seg.baseOffset));
    log.producerStateLoad = await log.rebuildProducers();
    await opened.removeCleanShutdownMarker();
    logger.debug({ logStartOffset: String(log.logStart), logEndOffset: String(log.leo), segments: opened.segments.length }, 'log opened');
    return log;
  }

  get config(): Readonly<LogConfig> { return this.cfg; }
  get logStartOffset(): bigint { return this.logStart; }
  get logEndOffset(): bigint { return this.leo; }
  get highWatermark(): bigint { return this.hw; }
  /** Offsets below this are fsynced (with their indexes). */
  get recoveryPoint(): bigint { return this.rp; }
  get latestEpoch(): number | undefined { return this.epochCache.latestEpoch; }
  get epochEntries(): readonly { epoch: number; startOffset: bigint }[] { return this.epochCache.entries; }
  get isClosed(): boolean { return this.closed; }
  /** True after an I/O error: the log's directory is offline on this broker. */
  get isOffline(): boolean { return this.offline; }
  /** Bytes of all segments' .log files. */
  get size(): number { return this.segs.reduce((sum, s) => sum + s.size, 0); }
  get numberOfSegments(): number { return this.segs.length; }
  get activeSegment(): LogSegment { return this.segs.at(-1)!; }
  /** Snapshot for the cleaner and tools; never mutate. */
  get segmentList(): readonly LogSegment[] { return this.segs; }

  segments(): SegmentInfo[] {
    return this.segs.map((s, i) => ({
      baseOffset: s.baseOffset,
      nextBaseOffset: this.segs[i + 1]?.baseOffset ?? this.leo,
      sizeBytes: s.size,
      largestTimestamp: s.largestTimestamp(),
      isActive: i === this.segs.length - 1,
    }));
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

  /** Producer state from the latest snapshot plus the log after it; replayed ABORT markers the index missed are re-added. */
  private async rebuildProducers(): Promise<ProducerStateLoad> {
    const completed: CompletedTxn[] = [];
    const load = await rebuildProducerState(this.producers, {
      dir: this.dir, segments: this.segs, logStartOffset: this.logStart, logEndOffset: this.leo, nowMs: this.clock.now(), logger: this.logger,
      onCompletedTxn: (t) => completed.push(t),
    });
    for (const t of completed) await this.indexIfAborted(t);
    return load;
  }

  /** Producer state takes a batch now in the log; an ABORT marker goes to the aborted transaction index. */
  private async trackProducerBatch(b: ProducerBatch, nowMs: number): Promise<void> {
    const completed = this.producers.update(b, nowMs);
    if (completed !== undefined) await this.indexIfAborted(completed);
  }

  private async indexIfAborted(t: CompletedTxn): Promise<void> {
    if (!t.aborted) return;
    const segmentBase = this.segs.filter((seg) => seg.baseOffset <= t.lastOffset).at(-1)?.baseOffset ?? this.segs[0]!.baseOffset;
    const lastStableOffset = this.producers.firstUnstableOffset() ?? t.lastOffset + 1n;
    await this.txnIndex.append(segmentBase, { producerId: t.producerId, firstOffset: t.firstOffset, lastOffset: t.lastOffset, lastStableOffset });
  }

  /**
   * The last stable offset (Kafka's LSO): below it every transaction has ended, so a
   * read_committed consumer may read up to here. The high watermark when none is open.
   */
  get lastStableOffset(): bigint {
    const firstUnstable = this.producers.firstUnstableOffset();
    return firstUnstable !== undefined && firstUnstable < this.hw ? firstUnstable : this.hw;
  }

  /** Aborted transactions overlapping [fetchOffset, upperBoundOffset) (read_committed Fetch). */
  collectAbortedTransactions(fetchOffset: bigint, upperBoundOffset: bigint): { producerId: bigint; firstOffset: bigint }[] {
    return this.txnIndex.collect(fetchOffset, upperBoundOffset);
  }

  /** A missing snapshot only makes the next open replay more, so a failed write does not fail the caller. */
  private async snapshotProducers(offset: bigint, keepFrom?: bigint): Promise<void> {
    try {
      await writeProducerSnapshot(this.dir, offset, this.producers.entries());
      if (keepFrom !== undefined) await deleteSnapshotsOutside(this.dir, keepFrom);
    } catch (err) {
      this.logger.warn({ err, snapshotOffset: String(offset) }, 'producer state snapshot failed');
      // A failing disk still takes the directory offline; the caller's operation need not fail.
      if (isIoError(err)) this.reportIoError(ioError(`producer state snapshot of ${this.topic}-${this.partition}`, err));
    }
  }

  /** The log start moved: producers entirely below it are forgotten, and so are older snapshots. */
  private async pruneProducers(): Promise<void> {
    this.producers.pruneBefore(this.logStart);
    await deleteSnapshotsOutside(this.dir, this.logStart);
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
    return offset < this.logStart ? this.logStart : offset > this.leo ? this.leo : offset;
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
    for (const s of this.segs) void s.close(false).catch(() => undefined);
  }

  /**
   * Producer batches: validated (nothing written if any fails), offsets assigned from the log end
   * offset by patching baseOffset, partitionLeaderEpoch stamped. Patches `batches` in place.
   * Idempotent batches from clients are checked against producer state first: a retry of one of
   * a producer's last 5 batches is not written and gets the original offsets with
   * `duplicate: true`; a sequence gap → STG_OUT_OF_ORDER_SEQUENCE, an old epoch →
   * STG_INVALID_PRODUCER_EPOCH, nothing written.
   */
  appendAsLeader(batches: Buffer, leaderEpoch: number, opts: { origin?: AppendOrigin } = {}): Promise<AppendResult> {
    return this.run(async () => {
      this.ensureOpen();
      const isFromClient = (opts.origin ?? 'client') === 'client';
      const a = analyzeLeaderAppend(batches, this.cfg, isFromClient);
      const appendTime = this.cfg.messageTimestampType === 'LogAppendTime' ? BigInt(this.clock.now()) : -1n;
      const firstOffset = this.leo;
      const planned: ProducerBatch[] = [];
      let next = firstOffset;
      let idempotent = false;
      for (const b of a.batches) {
        planned.push({ header: b.header, baseOffset: next, maxTimestamp: appendTime >= 0n ? appendTime : b.header.maxTimestamp, marker: controlMarkerOf(b.header, batches.subarray(b.position, b.position + b.size)) });
        next += BigInt(b.header.lastOffsetDelta) + 1n;
        if (b.header.producerId >= 0n) idempotent = true;
      }
      if (!isFromClient) for (const p of planned) if (p.marker !== undefined) this.producers.checkMarker(p.header.producerId, p.header.producerEpoch, p.marker);
      if (isFromClient && idempotent) {
        const dup = this.producers.checkLeaderAppend(planned);
        if (dup) {
          const logAppendTime = this.cfg.messageTimestampType === 'LogAppendTime' ? dup.timestamp : -1n;
          return { firstOffset: dup.firstOffset, lastOffset: dup.lastOffset, logAppendTime, recordCount: 0, duplicate: true };
        }
      }
      const info = assignOffsets(batches, a, firstOffset, leaderEpoch, appendTime);
      if (leaderEpoch >= 0 && this.epochCache.assign(leaderEpoch, firstOffset)) await this.persistEpochs();
      await this.appendChunk(batches, info, a.recordCount);
      if (idempotent) {
        const now = this.clock.now();
        for (const p of planned) await this.trackProducerBatch(p, now);
      }
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
      await this.appendChunk(batches, {
        firstOffset: first.header.baseOffset,
        lastOffset: last.lastOffset,
        maxTimestamp: a.maxTimestamp,
        offsetOfMaxTimestamp: a.batches[a.maxTimestampBatch]!.lastOffset,
        firstBatchMaxTimestamp: first.header.maxTimestamp,
      }, a.recordCount);
      const now = this.clock.now();
      for (const b of a.batches) {
        if (b.header.producerId >= 0n) {
          await this.trackProducerBatch({ header: b.header, baseOffset: b.header.baseOffset, maxTimestamp: b.header.maxTimestamp, marker: controlMarkerOf(b.header, batches.subarray(b.position, b.position + b.size)) }, now);
        }
      }
      return { firstOffset: first.header.baseOffset, lastOffset: last.lastOffset, logAppendTime: -1n, recordCount: a.recordCount };
    });
  }

  private async appendChunk(data: Buffer, info: AppendInfo, recordCount: number): Promise<void> {
    await this.maybeRoll(data.length, info);
    this.activeSegment.append(data, info);
    this.leo = info.lastOffset + 1n;
    this.unflushedMessages += recordCount;
    if (this.unflushedMessages >= this.cfg.flushIntervalMessages) await this.flushSegments();
  }

  private async maybeRoll(size: number, info: AppendInfo): Promise<void> {
    const seg = this.activeSegment;
    // Kafka's timeWaitedForRoll: incoming timestamp minus the first batch's, else wall-clock age.
    const first = seg.rollingBasedTimestamp;
    const age = first !== undefined && first >= 0n ? Number(info.maxTimestamp - first) : this.clock.now() - seg.createdMs;
    const full = seg.size > 0 && seg.size > this.cfg.segmentBytes - size;
    const old = seg.size > 0 && age > this.cfg.segmentMs - seg.rollJitterMs;
    const overflow = info.lastOffset - seg.baseOffset > INT32_MAX || info.firstOffset < seg.baseOffset;
    if (full || old || overflow || seg.indexesFull) await this.roll(info.firstOffset > this.leo ? info.firstOffset : this.leo);
  }

  /** Starts a new active segment at `baseOffset`; the old one is fsynced (Kafka flushes on roll). */
  private async roll(baseOffset: bigint): Promise<void> {
    const old = this.activeSegment;
    if (old.size === 0) {
      if (old.baseOffset === baseOffset) return;
      this.segs = this.segs.slice(0, -1);
      await old.deleteFiles();
    } else old.onBecomeInactive();
    const seg = LogSegment.create(this.dir, baseOffset, segmentParams(this.cfg), this.clock.now(), jitterFn(this.cfg, this.random)());
    this.segs = [...this.segs, seg];
    // Producer state as of the new segment's base: recovery replays at most this segment. As
    // Kafka, snapshots of the last two segments are kept (a truncation rarely goes further).
    const previous = this.segs.at(-2)?.baseOffset ?? baseOffset;
    await this.snapshotProducers(baseOffset, previous > this.logStart ? previous : this.logStart);
    if (old.size > 0) {
      // Kafka flushes the rolled segment asynchronously: appends to the new one need not wait.
      const sync = await old.prepareFlush();
      const generation = this.truncations;
      this.rollFlushes = this.rollFlushes
        .then(async () => {
          await sync();
          if (old !== this.activeSegment) old.unloadIndexes();
          await fsyncDir(this.dir);
          // A truncation meanwhile may have removed offsets below baseOffset: then keep the lower point.
          if (generation === this.truncations && baseOffset > this.rp && baseOffset <= this.leo) this.rp = baseOffset;
        })
        .catch((err: unknown) => {
          this.logger.error({ err, segment: old.logPath }, 'fsync of rolled segment failed');
          // What the page cache held may never reach the disk: the directory cannot be trusted.
          if (isIoError(err)) this.reportIoError(ioError(`fsync of ${old.logPath}`, err));
        });
    }
    this.logger.debug({ baseOffset: String(baseOffset) }, 'rolled new log segment');
  }

  /** Forces a roll at the log end offset (tests, tools). */
  forceRoll(): Promise<void> {
    return this.run(() => this.roll(this.leo));
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
      if (fetchOffset < this.logStart || fetchOffset > this.leo) {
        throw new StorageError('STG_OFFSET_OUT_OF_RANGE', `offset ${fetchOffset} outside [${this.logStart}, ${this.leo}] of ${this.topic}-${this.partition}`);
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
    return this.guard(() => findOffsetByTimestamp(this.segs, ts, this.logStart));
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
      if (offset < this.logStart) {
        await this.truncateFully(offset);
        return this.leo;
      }
      this.truncations++;
      const keep = this.segs.filter((s) => s.baseOffset <= offset);
      const drop = this.segs.filter((s) => s.baseOffset > offset);
      const seg = keep.at(-1)!;
      const b = await seg.findBatch(offset);
      let newLeo = offset;
      if (b) {
        if (b.header.baseOffset < offset) newLeo = b.header.baseOffset;
        await seg.truncateTo(b.position, newLeo);
      }
      this.segs = keep;
      await this.retire(drop);
      this.leo = newLeo;
      if (this.epochCache.truncateFromEnd(newLeo)) await this.persistEpochs();
      await this.txnIndex.truncateTo(newLeo);
      await this.rebuildProducers();
      if (this.hw > newLeo) this.hw = newLeo;
      if (this.rp > newLeo) this.rp = newLeo;
      this.logger.info({ offset: String(offset), logEndOffset: String(newLeo), removedSegments: drop.length }, 'truncated log');
      return newLeo;
    });
  }

  /** Empties the log and restarts it at `offset` (a follower far behind the leader's log start). */
  truncateFullyAndStartAt(offset: bigint): Promise<void> {
    return this.run(() => this.truncateFully(offset));
  }

  private async truncateFully(offset: bigint): Promise<void> {
    this.ensureOpen();
    this.truncations++;
    const old = this.segs;
    this.segs = [];
    for (const s of old) await s.close(false);
    await this.retire(old);
    this.segs = [LogSegment.create(this.dir, offset, segmentParams(this.cfg), this.clock.now(), jitterFn(this.cfg, this.random)())];
    this.leo = this.logStart = this.hw = this.rp = offset;
    this.epochCache.clear();
    this.producers.clear();
    await this.txnIndex.followSegments([offset]);
    await deleteSnapshotsOutside(this.dir, offset, offset - 1n);
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
      if (offset <= this.logStart) return this.logStart;
      if (offset > this.hw) throw new StorageError('STG_OFFSET_OUT_OF_RANGE', `cannot move log start to ${offset}, above the high watermark ${this.hw}`);
      this.logStart = offset;
      if (this.epochCache.truncateFromStart(offset)) await this.persistEpochs();
      await this.pruneProducers();
      this.onLogStartOffsetChange?.(this);
      if (offset === this.leo && this.activeSegment.size > 0) await this.roll(this.leo);
      await this.deleteSegments(selectSegmentsToDelete(this.segments(), { retentionMs: -1, retentionBytes: -1, logStartOffset: offset, highWatermark: this.hw }, this.clock.now()));
      return this.logStart;
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
        await this.roll(this.leo);
      }
      const selected = selectSegmentsToDelete(this.segments(), {
        retentionMs: timeAndSize ? this.cfg.retentionMs : -1,
        retentionBytes: timeAndSize ? this.cfg.retentionBytes : -1,
        logStartOffset: this.logStart,
        highWatermark: this.hw,
      }, this.clock.now());
      await this.deleteSegments(selected);
      return selected;
    });
  }

  private async deleteSegments(selected: readonly SegmentDeletion[]): Promise<void> {
    if (selected.length === 0) return;
    const newStart = selected.at(-1)!.nextBaseOffset;
    if (newStart > this.logStart) {
      // logStartOffset moves first, so nobody is sent to a segment about to vanish.
      this.logStart = newStart;
      if (this.epochCache.truncateFromStart(newStart)) await this.persistEpochs();
      await this.pruneProducers();
      this.onLogStartOffsetChange?.(this);
    }
    const bases = new Set(selected.map((s) => s.baseOffset));
    const victims = this.segs.filter((s) => bases.has(s.baseOffset) && s !== this.activeSegment);
    this.segs = this.segs.filter((s) => !victims.includes(s));
    await this.txnIndex.followSegments(this.segs.map((s) => s.baseOffset));
    await this.retire(victims);
    this.logger.info({ segments: selected.map((s) => `${s.baseOffset}:${s.reason}`), logStartOffset: String(this.logStart) }, 'deleted log segments');
  }

  /** Renames to `.deleted` now, removes after fileDeleteDelayMs (leftovers are removed on the next open). */
  retire(victims: readonly LogSegment[]): Promise<void> {
    return retireSegments(victims, this.cfg.fileDeleteDelayMs, this.scheduler, (err) => this.logger.error({ err, task: 'delete-segments' }, 'storage task failed'));
  }

  /** fsync everything appended so far; the recovery point becomes the log end offset. */
  flush(): Promise<void> {
    return this.run(() => this.flushSegments());
  }

  /** Flushes when flushIntervalMs has passed since the last flush and something is unflushed. */
  maybeFlushOnTime(): Promise<void> {
    if (this.closed || this.offline || this.unflushedMessages === 0 || this.clock.now() - this.lastFlushMs < this.cfg.flushIntervalMs) return Promise.resolve();
    return this.flush();
  }

  private async flushSegments(): Promise<void> {
    if (this.closed || this.offline) return;
    const upTo = this.leo;
    await this.rollFlushes;
    for (const s of this.segs) if (s.nextOffset > this.rp || s === this.activeSegment || s.flushedSize < s.size) await s.flush();
    await fsyncDir(this.dir);
    if (upTo > this.rp) this.rp = upTo;
    this.unflushedMessages = 0;
    this.lastFlushMs = this.clock.now();
  }

  /** Runs `task` as the single writer (the cleaner's swap uses this). */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.run(async () => {
      this.ensureOpen();
      return task();
    });
  }

  /** Replaces the segment list (cleaner swap); only from inside `exclusive`. */
  replaceSegmentList(segments: LogSegment[]): Promise<void> {
    this.segs = segments;
    return this.txnIndex.followSegments(segments.map((s) => s.baseOffset));
  }

  /** Flushes, persists indexes and the epoch cache, and leaves the clean-shutdown marker. */
  close(opts: { clean?: boolean } = {}): Promise<void> {
    return this.run(async () => {
      if (this.closed || this.offline) return;
      const clean = opts.clean ?? true;
      await this.rollFlushes;
      if (clean) {
        await this.flushSegments();
        await this.persistEpochs();
        await this.snapshotProducers(this.leo);
      }
      this.closed = true;
      for (const s of this.segs) await s.close(clean);
      if (clean) await writeFileAtomic(join(this.dir, CLEAN_SHUTDOWN_MARKER), `${this.leo}\n`);
    });
  }
}
