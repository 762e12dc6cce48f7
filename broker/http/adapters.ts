/**
 * Ready-made pieces of AdminHttpDeps built from the broker's own components, so the composition
 * root wires the HTTP API in a few lines: the cluster view and topic reads come from the
 * MetadataCache (what Metadata requests answer), configs from TopicAdmin, per-replica log figures
 * from a callback into the replica manager, and elections/reassignments from the Controller
 * (which answers NOT_CONTROLLER, hence 503 with the controller id, on other brokers).
 */
import type { Controller } from '../controller/index.js';
import { tpKey } from '../../common/index.js';
import type { MetadataCache } from '../metadata/index.js';
import type {
  ClusterSnapshot,
  ElectionOps,
  LocalLogSnapshot,
  PartitionResult,
  ReassignmentOps,
  TopicAdminOps,
  TopicPartitionRef,
  TopicView,
} from './deps.js';

type CacheView = Pick<MetadataCache, 'aliveBrokers' | 'controllerId' | 'controllerEpoch' | 'topicNames' | 'getTopic' | 'topicId'>;

export function clusterFromMetadata(cache: Pick<CacheView, 'aliveBrokers' | 'controllerId' | 'controllerEpoch'>, clusterId: () => string | null): () => ClusterSnapshot {
  return () => ({
    clusterId: clusterId(),
    controllerId: cache.controllerId,
    controllerEpoch: cache.controllerEpoch,
    brokers: cache.aliveBrokers().map((b) => ({
      id: b.id,
      rack: b.rack,
      endpoints: [...b.endpoints.entries()].map(([listenerName, e]) => ({ listenerName, host: e.host, port: e.port, securityProtocol: e.securityProtocol })),
    })),
  });
}

export interface MetadataTopicViewOptions {
  readonly cache: Pick<CacheView, 'topicNames' | 'getTopic' | 'topicId'>;
  readonly topicAdmin: Pick<TopicAdminOps, 'describeTopicConfig'>;
  /** Figures of the local replica, undefined when this broker hosts none. */
  readonly localLog?: (topic: string, partition: number) => LocalLogSnapshot | undefined;
}

export function topicViewFromMetadata(o: MetadataTopicViewOptions): TopicView {
  return {
    listTopics: async () =>
      o.cache.topicNames().map((name) => {
        const parts = o.cache.getTopic(name) ?? [];
        return { name, partitions: parts.length, replicationFactor: parts[0]?.replicas.length ?? 0, internal: name.startsWith('__') };
      }),
    describeTopic: async (name) => {
      const parts = o.cache.getTopic(name);
      if (parts === undefined) return null;
      const topicId = o.cache.topicId(name);
      return {
        name,
        ...(topicId === undefined ? {} : { topicId }),
        internal: name.startsWith('__'),
        configs: await o.topicAdmin.describeTopicConfig(name),
        partitions: parts.map((p) => {
          const log = o.localLog?.(name, p.partition);
          return {
            partition: p.partition,
            leader: p.leader,
            leaderEpoch: p.leaderEpoch,
            replicas: p.replicas,
            isr: p.isr,
            offlineReplicas: p.offlineReplicas,
            ...(log === undefined ? {} : { log }),
          };
        }),
      };
    },
  };
}

const toResults = (asked: readonly TopicPartitionRef[], answers: ReadonlyMap<string, string>): PartitionResult[] =>
  asked.map((p) => {
    const error = answers.get(tpKey(p.topic, p.partition)) ?? null;
    return { topic: p.topic, partition: p.partition, error: error === 'NONE' ? null : error };
  });

/**
 * Preferred elections and reassignments through the Controller's API events. `allPartitions`
 * (usually from the metadata cache) expands "every partition" for a bodiless election request.
 */
export function controllerOperations(
  controller: Pick<Controller, 'electLeaders' | 'reassignPartitions' | 'listPartitionReassignments'>,
  allPartitions: () => readonly TopicPartitionRef[],
): { elections: ElectionOps; reassignments: ReassignmentOps } {
  return {
    elections: {
      electPreferred: async (partitions) => {
        const asked = partitions ?? allPartitions();
        const answers = await controller.electLeaders(asked.map((p) => ({ topic: p.topic, partition: p.partition })), 'preferred');
        const results = toResults(asked, answers);
        // "Every partition": the ones already led by their preferred replica are not news.
        return partitions === null ? results.filter((r) => r.error !== 'ELECTION_NOT_NEEDED') : results;
      },
    },
    reassignments: {
      reassign: async (targets) => {
        const answers = await controller.reassignPartitions(targets.map((t) => ({ topic: t.topic, partition: t.partition, replicas: t.replicas })));
        return toResults(targets, answers);
      },
      list: async () => controller.listPartitionReassignments(),
    },
  };
}
