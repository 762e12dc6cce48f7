/**
 * The aborted transaction index (Kafka's TransactionIndex): one `<base>.txnindex` file per
 * segment that holds an ABORT marker, each entry 34 bytes `{version int16 = 0, producerId int64,
 * firstOffset int64, lastOffset int64, lastStableOffset int64}` — the aborted transaction's first
 * data offset, its marker's offset, and the last stable offset once it ended. A read_committed
 * Fetch gets the entries overlapping what it reads, so the client drops the aborted records.
 *
 * All entries of a partition are few (one per aborted transaction), so they are kept in memory
 * too, tagged with their segment. The files follow the segments: a truncation drops entries at or
 * past the cut and rewrites the touched files, a deleted segment takes its file along, and
 * recovery re-adds markers replayed from the log that the files missed (an unclean stop).
 */
import { appendFile, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { parseSegmentFileName, segmentFileName, writeFileAtomic } from './files.js';

export const TXN_INDEX_SUFFIX = '.txnindex';
export const ABORTED_TXN_ENTRY_SIZE = 34;
const ENTRY_VERSION = 0;

export interface AbortedTxn {
  readonly producerId: bigint;
  readonly firstOffset: bigint;
  /** Offset of the ABORT marker. */
  readonly lastOffset: bigint;
  readonly lastStableOffset: bigint;
}

interface Entry extends AbortedTxn {
  readonly segmentBase: bigint;
}

export function encodeAbortedTxn(t: AbortedTxn): Buffer {
  const b = Buffer.alloc(ABORTED_TXN_ENTRY_SIZE);
  b.writeInt16BE(ENTRY_VERSION, 0);
  b.writeBigInt64BE(t.producerId, 2);
  b.writeBigInt64BE(t.firstOffset, 10);
  b.writeBigInt64BE(t.lastOffset, 18);
  b.writeBigInt64BE(t.lastStableOffset, 26);
  return b;
}

/** Whole entries of a file; a torn tail (an unclean stop mid-write) is ignored, recovery re-adds it. */
export function decodeAbortedTxns(buf: Buffer): AbortedTxn[] {
  const out: AbortedTxn[] = [];
  for (let pos = 0; pos + ABORTED_TXN_ENTRY_SIZE <= buf.length; pos += ABORTED_TXN_ENTRY_SIZE) {
    if (buf.readInt16BE(pos) !== ENTRY_VERSION) break;
    out.push({ producerId: buf.readBigInt64BE(pos + 2), firstOffset: buf.readBigInt64BE(pos + 10), lastOffset: buf.readBigInt64BE(pos + 18), lastStableOffset: buf.readBigInt64BE(pos + 26) });
  }
  return out;
}

export class AbortedTxnIndex {
  /** Ordered by lastOffset (markers are appended in log order). */
  private entries: Entry[] = [];

  constructor(private readonly dir: string) {}

  get size(): number {
    return this.entries.length;
  }

  all(): AbortedTxn[] {
    return this.entries.map(({ producerId, firstOffset, lastOffset, lastStableOffset }) => ({ producerId, firstOffset, lastOffset, lastStableOffset }));
  }

  private path(segmentBase: bigint): string {
    return join(this.dir, segmentFileName(segmentBase, TXN_INDEX_SUFFIX));
  }

  /** Reads the files of `segmentBases`; files of segments that no longer exist are removed. */
  async load(segmentBases: readonly bigint[]): Promise<void> {
    const wanted = new Set(segmentBases);
    const entries: Entry[] = [];
    for (const name of await readdir(this.dir)) {
      const p = parseSegmentFileName(name);
      if (p === undefined || p.suffix !== TXN_INDEX_SUFFIX || p.transient !== '') continue;
      if (!wanted.has(p.baseOffset)) {
        await unlink(join(this.dir, name)).catch(() => undefined);
        continue;
      }
      for (const t of decodeAbortedTxns(await readFile(join(this.dir, name)))) entries.push({ ...t, segmentBase: p.baseOffset });
    }
    this.entries = entries.sort((a, b) => (a.lastOffset < b.lastOffset ? -1 : a.lastOffset > b.lastOffset ? 1 : 0));
  }

  /** Records an aborted transaction whose marker is in the segment at `segmentBase`; a marker already indexed (recovery) is skipped. */
  async append(segmentBase: bigint, t: AbortedTxn): Promise<void> {
    const last = this.entries.at(-1);
    if (last !== undefined && t.lastOffset <= last.lastOffset) {
      if (this.entries.some((e) => e.lastOffset === t.lastOffset)) return;
    }
    await appendFile(this.path(segmentBase), encodeAbortedTxn(t));
    this.entries.push({ ...t, segmentBase });
    if (last !== undefined && t.lastOffset < last.lastOffset) this.entries.sort((a, b) => (a.lastOffset < b.lastOffset ? -1 : 1));
  }

  /** The log was cut at `offset`: entries whose marker is at or past it go, their files rewritten. */
  async truncateTo(offset: bigint): Promise<void> {
    const gone = this.entries.filter((e) => e.lastOffset >= offset);
    if (gone.length === 0) return;
    this.entries = this.entries.filter((e) => e.lastOffset < offset);
    await this.rewrite(new Set(gone.map((e) => e.segmentBase)));
  }

  /** Compaction removed these ABORT markers: their entries go (a consumer must not skip the producer's later data). */
  async removeMarkers(markerOffsets: readonly bigint[]): Promise<void> {
    const gone = new Set(markerOffsets);
    const victims = this.entries.filter((e) => gone.has(e.lastOffset));
    if (victims.length === 0) return;
    this.entries = this.entries.filter((e) => !gone.has(e.lastOffset));
    await this.rewrite(new Set(victims.map((e) => e.segmentBase)));
  }

  /**
   * The segment list changed (retention, DeleteRecords, a full truncation, a cleaner swap):
   * entries below the first segment go, the others move to the segment now holding their marker.
   */
  async followSegments(segmentBases: readonly bigint[]): Promise<void> {
    const bases = [...segmentBases].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const first = bases[0];
    const touched = new Set<bigint>();
    const next: Entry[] = [];
    for (const e of this.entries) {
      const home = first === undefined || e.lastOffset < first ? undefined : bases.filter((b) => b <= e.lastOffset).at(-1)!;
      if (home === e.segmentBase) {
        next.push(e);
        continue;
      }
      touched.add(e.segmentBase);
      if (home !== undefined) {
        touched.add(home);
        next.push({ ...e, segmentBase: home });
      }
    }
    if (touched.size === 0) return;
    this.entries = next;
    await this.rewrite(touched);
  }

  private async rewrite(segmentBases: Set<bigint>): Promise<void> {
    for (const base of segmentBases) {
      const left = this.entries.filter((e) => e.segmentBase === base);
      if (left.length === 0) await unlink(this.path(base)).catch(() => undefined);
      else await writeFileAtomic(this.path(base), Buffer.concat(left.map(encodeAbortedTxn)));
    }
  }

  /**
   * Aborted transactions a read of [fetchOffset, upperBoundOffset) must know about (Kafka's
   * collectAbortedTransactions): those whose marker is at or after the fetch offset and whose
   * first offset is before the upper bound.
   */
  collect(fetchOffset: bigint, upperBoundOffset: bigint): { producerId: bigint; firstOffset: bigint }[] {
    return this.entries.filter((e) => e.lastOffset >= fetchOffset && e.firstOffset < upperBoundOffset).map((e) => ({ producerId: e.producerId, firstOffset: e.firstOffset }));
  }
}
