/**
 * Growable big-endian writer. The buffer doubles when full, so encoding costs amortised O(n)
 * copies; finish() returns a view of the written bytes without copying. Large byte fields
 * (record sets) are referenced, not copied (rawRef), so a fetch response can go to the socket
 * as a list of chunks (finishChunks) without ever copying the records.
 */
import { ProtocolError } from '../errors.js';

/** Byte fields at least this large are referenced rather than copied into the buffer. */
const REF_THRESHOLD = 8 * 1024;
const UUID_TEXT = /^[A-Za-z0-9_-]{21}[AQgw]$/;

export class Writer {
  buf: Buffer;
  pos = 0;
  /** Finished parts, in order, once an external buffer has been referenced. */
  private chunks: Buffer[] | null = null;
  private chunkedBytes = 0;
  /** Whether chunks[0] is this writer's own bytes from offset 0 (reserved slots live there). */
  private firstChunkOwn = false;
  /** Start in `buf` of the bytes not yet moved to `chunks`. */
  private segmentStart = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(Math.max(16, initialSize));
  }

  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Bytes written so far, referenced chunks included. */
  get length(): number {
    return this.chunkedBytes + this.pos - this.segmentStart;
  }

  /** The encoded bytes as one Buffer (one copy if external chunks were referenced). */
  finish(): Buffer {
    if (this.chunks === null) return this.buf.subarray(0, this.pos);
    return Buffer.concat(this.finishChunks(), this.length);
  }

  /** The encoded bytes as an ordered list of Buffers, for writev-style sockets. */
  finishChunks(): Buffer[] {
    if (this.chunks === null) return [this.buf.subarray(0, this.pos)];
    const out = this.chunks.slice();
    if (this.pos > this.segmentStart) out.push(this.buf.subarray(this.segmentStart, this.pos));
    return out;
  }

  /** Appends `data` by reference when large; it must not change until written out. */
  rawRef(data: Buffer): this {
    if (data.length < REF_THRESHOLD) return this.raw(data);
    const chunks = (this.chunks ??= []);
    if (this.pos > this.segmentStart) {
      if (chunks.length === 0) this.firstChunkOwn = true;
      chunks.push(this.buf.subarray(this.segmentStart, this.pos));
      this.chunkedBytes += this.pos - this.segmentStart;
    }
    chunks.push(data);
    this.chunkedBytes += data.length;
    this.segmentStart = this.pos;
    return this;
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos);
    this.pos += 1;
    return this;
  }
  uint8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }
  bool(v: boolean): this {
    return this.uint8(v ? 1 : 0);
  }
  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }
  uint16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }
  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }
  uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }
  int64(v: bigint): this {
    this.ensure(8);
    this.buf.writeBigInt64BE(v, this.pos);
    this.pos += 8;
    return this;
  }
  float64(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
    return this;
  }

  /**
   * Kafka's Uuid from its printed form. 22 base64url characters carry 132 bits, so the last one
   * must leave the 4 spare bits zero (A, Q, g or w); anything else would not round-trip.
   */
  uuid(s: string): this {
    if (typeof s !== 'string' || !UUID_TEXT.test(s)) throw new ProtocolError('PRT_ENCODE', `not a Kafka Uuid (22 URL-safe base64 characters): ${String(s)}`);
    this.ensure(16);
    this.buf.write(s, this.pos, 16, 'base64url');
    this.pos += 16;
    return this;
  }

  uvarint(v: number): this {
    if (v < 0 || v > 0xffffffff || !Number.isInteger(v)) throw new ProtocolError('PRT_ENCODE', `uvarint out of range: ${v}`);
    this.ensure(5);
    const buf = this.buf;
    let p = this.pos;
    while (v >= 0x80) {
      buf[p++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    buf[p++] = v;
    this.pos = p;
    return this;
  }

  varint(v: number): this {
    return this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  uvarlong(v: bigint): this {
    this.ensure(10);
    const buf = this.buf;
    let p = this.pos;
    let x = BigInt.asUintN(64, v);
    while (x >= 0x80n) {
      buf[p++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
    }
    buf[p++] = Number(x);
    this.pos = p;
    return this;
  }

  varlong(v: bigint): this {
    return this.uvarlong((v << 1n) ^ (v >> 63n));
  }

  raw(data: Uint8Array): this {
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
    return this;
  }

  private utf8(s: string, lengthPrefix: (len: number) => void): this {
    const len = Buffer.byteLength(s, 'utf8');
    lengthPrefix(len);
    this.ensure(len);
    this.buf.write(s, this.pos, len, 'utf8');
    this.pos += len;
    return this;
  }

  string(s: string): this {
    return this.utf8(s, (len) => {
      if (len > 0x7fff) throw new ProtocolError('PRT_ENCODE', `string of ${len} bytes exceeds int16 length`);
      this.int16(len);
    });
  }
  nullableString(s: string | null | undefined): this {
    return s === null || s === undefined ? this.int16(-1) : this.string(s);
  }
  compactString(s: string): this {
    return this.utf8(s, (len) => this.uvarint(len + 1));
  }
  compactNullableString(s: string | null | undefined): this {
    return s === null || s === undefined ? this.uvarint(0) : this.compactString(s);
  }

  bytes(b: Uint8Array): this {
    this.int32(b.length);
    return Buffer.isBuffer(b) ? this.rawRef(b) : this.raw(b);
  }
  nullableBytes(b: Uint8Array | null | undefined): this {
    return b === null || b === undefined ? this.int32(-1) : this.bytes(b);
  }
  compactBytes(b: Uint8Array): this {
    this.uvarint(b.length + 1);
    return Buffer.isBuffer(b) ? this.rawRef(b) : this.raw(b);
  }
  compactNullableBytes(b: Uint8Array | null | undefined): this {
    return b === null || b === undefined ? this.uvarint(0) : this.compactBytes(b);
  }

  array<T>(items: readonly T[], writeItem: (w: Writer, item: T) => void): this {
    this.int32(items.length);
    for (const item of items) writeItem(this, item);
    return this;
  }
  nullableArray<T>(items: readonly T[] | null | undefined, writeItem: (w: Writer, item: T) => void): this {
    return items === null || items === undefined ? this.int32(-1) : this.array(items, writeItem);
  }
  compactArray<T>(items: readonly T[], writeItem: (w: Writer, item: T) => void): this {
    this.uvarint(items.length + 1);
    for (const item of items) writeItem(this, item);
    return this;
  }
  compactNullableArray<T>(items: readonly T[] | null | undefined, writeItem: (w: Writer, item: T) => void): this {
    return items === null || items === undefined ? this.uvarint(0) : this.compactArray(items, writeItem);
  }

  /** Tagged-field section; tags are written in ascending order as KIP-482 requires. */
  taggedFields(tags?: ReadonlyMap<number, Uint8Array>): this {
    if (tags === undefined || tags.size === 0) return this.uint8(0);
    const sorted = [...tags.entries()].sort((a, b) => a[0] - b[0]);
    this.uvarint(sorted.length);
    for (const [tag, data] of sorted) this.uvarint(tag).uvarint(data.length).raw(data);
    return this;
  }

  /** Reserves an int32 to be filled in later (e.g. a size prefix); returns its position. */
  reserveInt32(): number {
    this.ensure(4);
    const at = this.pos;
    this.pos += 4;
    return at;
  }
  /**
   * Patches a reserved int32. Positions are offsets in `buf`; a reserved slot that already
   * went into the first chunk (a view of an earlier buffer) is patched there too.
   */
  patchInt32(at: number, v: number): void {
    this.buf.writeInt32BE(v, at);
    const first = this.chunks?.[0];
    if (this.firstChunkOwn && first !== undefined && at + 4 <= first.length) first.writeInt32BE(v, at);
  }
}
