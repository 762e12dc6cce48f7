/**
 * compress()/decompress() for the record batch codecs. All synchronous so that batch encode
 * and decode stay synchronous; any codec failure surfaces as ProtocolError PRT_COMPRESSION.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';
import { init as zstdInit, compress as zstdCompressRaw } from '@bokuweb/zstd-wasm';
import { decompress as zstdDecompressRaw } from 'fzstd';
import { ProtocolError, asProtocolError } from '../errors.js';
import { CompressionType, compressionName } from './codec-type.js';
import { snappyCompress, snappyDecompress } from './snappy.js';
import { DEFAULT_MAX_DECOMPRESSED_BYTES, checkLz4Frame, checkZstdFrame, tooLarge } from './limits.js';

// The zstd encoder is WebAssembly: instantiate it once when protocol/ is first imported.
await zstdInit();

const ZSTD_LEVEL = 3; // zstd's own default, what Kafka uses too

function toBuffer(u8: Uint8Array): Buffer {
  return Buffer.isBuffer(u8) ? u8 : Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

export function compress(type: CompressionType, data: Buffer): Buffer {
  try {
    switch (type) {
      case CompressionType.None:
        return data;
      case CompressionType.Gzip:
        return gzipSync(data);
      case CompressionType.Snappy:
        return snappyCompress(data);
      case CompressionType.Lz4:
        return compressFrameSync(data);
      case CompressionType.Zstd:
        return toBuffer(zstdCompressRaw(data, ZSTD_LEVEL));
      default:
        throw new ProtocolError('PRT_UNSUPPORTED_COMPRESSION', `unsupported compression type ${String(type)}`);
    }
  } catch (err) {
    throw asProtocolError('PRT_COMPRESSION', `${compressionName(type)} compression failed`, err);
  }
}

/**
 * Decompresses one record set. Output larger than `maxBytes` is refused; where the format
 * announces its size (snappy, lz4 and zstd headers) that happens before decoding.
 */
export function decompress(type: CompressionType, data: Buffer, maxBytes = DEFAULT_MAX_DECOMPRESSED_BYTES): Buffer {
  if (type === CompressionType.None) return data;
  if (type < 0 || type > 4) throw new ProtocolError('PRT_UNSUPPORTED_COMPRESSION', `unsupported compression type ${type}`);
  try {
    let out: Buffer;
    switch (type) {
      case CompressionType.Gzip:
        out = gunzipSync(data, { maxOutputLength: maxBytes });
        break;
      case CompressionType.Snappy:
        out = snappyDecompress(data, maxBytes);
        break;
      case CompressionType.Lz4:
        checkLz4Frame(data, maxBytes);
        out = decompressFrameSync(data);
        break;
      default:
        checkZstdFrame(data, maxBytes);
        out = toBuffer(zstdDecompressRaw(data));
    }
    if (out.length > maxBytes) throw tooLarge(compressionName(type), out.length, maxBytes);
    return out;
  } catch (err) {
    throw asProtocolError('PRT_COMPRESSION', `${compressionName(type)} data is corrupt`, err);
  }
}

export { CompressionType, compressionName } from './codec-type.js';
export { snappyCompressXerial, isXerialFramed } from './snappy.js';
export { DEFAULT_MAX_DECOMPRESSED_BYTES } from './limits.js';
