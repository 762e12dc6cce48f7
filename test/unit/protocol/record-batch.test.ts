import { expect } from 'chai';
import { createRequire } from 'node:module';
import {
  CompressionType,
  ProtocolError,
  RECORD_BATCH_HEADER_SIZE,
  batchTotalSize,
  compressionOf,
  computeBatchCrc,
  crc32c,
  crc32cJs,
  decodeRecordBatch,
  encodeRecordBatch,
  isControlBatch,
  isTransactional,
  iterateBatches,
  iterateRecords,
  readBatchHeader,
  setBaseOffset,
  setLogAppendTime,
  setPartitionLeaderEpoch,
  timestampTypeOf,
  verifyBatchCrc,
  type RecordInput,
} from '../../../protocol/index.js';
import { SeededRandom, testSeed } from './seeded-random.js';

const CODECS = [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd] as const;

function randomRecords(rnd: SeededRandom, n: number, base: bigint): RecordInput[] {
  const out: RecordInput[] = [];
  for (let i = 0; i < n; i++) {
    const rec: RecordInput = { value: rnd.bool(0.1) ? null : rnd.bool() ? rnd.text(rnd.int(0, 300)) : rnd.bytes(rnd.int(0, 200)) };
    if (rnd.bool(0.8)) rec.key = rnd.bool(0.2) ? null : rnd.bytes(rnd.int(0, 40));
    if (rnd.bool(0.5)) rec.timestamp = base + BigInt(rnd.int(-5000, 5000));
    if (rnd.bool(0.4)) {
      rec.headers = [];
      for (let h = rnd.int(0, 4); h > 0; h--) rec.headers.push({ key: rnd.string(12), value: rnd.bool(0.2) ? null : rnd.bytes(rnd.int(0, 30)) });
    }
    out.push(rec);
  }
  return out;
}

describe('protocol > record batch v2', () => {
  it('CRC-32C matches the Castagnoli check value natively and in JS', () => {
    expect(crc32c(Buffer.from('123456789'))).to.equal(0xe3069283);
    expect(crc32cJs(Buffer.from('123456789'))).to.equal(0xe3069283);
    const rnd = new SeededRandom(testSeed());
    for (let i = 0; i < 50; i++) {
      const data = rnd.bytes(rnd.int(0, 3000));
      const cut = rnd.int(0, data.length);
      expect(crc32cJs(data), `len ${data.length}`).to.equal(crc32c(data));
      expect(crc32c(data.subarray(cut), crc32c(data.subarray(0, cut)))).to.equal(crc32c(data));
      expect(crc32cJs(data.subarray(cut), crc32cJs(data.subarray(0, cut)))).to.equal(crc32c(data));
    }
  });

  for (const codec of CODECS) {
    it(`round-trips random records under codec ${codec} (seeded)`, () => {
      const rnd = new SeededRandom(testSeed() + codec);
      for (let iter = 0; iter < 25; iter++) {
        const base = 1_700_000_000_000n + BigInt(rnd.int(0, 1e6));
        const records = randomRecords(rnd, rnd.int(1, 40), base);
        const opts = {
          compression: codec,
          baseOffset: BigInt(rnd.int(0, 1e9)),
          partitionLeaderEpoch: rnd.int(-1, 100),
          producerId: rnd.bool() ? -1n : BigInt(rnd.int(0, 1e6)),
          producerEpoch: rnd.int(-1, 5),
          baseSequence: rnd.int(-1, 1000),
          transactional: rnd.bool(0.2),
          baseTimestamp: base,
        };
        const buf = encodeRecordBatch(records, opts);
        expect(verifyBatchCrc(buf, 0)).to.equal(true);
        const { header, records: decoded } = decodeRecordBatch(buf);
        expect(header.recordCount).to.equal(records.length);
        expect(header.lastOffsetDelta).to.equal(records.length - 1);
        expect(header.baseOffset).to.equal(opts.baseOffset);
        expect(compressionOf(header.attributes)).to.equal(codec);
        expect(isTransactional(header.attributes)).to.equal(opts.transactional);
        expect(batchTotalSize(header)).to.equal(buf.length);
        let maxTs = base;
        records.forEach((rec, i) => {
          const d = decoded[i]!;
          const ts = rec.timestamp ?? base;
          if (ts > maxTs) maxTs = ts;
          expect(d.offset).to.equal(opts.baseOffset + BigInt(i));
          expect(d.timestamp).to.equal(ts);
          expect(d.key === null ? null : Buffer.from(d.key)).to.deep.equal(rec.key ?? null);
          expect(d.value === null ? null : Buffer.from(d.value)).to.deep.equal(rec.value);
          expect(d.headers.map((h) => ({ key: h.key, value: h.value === null ? null : Buffer.from(h.value) }))).to.deep.equal(rec.headers ?? []);
        });
        expect(header.maxTimestamp).to.equal(maxTs);
        expect([...iterateRecords(buf)].map((r) => r.offset)).to.deep.equal(decoded.map((r) => r.offset));
      }
    });
  }

  it('encodes a known batch byte for byte (header layout and CRC from the spec)', () => {
    const buf = encodeRecordBatch([{ key: null, value: Buffer.from('a'), timestamp: 1000n }], {
      baseTimestamp: 1000n,
    });
    // record: len=7 attrs=0 tsDelta=0 offDelta=0 key=-1 valueLen=1 'a' headers=0
    const record = Buffer.from([0x0e, 0x00, 0x00, 0x00, 0x01, 0x02, 0x61, 0x00]);
    const expected = Buffer.concat([
      Buffer.from('0000000000000000', 'hex'), // baseOffset 0
      Buffer.from('00000039', 'hex'), // batchLength 61-12+8 = 57
      Buffer.from('ffffffff', 'hex'), // partitionLeaderEpoch -1
      Buffer.from('02', 'hex'), // magic
      Buffer.from('00000000', 'hex'), // crc, patched below
      Buffer.from('0000', 'hex'), // attributes
      Buffer.from('00000000', 'hex'), // lastOffsetDelta
      Buffer.from('00000000000003e8', 'hex'), // baseTimestamp 1000
      Buffer.from('00000000000003e8', 'hex'), // maxTimestamp 1000
      Buffer.from('ffffffffffffffff', 'hex'), // producerId -1
      Buffer.from('ffff', 'hex'), // producerEpoch -1
      Buffer.from('ffffffff', 'hex'), // baseSequence -1
      Buffer.from('00000001', 'hex'), // recordCount
      record,
    ]);
    expected.writeUInt32BE(crc32cJs(expected.subarray(21)), 17);
    expect(expected.readUInt32BE(17)).to.equal(0xebf1884b);
    // KafkaJS's independent CRC-32C agrees on the same bytes
    const kjsCrc = createRequire(import.meta.url)('kafkajs/src/protocol/recordBatch/crc32C') as (b: Buffer) => number;
    expect(kjsCrc(expected.subarray(21)) >>> 0).to.equal(0xebf1884b);
    expect(buf.toString('hex')).to.equal(expected.toString('hex'));
    expect(readBatchHeader(buf).crc).to.equal(expected.readUInt32BE(17));
  });

  it('patching baseOffset and partitionLeaderEpoch keeps the CRC valid; LogAppendTime recomputes it', () => {
    const buf = encodeRecordBatch([{ value: Buffer.from('x') }, { value: Buffer.from('y') }], { compression: CompressionType.Lz4 });
    const crc = readBatchHeader(buf).crc;
    setBaseOffset(buf, 0, 123456789012n);
    setPartitionLeaderEpoch(buf, 0, 7);
    const h = readBatchHeader(buf);
    expect([h.baseOffset, h.partitionLeaderEpoch, h.crc]).to.deep.equal([123456789012n, 7, crc]);
    expect(verifyBatchCrc(buf, 0)).to.equal(true);
    expect(computeBatchCrc(buf, 0)).to.equal(crc);
    expect(decodeRecordBatch(buf).records.map((r) => r.offset)).to.deep.equal([123456789012n, 123456789013n]);
    setLogAppendTime(buf, 0, 42n);
    const h2 = readBatchHeader(buf);
    expect(timestampTypeOf(h2.attributes)).to.equal(1);
    expect(h2.maxTimestamp).to.equal(42n);
    expect(verifyBatchCrc(buf, 0)).to.equal(true);
    buf.writeUInt8(buf[buf.length - 1]! ^ 0xff, buf.length - 1);
    expect(verifyBatchCrc(buf, 0)).to.equal(false);
  });

  it('honours offsetDeltas, control and transactional flags', () => {
    const buf = encodeRecordBatch([{ value: Buffer.from('a') }, { value: Buffer.from('b') }], {
      offsetDeltas: [0, 5],
      control: true,
      transactional: true,
      baseOffset: 10n,
    });
    const { header, records } = decodeRecordBatch(buf);
    expect(header.lastOffsetDelta).to.equal(5);
    expect(isControlBatch(header.attributes) && isTransactional(header.attributes)).to.equal(true);
    expect(records.map((r) => r.offset)).to.deep.equal([10n, 15n]);
  });

  it('iterates batches in a concatenation and stops at a trailing partial batch', () => {
    const a = encodeRecordBatch([{ value: Buffer.from('one') }], { baseOffset: 0n });
    const b = encodeRecordBatch([{ value: Buffer.from('two') }, { value: Buffer.from('three') }], { baseOffset: 1n, compression: CompressionType.Snappy });
    const c = encodeRecordBatch([{ value: Buffer.alloc(100) }], { baseOffset: 3n });
    const all = Buffer.concat([a, b, c.subarray(0, c.length - 10)]);
    const slices = [...iterateBatches(all)];
    expect(slices.map((s) => [s.start, s.end, s.header.baseOffset])).to.deep.equal([
      [0, a.length, 0n],
      [a.length, a.length + b.length, 1n],
    ]);
    expect([...iterateBatches(Buffer.concat([a, c.subarray(0, 30)]))]).to.have.length(1);
    expect([...iterateBatches(Buffer.alloc(0))]).to.have.length(0);
  });

  it('rejects short headers, wrong magic and lying lengths with ProtocolError', () => {
    const buf = encodeRecordBatch([{ value: Buffer.from('v') }]);
    expect(() => readBatchHeader(buf.subarray(0, RECORD_BATCH_HEADER_SIZE - 1))).to.throw(ProtocolError).with.property('code', 'PRT_TRUNCATED');
    const bad = Buffer.from(buf);
    bad[16] = 1;
    expect(() => readBatchHeader(bad)).to.throw(ProtocolError).with.property('code', 'PRT_INVALID_MAGIC');
    const lying = Buffer.from(buf);
    lying.writeInt32BE(1_000_000, 57); // recordCount
    expect(() => decodeRecordBatch(lying)).to.throw(ProtocolError);
    expect(() => decodeRecordBatch(buf.subarray(0, buf.length - 1))).to.throw(ProtocolError).with.property('code', 'PRT_TRUNCATED');
  });

  it('produces batches that KafkaJS 2.2.4 decodes (uncompressed and gzip)', async () => {
    const require = createRequire(import.meta.url);
    const Decoder = require('kafkajs/src/protocol/decoder') as new (b: Buffer) => unknown;
    const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder') as (d: unknown) => Promise<{
      records: Array<{ offset: string; key: Buffer | null; value: Buffer | null; headers: Record<string, Buffer>; timestamp: string }>;
    }>;
    for (const compression of [CompressionType.None, CompressionType.Gzip]) {
      const buf = encodeRecordBatch(
        [
          { key: Buffer.from('k1'), value: Buffer.from('v1'), headers: [{ key: 'trace', value: Buffer.from('t') }], timestamp: 1_700_000_000_000n },
          { key: null, value: Buffer.from('v2'), timestamp: 1_700_000_000_005n },
        ],
        { compression, baseOffset: 40n },
      );
      const batch = await decodeBatch(new Decoder(buf));
      expect(batch.records.map((r) => [r.offset, r.key?.toString() ?? null, r.value?.toString(), r.timestamp])).to.deep.equal([
        ['40', 'k1', 'v1', '1700000000000'],
        ['41', null, 'v2', '1700000000005'],
      ]);
      expect(batch.records[0]!.headers['trace']!.toString()).to.equal('t');
    }
  });
});
