/**
 * MessageSet v0/v1 (magic 0/1): golden vectors written from the message format spec (offset,
 * size, CRC32 over magic..value, magic, attributes, [timestamp], key, value; computed with an
 * independent encoder), the up-conversion into one v2 batch and the down-conversion of v2 batches.
 */
import { expect } from 'chai';
import { crc32, gzipSync } from 'node:zlib';
import {
  CompressionType,
  ProtocolError,
  compressionOf,
  decodeLegacyMessageSet,
  decodeRecordBatch,
  downConvertBatches,
  encodeRecordBatch,
  recordSetMagic,
  setLogAppendTime,
  upConvertToBatch,
  verifyBatchCrc,
} from '../../../protocol/index.js';
import { xxh32 } from '../../../protocol/compression/lz4-legacy.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');
/** A message written field by field, for the malformed cases the encoder cannot produce. */
function message(offset: bigint, magic: 0 | 1, attributes: number, timestamp: bigint, key: Buffer | null, value: Buffer | null): Buffer {
  const fields: Buffer[] = [Buffer.from([magic, attributes])];
  if (magic === 1) {
    const ts = Buffer.alloc(8);
    ts.writeBigInt64BE(timestamp);
    fields.push(ts);
  }
  for (const b of [key, value]) {
    const len = Buffer.alloc(4);
    len.writeInt32BE(b === null ? -1 : b.length);
    fields.push(len, ...(b === null ? [] : [b]));
  }
  const body = Buffer.concat(fields);
  const head = Buffer.alloc(16);
  head.writeBigInt64BE(offset, 0);
  head.writeInt32BE(body.length + 4, 8);
  head.writeUInt32BE(crc32(body), 12);
  return Buffer.concat([head, body]);
}

const str = (b: Buffer | null): string | null => (b === null ? null : b.toString());

/** offset 0, magic 0, key "k", value "v" */
const V0_KV = '0000000000000000000000101fecd70a0000000000016b0000000176';
/** offset 1, magic 0, null key, value "hello" */
const V0_NULL_KEY = '00000000000000010000001387a77ab20000ffffffff0000000568656c6c6f';
/** offset 0, magic 1, timestamp 1700000000000, key "key", value "val" */
const V1_KV = '00000000000000000000001c8d4c9c5901000000018bcfe56800000000036b65790000000376616c';
/**
 * A gzip magic 1 wrapper at offset 41 (timestamp 2000) around two messages with relative offsets
 * 0 and 1: (null, "a", ts 1000) and ("b", "bb", ts 2000).
 */
const V1_GZIP =
  '00000000000000290000005279da750d010100000000000007d0ffffffff0000003c1f8b08000000000002ff63608003f1aed497b98c500ef38bff400064302642454032923712bf9e812961bf00124d02124c49490067ed935a48000000';

describe('protocol: legacy message sets (magic 0/1)', () => {
  it('decodes magic 0 messages, keys, null keys and their offsets', () => {
    const set = decodeLegacyMessageSet(hex(V0_KV + V0_NULL_KEY));
    expect(set.magic).to.equal(0);
    expect(set.compression).to.equal(CompressionType.None);
    expect(set.records.map((r) => [r.offset, str(r.key), str(r.value), r.timestamp])).to.deep.equal([
      [0n, 'k', 'v', -1n],
      [1n, null, 'hello', -1n],
    ]);
    expect(recordSetMagic(hex(V0_KV))).to.equal(0);
  });

  it('decodes a magic 1 message with its timestamp', () => {
    const set = decodeLegacyMessageSet(hex(V1_KV));
    expect(set.magic).to.equal(1);
    expect(set.records).to.have.length(1);
    expect(set.records[0]!.timestamp).to.equal(1700000000000n);
    expect(str(set.records[0]!.key)).to.equal('key');
    expect(str(set.records[0]!.value)).to.equal('val');
  });

  it('unwraps a gzip magic 1 wrapper, resolving relative inner offsets against the wrapper offset', () => {
    const set = decodeLegacyMessageSet(hex(V1_GZIP));
    expect(set.compression).to.equal(CompressionType.Gzip);
    expect(set.records.map((r) => [r.offset, str(r.key), str(r.value), r.timestamp])).to.deep.equal([
      [40n, null, 'a', 1000n],
      [41n, 'b', 'bb', 2000n],
    ]);
  });

  it('refuses a message whose CRC32 does not hold (CORRUPT_MESSAGE), and a truncated one', () => {
    const bad = hex(V0_KV);
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 1;
    expect(() => decodeLegacyMessageSet(bad)).to.throw(ProtocolError).with.property('kafkaError', 'CORRUPT_MESSAGE');
    expect(() => decodeLegacyMessageSet(hex(V0_KV + V0_NULL_KEY).subarray(0, 40))).to.throw(ProtocolError).with.property('kafkaError', 'CORRUPT_MESSAGE');
  });

  it('refuses mixed magics and a compressed message inside a wrapper (INVALID_RECORD / CORRUPT_MESSAGE)', () => {
    expect(() => decodeLegacyMessageSet(hex(V0_KV + V1_KV))).to.throw(ProtocolError).with.property('kafkaError', 'INVALID_RECORD');
    const nested = message(3n, 1, CompressionType.Gzip, 5n, null, gzipSync(hex(V1_GZIP)));
    expect(() => decodeLegacyMessageSet(nested)).to.throw(ProtocolError, /holds a compressed message/);
    const zstd = message(0n, 1, CompressionType.Zstd, 5n, null, Buffer.from('x'));
    expect(() => decodeLegacyMessageSet(zstd)).to.throw(ProtocolError).with.property('kafkaError', 'UNSUPPORTED_COMPRESSION_TYPE');
  });

  it('up-converts into one v2 batch in the wrappers codec, with the records timestamps', () => {
    const batch = upConvertToBatch(decodeLegacyMessageSet(hex(V1_GZIP)));
    expect(verifyBatchCrc(batch, 0)).to.equal(true);
    const { header, records } = decodeRecordBatch(batch);
    expect(header.magic).to.equal(2);
    expect(compressionOf(header.attributes)).to.equal(CompressionType.Gzip);
    expect(header.maxTimestamp).to.equal(2000n);
    expect(records.map((r) => [r.offset, str(r.key), str(r.value), r.timestamp])).to.deep.equal([
      [0n, null, 'a', 1000n],
      [1n, 'b', 'bb', 2000n],
    ]);
    const v0 = decodeRecordBatch(upConvertToBatch(decodeLegacyMessageSet(hex(V0_KV + V0_NULL_KEY))));
    expect(v0.records.map((r) => r.timestamp)).to.deep.equal([-1n, -1n]);
    expect(v0.header.maxTimestamp).to.equal(-1n);
  });

  it('down-converts v2 batches to the exact magic 0 and magic 1 bytes, skipping control batches', () => {
    const data = encodeRecordBatch(
      [
        { key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 1000n, headers: [{ key: 'h', value: Buffer.from('dropped') }] },
        { key: null, value: Buffer.from('w'), timestamp: 1001n },
      ],
      { baseOffset: 5n },
    );
    const control = encodeRecordBatch([{ key: Buffer.from([0, 0, 0, 0]), value: Buffer.from([0, 0, 0, 0, 0, 0]), timestamp: 1002n }], { baseOffset: 7n, control: true, transactional: true, producerId: 1n, producerEpoch: 0, baseSequence: -1 });
    const log = Buffer.concat([data, control]);
    expect(downConvertBatches(log, 0).toString('hex')).to.equal(
      '0000000000000005000000101fecd70a0000000000016b000000017600000000000000060000000fa50b8f630000ffffffff0000000177',
    );
    expect(downConvertBatches(log, 1).toString('hex')).to.equal(
      '000000000000000500000018e4e321bc010000000000000003e8000000016b000000017600000000000000060000001791733702010000000000000003e9ffffffff0000000177',
    );
  });

  it('down-converts a LogAppendTime batch to magic 1 messages carrying the append time and the flag', () => {
    const data = encodeRecordBatch([{ key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 1000n }, { key: null, value: Buffer.from('w'), timestamp: 1001n }], { baseOffset: 5n });
    setLogAppendTime(data, 0, 3000n);
    expect(downConvertBatches(data, 1).toString('hex')).to.equal(
      '00000000000000050000001893f097e301080000000000000bb8000000016b00000001760000000000000006000000176a37953d01080000000000000bb8ffffffff0000000177',
    );
  });

  for (const codec of [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4]) {
    for (const magic of [0, 1] as const) {
      it(`down-converts a codec ${codec} batch to a magic ${magic} wrapper that decodes back to the same records`, () => {
        const data = encodeRecordBatch(
          Array.from({ length: 20 }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`value-${i}`.repeat(5)), timestamp: 100n + BigInt(i) })),
          { baseOffset: 100n, compression: codec },
        );
        const set = decodeLegacyMessageSet(downConvertBatches(data, magic));
        expect(set.magic).to.equal(magic);
        expect(set.compression).to.equal(codec);
        expect(set.records.map((r) => r.offset)).to.deep.equal(Array.from({ length: 20 }, (_, i) => 100n + BigInt(i)));
        expect(set.records.map((r) => r.timestamp)).to.deep.equal(Array.from({ length: 20 }, (_, i) => (magic === 1 ? 100n + BigInt(i) : -1n)));
        expect(set.records.map((r) => str(r.value))).to.deep.equal(Array.from({ length: 20 }, (_, i) => `value-${i}`.repeat(5)));
      });
    }
  }

  it('writes magic 0 LZ4 with Kafka\'s old descriptor checksum (over the frame magic too) and reads it back', () => {
    // xxh32 reference values from the xxHash specification's test vectors (seed 0).
    expect(xxh32(Buffer.alloc(0))).to.equal(0x02cc5d05);
    expect(xxh32(Buffer.from('a'))).to.equal(0x550d7456);
    expect(xxh32(Buffer.from('abc'))).to.equal(0x32d153ff);
    expect(xxh32(Buffer.from('Nobody inspects the spammish repetition'))).to.equal(0xe2293b2f);
    const data = encodeRecordBatch([{ value: Buffer.from('lz4 payload '.repeat(10)), timestamp: 1n }], { baseOffset: 0n, compression: CompressionType.Lz4 });
    const v0 = downConvertBatches(data, 0);
    const frame = v0.subarray(12 + 4 + 1 + 1 + 4 + 4);
    const flgEnd = 6 + ((frame[4]! & 0x08) !== 0 ? 8 : 0);
    expect(frame[flgEnd]).to.equal((xxh32(frame.subarray(0, flgEnd)) >>> 8) & 0xff);
    expect(frame[flgEnd]).to.not.equal((xxh32(frame.subarray(4, flgEnd)) >>> 8) & 0xff);
    expect(str(decodeLegacyMessageSet(v0).records[0]!.value)).to.equal('lz4 payload '.repeat(10));
  });

  it('down-converts a zstd batch, which magic 0/1 cannot carry, to uncompressed messages', () => {
    const data = encodeRecordBatch([{ value: Buffer.from('z1'), timestamp: 5n }, { value: Buffer.from('z2'), timestamp: 6n }], { baseOffset: 3n, compression: CompressionType.Zstd });
    const set = decodeLegacyMessageSet(downConvertBatches(data, 1));
    expect(set.compression).to.equal(CompressionType.None);
    expect(set.records.map((r) => [r.offset, str(r.value)])).to.deep.equal([
      [3n, 'z1'],
      [4n, 'z2'],
    ]);
  });

  it('leaves out a trailing partial batch when down-converting a fetch', () => {
    const a = encodeRecordBatch([{ value: Buffer.from('a'), timestamp: 1n }], { baseOffset: 0n });
    const b = encodeRecordBatch([{ value: Buffer.from('b'), timestamp: 2n }], { baseOffset: 1n });
    const set = decodeLegacyMessageSet(downConvertBatches(Buffer.concat([a, b.subarray(0, b.length - 3)]), 1));
    expect(set.records.map((r) => str(r.value))).to.deep.equal(['a']);
  });
});
