/**
 * For applications moving between clusters (Kafka's RemoteClusterUtils): the translated offsets
 * of a consumer group, read from the checkpoints a mirror wrote to this (target) cluster, and the
 * clusters this one receives from, read from its heartbeats topics.
 *
 * ```ts
 * const offsets = await translateOffsets({ brokers: ['b1:9092'] }, 'A', 'billing');
 * // [{ topic: 'A.orders', partition: 0, offset: 1234n }, ...]: seek there, or commit them.
 * ```
 */
import type { PartitionOffset } from '../admin/offsets.js';
import { Admin } from '../admin/admin.js';
import { decodeCheckpoint, decodeHeartbeat, type Checkpoint } from './formats.js';
import { TopicReader } from './internal-topics.js';
import { replicationPolicy, type ReplicationPolicy } from './policy.js';

export interface RemoteClusterOptions {
  /** The cluster the mirror writes to (where the group moves). */
  brokers: readonly string[];
  clientId?: string;
  /** Default: MM2's default policy ("." separator). */
  policy?: ReplicationPolicy;
  timeoutMs?: number;
}

/** The latest checkpoint of every partition of `groupId`, from `<remoteClusterAlias>.checkpoints.internal`. */
export async function readCheckpoints(options: RemoteClusterOptions, remoteClusterAlias: string, groupId: string): Promise<Checkpoint[]> {
  const policy = options.policy ?? replicationPolicy('DefaultReplicationPolicy');
  const latest = new Map<string, Checkpoint>();
  const reader = new TopicReader({
    brokers: options.brokers,
    clientId: options.clientId ?? 'samsa-remote-cluster-utils',
    topic: policy.checkpointsTopic(remoteClusterAlias),
    ...(options.timeoutMs === undefined ? {} : { readTimeoutMs: options.timeoutMs }),
    onRecord: (r) => {
      const c = decodeCheckpoint(r.key, r.value);
      if (c.group === groupId) latest.set(`${c.topic}\u0000${c.partition}`, c);
    },
  });
  try {
    await reader.readToEnd();
  } finally {
    await reader.close();
  }
  return [...latest.values()].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
}

/** Where `groupId` should resume on this cluster, per remote topic-partition (downstream offsets). */
export async function translateOffsets(options: RemoteClusterOptions, remoteClusterAlias: string, groupId: string): Promise<PartitionOffset[]> {
  return (await readCheckpoints(options, remoteClusterAlias, groupId)).map((c) => ({ topic: c.topic, partition: c.partition, offset: c.downstreamOffset }));
}

/**
 * Aliases of the clusters that mirror into this one, with the newest heartbeat of each (from
 * `heartbeats`, written by the flows into this cluster).
 */
export async function upstreamClusters(options: RemoteClusterOptions): Promise<Array<{ alias: string; lastHeartbeatMs: number }>> {
  const policy = options.policy ?? replicationPolicy('DefaultReplicationPolicy');
  const admin = new Admin({ brokers: options.brokers, clientId: options.clientId ?? 'samsa-remote-cluster-utils' });
  let exists: boolean;
  try {
    exists = (await admin.listTopics()).includes(policy.heartbeatsTopic());
  } finally {
    admin.close();
  }
  if (!exists) return [];
  const newest = new Map<string, number>();
  const reader = new TopicReader({
    brokers: options.brokers,
    clientId: options.clientId ?? 'samsa-remote-cluster-utils',
    topic: policy.heartbeatsTopic(),
    ...(options.timeoutMs === undefined ? {} : { readTimeoutMs: options.timeoutMs }),
    onRecord: (r) => {
      const h = decodeHeartbeat(r.key, r.value);
      newest.set(h.sourceClusterAlias, Math.max(newest.get(h.sourceClusterAlias) ?? 0, Number(h.timestamp)));
    },
  });
  try {
    await reader.readToEnd();
  } finally {
    await reader.close();
  }
  return [...newest].map(([alias, lastHeartbeatMs]) => ({ alias, lastHeartbeatMs })).sort((a, b) => (a.alias < b.alias ? -1 : 1));
}
