/**
 * The oracle of the golden vectors: writes the bytes Kafka's protocol guide prescribes, field by
 * field, with no code shared with protocol/ (no Writer, no schema). Big-endian integers; classic
 * strings/bytes/arrays with int16/int32 lengths (-1 = null); in flexible versions compact forms
 * whose unsigned-varint length is n+1 (0 = null) and a tagged-field section closing every struct.
 */

/** An unknown tag the golden runner slips into every tagged section: decoders must skip it. */
export const UNKNOWN_TAG = { tag: 99, data: [0xde, 0xad, 0xbe] } as const;

export type Part = (b: Bytes) => void;

export class Bytes {
  private readonly out: number[] = [];

  /** `injectUnknown`: append UNKNOWN_TAG to every tagged section written by this builder. */
  constructor(
    readonly flexible: boolean,
    private readonly injectUnknown = false,
  ) {}

  private be(v: bigint, size: number): this {
    for (let i = size - 1; i >= 0; i--) this.out.push(Number((v >> BigInt(i * 8)) & 0xffn));
    return this;
  }

  i8(v: number): this {
    return this.be(BigInt(v), 1);
  }
  i16(v: number): this {
    return this.be(BigInt(v), 2);
  }
  u16(v: number): this {
    return this.be(BigInt(v), 2);
  }
  i32(v: number): this {
    return this.be(BigInt(v), 4);
  }
  i64(v: bigint): this {
    return this.be(v, 8);
  }
  bool(v: boolean): this {
    return this.i8(v ? 1 : 0);
  }
  f64(v: number): this {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, v);
    for (let i = 0; i < 8; i++) this.out.push(view.getUint8(i));
    return this;
  }
  /** Kafka's Uuid: the 16 bytes behind its 22-character URL-safe base64 form. */
  uuid(text: string): this {
    this.out.push(...Buffer.from(text, 'base64url'));
    return this;
  }
  uvarint(v: number): this {
    let n = v >>> 0;
    while (n >= 0x80) {
      this.out.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    this.out.push(n);
    return this;
  }
  raw(data: Iterable<number>): this {
    this.out.push(...data);
    return this;
  }

  /** Length prefix of a string/bytes/array: -1 or the count, int16/int32 or compact (n+1). */
  private len(n: number | null, classicSize: 2 | 4): this {
    if (this.flexible) return this.uvarint(n === null ? 0 : n + 1);
    return classicSize === 2 ? this.i16(n ?? -1) : this.i32(n ?? -1);
  }

  str(s: string): this {
    const utf8 = Buffer.from(s, 'utf8');
    return this.len(utf8.length, 2).raw(utf8);
  }
  nstr(s: string | null): this {
    return s === null ? this.len(null, 2) : this.str(s);
  }
  bytes(b: Buffer): this {
    return this.len(b.length, 4).raw(b);
  }
  nbytes(b: Buffer | null): this {
    return b === null ? this.len(null, 4) : this.bytes(b);
  }
  arr<T>(items: readonly T[], item: (b: Bytes, x: T) => void): this {
    this.len(items.length, 4);
    for (const x of items) item(this, x);
    return this;
  }
  narr<T>(items: readonly T[] | null, item: (b: Bytes, x: T) => void): this {
    return items === null ? this.len(null, 4) : this.arr(items, item);
  }
  i32s(items: readonly number[]): this {
    return this.arr(items, (b, x) => b.i32(x));
  }
  i64s(items: readonly bigint[]): this {
    return this.arr(items, (b, x) => b.i64(x));
  }
  strs(items: readonly string[]): this {
    return this.arr(items, (b, x) => b.str(x));
  }

  /**
   * A struct's tagged-field section (flexible versions only; nothing otherwise): the count, then
   * per field its tag, its size and its bytes, in ascending tag order. A field's value is always
   * written in the flexible (compact) encoding. A `false` entry stands for a field left at its
   * default, which Kafka does not write.
   */
  tags(...fields: Array<[tag: number, value: Part] | false>): this {
    if (!this.flexible) return this;
    const entries = fields.filter((f) => f !== false).map(([tag, value]) => {
      const sub = new Bytes(true, this.injectUnknown);
      value(sub);
      return [tag, sub.build()] as const;
    });
    if (this.injectUnknown) entries.push([UNKNOWN_TAG.tag, Buffer.from(UNKNOWN_TAG.data)]);
    this.uvarint(entries.length);
    for (const [tag, data] of entries) this.uvarint(tag).uvarint(data.length).raw(data);
    return this;
  }

  build(): Buffer {
    return Buffer.from(this.out);
  }
}
