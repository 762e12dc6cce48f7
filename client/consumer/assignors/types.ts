/**
 * The client-side assignor contract (Java's ConsumerPartitionAssignor): the group leader gets
 * every member's subscription and the partition counts, and returns each member's partitions.
 * Assignors are pure: same input, same output, no I/O.
 */
import type { Subscription, TopicPartitions } from '../../../protocol/index.js';

export type RebalanceProtocol = 'eager' | 'cooperative';

export interface GroupMember {
  memberId: string;
  /** Static membership (`group.instance.id`); orders members stably across restarts. */
  groupInstanceId: string | null;
  subscription: Subscription;
}

/** memberId → assigned partitions (sorted by topic, then partition). */
export type GroupAssignment = Map<string, TopicPartitions[]>;

export interface Assignor {
  /** The protocol name in JoinGroup, shared with other clients ("range", "roundrobin", …). */
  readonly name: string;
  readonly supportedProtocols: readonly RebalanceProtocol[];
  /** Optional userData to put into this member's subscription. */
  subscriptionUserData?(topics: readonly string[]): Buffer | null;
  assign(members: readonly GroupMember[], partitionsPerTopic: ReadonlyMap<string, number>): GroupAssignment;
}

/**
 * Member order used by every assignor: static members first by instance id, then by member id
 * (Java's MemberInfo ordering), so restarts of static members keep their partitions.
 */
export function sortMembers(members: readonly GroupMember[]): GroupMember[] {
  return [...members].sort((a, b) => {
    if (a.groupInstanceId !== null && b.groupInstanceId !== null) return cmp(a.groupInstanceId, b.groupInstanceId);
    if (a.groupInstanceId !== null) return -1;
    if (b.groupInstanceId !== null) return 1;
    return cmp(a.memberId, b.memberId);
  });
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Collect `[topic, partition]` pairs into the sorted TopicPartitions form. */
export function toTopicPartitions(pairs: Iterable<readonly [string, number]>): TopicPartitions[] {
  const byTopic = new Map<string, number[]>();
  for (const [t, p] of pairs) {
    let list = byTopic.get(t);
    if (list === undefined) byTopic.set(t, (list = []));
    list.push(p);
  }
  return [...byTopic.keys()].sort(cmp).map((topic) => ({ topic, partitions: byTopic.get(topic)!.sort((x, y) => x - y) }));
}
