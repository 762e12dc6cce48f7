/**
 * Splits a TCP byte stream into Kafka frames (int32 size + payload). Checks the announced size
 * before buffering anything, so a hostile size costs an error, not memory. After a throw the
 * stream is out of sync: the caller must close the connection.
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

export class FrameDecoder {
  private readonly maxFrameBytes: number;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private need = -1;

  constructor(options: FrameDecoderOptions) {
    this.maxFrameBytes = options.maxFrameBytes;
  }

  /** Bytes held for an incomplete frame. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    for (;;) {
      if (this.need < 0) {
        if (this.buffered < 4) break;
        const size = this.take(4).readInt32BE(0);
        if (size < 0 || size > this.maxFrameBytes) throw new FrameTooLargeError(size, this.maxFrameBytes);
        this.need = size;
      }
      if (this.buffered < this.need) break;
      frames.push(this.take(this.need));
      this.need = -1;
    }
    return frames;
  }

  /** Removes n buffered bytes; a view when they sit in one chunk, one copy otherwise. */
  private take(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0];
    if (n === 0) return Buffer.alloc(0);
    if (first !== undefined && first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0]!;
      const part = Math.min(c.length, n - filled);
      c.copy(out, filled, 0, part);
      filled += part;
      if (part === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(part);
    }
    return out;
  }
}
