/**
 * A replica-manager snapshot computed from the metadata cache, for a broker whose replica manager
 * does not (yet) count for itself. The ISR in the cache is the one the controller last published,
 * so after a follower stops the gauge rises once the leader's ISR shrink reaches the controller
 * and comes back as UpdateMetadata: a little later than Kafka's leader-local count, never wrong.
 */
import type { MetadataCache } from '../metadata/index.js';
import type { ReplicaManagerSnapshot } from './providers.js';

export function replicaManagerSnapshotFromMetadata(cache: Pick<MetadataCache, 'topicNames' | 'getTopic'>, brokerId: number): ReplicaManagerSnapshot {
  let leaderCount = 0;
  let partitionCount = 0;
  let underReplicatedPartitions = 0;
  for (const topic of cache.topicNames()) {
    for (const p of cache.getTopic(topic) ?? []) {
      if (p.replicas.includes(brokerId)) partitionCount++;
      if (p.leader !== brokerId) continue;
      leaderCount++;
      if (p.isr.length < p.replicas.length) underReplicatedPartitions++;
    }
  }
  return { underReplicatedPartitions, leaderCount, partitionCount };
}
