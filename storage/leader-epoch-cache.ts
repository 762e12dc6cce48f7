/**
 * The leader epoch cache (KIP-101/KIP-279; Kafka's LeaderEpochFileCache): which epoch started at
 * which offset. Followers ask the leader "where did my latest epoch end?" and truncate there, so
 * the cache must stay monotonic in both epoch and start offset. Pure in-memory logic; the owner
 * persists `entries` to `leader-epoch-checkpoint` whenever `assign`/`truncate*` report a change.
 */
import type { EpochEntry } from './checkpoint.js';

export const UNDEFINED_EPOCH = -1;
const UNDEFINED_EPOCH_OFFSET = -1n;

export interface EpochEndOffset {
  leaderEpoch: number;
  endOffset: bigint;
}

export class LeaderEpochCache {
  private list: EpochEntry[];

  constructor(entries: readonly EpochEntry[] = []) {
    // A checkpoint written by an older crash may be non-monotonic; keep the consistent prefix.
    this.list = [];
    for (const e of entries) this.assign(e.epoch, e.startOffset);
  }

  get entries(): readonly EpochEntry[] {
    return this.list;
  }

  get latestEpoch(): number | undefined {
    return this.list.at(-1)?.epoch;
  }

  get earliestEntry(): EpochEntry | undefined {
    return this.list[0];
  }

  /**
   * Records that `epoch` starts at `startOffset`. No-op unless the epoch differs from the latest
   * or the offset is lower; entries with epoch ≥ epoch or startOffset ≥ startOffset are dropped
   * first. Returns whether anything changed (so the caller persists).
   */
  assign(epoch: number, startOffset: bigint): boolean {
    if (epoch < 0 || startOffset < 0n) return false;
    const last = this.list.at(-1);
    if (last && last.epoch === epoch && startOffset >= last.startOffset) return false;
    this.list = this.list.filter((e) => e.epoch < epoch && e.startOffset < startOffset);
    this.list.push({ epoch, startOffset });
    return true;
  }

  /** Log truncated to `endOffset` (exclusive): forget epochs that started at or after it. */
  truncateFromEnd(endOffset: bigint): boolean {
    const before = this.list.length;
    this.list = this.list.filter((e) => e.startOffset < endOffset);
    return this.list.length !== before;
  }

  /** Log start moved to `startOffset`: the epoch covering it now starts there; older ones go. */
  truncateFromStart(startOffset: bigint): boolean {
    let floor = -1;
    for (let i = 0; i < this.list.length; i++) if (this.list[i]!.startOffset <= startOffset) floor = i;
    if (floor < 0) return false;
    const covering = this.list[floor]!;
    if (floor === 0 && covering.startOffset === startOffset) return false;
    this.list = [{ epoch: covering.epoch, startOffset }, ...this.list.slice(floor + 1)];
    return true;
  }

  clear(): boolean {
    const changed = this.list.length > 0;
    this.list = [];
    return changed;
  }

  /**
   * OffsetForLeaderEpoch: the requested epoch's end offset is the start of the next higher epoch,
   * paired with the largest known epoch ≤ requested; the latest epoch ends at the log end offset;
   * an epoch below every entry ends where the first entry starts; unknown/undefined → (-1, -1).
   */
  endOffsetFor(requestedEpoch: number, logEndOffset: bigint): EpochEndOffset {
    const undefinedResult = { leaderEpoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    if (requestedEpoch === UNDEFINED_EPOCH || this.list.length === 0) return undefinedResult;
    const latest = this.list.at(-1)!;
    if (requestedEpoch === latest.epoch) return { leaderEpoch: requestedEpoch, endOffset: logEndOffset };
    const higherIndex = this.list.findIndex((e) => e.epoch > requestedEpoch);
    if (higherIndex < 0) return undefinedResult;
    const higher = this.list[higherIndex]!;
    if (higherIndex === 0) return { leaderEpoch: requestedEpoch, endOffset: higher.startOffset };
    return { leaderEpoch: this.list[higherIndex - 1]!.epoch, endOffset: higher.startOffset };
  }
}
