/**
 * The one key for a topic-partition in maps, sets and messages: Kafka's own spelling
 * (TopicPartition.toString(), also the log directory name), `orders-3`. It is unambiguous although
 * topic names may contain '-': the partition is the digits after the last '-'.
 */
export function tpKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/** The topic and partition of a tpKey. */
export function parseTpKey(key: string): { topic: string; partition: number } {
  const i = key.lastIndexOf('-');
  return { topic: key.slice(0, i), partition: Number(key.slice(i + 1)) };
}
