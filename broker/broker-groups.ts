/**
 * Wiring of the group coordinator into a broker: the coordinator engine backed by the local
 * `__consumer_offsets` replicas, the deps of the group API handlers, creation of the offsets topic on
 * first use, and the leadership hook (this broker loads the groups of every offsets partition it
 * leads, after the ReplicaManager applied the role). Kept apart from broker.ts so the
 * composition root stays one screen of start order.
 */
import type { Logger } from 'pino';
import { readTopicAssignment, type CoordinationStore } from '../coordination/index.js';
import type { TopicAdmin } from './admin/index.js';
import type { BrokerConfig } from './config/index.js';
import { GroupCoordinatorComponent, OFFSETS_TOPIC_NAME, groupCoordinatorConfigFrom, offsetsTopicEnsurer, replicaOffsetsLog } from './group/index.js';
import type { CoordinatorPlacement, GroupApiDeps } from './handlers/index.js';
import type { MetadataCache } from './metadata/index.js';
import type { ReplicaManager } from './replica/index.js';

interface GroupWiringOptions {
  readonly brokerId: number;
  readonly config: BrokerConfig;
  readonly store: CoordinationStore;
  readonly replicaManager: ReplicaManager;
  readonly metadataCache: MetadataCache;
  readonly topicAdmin: TopicAdmin;
  /** FindCoordinator key type 1 (transactional ids), when the broker has a transaction coordinator. */
  readonly transactionPlacement?: CoordinatorPlacement;
  readonly logger: Logger;
}

/** The coordinator, hooked to leadership changes, and what its Kafka APIs need (registered with every other API, handlers/index.ts). */
export async function wireGroupCoordinator(o: GroupWiringOptions): Promise<{ groups: GroupCoordinatorComponent; apiDeps: GroupApiDeps }> {
  const logger = o.logger.child({ module: 'group-coordinator' });
  const groupConfig = groupCoordinatorConfigFrom(o.config);
  // Kafka places groups by the partition count of the EXISTING offsets topic when there is one.
  const existing = await readTopicAssignment(o.store, OFFSETS_TOPIC_NAME);
  const existingPartitions = existing?.assignment.partitions.size;
  const groups = new GroupCoordinatorComponent({
    log: replicaOffsetsLog(o.replicaManager),
    config: { ...groupConfig, offsetsTopicNumPartitions: existingPartitions ?? groupConfig.offsetsTopicNumPartitions },
    loadBufferSize: o.config.int('offsets.load.buffer.size'),
    logger,
  });
  const ensureOffsetsTopic = offsetsTopicEnsurer({
    numPartitions: groupConfig.offsetsTopicNumPartitions,
    replicationFactor: o.config.int('offsets.topic.replication.factor'),
    segmentBytes: o.config.int('offsets.topic.segment.bytes'),
    topicExists: () => o.metadataCache.hasTopic(OFFSETS_TOPIC_NAME),
    liveBrokerCount: () => o.metadataCache.aliveBrokers().length,
    createTopic: (spec) =>
      o.topicAdmin.createTopic({ name: spec.name, numPartitions: spec.numPartitions, replicationFactor: spec.replicationFactor, configs: spec.configs }),
    logger,
  });
  o.replicaManager.addLeadershipListener((topic, partition, isLeader) => groups.onLeadershipChange(topic, partition, isLeader));
  // Partitions this broker already leads (a LeaderAndIsr may have arrived before this hook).
  for (const p of o.replicaManager.allPartitions()) {
    if (p.topic === OFFSETS_TOPIC_NAME && p.isLeader) groups.onLeadershipChange(p.topic, p.partition, true);
  }
  return {
    groups,
    apiDeps: {
      brokerId: o.brokerId,
      coordinator: groups.coordinator,
      metadata: o.metadataCache,
      ensureOffsetsTopic,
      ...(o.transactionPlacement !== undefined ? { transactionPlacement: o.transactionPlacement } : {}),
      logger,
    },
  };
}
