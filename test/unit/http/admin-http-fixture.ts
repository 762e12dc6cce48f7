/**
 * Deps for buildAdminApp in route tests: the REAL TopicAdmin over an in-memory ZooKeeper (so the
 * Kafka error names are the ones production answers with), plus small fakes for the read side,
 * groups, reassignments and elections that record what they were asked.
 */
import type { FastifyInstance } from 'fastify';
import { TopicAdmin } from '../../../broker/admin/index.js';
import { GroupCoordinatorError } from '../../../broker/group/index.js';
import {
  buildAdminApp,
  type AdminHttpDeps,
  type ClusterSnapshot,
  type GroupOps,
  type GroupSnapshot,
  type OffsetResetRequest,
  type PartitionResult,
  type ReassignmentTarget,
  type TopicPartitionRef,
} from '../../../broker/http/index.js';
import { encodeBrokerInfo, readTopicAssignment } from '../../../coordination/index.js';
import { FakeZooKeeper } from '../../helpers/fake-coordination-store.js';

export const THIS_BROKER = 1;

export interface Fixture {
  app: FastifyInstance;
  deps: AdminHttpDeps;
  admin: TopicAdmin;
  zk: FakeZooKeeper;
  cluster: { value: ClusterSnapshot };
  ready: { value: boolean; reasons: string[]; offlineLogDirs: string[] };
  /** topic → partition → isr, to make partitions under-replicated. */
  isrOverride: Map<string, Map<number, number[]>>;
  calls: { reassign: ReassignmentTarget[][]; elect: Array<readonly TopicPartitionRef[] | null>; reset: Array<[string, OffsetResetRequest]>; deleted: string[] };
  groups: Map<string, GroupSnapshot>;
}

export interface FixtureOptions {
  withOperations?: boolean;
  withGroups?: boolean;
  metrics?: AdminHttpDeps['metrics'];
}

export async function adminFixture(options: FixtureOptions = {}): Promise<Fixture> {
  const zk = new FakeZooKeeper();
  const store = zk.session();
  await store.mkdirp('/brokers/ids');
  await store.mkdirp('/brokers/topics');
  for (const id of [1, 2, 3]) {
    await store.create(`/brokers/ids/${id}`, encodeBrokerInfo({ id, endpoints: [], rack: null, jmxPort: -1, timestamp: 0n, version: 4 }), 'ephemeral');
  }
  const admin = new TopicAdmin(store, { defaultPartitions: 2, defaultReplicationFactor: 2, assignmentSeed: { startIndex: 0, replicaShift: 0 } });
  const cluster = {
    value: {
      clusterId: 'c-123',
      controllerId: 2,
      controllerEpoch: 7,
      brokers: [3, 1, 2].map((id) => ({
        id,
        rack: id === 3 ? null : `rack-${id}`,
        endpoints: [{ listenerName: 'PLAINTEXT', host: '127.0.0.1', port: 9090 + id, securityProtocol: 'PLAINTEXT' }],
      })),
    } as ClusterSnapshot,
  };
  const ready = { value: true, reasons: [] as string[], offlineLogDirs: [] as string[] };
  const isrOverride = new Map<string, Map<number, number[]>>();
  const calls: Fixture['calls'] = { reassign: [], elect: [], reset: [], deleted: [] };
  const groups = new Map<string, GroupSnapshot>();

  const groupOps: GroupOps = {
    listGroups: async () => [...groups.values()].map((g) => ({ groupId: g.groupId, state: g.state, protocolType: g.protocolType })),
    describeGroup: async (id) => groups.get(id) ?? null,
    deleteGroup: async (id) => {
      const g = groups.get(id);
      if (g === undefined) throw new GroupCoordinatorError('BRK_GROUP_ID_NOT_FOUND', `Group ${id} does not exist`);
      if (g.members.length > 0) throw new GroupCoordinatorError('BRK_GROUP_NOT_EMPTY', `Group ${id} is not empty`);
      groups.delete(id);
      calls.deleted.push(id);
    },
    resetOffsets: async (id, req) => {
      const g = groups.get(id);
      if (g === undefined) throw new GroupCoordinatorError('BRK_GROUP_ID_NOT_FOUND', `Group ${id} does not exist`);
      if (g.members.length > 0) throw new GroupCoordinatorError('BRK_GROUP_NOT_EMPTY', 'Assignments can only be reset if the group is inactive');
      calls.reset.push([id, req]);
      return g.offsets
        .filter((o) => o.topic === req.topic && (req.partitions === undefined || req.partitions.includes(o.partition)))
        .map((o) => ({ topic: o.topic, partition: o.partition, previousOffset: o.committedOffset, newOffset: req.to.kind === 'offset' ? req.to.offset : 0n }));
    },
  };

  const deps: AdminHttpDeps = {
    brokerId: THIS_BROKER,
    startedAtMs: Date.now() - 5000,
    cluster: () => cluster.value,
    readiness: () => ({ ready: ready.value, reasons: ready.reasons, offlineLogDirs: ready.offlineLogDirs }),
    topicAdmin: admin,
    topics: {
      listTopics: async () => {
        const names = await admin.listTopics();
        const out = [];
        for (const name of names) {
          const a = await readTopicAssignment(store, name);
          out.push({ name, partitions: a?.assignment.partitions.size ?? 0, replicationFactor: a?.assignment.partitions.get(0)?.length ?? 0 });
        }
        return out;
      },
      describeTopic: async (name) => {
        const a = await readTopicAssignment(store, name);
        if (a === null) return null;
        return {
          name,
          configs: await admin.describeTopicConfig(name),
          partitions: [...a.assignment.partitions.entries()].map(([partition, replicas]) => ({
            partition,
            leader: replicas[0] ?? -1,
            leaderEpoch: 3,
            replicas,
            isr: isrOverride.get(name)?.get(partition) ?? replicas,
            ...(replicas.includes(THIS_BROKER)
              ? { log: { logStartOffset: 10n, highWatermark: 9_007_199_254_740_993n, logEndOffset: 9_007_199_254_740_995n, sizeBytes: 4096 } }
              : {}),
          })),
        };
      },
    },
    ...(options.withOperations === true
      ? {
          reassignments: {
            reassign: async (targets) => {
              calls.reassign.push([...targets]);
              return targets.map((t): PartitionResult => (t.topic === 'missing' ? { ...pick(t), error: 'UNKNOWN_TOPIC_OR_PARTITION', message: 'no such topic' } : { ...pick(t), error: null }));
            },
          },
          elections: {
            electPreferred: async (parts) => {
              calls.elect.push(parts);
              if (parts === null) return [{ topic: 'orders', partition: 0, error: null }];
              return parts.map((p) => ({ ...pick(p), error: 'ELECTION_NOT_NEEDED' }));
            },
          },
        }
      : {}),
    ...(options.withGroups === true ? { groups: groupOps } : {}),
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
  };
  const app = buildAdminApp(deps);
  await app.ready();
  return { app, deps, admin, zk, cluster, ready, isrOverride, calls, groups };
}

const pick = (p: TopicPartitionRef): TopicPartitionRef => ({ topic: p.topic, partition: p.partition });

/** The error object of an `{ error: { code, message } }` answer (fails loudly otherwise). */
export function errorOf(body: string): { code: string; message: string; details?: Record<string, unknown> } {
  const parsed = JSON.parse(body) as { error?: { code: string; message: string; details?: Record<string, unknown> } };
  if (parsed.error === undefined || typeof parsed.error.code !== 'string' || typeof parsed.error.message !== 'string') {
    throw new Error(`not an error body: ${body}`);
  }
  return parsed.error;
}
