/**
 * Splits a TCP byte stream into Kafka frames (int32 size + payload). The announced size is
 * checked against the limit before anything is allocated, so a hostile size costs an error, not
 * memory; within the limit the frame's buffer is allocated as soon as its size is known (as
 * Kafka's NetworkReceive does), and bytes are copied into it as they arrive, while they are
 * still in the CPU cache, never gathered first and copied at the end. A frame wholly inside one
 * chunk is a view of it, not a copy. After a throw the stream is out of sync: the caller must
 * close the connection.
 *
 * Two ways to feed it, one per decoder: `push(chunk)` for sockets that emit 'data', or
 * `readTarget()` + `commitRead(n)` for a client socket opened with Node's `onread` option: the
 * kernel then writes a large frame straight into its own buffer (no user-space copy at all) and
 * small frames land in a shared slab they are views of (slabs are never reused, so a frame stays
 * valid for as long as it is referenced).
 */
import { ProtocolError } from './errors.js';

export interface FrameDecoderOptions {
  /** Largest payload accepted (Kafka's socket.request.max.bytes, 100 MiB by default). */
  maxFrameBytes: number;
}

export class FrameTooLargeError extends ProtocolError {
  readonly size: number;
  constructor(size: number, max: number) {
    super('PRT_FRAME_TOO_LARGE', `frame of ${size} bytes announced; the limit is ${max} bytes`);
    this.size = size;
  }
}

/** Slab for small frames read through `readTarget` (Node's own socket reads are 64 KiB). */
const SLAB_BYTES = 64 * 1024;
/** A slab with less room than this is replaced before the next read. */
const MIN_READ_BYTES = 4 * 1024;
const EMPTY = Buffer.alloc(0);

export class FrameDecoder {
  private readonly maxFrameBytes: number;
  /** A size prefix split across chunks (push). */
  private readonly head = Buffer.alloc(4);
  private headFill = 0;
  /** The frame being assembled in its own buffer, and how much of it has arrived. */
  private frame: Buffer | undefined;
  private fill = 0;
  /** readTarget mode: bytes [slabStart, slabEnd) of the slab are read and not yet framed. */
  private slab: Buffer = EMPTY;
  private slabStart = 0;
  private slabEnd = 0;
  /** What the last readTarget() handed out: the frame's rest or the slab's free room. */
  private target: 'frame' | 'slab' = 'slab';

  constructor(options: FrameDecoderOptions) {
    this.maxFrameBytes = options.maxFrameBytes;
  }

  /** Bytes held for an incomplete frame. */
  get bufferedBytes(): number {
    return this.headFill + this.fill + (this.slabEnd - this.slabStart);
  }

  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (this.frame !== undefined) {
        const n = Math.min(this.frame.length - this.fill, chunk.length - at);
        chunk.copy(this.frame, this.fill, at, at + n);
        this.fill += n;
        at += n;
      } else if (this.headFill === 0 && chunk.length - at >= 4) {
        const size = this.checkSize(chunk.readInt32BE(at));
        at += 4;
        if (chunk.length - at >= size) {
          frames.push(chunk.subarray(at, at + size));
          at += size;
          continue;
        }
        this.startFrame(size);
      } else {
        const n = Math.min(4 - this.headFill, chunk.length - at);
        chunk.copy(this.head, this.headFill, at, at + n);
        this.headFill += n;
        at += n;
        if (this.headFill < 4) break;
        this.headFill = 0;
        this.startFrame(this.checkSize(this.head.readInt32BE(0)));
      }
      this.takeFinished(frames);
    }
    return frames;
  }

  /**
   * Where the next socket read should go (Node's `onread.buffer` generator): the rest of the
   * frame being assembled, else the free room of the current slab (a new slab when it is short,
   * carrying over the few bytes not yet framed).
   */
  readTarget(): Buffer {
    if (this.frame !== undefined) {
      this.target = 'frame';
      return this.frame.subarray(this.fill);
    }
    this.target = 'slab';
    if (this.slab.length - this.slabEnd < MIN_READ_BYTES) {
      const pending = this.slabEnd - this.slabStart;
      const next = Buffer.allocUnsafe(Math.max(SLAB_BYTES, pending + MIN_READ_BYTES));
      this.slab.copy(next, 0, this.slabStart, this.slabEnd);
      this.slab = next;
      this.slabStart = 0;
      this.slabEnd = pending;
    }
    return this.slab.subarray(this.slabEnd);
  }

  /** `n` bytes were read into the buffer the last readTarget() returned; the frames now complete. */
  commitRead(n: number): Buffer[] {
    const frames: Buffer[] = [];
    if (this.target === 'frame') {
      this.fill += n;
      this.takeFinished(frames);
      return frames;
    }
    this.slabEnd += n;
    while (this.slabEnd - this.slabStart >= 4) {
      const size = this.checkSize(this.slab.readInt32BE(this.slabStart));
      const start = this.slabStart + 4;
      if (this.slabEnd - start >= size) {
        frames.push(this.slab.subarray(start, start + size));
        this.slabStart = start + size;
        continue;
      }
      // A frame the slab cannot finish gets its own buffer: the next reads go straight into it.
      if (this.slab.length - start < size) {
        this.startFrame(size);
        this.slab.copy(this.frame!, 0, start, this.slabEnd);
        this.fill = this.slabEnd - start;
        this.slabStart = this.slabEnd;
      }
      break;
    }
    return frames;
  }

  private checkSize(size: number): number {
    if (size < 0 || size > this.maxFrameBytes) throw new FrameTooLargeError(size, this.maxFrameBytes);
    return size;
  }

  private startFrame(size: number): void {
    this.frame = size === 0 ? EMPTY : Buffer.allocUnsafe(size);
    this.fill = 0;
  }

  private takeFinished(frames: Buffer[]): void {
    if (this.frame !== undefined && this.fill === this.frame.length) {
      frames.push(this.frame);
      this.frame = undefined;
      this.fill = 0;
    }
  }
}
