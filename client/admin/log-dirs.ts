/**
 * A broker's log directories (KIP-113): DescribeLogDirs and AlterReplicaLogDirs go to the broker
 * that holds the replicas, as Kafka's admin client sends them (describeLogDirs /
 * alterReplicaLogDirs per broker id).
 */
import type { AlterReplicaLogDirsRequest, AlterReplicaLogDirsResponse, DescribeLogDirsResponse } from '../../protocol/index.js';
import type { Cluster } from '../cluster.js';
import { KafkaClientError } from '../errors.js';
import { API } from '../wire.js';

export interface ReplicaLogDirMove {
  readonly topic: string;
  readonly partition: number;
  /** Absolute path of one of the broker's log.dirs. */
  readonly logDir: string;
}

export interface LogDirReplica {
  readonly topic: string;
  readonly partition: number;
  readonly size: bigint;
  readonly offsetLag: bigint;
  /** A future log: the replica being moved into this directory. */
  readonly isFuture: boolean;
}

export interface LogDirDescription {
  readonly logDir: string;
  /** 0, or KAFKA_STORAGE_ERROR's code for an offline directory. */
  readonly errorCode: number;
  readonly replicas: readonly LogDirReplica[];
}

/** Per replica, the broker's error code (0 = the move started or the replica is already there). */
export async function alterReplicaLogDirs(cluster: Cluster, brokerId: number, moves: readonly ReplicaLogDirMove[]): Promise<Map<string, number>> {
  const byDir = new Map<string, Map<string, number[]>>();
  for (const m of moves) {
    const topics = byDir.get(m.logDir) ?? new Map<string, number[]>();
    byDir.set(m.logDir, topics);
    topics.set(m.topic, [...(topics.get(m.topic) ?? []), m.partition]);
  }
  const request: AlterReplicaLogDirsRequest = {
    dirs: [...byDir].map(([path, topics]) => ({ path, topics: [...topics].map(([name, partitions]) => ({ name, partitions })) })),
  };
  const c = await cluster.connectionForAsync(brokerId);
  const res = await c.send<AlterReplicaLogDirsResponse>(API.AlterReplicaLogDirs, request);
  const out = new Map<string, number>();
  for (const t of res.results) for (const p of t.partitions) out.set(`${t.topicName}-${p.partitionIndex}`, p.errorCode);
  return out;
}

export async function describeLogDirs(cluster: Cluster, brokerId: number): Promise<LogDirDescription[]> {
  const c = await cluster.connectionForAsync(brokerId);
  const res = await c.send<DescribeLogDirsResponse>(API.DescribeLogDirs, { topics: null });
  if (!Array.isArray(res.results)) throw new KafkaClientError('CLI_PROTOCOL', 'DescribeLogDirs returned no results');
  return res.results.map((d) => ({
    logDir: d.logDir,
    errorCode: d.errorCode,
    replicas: d.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, size: p.partitionSize, offsetLag: p.offsetLag, isFuture: p.isFutureKey }))),
  }));
}
