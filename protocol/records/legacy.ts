/**
 * The pre-0.11 message formats, MessageSet v0 (magic 0) and v1 (magic 1, adds a timestamp), as
 * old clients and librdkafka with `api.version.request=false` still produce them with Produce
 * v0–2 and expect them from Fetch v0–3. Samsa stores record batches v2 only, so, like Kafka 2.8
 * with its default `log.message.format.version`, it up-converts on the way in and down-converts
 * on the way out. A message:
 *
 *   offset int64 | size int32 | crc int32 | magic int8 | attributes int8 | [timestamp int64, v1]
 *   | key bytes | value bytes
 *
 * The CRC32 (IEEE, not the CRC32C of v2) covers magic..value. A compressed message (attributes
 * & 7 ≠ 0) is a wrapper whose value is a compressed message set: inner offsets are absolute in v0
 * and relative (0..n-1, the wrapper carrying the last absolute offset) in v1.
 */
import { crc32 } from 'node:zlib';
import { ProtocolError } from '../errors.js';
import { CompressionType, DEFAULT_MAX_DECOMPRESSED_BYTES, compress, decompress } from '../compression/index.js';
import { withLz4HeaderChecksum } from '../compression/lz4-legacy.js';
import { Attributes, TimestampType, isControlBatch } from './batch-header.js';
import { decodeRecordBatch, iterateBatches } from './decode.js';
import { encodeRecordBatch, type RecordInput } from './encode.js';

export type LegacyMagic = 0 | 1;

/** Kafka's RecordBatch.NO_TIMESTAMP: a magic 0 message has no time. */
export const NO_TIMESTAMP = -1n;

const LOG_OVERHEAD = 12; // offset + size
const HEADER_V0 = 4 + 1 + 1 + 4 + 4; // crc, magic, attributes, key length, value length
const HEADER_V1 = HEADER_V0 + 8;
/** The magic byte sits at byte 16 in a message and in a v2 batch alike. */
const MAGIC_OFFSET = 16;

export interface LegacyRecord {
  /** Absolute offset (for the inner messages of a v1 wrapper: already resolved). */
  offset: bigint;
  timestamp: bigint;
  timestampType: TimestampType;
  key: Buffer | null;
  value: Buffer | null;
}

export interface LegacyMessageSet {
  magic: LegacyMagic;
  /** The codec of the (first) wrapper, None when no message was compressed. */
  compression: CompressionType;
  records: LegacyRecord[];
}

/** The magic of the first message or batch of a record set, undefined when too short to tell. */
export function recordSetMagic(buf: Buffer): number | undefined {
  return buf.length > MAGIC_OFFSET ? buf.readInt8(MAGIC_OFFSET) : undefined;
}

function readBytes(buf: Buffer, pos: number, end: number, what: string): [Buffer | null, number] {
  if (pos + 4 > end) throw new ProtocolError('PRT_TRUNCATED', `message ${what} length past the message end`);
  const len = buf.readInt32BE(pos);
  if (len === -1) return [null, pos + 4];
  if (len < -1 || pos + 4 + len > end) throw new ProtocolError('PRT_INVALID_LENGTH', `message ${what} length ${len} past the message end`);
  return [buf.subarray(pos + 4, pos + 4 + len), pos + 4 + len];
}

interface RawMessage {
  offset: bigint;
  magic: LegacyMagic;
  attributes: number;
  timestamp: bigint;
  key: Buffer | null;
  value: Buffer | null;
}

/** Every complete message of a set; CRC checked; a trailing partial message is corruption. */
function readMessages(buf: Buffer, expectMagic: number | undefined): RawMessage[] {
  const out: RawMessage[] = [];
  for (let pos = 0; pos < buf.length; ) {
    if (buf.length - pos < LOG_OVERHEAD + HEADER_V0) throw new ProtocolError('PRT_TRUNCATED', `${buf.length - pos} bytes at ${pos} are too few for a message`);
    const offset = buf.readBigInt64BE(pos);
    const size = buf.readInt32BE(pos + 8);
    const start = pos + LOG_OVERHEAD;
    const end = start + size;
    if (size < HEADER_V0 || end > buf.length) throw new ProtocolError('PRT_INVALID_LENGTH', `message at ${pos} has size ${size} with ${buf.length - start} bytes left`);
    const magic = buf.readInt8(start + 4);
    if (magic !== 0 && magic !== 1) throw new ProtocolError('PRT_INVALID_MAGIC', `message at ${pos} has magic ${magic} inside a magic 0/1 message set`);
    if (expectMagic !== undefined && magic !== expectMagic) throw new ProtocolError('PRT_INVALID_MAGIC', `inner message magic ${magic} differs from its wrapper's ${expectMagic}`);
    if (magic === 1 && size < HEADER_V1) throw new ProtocolError('PRT_INVALID_LENGTH', `magic 1 message at ${pos} has size ${size}`);
    const stored = buf.readUInt32BE(start);
    const computed = crc32(buf.subarray(start + 4, end));
    if (stored !== computed) throw new ProtocolError('PRT_CORRUPT_BATCH', `message at offset ${offset} fails its CRC32 (stored ${stored}, computed ${computed})`);
    const attributes = buf.readInt8(start + 5);
    let p = start + 6;
    let timestamp = NO_TIMESTAMP;
    if (magic === 1) {
      timestamp = buf.readBigInt64BE(p);
      p += 8;
    }
    const [key, afterKey] = readBytes(buf, p, end, 'key');
    const [value, afterValue] = readBytes(buf, afterKey, end, 'value');
    if (afterValue !== end) throw new ProtocolError('PRT_INVALID_LENGTH', `message at offset ${offset} has ${end - afterValue} bytes after its value`);
    out.push({ offset, magic, attributes, timestamp, key, value });
    pos = end;
  }
  return out;
}

/**
 * Decodes a produced magic 0/1 message set into its records, unwrapping compressed wrappers
 * (Kafka's LogValidator rules: every CRC holds, inner messages share the wrapper's magic and are
 * not themselves compressed, a wrapper is not empty). zstd does not exist before magic 2.
 */
export function decodeLegacyMessageSet(buf: Buffer, maxDecompressedBytes = DEFAULT_MAX_DECOMPRESSED_BYTES): LegacyMessageSet {
  const outer = readMessages(buf, undefined);
  if (outer.length === 0) throw new ProtocolError('PRT_TRUNCATED', 'empty message set');
  const magic = outer[0]!.magic;
  let compression: CompressionType = CompressionType.None;
  const records: LegacyRecord[] = [];
  for (const m of outer) {
    if (m.magic !== magic) throw new ProtocolError('PRT_INVALID_MAGIC', `message set mixes magic ${magic} and ${m.magic}`);
    const codec = m.attributes & Attributes.compressionMask;
    const tsType: TimestampType = magic === 1 && (m.attributes & Attributes.timestampType) !== 0 ? TimestampType.LogAppendTime : TimestampType.CreateTime;
    if (codec === CompressionType.None) {
      records.push({ offset: m.offset, timestamp: m.timestamp, timestampType: tsType, key: m.key, value: m.value });
      continue;
    }
    if (codec === CompressionType.Zstd || codec > CompressionType.Zstd) throw new ProtocolError('PRT_UNSUPPORTED_COMPRESSION', `compression codec ${codec} in a magic ${magic} message`);
    if (m.value === null) throw new ProtocolError('PRT_CORRUPT_BATCH', `compressed wrapper at offset ${m.offset} has a null value`);
    if (compression === CompressionType.None) compression = codec as CompressionType;
    // Magic 0 LZ4 carries Kafka's old descriptor checksum: recompute it the way the decoder checks.
    const compressed = magic === 0 && codec === CompressionType.Lz4 ? withLz4HeaderChecksum(m.value, false) : m.value;
    const inner = readMessages(decompress(codec as CompressionType, compressed, maxDecompressedBytes), magic);
    if (inner.length === 0) throw new ProtocolError('PRT_CORRUPT_BATCH', `compressed wrapper at offset ${m.offset} holds no message`);
    const lastRelative = inner[inner.length - 1]!.offset;
    for (const r of inner) {
      if ((r.attributes & Attributes.compressionMask) !== 0) throw new ProtocolError('PRT_CORRUPT_BATCH', `compressed wrapper at offset ${m.offset} holds a compressed message`);
      const offset = magic === 1 ? m.offset - lastRelative + r.offset : r.offset;
      const timestamp = tsType === TimestampType.LogAppendTime ? m.timestamp : r.timestamp;
      records.push({ offset, timestamp, timestampType: tsType, key: r.key, value: r.value });
    }
  }
  return { magic, compression, records };
}

/**
 * Up-conversion for the log (Kafka's LogValidator.convertAndAssignOffsets*): one v2 batch holding
 * every record, in the wrappers' codec; offsets are the log's to assign, timestamps carried over
 * (none for magic 0).
 */
export function upConvertToBatch(set: LegacyMessageSet): Buffer {
  const records: RecordInput[] = set.records.map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp }));
  return encodeRecordBatch(records, { compression: set.compression, baseTimestamp: records[0]!.timestamp });
}

export interface LegacyMessageInput {
  offset: bigint;
  timestamp: bigint;
  key: Buffer | null;
  value: Buffer | null;
}

function writeMessage(magic: LegacyMagic, offset: bigint, attributes: number, timestamp: bigint, key: Buffer | null, value: Buffer | null): Buffer {
  const size = (magic === 1 ? HEADER_V1 : HEADER_V0) + (key?.length ?? 0) + (value?.length ?? 0);
  const out = Buffer.alloc(LOG_OVERHEAD + size);
  out.writeBigInt64BE(offset, 0);
  out.writeInt32BE(size, 8);
  let p = LOG_OVERHEAD + 4;
  out.writeInt8(magic, p++);
  out.writeInt8(attributes, p++);
  if (magic === 1) {
    out.writeBigInt64BE(timestamp, p);
    p += 8;
  }
  for (const b of [key, value]) {
    out.writeInt32BE(b === null ? -1 : b.length, p);
    p += 4;
    if (b !== null) p += b.copy(out, p);
  }
  out.writeUInt32BE(crc32(out.subarray(LOG_OVERHEAD + 4)), LOG_OVERHEAD);
  return out;
}

/**
 * Encodes records as a magic 0/1 message set: one message each when uncompressed, else one
 * wrapper (offset = the last record's) around the compressed inner messages.
 */
export function encodeLegacyMessageSet(
  records: readonly LegacyMessageInput[],
  opts: { magic: LegacyMagic; compression?: CompressionType; timestampType?: TimestampType },
): Buffer {
  const { magic } = opts;
  const compression = opts.compression ?? CompressionType.None;
  const tsAttr = magic === 1 && opts.timestampType === TimestampType.LogAppendTime ? Attributes.timestampType : 0;
  const ts = (t: bigint): bigint => (magic === 1 ? t : NO_TIMESTAMP);
  if (compression === CompressionType.None || records.length === 0) {
    return Buffer.concat(records.map((r) => writeMessage(magic, r.offset, tsAttr, ts(r.timestamp), r.key, r.value)));
  }
  if (compression === CompressionType.Zstd) throw new ProtocolError('PRT_UNSUPPORTED_COMPRESSION', `zstd cannot be written as magic ${magic}`);
  const first = records[0]!.offset;
  const inner = Buffer.concat(records.map((r) => writeMessage(magic, magic === 1 ? r.offset - first : r.offset, 0, ts(r.timestamp), r.key, r.value)));
  const last = records[records.length - 1]!;
  const maxTs = records.reduce((m, r) => (r.timestamp > m ? r.timestamp : m), NO_TIMESTAMP);
  let value = compress(compression, inner);
  if (magic === 0 && compression === CompressionType.Lz4) value = withLz4HeaderChecksum(value, true);
  return writeMessage(magic, last.offset, compression | tsAttr, ts(maxTs), null, value);
}

/**
 * Down-conversion for Fetch v0–3 (Kafka's RecordsUtil.downConvert): each v2 batch becomes a
 * message set of `toMagic` in the batch's codec (zstd, which magic 0/1 cannot carry, as
 * uncompressed messages); headers, producer ids and sequences have no place there and are
 * dropped; control batches are skipped. A trailing partial batch is left out.
 */
export function downConvertBatches(buf: Buffer, toMagic: LegacyMagic): Buffer {
  const parts: Buffer[] = [];
  for (const slice of iterateBatches(buf)) {
    const h = slice.header;
    if (isControlBatch(h.attributes)) continue;
    const { records } = decodeRecordBatch(buf.subarray(0, slice.end), slice.start);
    const logAppend = (h.attributes & Attributes.timestampType) !== 0;
    const codec = (h.attributes & Attributes.compressionMask) as CompressionType;
    parts.push(
      encodeLegacyMessageSet(
        records.map((r) => ({ offset: r.offset, timestamp: logAppend ? h.maxTimestamp : r.timestamp, key: r.key, value: r.value })),
        { magic: toMagic, compression: codec === CompressionType.Zstd ? CompressionType.None : codec, timestampType: logAppend ? TimestampType.LogAppendTime : TimestampType.CreateTime },
      ),
    );
  }
  return Buffer.concat(parts);
}
