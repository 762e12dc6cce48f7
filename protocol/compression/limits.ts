/**
 * Up-front size checks for compressed input, so a few hostile bytes that announce a huge
 * output are rejected before a codec allocates for it.
 */
import { ProtocolError } from '../errors.js';

/** Default ceiling for one decompressed record set (Kafka batches are ~1 MiB by default). */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 128 * 1024 * 1024;

/** Snappy can expand at most ~21x (a 3-byte copy yields 64 bytes); 32x leaves headroom. */
const SNAPPY_MAX_RATIO = 32;

export function tooLarge(what: string, size: number, max: number): ProtocolError {
  return new ProtocolError('PRT_COMPRESSION', `${what} announces ${size} decompressed bytes; the limit is ${max}`);
}

/** The uncompressed length that prefixes a raw snappy block (unsigned varint, ≤ 32 bits). */
function snappyDeclaredLength(data: Uint8Array): number {
  let result = 0;
  for (let i = 0; i < 5 && i < data.length; i++) {
    const b = data[i]!;
    result += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) return result;
  }
  throw new ProtocolError('PRT_COMPRESSION', 'snappy: invalid length header');
}

export function checkSnappyBlock(data: Uint8Array, max: number): number {
  const declared = snappyDeclaredLength(data);
  if (declared > max) throw tooLarge('snappy block', declared, max);
  if (declared > data.length * SNAPPY_MAX_RATIO + 64) throw new ProtocolError('PRT_COMPRESSION', `snappy: ${declared} bytes cannot come from ${data.length}`);
  return declared;
}

/** LZ4 frame: content size is optional (FLG bit 3) and sits after FLG/BD. */
export function checkLz4Frame(data: Buffer, max: number): void {
  if (data.length < 7 || data.readUInt32LE(0) !== 0x184d2204) throw new ProtocolError('PRT_COMPRESSION', 'lz4: not an LZ4 frame');
  const flg = data[4]!;
  if (flg & 0x08) {
    if (data.length < 14) throw new ProtocolError('PRT_COMPRESSION', 'lz4: truncated frame header');
    const size = Number(data.readBigUInt64LE(6));
    if (size > max) throw tooLarge('lz4 frame', size, max);
  }
}

/** zstd frame header: Frame_Content_Size when present (RFC 8878 §3.1.1.1). */
export function checkZstdFrame(data: Buffer, max: number): void {
  if (data.length < 5 || data.readUInt32LE(0) !== 0xfd2fb528) return; // let the decoder report it
  const fhd = data[4]!;
  const fcsFlag = fhd >> 6;
  const singleSegment = (fhd >> 5) & 1;
  const dictIdFlag = fhd & 3;
  const fcsSize = fcsFlag === 0 ? singleSegment : 1 << fcsFlag;
  if (fcsSize === 0) return;
  const at = 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][dictIdFlag]!;
  if (data.length < at + fcsSize) return;
  let size: number;
  if (fcsSize === 1) size = data[at]!;
  else if (fcsSize === 2) size = data.readUInt16LE(at) + 256;
  else if (fcsSize === 4) size = data.readUInt32LE(at);
  else size = Number(data.readBigUInt64LE(at));
  if (size > max) throw tooLarge('zstd frame', size, max);
}
