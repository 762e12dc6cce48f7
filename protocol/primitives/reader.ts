/**
 * Bounds-checked cursor over a Buffer. Every length read from the wire is compared with what is
 * left BEFORE anything is allocated, so a lying length costs a ProtocolError, never memory.
 */
import { ProtocolError } from '../errors.js';

export class Reader {
  readonly buf: Buffer;
  pos: number;
  readonly end: number;

  constructor(buf: Buffer, offset = 0, end = buf.length) {
    this.buf = buf;
    this.pos = offset;
    this.end = end;
  }

  remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number, what: string): number {
    const p = this.pos;
    if (p + n > this.end) {
      throw new ProtocolError('PRT_TRUNCATED', `${what}: need ${n} bytes at offset ${p}, only ${this.end - p} left`);
    }
    this.pos = p + n;
    return p;
  }

  int8(): number {
    return this.buf.readInt8(this.need(1, 'int8'));
  }
  uint8(): number {
    return this.buf[this.need(1, 'uint8')]!;
  }
  bool(): boolean {
    return this.buf[this.need(1, 'boolean')]! !== 0;
  }
  int16(): number {
    return this.buf.readInt16BE(this.need(2, 'int16'));
  }
  uint16(): number {
    return this.buf.readUInt16BE(this.need(2, 'uint16'));
  }
  int32(): number {
    return this.buf.readInt32BE(this.need(4, 'int32'));
  }
  uint32(): number {
    return this.buf.readUInt32BE(this.need(4, 'uint32'));
  }
  int64(): bigint {
    return this.buf.readBigInt64BE(this.need(8, 'int64'));
  }
  float64(): number {
    return this.buf.readDoubleBE(this.need(8, 'float64'));
  }
  /** Kafka's Uuid: 16 bytes, returned in Kafka's printed form (URL-safe base64, no padding). */
  uuid(): string {
    const p = this.need(16, 'uuid');
    return this.buf.toString('base64url', p, p + 16);
  }

  /** Unsigned LEB128 up to 32 bits (protocol lengths, counts, tags). */
  uvarint(): number {
    const buf = this.buf;
    let p = this.pos;
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      if (p >= this.end) throw new ProtocolError('PRT_TRUNCATED', `varint truncated at offset ${p}`);
      const b = buf[p++]!;
      if (i === 4 && b > 0x0f) throw new ProtocolError('PRT_INVALID_VARINT', `varint exceeds 32 bits at offset ${this.pos}`);
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        this.pos = p;
        return result;
      }
      shift += 7;
    }
    throw new ProtocolError('PRT_INVALID_VARINT', `varint longer than 5 bytes at offset ${this.pos}`);
  }

  /** Zig-zag signed 32-bit varint (record fields). */
  varint(): number {
    const u = this.uvarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  /** Unsigned LEB128 up to 64 bits. */
  uvarlong(): bigint {
    const buf = this.buf;
    let p = this.pos;
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (p >= this.end) throw new ProtocolError('PRT_TRUNCATED', `varlong truncated at offset ${p}`);
      const b = buf[p++]!;
      if (i === 9 && b > 0x01) throw new ProtocolError('PRT_INVALID_VARINT', `varlong exceeds 64 bits at offset ${this.pos}`);
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        this.pos = p;
        return result;
      }
      shift += 7n;
    }
    throw new ProtocolError('PRT_INVALID_VARINT', `varlong longer than 10 bytes at offset ${this.pos}`);
  }

  /** Zig-zag signed 64-bit varint. Values up to 7 bytes (49 bits) avoid bigint arithmetic. */
  varlong(): bigint {
    const buf = this.buf;
    const start = this.pos;
    const limit = Math.min(this.end, start + 7);
    let result = 0;
    let mul = 1;
    for (let p = start; p < limit; p++) {
      const b = buf[p]!;
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) {
        this.pos = p + 1;
        return BigInt(result % 2 === 0 ? result / 2 : -(result + 1) / 2);
      }
      mul *= 128;
    }
    const u = this.uvarlong();
    return (u >> 1n) ^ -(u & 1n);
  }

  /** A length the caller is about to consume: -1 allowed only when nullable; never past the end. */
  private checkLength(len: number, nullable: boolean, what: string): number {
    if (len < -1 || (len === -1 && !nullable)) {
      throw new ProtocolError('PRT_INVALID_LENGTH', `${what}: invalid length ${len} at offset ${this.pos}`);
    }
    if (len > this.end - this.pos) {
      throw new ProtocolError('PRT_INVALID_LENGTH', `${what}: length ${len} exceeds the remaining ${this.end - this.pos} bytes`);
    }
    return len;
  }

  rawBytes(n: number): Buffer {
    const p = this.need(n, 'bytes');
    return this.buf.subarray(p, p + n);
  }

  skip(n: number): void {
    this.need(n, 'skip');
  }

  private utf8(len: number): string {
    const p = this.pos;
    this.pos = p + len;
    return this.buf.toString('utf8', p, p + len);
  }

  string(): string {
    return this.utf8(this.checkLength(this.int16(), false, 'string'));
  }
  nullableString(): string | null {
    const len = this.checkLength(this.int16(), true, 'nullable string');
    return len === -1 ? null : this.utf8(len);
  }
  compactString(): string {
    return this.utf8(this.checkLength(this.uvarint() - 1, false, 'compact string'));
  }
  compactNullableString(): string | null {
    const len = this.checkLength(this.uvarint() - 1, true, 'compact nullable string');
    return len === -1 ? null : this.utf8(len);
  }

  /** Byte fields are returned as views into the input (no copy). */
  bytes(): Buffer {
    return this.rawBytes(this.checkLength(this.int32(), false, 'bytes'));
  }
  nullableBytes(): Buffer | null {
    const len = this.checkLength(this.int32(), true, 'nullable bytes');
    return len === -1 ? null : this.rawBytes(len);
  }
  compactBytes(): Buffer {
    return this.rawBytes(this.checkLength(this.uvarint() - 1, false, 'compact bytes'));
  }
  compactNullableBytes(): Buffer | null {
    const len = this.checkLength(this.uvarint() - 1, true, 'compact nullable bytes');
    return len === -1 ? null : this.rawBytes(len);
  }

  /** Array count: every element takes at least one byte, so a count above what is left is a lie. */
  arrayLength(compact: boolean, nullable: boolean): number {
    const n = compact ? this.uvarint() - 1 : this.int32();
    return this.checkLength(n, nullable, compact ? 'compact array' : 'array');
  }

  array<T>(readItem: (r: Reader) => T): T[] {
    return this.items(this.arrayLength(false, false), readItem);
  }
  nullableArray<T>(readItem: (r: Reader) => T): T[] | null {
    const n = this.arrayLength(false, true);
    return n === -1 ? null : this.items(n, readItem);
  }
  compactArray<T>(readItem: (r: Reader) => T): T[] {
    return this.items(this.arrayLength(true, false), readItem);
  }
  compactNullableArray<T>(readItem: (r: Reader) => T): T[] | null {
    const n = this.arrayLength(true, true);
    return n === -1 ? null : this.items(n, readItem);
  }

  private items<T>(n: number, readItem: (r: Reader) => T): T[] {
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(readItem(this));
    return out;
  }

  /** KIP-482 tagged-field section; unknown tags are kept as raw bytes keyed by tag. */
  taggedFields(): Map<number, Buffer> | undefined {
    const count = this.uvarint();
    if (count === 0) return undefined;
    if (count > this.remaining()) {
      throw new ProtocolError('PRT_INVALID_LENGTH', `tagged field count ${count} exceeds the remaining ${this.remaining()} bytes`);
    }
    const tags = new Map<number, Buffer>();
    for (let i = 0; i < count; i++) {
      const tag = this.uvarint();
      const size = this.checkLength(this.uvarint(), false, 'tagged field');
      tags.set(tag, this.rawBytes(size));
    }
    return tags;
  }
}
