/**
 * The topics named in a "consumer" protocol subscription, read with protocol/'s one
 * ConsumerProtocol codec. The coordinator stays agnostic of assignors; it reads only this much,
 * to expire offsets of topics no member subscribes to any more (as Kafka does).
 */
import { decodeAssignment, decodeSubscription } from '../../protocol/index.js';

/** The subscribed topics, or null when the bytes are not a readable consumer subscription. */
export function subscribedTopicsOf(metadata: Buffer): string[] | null {
  try {
    return decodeSubscription(metadata).topics;
  } catch {
    return null;
  }
}

/** Union of every member's subscription; null if any member's cannot be read. */
export function groupSubscribedTopics(subscriptions: Iterable<Buffer>): Set<string> | null {
  const all = new Set<string>();
  for (const s of subscriptions) {
    const topics = subscribedTopicsOf(s);
    if (topics === null) return null;
    for (const t of topics) all.add(t);
  }
  return all;
}

/**
 * The partitions a "consumer" protocol assignment gives a member, for admin views; null when
 * the bytes are not one.
 */
export function assignedPartitionsOf(assignment: Buffer): Array<{ topic: string; partitions: number[] }> | null {
  try {
    return decodeAssignment(assignment).assignedPartitions.map((tp) => ({ topic: tp.topic, partitions: [...tp.partitions] }));
  } catch {
    return null;
  }
}
