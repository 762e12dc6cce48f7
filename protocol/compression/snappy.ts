/**
 * Snappy as Kafka clients use it: librdkafka sends raw snappy blocks, Java clients send the
 * xerial "snappy-java" stream (magic header, then int32-length-prefixed raw blocks). We compress
 * raw (what librdkafka sends; Java reads both) and decompress either.
 */
import snappy from 'snappy';
import { ProtocolError } from '../errors.js';
import { checkSnappyBlock, tooLarge } from './limits.js';

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16; // magic(8) + version(4) + compatible version(4)

export function isXerialFramed(data: Uint8Array): boolean {
  if (data.length < XERIAL_HEADER_SIZE) return false;
  for (let i = 0; i < XERIAL_MAGIC.length; i++) if (data[i] !== XERIAL_MAGIC[i]) return false;
  return true;
}

export function snappyCompress(data: Buffer): Buffer {
  return snappy.compressSync(data);
}

export function snappyDecompress(data: Buffer, maxBytes: number): Buffer {
  if (!isXerialFramed(data)) {
    checkSnappyBlock(data, maxBytes);
    return snappy.uncompressSync(data, { asBuffer: true }) as Buffer;
  }
  const parts: Buffer[] = [];
  let total = 0;
  let pos = XERIAL_HEADER_SIZE;
  while (pos < data.length) {
    if (pos + 4 > data.length) throw new ProtocolError('PRT_COMPRESSION', 'xerial snappy: truncated block length');
    const len = data.readInt32BE(pos);
    pos += 4;
    if (len < 0 || pos + len > data.length) {
      throw new ProtocolError('PRT_COMPRESSION', `xerial snappy: block length ${len} exceeds the remaining ${data.length - pos} bytes`);
    }
    const block = data.subarray(pos, pos + len);
    total += checkSnappyBlock(block, maxBytes);
    if (total > maxBytes) throw tooLarge('xerial snappy stream', total, maxBytes);
    parts.push(snappy.uncompressSync(block, { asBuffer: true }) as Buffer);
    pos += len;
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** The xerial stream a Java producer would send; used by tests and for interop checks. */
export function snappyCompressXerial(data: Buffer, blockSize = 32 * 1024): Buffer {
  const header = Buffer.alloc(XERIAL_HEADER_SIZE);
  XERIAL_MAGIC.copy(header, 0);
  header.writeInt32BE(1, 8);
  header.writeInt32BE(1, 12);
  const parts: Buffer[] = [header];
  for (let pos = 0; pos < data.length; pos += blockSize) {
    const block = snappy.compressSync(data.subarray(pos, Math.min(pos + blockSize, data.length)));
    const len = Buffer.alloc(4);
    len.writeInt32BE(block.length, 0);
    parts.push(len, block);
  }
  return Buffer.concat(parts);
}
