/**
 * Cooperative-sticky assignor (KIP-429, protocol name "cooperative-sticky"): a balanced
 * assignment that keeps as many of each member's currently owned partitions as balance allows,
 * then, because members rebalance cooperatively, withholds every partition that would change
 * owner: its old owner drops it in this round, and the follow-up rebalance (triggered by that
 * revocation) hands it to the new owner. No partition is ever owned by two members at once.
 *
 * Owned partitions come from subscription v1+ `ownedPartitions`; when two members claim the same
 * partition, the higher `generationId` wins (the other claim is stale), then member order.
 */
import { parseTpKey, tpKey } from '../../../common/index.js';
import type { TopicPartitions } from '../../../protocol/index.js';
import { cmp, sortMembers, toTopicPartitions, type Assignor, type GroupAssignment, type GroupMember } from './types.js';

type Key = string; // common/'s tpKey

const parseKey = (k: Key): [string, number] => {
  const { topic, partition } = parseTpKey(k);
  return [topic, partition];
};

/**
 * Who owns each partition now: the claim with the highest generationId wins, then member order.
 * `valid` filters claims (the partition still exists, the member still subscribes).
 */
function currentOwners(
  sorted: readonly GroupMember[],
  valid: (m: GroupMember, topic: string, k: Key) => boolean = () => true,
): Map<Key, { memberId: string; generation: number }> {
  const claim = new Map<Key, { memberId: string; generation: number }>();
  for (const m of sorted) {
    for (const tp of m.subscription.ownedPartitions) {
      for (const p of tp.partitions) {
        const k = tpKey(tp.topic, p);
        if (!valid(m, tp.topic, k)) continue;
        const prev = claim.get(k);
        if (prev === undefined || m.subscription.generationId > prev.generation) {
          claim.set(k, { memberId: m.memberId, generation: m.subscription.generationId });
        }
      }
    }
  }
  return claim;
}

export function stickyAssign(members: readonly GroupMember[], partitionsPerTopic: ReadonlyMap<string, number>): Map<string, Set<Key>> {
  const sorted = sortMembers(members);
  const subscribed = new Map(sorted.map((m) => [m.memberId, new Set(m.subscription.topics)]));
  const all: Key[] = [];
  const topics = [...new Set(sorted.flatMap((m) => m.subscription.topics))].sort(cmp);
  for (const t of topics) for (let p = 0; p < (partitionsPerTopic.get(t) ?? 0); p++) all.push(tpKey(t, p));
  const exists = new Set(all);

  const claim = currentOwners(sorted, (m, topic, k) => subscribed.get(m.memberId)!.has(topic) && exists.has(k));
  const claimed = new Map<string, Key[]>(sorted.map((m) => [m.memberId, []]));
  for (const [k, c] of claim) claimed.get(c.memberId)!.push(k);

  const n = sorted.length;
  const result = new Map<string, Set<Key>>(sorted.map((m) => [m.memberId, new Set()]));
  if (n === 0) return result;
  const minQuota = Math.floor(all.length / n);
  let extra = all.length % n;
  // Members owning the most keep the extra slots: fewer partitions move.
  const byOwned = [...sorted].sort((a, b) => claimed.get(b.memberId)!.length - claimed.get(a.memberId)!.length);
  const assigned = new Set<Key>();
  for (const m of byOwned) {
    const own = claimed.get(m.memberId)!.sort();
    let limit = minQuota;
    if (own.length > minQuota && extra > 0) {
      limit = minQuota + 1;
      extra--;
    }
    for (const k of own.slice(0, limit)) {
      result.get(m.memberId)!.add(k);
      assigned.add(k);
    }
  }

  // Unowned partitions go to the least-loaded subscriber (member order breaks ties).
  for (const k of all) {
    if (assigned.has(k)) continue;
    const [topic] = parseKey(k);
    let best: string | undefined;
    for (const m of sorted) {
      if (!subscribed.get(m.memberId)!.has(topic)) continue;
      if (best === undefined || result.get(m.memberId)!.size < result.get(best)!.size) best = m.memberId;
    }
    if (best !== undefined) {
      result.get(best)!.add(k);
      assigned.add(k);
    }
  }

  // Uneven subscriptions can leave a member 2+ above another that could take a partition.
  for (let round = 0; round < all.length * n + 1; round++) {
    if (!moveOne(sorted, subscribed, result)) break;
  }
  return result;
}

function moveOne(sorted: GroupMember[], subscribed: Map<string, Set<string>>, result: Map<string, Set<Key>>): boolean {
  const byLoad = [...sorted].sort((a, b) => result.get(b.memberId)!.size - result.get(a.memberId)!.size);
  for (const from of byLoad) {
    const fromSet = result.get(from.memberId)!;
    for (const k of [...fromSet].sort()) {
      const [topic] = parseKey(k);
      let to: string | undefined;
      for (const m of sorted) {
        if (m.memberId === from.memberId || !subscribed.get(m.memberId)!.has(topic)) continue;
        const size = result.get(m.memberId)!.size;
        if (size <= fromSet.size - 2 && (to === undefined || size < result.get(to)!.size)) to = m.memberId;
      }
      if (to !== undefined) {
        fromSet.delete(k);
        result.get(to)!.add(k);
        return true;
      }
    }
  }
  return false;
}

/**
 * Cooperative step (Java ConsumerCoordinator's adjustment): drop from the assignment every
 * partition currently owned by a different member; that owner revokes it and rejoins.
 */
function withholdTransfers(members: readonly GroupMember[], target: Map<string, Set<Key>>): Map<string, Set<Key>> {
  const owners = currentOwners(sortMembers(members));
  const out = new Map<string, Set<Key>>();
  for (const [memberId, keys] of target) {
    out.set(memberId, new Set([...keys].filter((k) => {
      const o = owners.get(k);
      return o === undefined || o.memberId === memberId;
    })));
  }
  return out;
}

function toAssignment(result: Map<string, Set<Key>>): GroupAssignment {
  const out: GroupAssignment = new Map();
  for (const [memberId, keys] of result) out.set(memberId, toTopicPartitions([...keys].map(parseKey)));
  return out;
}

export const cooperativeStickyAssignor: Assignor = {
  name: 'cooperative-sticky',
  supportedProtocols: ['cooperative', 'eager'],
  assign(members, partitionsPerTopic): GroupAssignment {
    return toAssignment(withholdTransfers(members, stickyAssign(members, partitionsPerTopic)));
  },
};

/** The partitions a member must revoke when it receives `assigned` (cooperative protocol). */
export function revokedPartitions(owned: readonly TopicPartitions[], assigned: readonly TopicPartitions[]): TopicPartitions[] {
  const keep = new Set(assigned.flatMap((tp) => tp.partitions.map((p) => tpKey(tp.topic, p))));
  return toTopicPartitions(owned.flatMap((tp) => tp.partitions.filter((p) => !keep.has(tpKey(tp.topic, p))).map((p) => [tp.topic, p] as const)));
}
