/**
 * One segment: `<base>.log` plus its `.index` and `.timeindex`. An append does its bookkeeping at
 * once and hands its bytes to the segment's writer (segment-writer.ts: positional writes into the
 * page cache off the event loop, like Kafka's FileChannel writes; fsync is separate); reads are
 * `fs.read` into fresh buffers, with bytes still on their way to the file taken from the writer.
 * A segment closes its file only once no write or read is in flight, so a concurrent truncation
 * or deletion can never make a read hit a reused descriptor.
 */
import { closeSync, constants, fstatSync, fsync, openSync, promises as fsp, read } from 'node:fs';
import { join } from 'node:path';
import { RECORD_BATCH_HEADER_SIZE, readBatchHeader } from '../protocol/index.js';
import { scanBatches, type CheckedBatch, type ScanResult } from './batch-check.js';
import { StorageError } from './errors.js';
import { INDEX_SUFFIX, LOG_SUFFIX, segmentFileName, TIME_INDEX_SUFFIX } from './files.js';
import { OffsetIndex, TimeIndex } from './index-file.js';
import { RecentTail, type RecentChunk } from './recent-tail.js';
import { SegmentWriter, type WriterFs } from './segment-writer.js';

export interface SegmentParams {
  segmentIndexBytes: number;
  indexIntervalBytes: number;
}

export interface AppendInfo {
  firstOffset: bigint;
  lastOffset: bigint;
  /** Largest batch maxTimestamp in the chunk. */
  maxTimestamp: bigint;
  /** Last offset of the batch carrying maxTimestamp (Kafka's shallow offset of max timestamp). */
  offsetOfMaxTimestamp: bigint;
  /** maxTimestamp of the first batch in the chunk (basis of time-based rolling). */
  firstBatchMaxTimestamp: bigint;
}

async function readOptional(path: string): Promise<Buffer | undefined> {
  try {
    return await fsp.readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export class LogSegment {
  /** Offset after the last batch (baseOffset while empty). */
  nextOffset: bigint;
  maxTimestampSoFar = -1n;
  offsetOfMaxTimestampSoFar: bigint;
  /** maxTimestamp of the first batch; undefined while empty or not yet loaded. */
  rollingBasedTimestamp: bigint | undefined;
  /** Bytes known to be fsynced. */
  flushedSize = 0;
  private bytesSinceLastIndexEntry = 0;
  private pendingReads = 0;
  /** The leader's last appends, for tail reads from memory. */
  private readonly recent = new RecentTail();
  private readonly writer: SegmentWriter;
  private closing: (() => void) | undefined;
  private closed = false;
  /** Set when closing starts: no append may queue a write behind the final drain. */
  private writesClosed = false;

  private constructor(
    readonly dir: string,
    readonly baseOffset: bigint,
    private fd: number,
    public size: number,
    public offsetIndex: OffsetIndex,
    public timeIndex: TimeIndex,
    readonly params: SegmentParams,
    /** Creation time (ms) for time-based rolling of a segment without timestamps. */
    readonly createdMs: number,
    /** Random per-segment jitter subtracted from segmentMs. */
    readonly rollJitterMs: number,
    /** File suffix after `.log`, e.g. `.cleaned` while the cleaner writes it. */
    public transientSuffix: string,
    writerFs?: WriterFs,
  ) {
    this.nextOffset = baseOffset;
    this.offsetOfMaxTimestampSoFar = baseOffset;
    this.writer = new SegmentWriter(fd, size, () => this.logPath, writerFs);
  }

  static path(dir: string, baseOffset: bigint, suffix: string, transient = ''): string {
    return join(dir, segmentFileName(baseOffset, suffix) + transient);
  }

  /** A new empty segment; an existing file of the same name is truncated. */
  static create(dir: string, baseOffset: bigint, params: SegmentParams, nowMs: number, rollJitterMs: number, transient = '', writerFs?: WriterFs): LogSegment {
    const fd = openSync(LogSegment.path(dir, baseOffset, LOG_SUFFIX, transient), constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC, 0o644);
    const seg = new LogSegment(
      dir, baseOffset, fd, 0,
      new OffsetIndex(LogSegment.path(dir, baseOffset, INDEX_SUFFIX, transient), baseOffset, params.segmentIndexBytes),
      new TimeIndex(LogSegment.path(dir, baseOffset, TIME_INDEX_SUFFIX, transient), baseOffset, params.segmentIndexBytes),
      params, nowMs, rollJitterMs, transient, writerFs,
    );
    return seg;
  }

  /**
   * Opens an existing segment with whatever index files are there (missing → empty). The caller
   * runs `checkIndexes` and, if needed, `recover` before trusting them.
   */
  static async open(dir: string, baseOffset: bigint, params: SegmentParams, nowMs: number, rollJitterMs: number, transient = ''): Promise<LogSegment> {
    const logPath = LogSegment.path(dir, baseOffset, LOG_SUFFIX, transient);
    const fd = openSync(logPath, constants.O_RDWR);
    const { size, mtimeMs } = fstatSync(fd);
    const idxPath = LogSegment.path(dir, baseOffset, INDEX_SUFFIX, transient);
    const tixPath = LogSegment.path(dir, baseOffset, TIME_INDEX_SUFFIX, transient);
    const [idx, tix] = await Promise.all([readOptional(idxPath), readOptional(tixPath)]);
    const seg = new LogSegment(
      dir, baseOffset, fd, size,
      new OffsetIndex(idxPath, baseOffset, params.segmentIndexBytes, idx),
      new TimeIndex(tixPath, baseOffset, params.segmentIndexBytes, tix),
      params, Math.min(nowMs, mtimeMs), rollJitterMs, transient,
    );
    seg.flushedSize = size;
    seg.indexFilesComplete = idx !== undefined && tix !== undefined && idx.length % 8 === 0 && tix.length % 12 === 0;
    return seg;
  }

  /** False when an index file was missing or had a partial entry at open. */
  indexFilesComplete = true;

  get logPath(): string {
    return LogSegment.path(this.dir, this.baseOffset, LOG_SUFFIX, this.transientSuffix);
  }

  /** Newest record timestamp, for retention (falls back to file age when no batch has one). */
  largestTimestamp(): bigint {
    if (this.maxTimestampSoFar >= 0n) return this.maxTimestampSoFar;
    return BigInt(Math.floor(fstatSync(this.fd).mtimeMs));
  }

  lastModifiedMs(): number {
    return fstatSync(this.fd).mtimeMs;
  }

  get indexesFull(): boolean {
    return this.offsetIndex.isFull || this.timeIndex.isFull;
  }

  /**
   * Appends one chunk of whole batches at the end and indexes it sparsely, at once; the returned
   * promise resolves when its bytes are in the file (page cache) and rejects with STG_IO when the
   * write failed (the file is then cut at the last chunk written). `remember`: keep it for tail reads.
   */
  append(data: Buffer, info: AppendInfo, remember = false): Promise<void> {
    if (this.closed || this.writesClosed) throw new StorageError('STG_LOG_CLOSED', `segment ${this.logPath} is closed`);
    const failed = this.writer.failed;
    if (failed) throw failed;
    const position = this.size;
    const written = this.writer.enqueue(position, data, this.nextOffset, info.lastOffset + 1n);
    if (this.size === 0) this.rollingBasedTimestamp = info.firstBatchMaxTimestamp;
    if (info.maxTimestamp > this.maxTimestampSoFar) {
      this.maxTimestampSoFar = info.maxTimestamp;
      this.offsetOfMaxTimestampSoFar = info.offsetOfMaxTimestamp;
    }
    // Index the chunk's last offset → its start, when enough bytes passed since the last entry.
    if (this.bytesSinceLastIndexEntry > this.params.indexIntervalBytes) {
      this.offsetIndex.append(info.lastOffset, position);
      this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar);
      this.bytesSinceLastIndexEntry = 0;
    }
    this.bytesSinceLastIndexEntry += data.length;
    this.size += data.length;
    this.nextOffset = info.lastOffset + 1n;
    if (remember && this.transientSuffix === '') this.recent.remember(position, info.firstOffset, info.lastOffset + 1n, data);
    return written;
  }

  /** End of the bytes whose write completed: what reads from outside the writer may rely on. */
  get writtenSize(): number {
    return this.writer.writtenSize;
  }

  /** Every append is in the file (none pending, none failed). */
  get allWritten(): boolean {
    return this.writer.pending === 0 && this.writer.failed === undefined;
  }

  /** Offset after the last batch written. */
  get writtenNextOffset(): bigint {
    return this.allWritten ? this.nextOffset : this.writer.writtenNextOffset;
  }

  /** Appends whose bytes are not in the file yet. */
  get pendingWrites(): number {
    return this.writer.pending;
  }

  /** writev calls made so far (tests, how well appends coalesce). */
  get writeCalls(): number {
    return this.writer.writeCalls;
  }

  /** Resolves once every append so far is in the file; rejects with the write error if one failed. */
  drainWrites(): Promise<void> {
    return this.writer.drain();
  }

  /** Lets go of every remembered chunk (roll, truncation, close). */
  forgetRecent(): void {
    this.recent.forget();
  }

  /** See RecentTail.from. */
  recentFrom(offset: bigint, endPosition: number): RecentChunk[] {
    return this.recent.from(offset, endPosition);
  }

  /**
   * Reads up to `length` bytes at `position` (fewer at the end of the segment). Bytes whose write
   * has not completed come from the writer's pending chunks, so a read equals the file as it will be.
   */
  readAt = (position: number, length: number): Promise<Buffer> => {
    if (this.closed) return Promise.reject(new StorageError('STG_LOG_CLOSED', `segment ${this.logPath} is closed`));
    const buf = Buffer.allocUnsafe(length);
    // Taken before the read is issued: any chunk not in it completed before, so the file has it.
    const pending = position + length > this.writer.writtenSize ? this.writer.overlapping(position, position + length) : [];
    this.pendingReads++;
    return new Promise<Buffer>((resolve, reject) => {
      const step = (done: number): void => {
        if (done >= length) return resolve(buf);
        read(this.fd, buf, done, length - done, position + done, (err, n) => {
          if (err) return reject(err);
          if (n === 0) return resolve(buf.subarray(0, done));
          step(done + n);
        });
      };
      step(0);
    }).then((got) => {
      if (pending.length === 0) return got;
      const lastEnd = pending.at(-1)!.position + pending.at(-1)!.data.length;
      for (const c of pending) {
        const from = Math.max(position, c.position);
        const to = Math.min(position + length, c.position + c.data.length);
        c.data.copy(buf, from - position, from - c.position, to - c.position);
      }
      return buf.subarray(0, Math.max(got.length, Math.min(length, lastEnd - position)));
    }).finally(() => {
      this.pendingReads--;
      if (this.pendingReads === 0 && this.closing) this.closing();
    });
  };

  /** Walks batches from `start` (default 0) to the end of the segment as it is now. */
  scan(opts: { validate: boolean; start?: number; chunkSize?: number }, visit: (b: CheckedBatch, bytes: Buffer) => boolean | void): Promise<ScanResult> {
    return scanBatches(this.readAt, opts.start ?? 0, this.writtenSize, { validate: opts.validate, chunkSize: opts.chunkSize, minNextOffset: opts.validate ? this.baseOffset : undefined }, visit);
  }

  /** Position of the first batch whose last offset is ≥ target, with that batch, or undefined past the end. */
  async findBatch(target: bigint, endPosition = this.size): Promise<CheckedBatch | undefined> {
    const start = this.offsetIndex.lookup(target).position;
    let found: CheckedBatch | undefined;
    await scanBatches(this.readAt, start, endPosition, { validate: false, chunkSize: 16 * 1024 }, (b) => {
      if (b.lastOffset < target) return true;
      found = b;
      return false;
    });
    return found;
  }

  /**
   * Rebuilds indexes and in-memory state from the batches from `start` on (0: everything); with
   * `validate` stops at the first invalid batch and cuts the file there. `onBatch` sees each
   * surviving batch (epoch cache rebuild).
   */
  async recover(validate: boolean, onBatch?: (b: CheckedBatch) => void): Promise<ScanResult & { truncatedBytes: number }> {
    this.offsetIndex.reset();
    this.timeIndex.reset();
    this.maxTimestampSoFar = -1n;
    this.offsetOfMaxTimestampSoFar = this.baseOffset;
    this.rollingBasedTimestamp = undefined;
    this.bytesSinceLastIndexEntry = 0;
    this.nextOffset = this.baseOffset;
    const result = await this.scan({ validate }, (b) => {
      if (this.rollingBasedTimestamp === undefined) this.rollingBasedTimestamp = b.header.maxTimestamp;
      if (b.header.maxTimestamp > this.maxTimestampSoFar) {
        this.maxTimestampSoFar = b.header.maxTimestamp;
        this.offsetOfMaxTimestampSoFar = b.lastOffset;
      }
      if (this.bytesSinceLastIndexEntry > this.params.indexIntervalBytes) {
        this.offsetIndex.append(b.lastOffset, b.position);
        this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar);
        this.bytesSinceLastIndexEntry = 0;
      }
      this.bytesSinceLastIndexEntry += b.size;
      this.nextOffset = b.lastOffset + 1n;
      onBatch?.(b);
    });
    const truncatedBytes = this.size - result.validBytes;
    if (truncatedBytes > 0) await this.truncateFile(result.validBytes);
    this.indexFilesComplete = true;
    return { ...result, truncatedBytes };
  }

  /**
   * Restores nextOffset, max timestamp and index spacing of a segment whose indexes are trusted,
   * by scanning only the tail after the last offset index entry.
   */
  async loadTail(): Promise<ScanResult> {
    const lastIdx = this.offsetIndex.lastEntry;
    const lastTime = this.timeIndex.lastEntry;
    if (lastTime) {
      this.maxTimestampSoFar = lastTime.timestamp;
      this.offsetOfMaxTimestampSoFar = lastTime.offset;
    }
    const start = lastIdx?.position ?? 0;
    this.nextOffset = this.baseOffset;
    this.bytesSinceLastIndexEntry = 0;
    const result = await this.scan({ validate: false, start, chunkSize: 64 * 1024 }, (b) => {
      if (b.header.maxTimestamp > this.maxTimestampSoFar) {
        this.maxTimestampSoFar = b.header.maxTimestamp;
        this.offsetOfMaxTimestampSoFar = b.lastOffset;
      }
      this.nextOffset = b.lastOffset + 1n;
      this.bytesSinceLastIndexEntry += b.size;
    });
    this.rollingBasedTimestamp = undefined;
    if (this.size >= RECORD_BATCH_HEADER_SIZE) {
      try {
        this.rollingBasedTimestamp = readBatchHeader(await this.readAt(0, RECORD_BATCH_HEADER_SIZE), 0).maxTimestamp;
      } catch {
        // An unreadable first header is recovery's business; time-based rolling then uses the creation time.
      }
    }
    return result;
  }

  /** Cuts the log at `position` (a batch boundary) and drops index entries beyond it. */
  async truncateTo(position: number, newNextOffset: bigint): Promise<number> {
    await this.drainWrites();
    const removed = this.size - position;
    if (removed <= 0) return 0;
    await this.truncateFile(position);
    this.offsetIndex.truncateToPosition(position);
    this.timeIndex.truncateToOffset(newNextOffset);
    this.nextOffset = newNextOffset;
    if (position === 0) this.rollingBasedTimestamp = undefined;
    this.maxTimestampSoFar = -1n;
    this.offsetOfMaxTimestampSoFar = this.baseOffset;
    await this.loadTail();
    return removed;
  }

  private async truncateFile(position: number): Promise<void> {
    this.forgetRecent();
    await fsp.truncate(this.logPath, position);
    this.size = position;
    this.writer.truncated(position);
    this.flushedSize = Math.min(this.flushedSize, position);
  }

  /** Drops index entries from memory when they are all on disk (inactive segments). */
  unloadIndexes(): void {
    this.forgetRecent();
    this.offsetIndex.unload();
    this.timeIndex.unload();
  }

  /** Called on roll: a final time index entry so the segment's max timestamp survives. */
  onBecomeInactive(): void {
    this.forgetRecent();
    this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar);
  }

  /** fsyncs the log and writes + fsyncs both indexes. */
  async flush(): Promise<void> {
    if (this.closed) return;
    await (await this.prepareFlush())();
  }

  /**
   * Writes the index files now (call as the log's single writer, so no rename can race with it)
   * and returns the slow part: fsync of the log and both indexes through descriptors opened
   * here, which may then run in the background. The log descriptor stays open until it is done.
   */
  async prepareFlush(): Promise<() => Promise<void>> {
    await this.drainWrites();
    const upTo = this.size;
    await Promise.all([this.offsetIndex.persist(false), this.timeIndex.persist(false)]);
    const indexFds = [openSync(this.offsetIndex.path, 'r'), openSync(this.timeIndex.path, 'r')];
    this.pendingReads++;
    const syncFd = (fd: number): Promise<void> => new Promise<void>((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve())));
    return async () => {
      try {
        await Promise.all([syncFd(this.fd), ...indexFds.map(syncFd)]);
        this.flushedSize = Math.max(this.flushedSize, upTo);
      } finally {
        for (const fd of indexFds) closeSync(fd);
        this.pendingReads--;
        if (this.pendingReads === 0 && this.closing) this.closing();
      }
    };
  }

  /** Persists indexes (with the final time entry) and releases the file once reads are done. */
  async close(persistIndexes = true): Promise<void> {
    if (this.closed) return;
    this.writesClosed = true;
    // A failed write was reported to its append; the descriptor still waits for its ftruncate.
    await this.writer.drain().catch(() => undefined);
    if (this.closed) return;
    this.forgetRecent();
    if (persistIndexes) {
      this.onBecomeInactive();
      await Promise.all([this.offsetIndex.persist(false), this.timeIndex.persist(false)]);
    }
    this.closed = true;
    if (this.pendingReads > 0) await new Promise<void>((resolve) => (this.closing = resolve));
    closeSync(this.fd);
  }

  /** Renames all three files to carry `transient` (e.g. `.deleted`, `.swap`, or '' to finalise). */
  async renameSuffix(transient: string): Promise<void> {
    for (const suffix of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX]) {
      const from = LogSegment.path(this.dir, this.baseOffset, suffix, this.transientSuffix);
      const to = LogSegment.path(this.dir, this.baseOffset, suffix, transient);
      await fsp.rename(from, to).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    }
    this.transientSuffix = transient;
    this.offsetIndex = this.retarget(this.offsetIndex, INDEX_SUFFIX);
    this.timeIndex = this.retarget(this.timeIndex, TIME_INDEX_SUFFIX);
  }

  private retarget<T extends OffsetIndex | TimeIndex>(index: T, suffix: string): T {
    index.path = LogSegment.path(this.dir, this.baseOffset, suffix, this.transientSuffix);
    return index;
  }

  /** Removes the segment's files (whatever their current suffix). */
  async deleteFiles(): Promise<void> {
    await this.close(false);
    for (const suffix of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX]) {
      await fsp.rm(LogSegment.path(this.dir, this.baseOffset, suffix, this.transientSuffix), { force: true });
    }
  }
}
