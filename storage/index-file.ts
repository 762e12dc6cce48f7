/**
 * Sparse index files (`.index`, `.timeindex`). Entries live in memory (a growable buffer, the
 * role Kafka's mmap plays) and reach disk on flush, roll and close; an unclean shutdown may
 * lose recent entries, which is fine because recovery rebuilds the indexes of every segment
 * after the recovery point and validates the rest on open. Inactive segments drop their entries
 * from memory (`unload`) and read them back on first use, so memory follows what is read.
 */
import { constants, promises as fsp, readFileSync } from 'node:fs';

abstract class IndexFile {
  private data: Buffer;
  private unloaded = false;
  protected count = 0;
  /** Entries [0, persisted) are on disk as they are in memory. */
  private persisted = 0;

  constructor(
    public path: string,
    readonly baseOffset: bigint,
    readonly entrySize: number,
    /** Capacity in entries, from segmentIndexBytes. */
    readonly maxEntries: number,
    initial?: Buffer,
  ) {
    const entries = initial ? Math.floor(initial.length / entrySize) : 0;
    this.data = Buffer.alloc(Math.max(64, entries) * entrySize);
    if (initial) initial.copy(this.data, 0, 0, entries * entrySize);
    this.count = entries;
    this.persisted = entries;
  }

  /** The entries, read back from the file if they were unloaded. */
  protected get buf(): Buffer {
    if (this.unloaded) {
      this.unloaded = false;
      let file: Buffer;
      try {
        file = readFileSync(this.path);
      } catch {
        file = Buffer.alloc(0); // an empty index only costs a longer scan of the log
      }
      const entries = Math.min(this.count, Math.floor(file.length / this.entrySize));
      this.data = Buffer.alloc(Math.max(64, entries) * this.entrySize);
      file.copy(this.data, 0, 0, entries * this.entrySize);
      this.count = entries;
      this.persisted = entries;
    }
    return this.data;
  }

  /** Frees the in-memory entries if all of them are on disk; false if some are not. */
  unload(): boolean {
    if (this.unloaded) return true;
    if (this.persisted !== this.count) return false;
    this.data = Buffer.alloc(0);
    this.unloaded = true;
    return true;
  }

  get isLoaded(): boolean {
    return !this.unloaded;
  }

  get entries(): number {
    return this.count;
  }

  get isFull(): boolean {
    return this.count >= this.maxEntries;
  }

  get sizeInBytes(): number {
    return this.count * this.entrySize;
  }

  protected relative(offset: bigint): number {
    return Number(offset - this.baseOffset);
  }

  protected reserve(): number {
    const buf = this.buf;
    if ((this.count + 1) * this.entrySize > buf.length) {
      const next = Buffer.alloc(buf.length * 2);
      buf.copy(next, 0, 0, this.count * this.entrySize);
      this.data = next;
    }
    return this.count++ * this.entrySize;
  }

  /** Keeps the first `n` entries. */
  truncateToEntries(n: number): void {
    if (n >= this.count) return;
    void this.buf; // load first: the file is cut to the new size on the next persist
    this.count = Math.max(0, n);
    this.persisted = Math.min(this.persisted, this.count);
  }

  reset(): void {
    this.truncateToEntries(0);
  }

  /** Largest i with key(i) ≤ target, or -1. Keys are strictly increasing. */
  protected floorIndex(target: (i: number) => number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (target(mid) <= 0) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** Writes what changed since the last persist and trims the file to the entries in memory. */
  async persist(fsync: boolean): Promise<void> {
    if (this.unloaded) return; // nothing in memory that is not on disk
    // O_RDWR without O_APPEND: positional writes must land where we say, not at the end.
    const fh = await fsp.open(this.path, constants.O_RDWR | constants.O_CREAT, 0o644);
    try {
      const from = this.persisted * this.entrySize;
      const to = this.count * this.entrySize;
      if (to > from) await fh.write(this.buf, from, to - from, from);
      const { size } = await fh.stat();
      if (size !== to) await fh.truncate(to);
      if (fsync) await fh.sync();
      this.persisted = this.count;
    } finally {
      await fh.close();
    }
  }

  /** Raw entries, for dump tools and tests. */
  bytes(): Buffer {
    return this.buf.subarray(0, this.count * this.entrySize);
  }
}

interface OffsetPosition {
  offset: bigint;
  position: number;
}

/** `.index`: int32 relative offset (the last offset of an appended chunk) → int32 file position of that chunk. */
export class OffsetIndex extends IndexFile {
  constructor(path: string, baseOffset: bigint, maxIndexBytes: number, initial?: Buffer) {
    super(path, baseOffset, 8, Math.floor(maxIndexBytes / 8), initial);
  }

  offsetAt(i: number): bigint {
    return this.baseOffset + BigInt(this.buf.readInt32BE(i * 8));
  }

  positionAt(i: number): number {
    return this.buf.readInt32BE(i * 8 + 4);
  }

  get lastEntry(): OffsetPosition | undefined {
    return this.count === 0 ? undefined : { offset: this.offsetAt(this.count - 1), position: this.positionAt(this.count - 1) };
  }

  /** Entries must grow in offset; a non-increasing one is ignored (Kafka would throw). */
  append(offset: bigint, position: number): void {
    const rel = this.relative(offset);
    if (this.count > 0 && rel <= this.buf.readInt32BE((this.count - 1) * 8)) return;
    const at = this.reserve();
    this.buf.writeInt32BE(rel, at);
    this.buf.writeInt32BE(position, at + 4);
  }

  /** The batch holding `target` starts at or after the returned position. */
  lookup(target: bigint): OffsetPosition {
    const rel = this.relative(target);
    const i = this.floorIndex((m) => this.buf.readInt32BE(m * 8) - rel);
    return i < 0 ? { offset: this.baseOffset, position: 0 } : { offset: this.offsetAt(i), position: this.positionAt(i) };
  }

  /** Drops entries that point at or beyond `position` (the log was cut there). */
  truncateToPosition(position: number): void {
    const i = this.floorIndex((m) => this.positionAt(m) - (position - 1));
    this.truncateToEntries(i + 1);
  }

  /** Why the entries cannot describe a log of `logSize` bytes, or undefined if they can. */
  sanityCheck(logSize: number): string | undefined {
    let prevRel = -1;
    let prevPos = -1;
    for (let i = 0; i < this.count; i++) {
      const rel = this.buf.readInt32BE(i * 8);
      const pos = this.positionAt(i);
      if (rel <= prevRel || rel < 0) return `entry ${i}: relative offset ${rel} not increasing`;
      if (pos < prevPos || pos < 0 || pos >= Math.max(logSize, 1)) return `entry ${i}: position ${pos} outside log of ${logSize} bytes`;
      prevRel = rel;
      prevPos = pos;
    }
    return undefined;
  }
}

interface TimestampOffset {
  timestamp: bigint;
  offset: bigint;
}

/** `.timeindex`: int64 max timestamp seen so far → int32 relative offset of the record carrying it. */
export class TimeIndex extends IndexFile {
  constructor(path: string, baseOffset: bigint, maxIndexBytes: number, initial?: Buffer) {
    super(path, baseOffset, 12, Math.floor(maxIndexBytes / 12), initial);
  }

  timestampAt(i: number): bigint {
    return this.buf.readBigInt64BE(i * 12);
  }

  offsetAt(i: number): bigint {
    return this.baseOffset + BigInt(this.buf.readInt32BE(i * 12 + 8));
  }

  get lastEntry(): TimestampOffset | undefined {
    return this.count === 0 ? undefined : { timestamp: this.timestampAt(this.count - 1), offset: this.offsetAt(this.count - 1) };
  }

  /** Only a strictly larger timestamp (and a later offset) makes an entry: the index stays monotonic. */
  maybeAppend(timestamp: bigint, offset: bigint): void {
    const last = this.lastEntry;
    if (last && (timestamp <= last.timestamp || offset < last.offset)) return;
    const at = this.reserve();
    this.buf.writeBigInt64BE(timestamp, at);
    this.buf.writeInt32BE(this.relative(offset), at + 8);
  }

  /** Largest entry whose timestamp < ts: no record up to its offset reaches ts. */
  lookup(ts: bigint): TimestampOffset {
    const i = this.floorIndex((m) => (this.timestampAt(m) < ts ? -1 : 1));
    return i < 0 ? { timestamp: -1n, offset: this.baseOffset } : { timestamp: this.timestampAt(i), offset: this.offsetAt(i) };
  }

  /** Drops entries whose offset is ≥ `offset`. */
  truncateToOffset(offset: bigint): void {
    let n = this.count;
    while (n > 0 && this.offsetAt(n - 1) >= offset) n--;
    this.truncateToEntries(n);
  }

  sanityCheck(nextOffset: bigint): string | undefined {
    let prevTs: bigint | undefined;
    let prevOff = -1n;
    for (let i = 0; i < this.count; i++) {
      const ts = this.timestampAt(i);
      const off = this.offsetAt(i);
      if (prevTs !== undefined && ts <= prevTs) return `entry ${i}: timestamp ${ts} not increasing`;
      if (off < prevOff || off < this.baseOffset || off >= (nextOffset > this.baseOffset ? nextOffset : this.baseOffset + 1n)) return `entry ${i}: offset ${off} outside segment`;
      prevTs = ts;
      prevOff = off;
    }
    return undefined;
  }
}
