/**
 * Fetch from follower (KIP-392): which replica a consumer should read a partition from. Only a
 * leader decides, and only for consumers that sent their rack (Fetch v11+ `rack_id`) while
 * `replica.selector.class` names Kafka's RackAwareReplicaSelector. The candidates are the leader
 * and the followers that are in the ISR, alive in this broker's metadata and hold the fetch
 * offset (Kafka's ReplicaManager.findPreferredReadReplica filters on the offset; the ISR filter
 * keeps a follower that fell behind from being handed out). Among those in the client's rack the
 * leader wins if it is one of them, otherwise the follower with the largest log end offset (then
 * the most recently caught up). The leader itself is never returned: -1 means "read here".
 */
import type { Partition } from './partition.js';

/** Kafka's class names for `replica.selector.class`; empty = leader only (Kafka's default). */
export const RACK_AWARE_REPLICA_SELECTOR = 'org.apache.kafka.common.replica.RackAwareReplicaSelector';
export const REPLICA_SELECTOR_CLASSES: readonly string[] = ['', RACK_AWARE_REPLICA_SELECTOR];

export const NO_PREFERRED_READ_REPLICA = -1;

export interface ReadReplicaView {
  /** The rack of a live broker, null without one; undefined when the broker is not alive. */
  readonly rackOf: (brokerId: number) => string | null | undefined;
  readonly nowMs: number;
}

/** The replica `clientRack` should read `p` from at `fetchOffset`; -1 = this leader. */
export function preferredReadReplica(p: Partition, clientRack: string, fetchOffset: bigint, view: ReadReplicaView): number {
  if (!p.isLeader || clientRack === '') return NO_PREFERRED_READ_REPLICA;
  if (view.rackOf(p.localBrokerId) === clientRack) return NO_PREFERRED_READ_REPLICA;
  let best: { id: number; logEndOffset: bigint; lagMs: number } | undefined;
  for (const [id, st] of p.replicaStates) {
    if (!p.isr.includes(id) || view.rackOf(id) !== clientRack) continue;
    if (st.logEndOffset < fetchOffset) continue;
    const candidate = { id, logEndOffset: st.logEndOffset, lagMs: view.nowMs - st.lastCaughtUpTimeMs };
    if (best === undefined || candidate.logEndOffset > best.logEndOffset || (candidate.logEndOffset === best.logEndOffset && candidate.lagMs < best.lagMs)) best = candidate;
  }
  return best?.id ?? NO_PREFERRED_READ_REPLICA;
}
