/**
 * The topics named in a "consumer" protocol subscription (Kafka's ConsumerProtocol: int16
 * version, then an array of topic strings, then fields we do not need). The coordinator stays
 * agnostic of assignors; it reads only this much, to expire offsets of topics no member
 * subscribes to any more (as Kafka does).
 */
import { Reader } from '../../protocol/index.js';

export const CONSUMER_PROTOCOL_TYPE = 'consumer';

/** The subscribed topics, or null when the bytes are not a readable consumer subscription. */
export function subscribedTopicsOf(metadata: Buffer): string[] | null {
  if (metadata.length < 6) return null;
  const version = metadata.readInt16BE(0);
  if (version < 0) return null;
  const count = metadata.readInt32BE(2);
  if (count < 0 || count > metadata.length) return null;
  const topics: string[] = [];
  let pos = 6;
  for (let i = 0; i < count; i++) {
    if (pos + 2 > metadata.length) return null;
    const len = metadata.readInt16BE(pos);
    pos += 2;
    if (len < 0 || pos + len > metadata.length) return null;
    topics.push(metadata.toString('utf8', pos, pos + len));
    pos += len;
  }
  return topics;
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
 * The partitions a "consumer" protocol assignment gives a member (int16 version, then an array
 * of [topic, int32 partitions]), for admin views; null when the bytes are not one.
 */
export function assignedPartitionsOf(assignment: Buffer): Array<{ topic: string; partitions: number[] }> | null {
  if (assignment.length === 0) return [];
  try {
    const r = new Reader(assignment);
    if (r.int16() < 0) return null;
    return r.array((t) => ({ topic: t.string(), partitions: t.array((q) => q.int32()) }));
  } catch {
    return null;
  }
}
