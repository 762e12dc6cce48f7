import { expect } from 'chai';
import { ProtocolError, Reader, Writer, uvarintSize, varintSize, varlongSize } from '../../../protocol/index.js';
import { SeededRandom, testSeed } from './seeded-random.js';

describe('protocol > primitives (Reader/Writer)', () => {
  it('varints match the protobuf/Kafka encodings at the edges', () => {
    const cases: Array<[number, string]> = [
      [0, '00'],
      [-1, '01'],
      [1, '02'],
      [-64, '7f'],
      [64, '8001'],
      [2147483647, 'feffffff0f'],
      [-2147483648, 'ffffffff0f'],
    ];
    for (const [v, hex] of cases) {
      const w = new Writer(1).varint(v);
      expect(w.finish().toString('hex'), `varint ${v}`).to.equal(hex);
      expect(new Reader(Buffer.from(hex, 'hex')).varint()).to.equal(v);
      expect(varintSize(v)).to.equal(hex.length / 2);
    }
    expect(new Writer().uvarint(300).finish().toString('hex')).to.equal('ac02');
    expect(uvarintSize(300)).to.equal(2);
    const longs: Array<[bigint, string]> = [
      [0n, '00'],
      [-1n, '01'],
      [9223372036854775807n, 'feffffffffffffffff01'],
      [-9223372036854775808n, 'ffffffffffffffffff01'],
      [1n << 48n, '8080808080808001'], // 8 bytes: past the 7-byte fast path
      [1n << 47n, '80808080808040'],
      [-(1n << 47n), 'ffffffffffff3f'],
    ];
    for (const [v, hex] of longs) {
      expect(new Writer().varlong(v).finish().toString('hex'), `varlong ${v}`).to.equal(hex);
      expect(new Reader(Buffer.from(hex, 'hex')).varlong()).to.equal(v);
      expect(varlongSize(v)).to.equal(hex.length / 2);
    }
  });

  it('round-trips random values of every primitive (seeded)', () => {
    const rnd = new SeededRandom(testSeed());
    for (let i = 0; i < 500; i++) {
      const i32 = rnd.int(-2147483648, 2147483647);
      const i64 = rnd.bigint64();
      const s = rnd.string(30);
      const b = rnd.bytes(rnd.int(0, 50));
      const w = new Writer(1);
      w.int8(rnd.int(-128, 127) | 0).int16(-2).int32(i32).uint32(0xfedcba98).int64(i64).float64(1.5).bool(true);
      w.varint(i32).varlong(i64).uvarint(i32 >>> 0);
      w.string(s).nullableString(null).compactString(s).compactNullableString(null);
      w.bytes(b).nullableBytes(null).compactBytes(b).compactNullableBytes(null);
      w.array([1, 2], (x, v) => x.int32(v)).nullableArray(null, (x, v: number) => x.int32(v)).compactArray([i64], (x, v) => x.int64(v)).compactNullableArray(null, (x, v: number) => x.int8(v));
      w.taggedFields(new Map([[5, Buffer.from('x')], [1, Buffer.alloc(0)]]));
      const r = new Reader(w.finish());
      r.int8();
      expect(r.int16()).to.equal(-2);
      expect(r.int32()).to.equal(i32);
      expect(r.uint32()).to.equal(0xfedcba98);
      expect(r.int64()).to.equal(i64);
      expect(r.float64()).to.equal(1.5);
      expect(r.bool()).to.equal(true);
      expect(r.varint()).to.equal(i32);
      expect(r.varlong()).to.equal(i64);
      expect(r.uvarint()).to.equal(i32 >>> 0);
      expect([r.string(), r.nullableString(), r.compactString(), r.compactNullableString()]).to.deep.equal([s, null, s, null]);
      expect(Buffer.compare(r.bytes(), b)).to.equal(0);
      expect(r.nullableBytes()).to.equal(null);
      expect(Buffer.compare(r.compactBytes(), b)).to.equal(0);
      expect(r.compactNullableBytes()).to.equal(null);
      expect(r.array((x) => x.int32())).to.deep.equal([1, 2]);
      expect(r.nullableArray((x) => x.int32())).to.equal(null);
      expect(r.compactArray((x) => x.int64())).to.deep.equal([i64]);
      expect(r.compactNullableArray((x) => x.int8())).to.equal(null);
      const tags = r.taggedFields()!;
      expect([...tags.keys()]).to.deep.equal([1, 5]);
      expect(r.remaining()).to.equal(0);
    }
  });

  it('every read past the end or with a lying length is a ProtocolError', () => {
    expect(() => new Reader(Buffer.alloc(3)).int32()).to.throw(ProtocolError).with.property('code', 'PRT_TRUNCATED');
    expect(() => new Reader(Buffer.from('0005616263', 'hex')).string()).to.throw(ProtocolError).with.property('code', 'PRT_INVALID_LENGTH');
    expect(() => new Reader(Buffer.from('ffff', 'hex')).string()).to.throw(ProtocolError).with.property('code', 'PRT_INVALID_LENGTH');
    expect(() => new Reader(Buffer.from('fffffffe', 'hex')).nullableBytes()).to.throw(ProtocolError).with.property('code', 'PRT_INVALID_LENGTH');
    expect(() => new Reader(Buffer.from('7fffffff00', 'hex')).array((r) => r.int8())).to.throw(ProtocolError).with.property('code', 'PRT_INVALID_LENGTH');
    expect(() => new Reader(Buffer.from('ffffffffff', 'hex')).uvarint()).to.throw(ProtocolError).with.property('code', 'PRT_INVALID_VARINT');
    expect(() => new Reader(Buffer.from('8080', 'hex')).uvarint()).to.throw(ProtocolError).with.property('code', 'PRT_TRUNCATED');
    expect(() => new Reader(Buffer.from('ffffffffffffffffff7f', 'hex')).varlong()).to.throw(ProtocolError).with.property('code', 'PRT_INVALID_VARINT');
    expect(() => new Reader(Buffer.from('0501', 'hex')).taggedFields()).to.throw(ProtocolError);
    expect(() => new Reader(Buffer.from('01010a', 'hex')).taggedFields()).to.throw(ProtocolError).with.property('code', 'PRT_INVALID_LENGTH');
    // a reader bounded before the end of its buffer does not see past its end
    expect(() => new Reader(Buffer.alloc(10), 2, 4).int32()).to.throw(ProtocolError);
  });

  it('the writer grows by doubling and refuses unrepresentable values', () => {
    const w = new Writer(16);
    for (let i = 0; i < 10_000; i++) w.int32(i);
    expect(w.finish().length).to.equal(40_000);
    expect(w.buf.length).to.be.at.most(65_536);
    expect(() => new Writer().string('x'.repeat(40_000))).to.throw(ProtocolError).with.property('code', 'PRT_ENCODE');
    expect(() => new Writer().uvarint(-1)).to.throw(ProtocolError);
  });
});

describe('protocol > Writer chunks (records by reference)', () => {
  it('references large byte fields, copies small ones, and finish() equals the joined chunks', () => {
    const big = Buffer.alloc(20_000, 1);
    const big2 = Buffer.alloc(9_000, 2);
    const w = new Writer(16);
    const at = w.reserveInt32();
    w.int16(7).bytes(Buffer.from('small')).bytes(big).int32(5);
    for (let i = 0; i < 100; i++) w.int64(BigInt(i)); // forces the buffer to grow after the first chunk
    w.bytes(big2).int8(1);
    w.patchInt32(at, w.length - 4);
    const chunks = w.finishChunks();
    expect(chunks.some((c) => c === big)).to.equal(true);
    expect(chunks.some((c) => c === big2)).to.equal(true);
    const joined = Buffer.concat(chunks);
    expect(Buffer.compare(joined, w.finish())).to.equal(0);
    expect(joined.length).to.equal(w.length);
    expect(joined.readInt32BE(0)).to.equal(joined.length - 4);
    const r = new Reader(joined, 4);
    expect(r.int16()).to.equal(7);
    expect(r.bytes().toString()).to.equal('small');
    expect(Buffer.compare(r.bytes(), big)).to.equal(0);
    expect(r.int32()).to.equal(5);
    for (let i = 0; i < 100; i++) expect(r.int64()).to.equal(BigInt(i));
    expect(Buffer.compare(r.bytes(), big2)).to.equal(0);
    expect(r.int8()).to.equal(1);
    expect(r.remaining()).to.equal(0);
  });

  it('never writes into a referenced buffer when patching', () => {
    const big = Buffer.alloc(10_000, 9);
    const w = new Writer(16);
    w.rawRef(big);
    const at = w.reserveInt32();
    w.patchInt32(at, 0x01020304);
    expect(big.every((b) => b === 9)).to.equal(true);
    expect(w.finish().readInt32BE(10_000)).to.equal(0x01020304);
  });
});
