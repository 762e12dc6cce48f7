/**
 * Record batch v2 header: the 61 bytes a broker reads and patches. baseOffset, batchLength,
 * partitionLeaderEpoch and magic sit before the CRC'd range, so offset and leader-epoch
 * assignment are in-place writes that keep the producer's CRC valid.
 */
import { crc32c } from '../crc32c.js';
import { ProtocolError } from '../errors.js';
import { CompressionType } from '../compression/codec-type.js';

export const RECORD_BATCH_HEADER_SIZE = 61;
/** Bytes counted in batchLength's own header part: everything after the batchLength field. */
export const BATCH_LENGTH_OFFSET_END = 12;
const MIN_BATCH_LENGTH = RECORD_BATCH_HEADER_SIZE - BATCH_LENGTH_OFFSET_END;

export const BatchOffsets = Object.freeze({
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordCount: 57,
  records: 61,
} as const);

export const Attributes = Object.freeze({
  compressionMask: 0x07,
  timestampType: 0x08,
  transactional: 0x10,
  control: 0x20,
  deleteHorizon: 0x40,
} as const);

export const TimestampType = Object.freeze({ CreateTime: 0, LogAppendTime: 1 } as const);
export type TimestampType = (typeof TimestampType)[keyof typeof TimestampType];

export interface RecordBatchHeader {
  baseOffset: bigint;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

/**
 * Reads the 61-byte header at `offset`. Checks only what the header itself can prove (enough
 * bytes, magic 2, a batchLength that covers the header); whether the whole batch is present is
 * the caller's question (see batchTotalSize / iterateBatches).
 */
export function readBatchHeader(buf: Buffer, offset = 0): RecordBatchHeader {
  if (offset < 0 || buf.length - offset < RECORD_BATCH_HEADER_SIZE) {
    throw new ProtocolError(
      'PRT_TRUNCATED',
      `record batch header needs ${RECORD_BATCH_HEADER_SIZE} bytes at offset ${offset}, only ${Math.max(0, buf.length - offset)} present`,
    );
  }
  const magic = buf.readInt8(offset + 16);
  if (magic !== 2) throw new ProtocolError('PRT_INVALID_MAGIC', `unsupported record batch magic ${magic} at offset ${offset} (only v2)`);
  const batchLength = buf.readInt32BE(offset + 8);
  if (batchLength < MIN_BATCH_LENGTH) {
    throw new ProtocolError('PRT_CORRUPT_BATCH', `record batch length ${batchLength} at offset ${offset} is smaller than its header`);
  }
  return {
    baseOffset: buf.readBigInt64BE(offset),
    batchLength,
    partitionLeaderEpoch: buf.readInt32BE(offset + 12),
    magic,
    crc: buf.readUInt32BE(offset + 17),
    attributes: buf.readInt16BE(offset + 21),
    lastOffsetDelta: buf.readInt32BE(offset + 23),
    baseTimestamp: buf.readBigInt64BE(offset + 27),
    maxTimestamp: buf.readBigInt64BE(offset + 35),
    producerId: buf.readBigInt64BE(offset + 43),
    producerEpoch: buf.readInt16BE(offset + 51),
    baseSequence: buf.readInt32BE(offset + 53),
    recordCount: buf.readInt32BE(offset + 57),
  };
}

/** Bytes the whole batch occupies, header included. */
export function batchTotalSize(header: Pick<RecordBatchHeader, 'batchLength'>): number {
  return header.batchLength + BATCH_LENGTH_OFFSET_END;
}

/** Last offset of the batch; uses lastOffsetDelta, not recordCount (compaction leaves gaps). */
export function batchLastOffset(header: Pick<RecordBatchHeader, 'baseOffset' | 'lastOffsetDelta'>): bigint {
  return header.baseOffset + BigInt(header.lastOffsetDelta);
}

export function setBaseOffset(buf: Buffer, batchStart: number, baseOffset: bigint): void {
  buf.writeBigInt64BE(baseOffset, batchStart + BatchOffsets.baseOffset);
}

export function setPartitionLeaderEpoch(buf: Buffer, batchStart: number, epoch: number): void {
  buf.writeInt32BE(epoch, batchStart + BatchOffsets.partitionLeaderEpoch);
}

function crcRange(buf: Buffer, batchStart: number): Buffer {
  const batchLength = buf.readInt32BE(batchStart + BatchOffsets.batchLength);
  const end = batchStart + BATCH_LENGTH_OFFSET_END + batchLength;
  if (batchLength < MIN_BATCH_LENGTH || end > buf.length) {
    throw new ProtocolError('PRT_TRUNCATED', `record batch at ${batchStart} claims ${batchLength} bytes; ${buf.length - batchStart - BATCH_LENGTH_OFFSET_END} present`);
  }
  return buf.subarray(batchStart + BatchOffsets.attributes, end);
}

/** CRC-32C over attributes..end of batch, as stored in the crc field. */
export function computeBatchCrc(buf: Buffer, batchStart: number): number {
  return crc32c(crcRange(buf, batchStart));
}

export function verifyBatchCrc(buf: Buffer, batchStart: number): boolean {
  if (buf.length - batchStart < RECORD_BATCH_HEADER_SIZE) return false;
  try {
    return computeBatchCrc(buf, batchStart) === buf.readUInt32BE(batchStart + BatchOffsets.crc);
  } catch {
    return false;
  }
}

/** Recomputes and stores the CRC after a change inside the CRC'd range. */
function updateBatchCrc(buf: Buffer, batchStart: number): number {
  const crc = computeBatchCrc(buf, batchStart);
  buf.writeUInt32BE(crc, batchStart + BatchOffsets.crc);
  return crc;
}

/**
 * LogAppendTime stamping (topic config message.timestamp.type=LogAppendTime): sets the
 * timestamp-type bit and maxTimestamp, which are inside the CRC, so the CRC is recomputed.
 */
export function setLogAppendTime(buf: Buffer, batchStart: number, timestamp: bigint): void {
  const attrs = buf.readInt16BE(batchStart + BatchOffsets.attributes);
  buf.writeInt16BE(attrs | Attributes.timestampType, batchStart + BatchOffsets.attributes);
  buf.writeBigInt64BE(timestamp, batchStart + BatchOffsets.maxTimestamp);
  updateBatchCrc(buf, batchStart);
}

export function compressionOf(attributes: number): CompressionType {
  return (attributes & Attributes.compressionMask) as CompressionType;
}
export function timestampTypeOf(attributes: number): TimestampType {
  return attributes & Attributes.timestampType ? TimestampType.LogAppendTime : TimestampType.CreateTime;
}
export function isTransactional(attributes: number): boolean {
  return (attributes & Attributes.transactional) !== 0;
}
export function isControlBatch(attributes: number): boolean {
  return (attributes & Attributes.control) !== 0;
}
