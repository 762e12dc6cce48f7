/**
 * Record batch v2 decoding: batches out of a byte run (fetch responses, segment reads) and
 * records out of one batch, decompressing when needed. Every length is checked against the
 * batch, so a corrupt or hostile batch is a ProtocolError, never an over-read or a huge alloc.
 */
import { ProtocolError } from '../errors.js';
import { CompressionType, decompress } from '../compression/index.js';
import { Reader } from '../primitives/reader.js';
import {
  BATCH_LENGTH_OFFSET_END,
  RECORD_BATCH_HEADER_SIZE,
  compressionOf,
  readBatchHeader,
  type RecordBatchHeader,
} from './batch-header.js';
import type { RecordHeader } from './encode.js';

export interface DecodedRecord {
  offset: bigint;
  timestamp: bigint;
  /** Views into the batch (or its decompressed copy); copy them if you keep them long. */
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
  offsetDelta: number;
  timestampDelta: bigint;
}

export interface BatchSlice {
  header: RecordBatchHeader;
  start: number;
  end: number;
}

/** The smallest possible record: length, attributes, tsDelta, offsetDelta, key, value, headers. */
const MIN_RECORD_SIZE = 7;

/**
 * Batches in a concatenation of batches. Stops silently at a trailing partial batch (fetch
 * responses may end with one); throws on a complete-looking batch that is not valid v2.
 */
export function* iterateBatches(buf: Buffer, offset = 0, end = buf.length): Generator<BatchSlice> {
  let pos = offset;
  while (end - pos >= RECORD_BATCH_HEADER_SIZE) {
    const batchLength = buf.readInt32BE(pos + 8);
    if (batchLength >= 0 && pos + BATCH_LENGTH_OFFSET_END + batchLength > end) return;
    const header = readBatchHeader(buf.subarray(0, end), pos);
    const batchEnd = pos + BATCH_LENGTH_OFFSET_END + header.batchLength;
    yield { header, start: pos, end: batchEnd };
    pos = batchEnd;
  }
}

/**
 * Records in a concatenation of batches, from the headers alone (no record is decoded). Counts
 * up to the first batch that does not parse instead of throwing: it feeds metrics, never data.
 */
export function countRecords(buf: Buffer): number {
  let count = 0;
  try {
    for (const b of iterateBatches(buf)) count += b.header.recordCount;
  } catch {
    return count;
  }
  return count;
}

function corrupt(msg: string): ProtocolError {
  return new ProtocolError('PRT_CORRUPT_BATCH', msg);
}

/** Reads records one by one out of a batch's (decompressed) records section. */
export class RecordCursor {
  readonly header: RecordBatchHeader;
  private readonly reader: Reader;
  private remainingRecords: number;

  constructor(buf: Buffer, offset = 0) {
    const header = readBatchHeader(buf, offset);
    const end = offset + BATCH_LENGTH_OFFSET_END + header.batchLength;
    if (end > buf.length) {
      throw new ProtocolError('PRT_TRUNCATED', `record batch at ${offset} claims ${header.batchLength} bytes; ${buf.length - offset - BATCH_LENGTH_OFFSET_END} present`);
    }
    if (header.recordCount < 0) throw corrupt(`negative record count ${header.recordCount}`);
    let region = buf.subarray(offset + RECORD_BATCH_HEADER_SIZE, end);
    const codec = compressionOf(header.attributes);
    if (codec !== CompressionType.None) region = decompress(codec, region);
    if (header.recordCount > region.length / MIN_RECORD_SIZE) {
      throw corrupt(`record count ${header.recordCount} cannot fit in ${region.length} bytes of records`);
    }
    this.header = header;
    this.reader = new Reader(region);
    this.remainingRecords = header.recordCount;
  }

  next(): DecodedRecord | undefined {
    const r = this.reader;
    if (this.remainingRecords === 0) {
      if (r.remaining() !== 0) throw corrupt(`${r.remaining()} bytes left after the last record`);
      return undefined;
    }
    this.remainingRecords--;
    const length = r.varint();
    if (length < 0 || length > r.remaining()) throw corrupt(`record length ${length} with ${r.remaining()} bytes left`);
    // Fields are read with the batch-wide reader (bounded by the records section); a record
    // whose fields overrun its declared length is caught by the final position check.
    const recordEnd = r.pos + length;
    r.int8(); // record attributes: unused in v2
    const timestampDelta = r.varlong();
    const offsetDelta = r.varint();
    const key = readVarBytes(r, 'key');
    const value = readVarBytes(r, 'value');
    const headerCount = r.varint();
    let headers: RecordHeader[];
    if (headerCount === 0) {
      headers = [];
    } else {
      if (headerCount < 0 || headerCount > (recordEnd - r.pos) / 2) throw corrupt(`header count ${headerCount} with ${recordEnd - r.pos} bytes left in the record`);
      headers = new Array(headerCount);
      for (let h = 0; h < headerCount; h++) {
        const keyLen = r.varint();
        if (keyLen < 0 || keyLen > r.remaining()) throw corrupt(`header key length ${keyLen}`);
        const hk = r.buf.toString('utf8', r.pos, r.pos + keyLen);
        r.pos += keyLen;
        headers[h] = { key: hk, value: readVarBytes(r, 'header value') };
      }
    }
    if (r.pos !== recordEnd) throw corrupt(`record declared ${length} bytes but used ${r.pos - (recordEnd - length)}`);
    return {
      offset: this.header.baseOffset + BigInt(offsetDelta),
      timestamp: this.header.baseTimestamp + timestampDelta,
      key,
      value,
      headers,
      offsetDelta,
      timestampDelta,
    };
  }
}

function readVarBytes(r: Reader, what: string): Buffer | null {
  const len = r.varint();
  if (len === -1) return null;
  if (len < -1 || len > r.remaining()) throw corrupt(`record ${what} length ${len} with ${r.remaining()} bytes left`);
  const start = r.pos;
  r.pos = start + len;
  return r.buf.subarray(start, start + len);
}

/** Decodes one complete batch at `offset`. Does not verify the CRC (see verifyBatchCrc). */
export function decodeRecordBatch(buf: Buffer, offset = 0): { header: RecordBatchHeader; records: DecodedRecord[] } {
  const cursor = new RecordCursor(buf, offset);
  const records: DecodedRecord[] = [];
  for (let rec = cursor.next(); rec !== undefined; rec = cursor.next()) records.push(rec);
  return { header: cursor.header, records };
}

/** Lazily yields the records of the batch at `offset`. */
export function* iterateRecords(buf: Buffer, offset = 0): Generator<DecodedRecord> {
  const cursor = new RecordCursor(buf, offset);
  for (let rec = cursor.next(); rec !== undefined; rec = cursor.next()) yield rec;
}
