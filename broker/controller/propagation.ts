/**
 * Which new partitions the controller has announced but not yet heard back about: their
 * LeaderAndIsr (to the replicas) and UpdateMetadata (to every live broker) are queued and not all
 * acknowledged. CreateTopics and CreatePartitions answer only once none of their topic's
 * partitions is pending here: Kafka's DelayedCreatePartitions looks only at the controller's own
 * metadata cache, so a client that at once asks the new leader (librdkafka's ListOffsets in its
 * tests 0067 and 0069) may reach a broker that has not yet heard of the topic and get
 * UNKNOWN_TOPIC_OR_PARTITION. Waiting for the acknowledgements closes that window.
 */
import type { TopicPartition } from './context.js';

export class MetadataPropagation {
  /** topic → how many of its announcements are still unacknowledged. */
  private readonly pending = new Map<string, number>();

  constructor(private readonly onPropagated: () => void) {}

  /** `sent` settles once every broker answered (or left the live set). */
  track(partitions: readonly TopicPartition[], sent: Promise<unknown>): void {
    const topics = [...new Set(partitions.map((p) => p.topic))];
    for (const t of topics) this.pending.set(t, (this.pending.get(t) ?? 0) + 1);
    void sent.finally(() => {
      for (const t of topics) {
        const n = (this.pending.get(t) ?? 1) - 1;
        if (n <= 0) this.pending.delete(t);
        else this.pending.set(t, n);
      }
      this.onPropagated();
    });
  }

  isPending(topic: string): boolean {
    return this.pending.has(topic);
  }

  clear(): void {
    this.pending.clear();
  }
}
