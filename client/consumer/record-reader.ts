/**
 * The consumer's hot path: records of one fetched batch straight into the objects poll()
 * returns (one allocation per record, plus the key/value views). protocol/'s RecordCursor is the
 * general decoder; this one is tuned for reading: varints inline on the buffer, a timestamp
 * BigInt shared by records with the same delta, records below the fetch position skipped before
 * any allocation. Every length is still checked against the batch (a bad batch throws
 * CLI_PROTOCOL, never over-reads).
 */
import type { RecordBatchHeader, RecordHeader } from '../../protocol/index.js';
import { KafkaClientError } from '../errors.js';
import { CompressionType, RECORD_BATCH_HEADER_SIZE, compressionOf, decompress } from '../wire.js';

/** A record as fetched: key and value are views into the response (or its decompressed copy). */
export interface FetchedRecord {
  topic: string;
  partition: number;
  offset: bigint;
  timestamp: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

// Shared by every header-less record, so frozen.
const NO_HEADERS = Object.freeze([]) as unknown as RecordHeader[];
// Shared by the readers below: one event loop, no re-entrancy.
let pos = 0;
let end = 0;

function corrupt(msg: string): KafkaClientError {
  return new KafkaClientError('CLI_PROTOCOL', `corrupt record batch: ${msg}`);
}

function uvarint(b: Buffer): number {
  let result = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (pos >= end) throw corrupt('varint runs past the batch');
    const byte = b[pos++]!;
    result |= (byte & 0x7f) << shift;
    if (byte < 0x80) return result >>> 0;
  }
  throw corrupt('varint longer than 5 bytes');
}

function varint(b: Buffer): number {
  const u = uvarint(b);
  return (u >>> 1) ^ -(u & 1);
}

/** Zig-zag varlong as a number (timestamp deltas fit easily in 2^53). */
function varlongNumber(b: Buffer): number {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw corrupt('varlong runs past the batch');
    const byte = b[pos++]!;
    result += (byte & 0x7f) * mul;
    if (byte < 0x80) return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
    mul *= 128;
  }
  throw corrupt('varlong longer than 10 bytes');
}

function bytes(b: Buffer): Buffer | null {
  const len = varint(b);
  if (len === -1) return null;
  if (len < -1 || len > end - pos) throw corrupt(`length ${len} with ${end - pos} bytes left`);
  const start = pos;
  pos += len;
  return b.subarray(start, pos);
}

/**
 * Appends the records of the batch at `start` of `buf` (header already parsed) with offsets
 * ≥ `from` to `out`.
 */
export function readBatchRecords(topic: string, partition: number, buf: Buffer, start: number, header: RecordBatchHeader, from: bigint, out: FetchedRecord[]): void {
  const batchEnd = start + 12 + header.batchLength;
  let region = buf.subarray(start + RECORD_BATCH_HEADER_SIZE, batchEnd);
  const codec = compressionOf(header.attributes);
  if (codec !== CompressionType.None) region = decompress(codec, region);
  const count = header.recordCount;
  if (count < 0 || count > region.length / 7) throw corrupt(`record count ${count} in ${region.length} bytes`);
  // Offset deltas below this are before the position (a batch fetched from its start).
  const skipBelow = from > header.baseOffset ? Number(from - header.baseOffset) : 0;
  const baseOffset = header.baseOffset;
  const baseTimestamp = header.baseTimestamp;
  // LogAppendTime batches: every record carries the broker's time (maxTimestamp), as Kafka's consumer.
  const logAppendTime = (header.attributes & 0x08) !== 0;
  let lastDelta = 0;
  let lastTimestamp = logAppendTime ? header.maxTimestamp : baseTimestamp;
  pos = 0;
  end = region.length;
  for (let i = 0; i < count; i++) {
    const length = varint(region);
    if (length < 0 || length > end - pos) throw corrupt(`record length ${length} with ${end - pos} bytes left`);
    const recordEnd = pos + length;
    if (recordEnd > end) throw corrupt('record past the batch');
    pos++; // attributes: unused in v2
    const timestampDelta = varlongNumber(region);
    const offsetDelta = varint(region);
    if (offsetDelta < skipBelow) {
      pos = recordEnd;
      continue;
    }
    const key = bytes(region);
    const value = bytes(region);
    const headerCount = varint(region);
    let headers = NO_HEADERS;
    if (headerCount !== 0) {
      if (headerCount < 0 || headerCount > (recordEnd - pos) / 2) throw corrupt(`header count ${headerCount}`);
      headers = new Array<RecordHeader>(headerCount);
      for (let h = 0; h < headerCount; h++) {
        const keyLen = varint(region);
        if (keyLen < 0 || keyLen > end - pos) throw corrupt(`header key length ${keyLen}`);
        const hk = region.toString('utf8', pos, pos + keyLen);
        pos += keyLen;
        headers[h] = { key: hk, value: bytes(region) };
      }
    }
    if (pos !== recordEnd) throw corrupt(`record declared ${length} bytes but used ${pos - (recordEnd - length)}`);
    if (timestampDelta !== lastDelta && !logAppendTime) {
      lastDelta = timestampDelta;
      lastTimestamp = baseTimestamp + BigInt(timestampDelta);
    }
    out.push({ topic, partition, offset: baseOffset + BigInt(offsetDelta), timestamp: lastTimestamp, key, value, headers });
  }
  if (pos !== end) throw corrupt(`${end - pos} bytes left after the last record`);
}
