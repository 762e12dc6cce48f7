/**
 * Recently appended chunks stay referenced so that reads of a log's tail (followers, consumers
 * keeping up) are answered from memory, without a read syscall or a fresh buffer: the role the
 * page cache plays for Kafka's sendfile. Only leader appends are remembered (the leader serves the
 * tail; a follower's memory goes to its next fetch): a chunk is the caller's buffer as appended (a
 * view of a produce request, never written to again). Bounded per segment and
 * per process by the bytes the chunks keep alive (a view keeps its whole frame alive), counted at
 * the size of the buffer behind each; dropped on roll, truncation and close.
 */
export const RECENT_SEGMENT_BYTES = 16 * 1024 * 1024;
/**
 * Kept low on purpose: V8 answers retained external memory beyond ~20 MB with full mark-compact
 * collections (measured: 32 MB of 1 MB buffers kept → 7× the GC time of 16 MB).
 */
export const RECENT_PROCESS_BYTES = 16 * 1024 * 1024;
let recentProcessBytes = 0;

export interface RecentChunk {
  readonly position: number;
  readonly firstOffset: bigint;
  /** Offset after the chunk's last batch. */
  readonly nextOffset: bigint;
  readonly data: Buffer;
  readonly retained: number;
}

/** One segment's remembered chunks, in file order. */
export class RecentTail {
  /** Remembered chunks are chunks[head..]; a head index keeps dropping the oldest O(1). */
  private chunks: RecentChunk[] = [];
  private head = 0;
  private bytes = 0;

  /** Keeps `data` (appended at `position`, offsets [firstOffset, nextOffset)) when the budgets allow. */
  remember(position: number, firstOffset: bigint, nextOffset: bigint, data: Buffer): void {
    if (data.length === 0) return;
    // Chunks sharing a buffer (small requests read in one socket chunk) count it once.
    const last = this.chunks.length > this.head ? this.chunks.at(-1) : undefined;
    const retained = last?.data.buffer === data.buffer ? data.length : data.buffer.byteLength;
    while (this.chunks.length > this.head && this.bytes + retained > RECENT_SEGMENT_BYTES) this.dropOldest();
    if (retained > RECENT_SEGMENT_BYTES || recentProcessBytes + retained > RECENT_PROCESS_BYTES) return;
    this.chunks.push({ position, firstOffset, nextOffset, data, retained });
    this.bytes += retained;
    recentProcessBytes += retained;
  }

  /** Lets go of every remembered chunk (roll, truncation, close). */
  forget(): void {
    recentProcessBytes -= this.bytes;
    this.chunks = [];
    this.head = 0;
    this.bytes = 0;
  }

  /**
   * The remembered chunks from the one holding `offset` on, contiguous in the file and wholly
   * below `endPosition` (the size a read snapshotted): their bytes are exactly the file's.
   */
  from(offset: bigint, endPosition: number): RecentChunk[] {
    let i = this.chunks.length - 1;
    while (i >= this.head && offset < this.chunks[i]!.firstOffset) i--;
    if (i < this.head || offset >= this.chunks[i]!.nextOffset) return [];
    const out: RecentChunk[] = [];
    for (let at = this.chunks[i]!.position; i < this.chunks.length; i++) {
      const c = this.chunks[i]!;
      if (c.position !== at || c.position + c.data.length > endPosition) break;
      out.push(c);
      at += c.data.length;
    }
    return out;
  }

  private dropOldest(): void {
    const c = this.chunks[this.head]!;
    this.chunks[this.head++] = undefined as unknown as RecentChunk;
    this.bytes -= c.retained;
    recentProcessBytes -= c.retained;
    if (this.head === this.chunks.length) {
      this.chunks = [];
      this.head = 0;
    } else if (this.head >= 64 && this.head * 2 >= this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }
}
