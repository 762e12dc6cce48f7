/**
 * Group placement exactly as Kafka computes it, so that Kafka tools and clients agree on which
 * `__consumer_offsets` partition (and hence which broker) owns a group.
 */
export const OFFSETS_TOPIC_NAME = '__consumer_offsets';

/** Java's `String.hashCode`: UTF-16 code units, ×31, int32 overflow. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** `Utils.abs(groupId.hashCode) % numPartitions`; Kafka's `Utils.abs(Integer.MIN_VALUE)` is 0. */
export function partitionFor(groupId: string, numPartitions: number): number {
  const h = javaStringHashCode(groupId);
  const abs = h === -2147483648 ? 0 : Math.abs(h);
  return abs % numPartitions;
}
