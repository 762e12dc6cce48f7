import { expect } from 'chai';
import { CompressionType, decodeRecordBatch, encodeRecordBatch, iterateBatches, type RecordInput } from '../../../protocol/index.js';
import { readBatchRecords, type FetchedRecord } from '../../../client/consumer/record-reader.js';
import { Cluster } from '../../../client/cluster.js';

/** A small deterministic PRNG so failures reproduce. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomRecords(rand: () => number, n: number, base: bigint): RecordInput[] {
  return Array.from({ length: n }, (_, i) => {
    const r = rand();
    return {
      key: r < 0.3 ? null : Buffer.from(`key-${Math.floor(rand() * 1e6)}`),
      value: r > 0.9 ? null : Buffer.alloc(Math.floor(rand() * 300), i % 251),
      headers: rand() < 0.3 ? [{ key: 'h', value: Buffer.from('v') }, { key: 'ü', value: null }] : [],
      // Deltas both ways and large ones (older records, clock jumps).
      timestamp: base + BigInt(Math.floor((rand() - 0.3) * 1e9)),
    };
  });
}

function read(buf: Buffer, from: bigint): FetchedRecord[] {
  const out: FetchedRecord[] = [];
  for (const s of iterateBatches(buf)) readBatchRecords('t', 3, buf, s.start, s.header, from, out);
  return out;
}

describe('client > record reader (the consumer hot path)', () => {
  it('decodes like protocol/ for random batches of every codec, skipping records below the position', () => {
    const rand = prng(7);
    for (const compression of [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
      for (let round = 0; round < 10; round++) {
        const baseOffset = BigInt(Math.floor(rand() * 1e12));
        const n = 1 + Math.floor(rand() * 60);
        const buf = encodeRecordBatch(randomRecords(rand, n, 1_732_000_000_000n), { baseOffset, compression });
        const expected = decodeRecordBatch(buf).records;
        const from = baseOffset + BigInt(Math.floor(rand() * n));
        const got = read(buf, from);
        const want = expected.filter((r) => r.offset >= from);
        expect(got.map((r) => [r.offset, r.timestamp, r.key, r.value, r.headers])).to.deep.equal(want.map((r) => [r.offset, r.timestamp, r.key, r.value, r.headers]));
        for (const r of got) expect([r.topic, r.partition]).to.deep.equal(['t', 3]);
      }
    }
  });

  it('LogAppendTime batches: every record carries the batch maxTimestamp', () => {
    const buf = encodeRecordBatch([{ value: Buffer.from('a'), timestamp: 5n }, { value: Buffer.from('b'), timestamp: 9n }], { logAppendTime: true, baseTimestamp: 5n });
    const max = decodeRecordBatch(buf).header.maxTimestamp;
    expect(read(buf, 0n).map((r) => r.timestamp)).to.deep.equal([max, max]);
  });

  it('a corrupt batch is a CLI_PROTOCOL error, not an over-read', () => {
    const buf = encodeRecordBatch([{ key: Buffer.from('k'), value: Buffer.alloc(50, 1) }, { value: Buffer.alloc(50, 2) }]);
    const bad = Buffer.from(buf);
    // The first record's length varint (right after the 61-byte header) now claims far too much.
    bad[61] = 0xfe;
    bad[62] = 0x0f;
    expect(() => read(bad, 0n)).to.throw().with.property('code', 'CLI_PROTOCOL');
    const fewer = Buffer.from(buf);
    fewer.writeInt32BE(1, 57); // record count 1: bytes left after the last record
    expect(() => read(fewer, 0n)).to.throw().with.property('code', 'CLI_PROTOCOL');
  });

  it('records without headers share one frozen empty list', () => {
    const got = read(encodeRecordBatch([{ value: Buffer.from('a') }, { value: Buffer.from('b') }]), 0n);
    expect(got[0]!.headers).to.equal(got[1]!.headers);
    expect(Object.isFrozen(got[0]!.headers)).to.equal(true);
  });
});

describe('client > bootstrap addresses', () => {
  it('accepts comma lists like bootstrap.servers', () => {
    const c = new Cluster({ brokers: ['127.0.0.1:1,127.0.0.1:2', ' 127.0.0.1:3 '] });
    expect((c as unknown as { bootstrap: Array<{ host: string; port: number }> }).bootstrap.map((b) => b.port)).to.deep.equal([1, 2, 3]);
    c.close();
  });
});
