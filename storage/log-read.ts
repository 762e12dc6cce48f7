/**
 * The fetch path: locate the batch holding the fetch offset through the sparse offset index,
 * then return whole batches from ONE segment as a slice of a single `fs.read` buffer. No record
 * is decoded; only batch headers are looked at.
 */
import { batchLastOffset, batchTotalSize, iterateRecords, readBatchHeader, RECORD_BATCH_HEADER_SIZE, TimestampType, timestampTypeOf } from '../protocol/index.js';
import type { RecentChunk } from './recent-tail.js';
import type { LogSegment } from './segment.js';
import { floorSegment } from './segment-list.js';

export interface ReadOptions {
  /** Exclusive upper bound, e.g. the high watermark: only batches wholly below it are returned. */
  maxOffset?: bigint;
  /** Return the first batch even when it is larger than maxBytes (KIP-74). Default true. */
  minOneBatch?: boolean;
}

export interface ReadResult {
  /** Whole v2 batches, possibly empty. */
  records: Buffer;
  /** Base offset of the first returned batch (the fetch offset when nothing was returned). */
  firstOffset: bigint;
  /** Offset after the last returned batch; undefined when nothing was returned. */
  nextOffset?: bigint;
  /**
   * `records` as the views it is made of, when read from memory (several appended chunks):
   * writers that can send pieces (writev) use these and never make `records` join them.
   */
  parts?: readonly Buffer[];
}

const LOCATE_WINDOW = 32 * 1024;
/** Header reads before scanning a window instead (a chunk of many small batches, e.g. a follower's). */
const MAX_HEADER_HOPS = 4;

interface Peek {
  size: number;
  baseOffset: bigint;
  lastOffset: bigint;
}

/** The header at `off` if all 61 bytes are in `buf` and look like v2; the batch itself may be cut. */
function peek(buf: Buffer, off: number): Peek | undefined {
  if (buf.length - off < RECORD_BATCH_HEADER_SIZE) return undefined;
  try {
    const h = readBatchHeader(buf, off);
    return { size: batchTotalSize(h), baseOffset: h.baseOffset, lastOffset: batchLastOffset(h) };
  } catch {
    return undefined;
  }
}

const EMPTY: Buffer = Buffer.alloc(0);

/**
 * Reads from `seg` starting at the batch that contains (or first follows) `fetchOffset`.
 * `endPosition` caps the bytes looked at (the segment size when the read started). Returns
 * undefined when the segment has no batch at or after fetchOffset.
 */
async function readSegment(
  seg: LogSegment,
  fetchOffset: bigint,
  maxBytes: number,
  endPosition: number,
  opts: ReadOptions,
): Promise<ReadResult | undefined> {
  const recent = seg.recentFrom(fetchOffset, endPosition);
  if (recent.length > 0) {
    const r = readRecent(recent, fetchOffset, maxBytes, opts);
    if (r !== undefined) return r;
  }
  const entry = seg.offsetIndex.lookup(fetchOffset);
  let pos = entry.position;
  // An entry names the start of an appended chunk by the chunk's LAST offset: below fetchOffset,
  // that whole chunk comes before the batch wanted. Hop over its batches by their headers
  // (Kafka's searchForOffsetWithSize) rather than reading their bodies: a follower behind the
  // in-memory tail fetches from the chunk after the entry, and reading from the entry read each
  // fetch's worth of bytes twice (the skipped chunk, then the data again from its start).
  let slack = LOCATE_WINDOW;
  if (entry.offset < fetchOffset) {
    for (let hops = 0; hops < MAX_HEADER_HOPS && endPosition - pos >= RECORD_BATCH_HEADER_SIZE; hops++) {
      const p = peek(await seg.readAt(pos, RECORD_BATCH_HEADER_SIZE), 0);
      if (p === undefined) break;
      if (p.lastOffset >= fetchOffset) {
        slack = RECORD_BATCH_HEADER_SIZE; // found: no scan ahead of the data
        break;
      }
      pos += p.size;
    }
  }
  // One read usually covers both the short scan from the index entry and the data returned.
  let buf = EMPTY;
  let off = 0;
  for (;;) {
    if (pos >= endPosition) return undefined;
    buf = await seg.readAt(pos, Math.min(endPosition - pos, slack + Math.max(0, maxBytes)));
    off = 0;
    let p = peek(buf, off);
    while (p && p.lastOffset < fetchOffset) {
      off += p.size;
      p = peek(buf, off);
    }
    if (p) break;
    if (off === 0) return undefined; // no readable header where one must be: never guess
    pos += off;
  }
  const start = pos + off;
  const want = Math.min(endPosition - start, Math.max(0, maxBytes));
  if (buf.length - off < want) {
    buf = await seg.readAt(start, want);
    off = 0;
  }
  return collect(seg, buf, off, start, endPosition, fetchOffset, maxBytes, opts);
}

/**
 * The log's tail still in memory (segment.ts's remembered chunks): whole batches from the one
 * holding fetchOffset, chunk after chunk, as views of the appended buffers, no read and no copy
 * (`parts`; `records` joins them only if asked). Undefined when the first batch does not fit
 * maxBytes (the file path applies KIP-74).
 */
function readRecent(chunks: readonly RecentChunk[], fetchOffset: bigint, maxBytes: number, opts: ReadOptions): ReadResult | undefined {
  const parts: Buffer[] = [];
  let bytes = 0;
  let firstOffset: bigint | undefined;
  let nextOffset: bigint | undefined;
  for (const c of chunks) {
    let at = 0;
    if (firstOffset === undefined) for (let p = peek(c.data, at); p && p.lastOffset < fetchOffset; p = peek(c.data, at)) at += p.size;
    let end = at;
    for (let p = peek(c.data, end); p; p = peek(c.data, end)) {
      if (end + p.size > c.data.length || bytes + (end - at) + p.size > maxBytes) break;
      if (opts.maxOffset !== undefined && p.lastOffset >= opts.maxOffset) break;
      firstOffset ??= p.baseOffset;
      nextOffset = p.lastOffset + 1n;
      end += p.size;
    }
    if (end > at) parts.push(c.data.subarray(at, end));
    bytes += end - at;
    if (end < c.data.length) break;
  }
  if (firstOffset === undefined) return undefined;
  return withParts(parts, firstOffset, nextOffset);
}

function withParts(parts: Buffer[], firstOffset: bigint, nextOffset: bigint | undefined): ReadResult {
  if (parts.length === 1) return { records: parts[0]!, parts, firstOffset, nextOffset };
  let joined: Buffer | undefined;
  return {
    get records(): Buffer {
      return (joined ??= Buffer.concat(parts));
    },
    parts,
    firstOffset,
    nextOffset,
  };
}

/** Whole batches of `buf` from `off` (file position `start`) within maxBytes and below maxOffset; KIP-74 past maxBytes. */
async function collect(seg: LogSegment, buf: Buffer, off: number, start: number, endPosition: number, fetchOffset: bigint, maxBytes: number, opts: ReadOptions): Promise<ReadResult> {
  const maxOffset = opts.maxOffset;
  let end = off;
  let firstOffset: bigint | undefined;
  let nextOffset: bigint | undefined;
  for (let p = peek(buf, end); p; p = peek(buf, end)) {
    if (end + p.size > buf.length || end - off + p.size > maxBytes) break;
    if (maxOffset !== undefined && p.lastOffset >= maxOffset) break;
    firstOffset ??= p.baseOffset;
    nextOffset = p.lastOffset + 1n;
    end += p.size;
  }
  if (firstOffset !== undefined) return { records: buf.subarray(off, end), firstOffset, nextOffset };
  if (!(opts.minOneBatch ?? true)) return { records: EMPTY, firstOffset: fetchOffset };
  // KIP-74: the first batch even when larger than maxBytes, so a consumer always progresses.
  const p = peek(buf, off) ?? peek(await seg.readAt(start, RECORD_BATCH_HEADER_SIZE), 0);
  if (!p || start + p.size > endPosition || (maxOffset !== undefined && p.lastOffset >= maxOffset)) {
    return { records: EMPTY, firstOffset: fetchOffset };
  }
  const records = buf.length - off >= p.size ? buf.subarray(off, off + p.size) : await seg.readAt(start, p.size);
  return { records, firstOffset: p.baseOffset, nextOffset: p.lastOffset + 1n };
}

export interface TimestampAndOffset {
  timestamp: bigint;
  offset: bigint;
}

/**
 * ListOffsets by time: the first segment whose newest timestamp reaches `ts`, its time index to
 * skip ahead, then the records of the first batch that reaches it. Offsets below `logStartOffset`
 * are never returned.
 */
export async function findOffsetByTimestamp(segs: readonly LogSegment[], ts: bigint, logStartOffset: bigint): Promise<TimestampAndOffset | undefined> {
  for (const seg of segs) {
    if (seg.maxTimestampSoFar < ts) continue;
    const fromOffset = seg.timeIndex.lookup(ts).offset;
    const start = seg.offsetIndex.lookup(fromOffset > logStartOffset ? fromOffset : logStartOffset).position;
    let found: TimestampAndOffset | undefined;
    await seg.scan({ validate: false, start, chunkSize: 256 * 1024 }, (b, bytes) => {
      if (b.header.maxTimestamp < ts || b.lastOffset < logStartOffset) return true;
      if (timestampTypeOf(b.header.attributes) === TimestampType.LogAppendTime) {
        found = { timestamp: b.header.maxTimestamp, offset: b.header.baseOffset > logStartOffset ? b.header.baseOffset : logStartOffset };
        return false;
      }
      for (const rec of iterateRecords(bytes, 0)) {
        if (rec.timestamp >= ts && rec.offset >= logStartOffset) {
          found = { timestamp: rec.timestamp, offset: rec.offset };
          return false;
        }
      }
      return true;
    });
    if (found) return found;
  }
  return undefined;
}

/** Reads from the segment holding `fetchOffset`, moving on past segments with nothing at or after it (compaction gaps). */
export async function readFromSegments(segs: readonly LogSegment[], sizes: readonly number[], fetchOffset: bigint, maxBytes: number, opts: ReadOptions): Promise<ReadResult> {
  for (let i = Math.max(0, floorSegment(segs, fetchOffset)); i < segs.length; i++) {
    const r = await readSegment(segs[i]!, fetchOffset, maxBytes, sizes[i]!, opts);
    if (r) return r;
  }
  return { records: EMPTY, firstOffset: fetchOffset };
}
