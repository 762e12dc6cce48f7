/**
 * Offset translation: which downstream (target) offset corresponds to an upstream (source)
 * offset, from the offset syncs the source tasks emit. Pure.
 *
 * What a sync promises (see source-task.ts, which emits them): a sync (U, D) says the record at
 * upstream offset U sits at downstream offset D, and a task emits one for the first record it
 * mirrors, for any record that does not follow its predecessor by exactly one offset on either
 * side (an upstream gap: compaction, transaction markers; a downstream jump: duplicates, other
 * writers), every `offset.lag.max` records, and for the last mirrored record before each offset
 * commit. So between two consecutive syncs of one task lifetime, upstream and downstream are
 * both contiguous, and translation there is exact: C ↦ D_k + (C − U_k), capped at D_{k+1} (C in a
 * gap maps to the next record). Beyond the newest sync the stretch's length is unknown, so only
 * U+1 ↦ D+1 is certain: a translation returns the upstream offset it is exact for, which may be
 * below the one asked (never above: a consumer moved to it re-reads, it never skips).
 *
 * A task restarted from its committed offset re-mirrors what it had sent after that commit; its
 * first sync then supersedes every sync at or after it (upstream or downstream), so the syncs
 * kept always form one history with both offsets increasing.
 */

export interface SyncPoint {
  upstream: bigint;
  downstream: bigint;
}

export interface Translation {
  /** The upstream offset the translation is exact for (≤ the offset asked). */
  upstream: bigint;
  downstream: bigint;
}

/** Syncs kept per partition; the oldest go first (old commits then stop translating). */
const DEFAULT_MAX_SYNCS = 1024;

export class OffsetSyncStore {
  private readonly syncs = new Map<string, SyncPoint[]>();

  constructor(private readonly maxSyncsPerPartition = DEFAULT_MAX_SYNCS) {}

  private static key(topic: string, partition: number): string {
    return `${topic}\u0000${partition}`;
  }

  /** Record a sync, in the order they were written to the offset-syncs topic. */
  add(topic: string, partition: number, sync: SyncPoint): void {
    const k = OffsetSyncStore.key(topic, partition);
    let list = this.syncs.get(k);
    if (list === undefined) this.syncs.set(k, (list = []));
    // Superseded: a restarted task's history from this point on replaces the old one.
    while (list.length > 0) {
      const last = list[list.length - 1]!;
      if (last.upstream < sync.upstream && last.downstream < sync.downstream) break;
      list.pop();
    }
    // Three syncs with one shift (upstream − downstream): the middle one adds nothing.
    const n = list.length;
    if (n >= 2 && shift(list[n - 2]!) === shift(list[n - 1]!) && shift(list[n - 1]!) === shift(sync)) list.pop();
    list.push({ upstream: sync.upstream, downstream: sync.downstream });
    if (list.length > this.maxSyncsPerPartition) list.shift();
  }

  /** The newest sync of a partition (undefined before the first). */
  latest(topic: string, partition: number): SyncPoint | undefined {
    const list = this.syncs.get(OffsetSyncStore.key(topic, partition));
    return list?.[list.length - 1];
  }

  /** undefined when `offset` is below every sync kept (nothing certain to say). */
  translate(topic: string, partition: number, offset: bigint): Translation | undefined {
    const list = this.syncs.get(OffsetSyncStore.key(topic, partition));
    if (list === undefined || list.length === 0 || offset < list[0]!.upstream) return undefined;
    // The last sync at or below `offset` (binary search: the list is sorted both ways).
    let lo = 0;
    let hi = list.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (list[mid]!.upstream <= offset) lo = mid;
      else hi = mid - 1;
    }
    const s = list[lo]!;
    if (offset === s.upstream) return { upstream: offset, downstream: s.downstream };
    const next = list[lo + 1];
    if (next !== undefined) {
      const d = s.downstream + (offset - s.upstream);
      return { upstream: offset, downstream: d < next.downstream ? d : next.downstream };
    }
    return { upstream: s.upstream + 1n, downstream: s.downstream + 1n };
  }

  partitions(): Array<{ topic: string; partition: number }> {
    return [...this.syncs.keys()].map((k) => {
      const i = k.lastIndexOf('\u0000');
      return { topic: k.slice(0, i), partition: Number(k.slice(i + 1)) };
    });
  }
}

function shift(s: SyncPoint): bigint {
  return s.upstream - s.downstream;
}
