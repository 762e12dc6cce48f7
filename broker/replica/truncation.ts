/**
 * Where a new follower truncates (KIP-101; Kafka's AbstractFetcherThread.getOffsetTruncationState),
 * as a pure function. The follower asked the leader for the end offset of its own latest epoch;
 * the leader answered (E', O'): the largest epoch it knows ≤ the one asked, and where it ended.
 * - leader knows no such epoch (UNDEFINED) → old behaviour: the local high watermark;
 * - the leader's log goes at least as far as ours → nothing to remove;
 * - we know E' too → truncate to min(O', where E' ends locally), final;
 * - we do not know E' → cut at our end of the largest epoch < E' (never below what the leader
 *   holds) and ask again with our new latest epoch.
 */
export interface EpochEnd {
  readonly leaderEpoch: number;
  readonly endOffset: bigint;
}

export interface TruncationDecision {
  readonly offset: bigint;
  /** false: truncate there, then ask the leader again. */
  readonly final: boolean;
}

const UNDEFINED_EPOCH = -1;

export function truncationOffset(leader: EpochEnd, localEndFor: (epoch: number) => EpochEnd, logEndOffset: bigint, highWatermark: bigint): TruncationDecision {
  const hw = highWatermark < logEndOffset ? highWatermark : logEndOffset;
  if (leader.leaderEpoch === UNDEFINED_EPOCH || leader.endOffset < 0n) return { offset: hw, final: true };
  if (leader.endOffset >= logEndOffset) return { offset: logEndOffset, final: true };
  const local = localEndFor(leader.leaderEpoch);
  if (local.leaderEpoch === UNDEFINED_EPOCH || local.endOffset < 0n) return { offset: hw, final: true };
  let offset = leader.endOffset < local.endOffset ? leader.endOffset : local.endOffset;
  if (offset > logEndOffset) offset = logEndOffset;
  // Asking again only helps if this round removed something; otherwise we are done.
  const final = local.leaderEpoch === leader.leaderEpoch || offset >= logEndOffset;
  return { offset, final };
}
