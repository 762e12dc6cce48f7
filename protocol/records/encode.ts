/**
 * Record batch v2 encoder. Sizes every record first, then writes into one exactly-sized buffer
 * with inlined varint writers: this is the producer's hot path.
 */
import { crc32c } from '../crc32c.js';
import { ProtocolError } from '../errors.js';
import { CompressionType, compress } from '../compression/index.js';
import { Attributes, BatchOffsets, RECORD_BATCH_HEADER_SIZE } from './batch-header.js';

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface RecordInput {
  key?: Buffer | null;
  value: Buffer | null;
  headers?: RecordHeader[];
  timestamp?: bigint;
}

export interface EncodeBatchOptions {
  baseOffset?: bigint;
  compression?: CompressionType;
  partitionLeaderEpoch?: number;
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
  control?: boolean;
  logAppendTime?: boolean;
  /** Defaults to the first record's timestamp, else the current wall-clock time. */
  baseTimestamp?: bigint;
  /** Explicit offset deltas (compacted batches have gaps); defaults to 0..n-1. */
  offsetDeltas?: number[];
}

/** Timestamp deltas within ±2^52 are zig-zagged as doubles (exact); beyond, as bigint. */
const SAFE_DELTA = 2n ** 52n;
const NEG_SAFE_DELTA = -SAFE_DELTA;

function uvarintLen(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : v < 0x800000000 ? 5 : v < 0x40000000000 ? 6 : v < 0x2000000000000 ? 7 : 8;
}

/** Zig-zag of a safe integer, as a (non-negative) safe integer. */
function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

function writeUvarint(buf: Buffer, pos: number, v: number): number {
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[pos++] = v;
  return pos;
}

function writeUvarlongBig(buf: Buffer, pos: number, v: bigint): number {
  let x = BigInt.asUintN(64, v);
  while (x >= 0x80n) {
    buf[pos++] = Number(x & 0x7fn) | 0x80;
    x >>= 7n;
  }
  buf[pos++] = Number(x);
  return pos;
}

function uvarlongBigLen(v: bigint): number {
  let x = BigInt.asUintN(64, v);
  let n = 1;
  while (x >= 0x80n) {
    x >>= 7n;
    n++;
  }
  return n;
}

/** Encodes records into a fresh, complete record batch (CRC included). */
export function encodeRecordBatch(records: readonly RecordInput[], opts: EncodeBatchOptions = {}): Buffer {
  const n = records.length;
  const compression = opts.compression ?? CompressionType.None;
  if (compression < 0 || compression > 4) throw new ProtocolError('PRT_UNSUPPORTED_COMPRESSION', `unsupported compression ${compression}`);
  const deltas = opts.offsetDeltas;
  if (deltas !== undefined && deltas.length !== n) {
    throw new ProtocolError('PRT_ENCODE', `offsetDeltas has ${deltas.length} entries for ${n} records`);
  }
  let baseTimestamp = opts.baseTimestamp;
  if (baseTimestamp === undefined) baseTimestamp = records[0]?.timestamp ?? BigInt(Date.now());
  let maxTimestamp = baseTimestamp;

  // Per-record sizes in typed arrays: no per-record objects on the hot path.
  const bodySizes = new Int32Array(n);
  /** zig-zag timestamp delta when it fits a double exactly, else -1 (then see bigDeltas) */
  const tsZigzag = new Float64Array(n);
  let bigDeltas: Map<number, bigint> | undefined;
  let headerKeyLens: Map<number, number[]> | undefined;
  let recordsSize = 0;
  for (let i = 0; i < n; i++) {
    const rec = records[i]!;
    let tsLen = 1;
    const ts = rec.timestamp;
    if (ts !== undefined && ts !== baseTimestamp) {
      if (ts > maxTimestamp) maxTimestamp = ts;
      const d = ts - baseTimestamp;
      if (d < SAFE_DELTA && d > NEG_SAFE_DELTA) {
        const z = zigzag(Number(d));
        tsZigzag[i] = z;
        tsLen = uvarintLen(z);
      } else {
        const z = (d << 1n) ^ (d >> 63n);
        tsZigzag[i] = -1;
        (bigDeltas ??= new Map()).set(i, z);
        tsLen = uvarlongBigLen(z);
      }
    }
    const offsetDelta = deltas === undefined ? i : deltas[i]!;
    const key = rec.key;
    const value = rec.value;
    let size = 1 + tsLen + uvarintLen(zigzag(offsetDelta));
    size += key == null ? 1 : uvarintLen(key.length * 2) + key.length;
    size += value === null ? 1 : uvarintLen(value.length * 2) + value.length;
    const headers = rec.headers;
    if (headers === undefined || headers.length === 0) {
      size += 1;
    } else {
      const lens: number[] = new Array(headers.length);
      size += uvarintLen(headers.length * 2);
      for (let h = 0; h < headers.length; h++) {
        const hdr = headers[h]!;
        const kl = Buffer.byteLength(hdr.key, 'utf8');
        lens[h] = kl;
        size += uvarintLen(kl * 2) + kl;
        size += hdr.value === null ? 1 : uvarintLen(hdr.value.length * 2) + hdr.value.length;
      }
      (headerKeyLens ??= new Map()).set(i, lens);
    }
    bodySizes[i] = size;
    recordsSize += uvarintLen(size * 2) + size;
  }

  const compressed = compression !== CompressionType.None;
  const body = compressed ? Buffer.allocUnsafe(recordsSize) : null;
  let out: Buffer;
  let pos: number;
  if (body === null) {
    out = Buffer.allocUnsafe(RECORD_BATCH_HEADER_SIZE + recordsSize);
    pos = RECORD_BATCH_HEADER_SIZE;
  } else {
    out = body;
    pos = 0;
  }
  for (let i = 0; i < n; i++) {
    const rec = records[i]!;
    pos = writeUvarint(out, pos, bodySizes[i]! * 2);
    out[pos++] = 0; // record attributes: unused
    const tsZ = tsZigzag[i]!;
    pos = tsZ >= 0 ? writeUvarint(out, pos, tsZ) : writeUvarlongBig(out, pos, bigDeltas!.get(i)!);
    pos = writeUvarint(out, pos, zigzag(deltas === undefined ? i : deltas[i]!));
    const key = rec.key;
    if (key == null) {
      out[pos++] = 1; // zig-zag(-1)
    } else {
      pos = writeUvarint(out, pos, key.length * 2);
      out.set(key, pos);
      pos += key.length;
    }
    const value = rec.value;
    if (value === null) {
      out[pos++] = 1;
    } else {
      pos = writeUvarint(out, pos, value.length * 2);
      out.set(value, pos);
      pos += value.length;
    }
    const headers = rec.headers;
    if (headers === undefined || headers.length === 0) {
      out[pos++] = 0;
    } else {
      pos = writeUvarint(out, pos, headers.length * 2);
      const lens = headerKeyLens!.get(i)!;
      for (let h = 0; h < headers.length; h++) {
        const hdr = headers[h]!;
        const kl = lens[h]!;
        pos = writeUvarint(out, pos, kl * 2);
        pos += out.write(hdr.key, pos, kl, 'utf8');
        if (hdr.value === null) {
          out[pos++] = 1;
        } else {
          pos = writeUvarint(out, pos, hdr.value.length * 2);
          out.set(hdr.value, pos);
          pos += hdr.value.length;
        }
      }
    }
  }

  if (body !== null) {
    const packed = compress(compression, body);
    out = Buffer.allocUnsafe(RECORD_BATCH_HEADER_SIZE + packed.length);
    out.set(packed, RECORD_BATCH_HEADER_SIZE);
  }

  let lastOffsetDelta = n - 1;
  if (deltas !== undefined) for (const d of deltas) if (d > lastOffsetDelta) lastOffsetDelta = d;
  let attributes = compression;
  if (opts.logAppendTime) attributes |= Attributes.timestampType;
  if (opts.transactional) attributes |= Attributes.transactional;
  if (opts.control) attributes |= Attributes.control;

  out.writeBigInt64BE(opts.baseOffset ?? 0n, BatchOffsets.baseOffset);
  out.writeInt32BE(out.length - 12, BatchOffsets.batchLength);
  out.writeInt32BE(opts.partitionLeaderEpoch ?? -1, BatchOffsets.partitionLeaderEpoch);
  out[BatchOffsets.magic] = 2;
  out.writeInt16BE(attributes, BatchOffsets.attributes);
  out.writeInt32BE(lastOffsetDelta, BatchOffsets.lastOffsetDelta);
  out.writeBigInt64BE(baseTimestamp, BatchOffsets.baseTimestamp);
  out.writeBigInt64BE(maxTimestamp, BatchOffsets.maxTimestamp);
  out.writeBigInt64BE(opts.producerId ?? -1n, BatchOffsets.producerId);
  out.writeInt16BE(opts.producerEpoch ?? -1, BatchOffsets.producerEpoch);
  out.writeInt32BE(opts.baseSequence ?? -1, BatchOffsets.baseSequence);
  out.writeInt32BE(n, BatchOffsets.recordCount);
  out.writeUInt32BE(crc32c(out.subarray(BatchOffsets.attributes)), BatchOffsets.crc);
  return out;
}
