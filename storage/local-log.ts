/**
 * The segments of one log on disk (Kafka's LocalLog): the segment list, the log end offset and
 * the recovery point; appending into the active segment, rolling, flushing, cutting the tail and
 * removing segments. Policy (log start offset, high watermark, leader epochs, producer state,
 * validation, I/O-failure handling) stays in PartitionLog, which calls the mutating methods only
 * from its single-writer queue.
 */
import type { Logger } from 'pino';
import type { Clock, Scheduler } from '../common/index.js';
import type { LogConfig } from './config.js';
import { ioError, isIoError, type StorageError } from './errors.js';
import { fsyncDir } from './files.js';
import type { SegmentInfo } from './retention.js';
import { LogSegment, type AppendInfo } from './segment.js';
import type { WriterFs } from './segment-writer.js';
import { jitterFn, retireSegments, segmentParams, shouldRoll } from './segment-list.js';

export interface LocalLogHost {
  readonly dir: string;
  readonly config: () => Readonly<LogConfig>;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly random: () => number;
  /** A new active segment starts at `baseOffset`; `previousBaseOffset` is the one before it. */
  readonly onRoll: (baseOffset: bigint, previousBaseOffset: bigint) => Promise<void>;
  /** The background fsync of a rolled segment hit the disk failing. */
  readonly onIoError: (err: StorageError) => void;
  /** Closed or offline: flushing does nothing. */
  readonly stopped: () => boolean;
  /** The writes of new segments (default node:fs). */
  readonly writerFs?: WriterFs;
}

export class LocalLog {
  private segs: readonly LogSegment[];
  private leo: bigint;
  private rp: bigint;
  private unflushedMessages = 0;
  /** fsyncs of rolled segments running in the background, in roll order. */
  private rollFlushes: Promise<void> = Promise.resolve();
  /** Bumped by every truncation, so a late background flush does not raise the recovery point past it. */
  private truncations = 0;
  private lastFlushMs: number;
  /** The write of the latest append: resolves once everything appended so far is in the file. */
  private lastWriteP: Promise<void> = Promise.resolve();

  constructor(private readonly h: LocalLogHost, segments: readonly LogSegment[]) {
    this.segs = segments;
    this.leo = segments.at(-1)!.nextOffset;
    this.rp = this.leo;
    this.lastFlushMs = h.clock.now();
  }

  /** Replaced, never mutated in place: a snapshot stays valid. */
  get segments(): readonly LogSegment[] { return this.segs; }
  /** Offset after the last batch appended (written or not): where the next append goes. */
  get logEndOffset(): bigint { return this.leo; }
  /**
   * Offset after the last batch whose bytes are in the file: what the log shows outside (reads,
   * high watermark). Only the active segment can have writes pending (a roll drains the old one).
   */
  get writtenEndOffset(): bigint {
    const a = this.activeSegment;
    return a.allWritten ? this.leo : a.writtenNextOffset;
  }
  /** Appends whose bytes are not in the file yet. */
  get pendingWrites(): number { return this.activeSegment.pendingWrites; }
  /** Resolves when the latest append's bytes (and so every earlier one's) are in the file. */
  get lastWrite(): Promise<void> { return this.lastWriteP; }
  /** Offsets below this are fsynced (with their indexes). */
  get recoveryPoint(): bigint { return this.rp; }
  get activeSegment(): LogSegment { return this.segs.at(-1)!; }

  segmentInfos(): SegmentInfo[] {
    return this.segs.map((s, i) => ({
      baseOffset: s.baseOffset,
      nextBaseOffset: this.segs[i + 1]?.baseOffset ?? this.leo,
      sizeBytes: s.size,
      largestTimestamp: s.largestTimestamp(),
      isActive: i === this.segs.length - 1,
    }));
  }

  /** The cleaner's swap. */
  replaceSegments(segments: readonly LogSegment[]): void {
    this.segs = segments;
  }

  /**
   * Resolves once the bookkeeping is done; the bytes are written behind it (`lastWrite`), so the
   * next append can queue while this one's write runs. `remember`: the chunk stays in memory for
   * reads of the tail (leader appends, segment.ts).
   */
  async append(data: Buffer, info: AppendInfo, recordCount: number, remember = false): Promise<void> {
    const cfg = this.h.config();
    if (shouldRoll(this.activeSegment, data.length, info, cfg, this.h.clock.now())) await this.roll(info.firstOffset > this.leo ? info.firstOffset : this.leo);
    this.lastWriteP = this.activeSegment.append(data, info, remember);
    this.leo = info.lastOffset + 1n;
    this.unflushedMessages += recordCount;
    if (this.unflushedMessages >= cfg.flushIntervalMessages) await this.flush();
  }

  /** Starts a new active segment at `baseOffset`; the old one is fsynced (Kafka flushes on roll). */
  async roll(baseOffset: bigint): Promise<void> {
    const cfg = this.h.config();
    const old = this.activeSegment;
    // Only the active segment may have writes pending (writtenEndOffset relies on it).
    await old.drainWrites();
    if (old.size === 0) {
      if (old.baseOffset === baseOffset) return;
      this.segs = this.segs.slice(0, -1);
      await old.deleteFiles();
    } else old.onBecomeInactive();
    this.segs = [...this.segs, this.newSegment(baseOffset, cfg)];
    await this.h.onRoll(baseOffset, this.segs.at(-2)?.baseOffset ?? baseOffset);
    if (old.size > 0) {
      // Kafka flushes the rolled segment asynchronously: appends to the new one need not wait.
      const sync = await old.prepareFlush();
      const generation = this.truncations;
      this.rollFlushes = this.rollFlushes
        .then(async () => {
          await sync();
          if (old !== this.activeSegment) old.unloadIndexes();
          await fsyncDir(this.h.dir);
          // A truncation meanwhile may have removed offsets below baseOffset: then keep the lower point.
          if (generation === this.truncations && baseOffset > this.rp && baseOffset <= this.leo) this.rp = baseOffset;
        })
        .catch((err: unknown) => {
          this.h.logger.error({ err, segment: old.logPath }, 'fsync of rolled segment failed');
          // What the page cache held may never reach the disk: the directory cannot be trusted.
          if (isIoError(err)) this.h.onIoError(ioError(`fsync of ${old.logPath}`, err));
        });
    }
    this.h.logger.debug({ baseOffset: String(baseOffset) }, 'rolled new log segment');
  }

  private newSegment(baseOffset: bigint, cfg: Readonly<LogConfig>): LogSegment {
    return LogSegment.create(this.h.dir, baseOffset, segmentParams(cfg), this.h.clock.now(), jitterFn(cfg, this.h.random)(), '', this.h.writerFs);
  }

  /** Something is unflushed and flush.ms has passed since the last flush. */
  get flushDue(): boolean {
    return this.unflushedMessages > 0 && this.h.clock.now() - this.lastFlushMs >= this.h.config().flushIntervalMs;
  }

  /** fsync everything appended so far; the recovery point becomes the log end offset. */
  async flush(): Promise<void> {
    if (this.h.stopped()) return;
    await this.drain();
    const upTo = this.leo;
    await this.rollFlushes;
    // Nothing appended since the last flush (an idle log at a clean close): no fsync at all.
    const dirty = this.segs.filter((s) => s.nextOffset > this.rp || s.flushedSize < s.size);
    if (dirty.length === 0 && upTo <= this.rp) {
      this.unflushedMessages = 0;
      this.lastFlushMs = this.h.clock.now();
      return;
    }
    for (const s of this.segs) if (s.nextOffset > this.rp || s === this.activeSegment || s.flushedSize < s.size) await s.flush();
    await fsyncDir(this.h.dir);
    if (upTo > this.rp) this.rp = upTo;
    this.unflushedMessages = 0;
    this.lastFlushMs = this.h.clock.now();
  }

  /** Resolves when every append so far is in the file; rejects with the write error if one failed. */
  drain(): Promise<void> {
    return this.activeSegment.drainWrites();
  }

  /** Background fsyncs of rolled segments finished (close waits for them). */
  rolledSegmentsFlushed(): Promise<void> {
    return this.rollFlushes;
  }

  /**
   * Removes every offset ≥ `offset` (at or above the first segment's base; a batch straddling it
   * goes whole) and later segments entirely. Returns the new log end offset and how many
   * segments went.
   */
  async truncateTo(offset: bigint): Promise<{ logEndOffset: bigint; removedSegments: number }> {
    await this.drain();
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
    if (this.rp > newLeo) this.rp = newLeo;
    return { logEndOffset: newLeo, removedSegments: drop.length };
  }

  /** Every segment goes; the log restarts empty at `offset`. */
  async reset(offset: bigint): Promise<void> {
    await this.drain();
    this.truncations++;
    const old = this.segs;
    this.segs = [];
    for (const s of old) await s.close(false);
    await this.retire(old);
    this.segs = [this.newSegment(offset, this.h.config())];
    this.leo = this.rp = offset;
  }

  /** Segments (never the active one) leave the list at once and are retired. */
  async remove(baseOffsets: ReadonlySet<bigint>): Promise<void> {
    const victims = this.segs.filter((s) => baseOffsets.has(s.baseOffset) && s !== this.activeSegment);
    this.segs = this.segs.filter((s) => !victims.includes(s));
    await this.retire(victims);
  }

  /** Renames to `.deleted` now, removes after fileDeleteDelayMs (leftovers are removed on the next open). */
  retire(victims: readonly LogSegment[]): Promise<void> {
    return retireSegments(victims, this.h.config().fileDeleteDelayMs, this.h.scheduler, (err) => this.h.logger.error({ err, task: 'delete-segments' }, 'storage task failed'));
  }

  /** Closes every segment (`persistIndexes` on a clean close), without waiting for anything else. */
  async closeSegments(persistIndexes: boolean): Promise<void> {
    for (const s of this.segs) await s.close(persistIndexes);
  }

  /** Closes descriptors once in-flight reads finish, touching nothing on disk (a failed directory). */
  abandon(): void {
    for (const s of this.segs) void s.close(false).catch(() => undefined);
  }
}
