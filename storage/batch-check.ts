/**
 * Structural checks of v2 batches as they sit in a buffer, shared by leader appends, follower
 * appends and recovery, plus the chunked scanner that walks a segment file. Record contents are
 * never decoded here: the header and the CRC32C are enough to trust a batch.
 */
import { ProtocolError, RECORD_BATCH_HEADER_SIZE, readBatchHeader, verifyBatchCrc, type RecordBatchHeader } from '../protocol/index.js';
import type { StorageErrorCode } from './errors.js';

export type BatchHeader = RecordBatchHeader;

export interface CheckedBatch {
  position: number;
  size: number;
  header: BatchHeader;
  lastOffset: bigint;
}

interface BatchProblem {
  position: number;
  code: StorageErrorCode;
  /** True when the bytes simply end early (a torn write), false when they are wrong. */
  torn: boolean;
  reason: string;
  /** For a torn batch whose header was readable: its full size. */
  needBytes?: number;
}

/** Header-level checks; `crc` also verifies the CRC32C over attributes..end. */
export function checkBatchAt(buf: Buffer, position: number, crc: boolean): CheckedBatch | BatchProblem {
  const remaining = buf.length - position;
  if (remaining < RECORD_BATCH_HEADER_SIZE) {
    return { position, code: 'STG_CORRUPT_BATCH', torn: true, reason: `${remaining} bytes left, a batch header needs ${RECORD_BATCH_HEADER_SIZE}` };
  }
  let header: BatchHeader;
  try {
    header = readBatchHeader(buf, position);
  } catch (err) {
    const code = err instanceof ProtocolError && err.code === 'PRT_INVALID_MAGIC' ? 'STG_INVALID_MAGIC' : 'STG_CORRUPT_BATCH';
    return { position, code, torn: false, reason: `unreadable header: ${(err as Error).message}` };
  }
  const size = header.batchLength + 12;
  if (header.batchLength < RECORD_BATCH_HEADER_SIZE - 12) {
    return { position, code: 'STG_CORRUPT_BATCH', torn: false, reason: `batchLength ${header.batchLength} below the header size` };
  }
  if (header.magic !== 2) return { position, code: 'STG_INVALID_MAGIC', torn: false, reason: `magic ${header.magic}, only v2 (magic 2) is stored` };
  if (size > remaining) return { position, code: 'STG_CORRUPT_BATCH', torn: true, needBytes: size, reason: `batch of ${size} bytes but only ${remaining} present` };
  if (header.lastOffsetDelta < 0) return { position, code: 'STG_CORRUPT_BATCH', torn: false, reason: `negative lastOffsetDelta ${header.lastOffsetDelta}` };
  if (crc && !verifyBatchCrc(buf, position)) return { position, code: 'STG_CORRUPT_BATCH', torn: false, reason: 'CRC32C mismatch' };
  return { position, size, header, lastOffset: header.baseOffset + BigInt(header.lastOffsetDelta) };
}

export function isProblem(r: CheckedBatch | BatchProblem): r is BatchProblem {
  return 'reason' in r;
}

type ReadAt = (position: number, length: number) => Promise<Buffer>;

export interface ScanResult {
  /** Position after the last batch that passed. */
  validBytes: number;
  problem?: BatchProblem;
}

/**
 * Walks the batches in [start, end) of a file, reading `chunkSize` at a time (or one whole batch
 * when it is larger). `visit` gets each batch with its bytes (a view into the chunk) and may
 * return false to stop. With `validate`, CRCs are checked and offsets must grow.
 */
export async function scanBatches(
  readAt: ReadAt,
  start: number,
  end: number,
  opts: { validate: boolean; chunkSize?: number; minNextOffset?: bigint },
  visit: (batch: CheckedBatch, bytes: Buffer) => boolean | void,
): Promise<ScanResult> {
  const chunkSize = opts.chunkSize ?? 1024 * 1024;
  let pos = start;
  let expectAtLeast = opts.minNextOffset ?? -1n;
  while (pos < end) {
    let buf = await readAt(pos, Math.min(chunkSize, end - pos));
    let off = 0;
    let stop = false;
    for (;;) {
      const r = checkBatchAt(buf, off, opts.validate);
      if (isProblem(r)) {
        // A batch reaching past this chunk but not past the file: read exactly that batch.
        if (r.torn && off === 0 && r.needBytes !== undefined && buf.length < end - pos) {
          buf = await readAt(pos, Math.min(r.needBytes, end - pos));
          continue;
        }
        if (r.torn && pos + buf.length < end && off > 0) break;
        return { validBytes: pos + off, problem: { ...r, position: pos + off } };
      }
      if (opts.validate && r.header.baseOffset < expectAtLeast) {
        return {
          validBytes: pos + off,
          problem: { position: pos + off, code: 'STG_CORRUPT_BATCH', torn: false, reason: `baseOffset ${r.header.baseOffset} below expected ${expectAtLeast}` },
        };
      }
      expectAtLeast = r.lastOffset + 1n;
      const checked = { ...r, position: pos + off };
      if (visit(checked, buf.subarray(off, off + r.size)) === false) {
        stop = true;
        off += r.size;
        break;
      }
      off += r.size;
      if (off >= buf.length) break;
    }
    pos += off;
    if (stop) return { validBytes: pos };
  }
  return { validBytes: pos };
}
