/**
 * Admin operations on offsets and configs that the CLI tools need: partition offsets by spec
 * (ListOffsets at each leader), a group's committed offsets (OffsetFetch, all topics with null),
 * committing offsets for an inactive group (OffsetCommit with generation -1 and no member, which
 * the coordinator accepts only while the group is Empty, as Kafka's reset-offsets relies on),
 * and AlterConfigs (which replaces a resource's whole override set, hence "entries with source").
 */
import { tpKey } from '../../common/index.js';
import type {
  AlterConfigsRequest,
  AlterConfigsResponse,
  DescribeConfigsRequest,
  DescribeConfigsResponse,
  ListOffsetsRequest,
  ListOffsetsResponse,
  OffsetFetchRequest,
  OffsetFetchResponse,
} from '../../protocol/index.js';
import type { Cluster } from '../cluster.js';
import type { Connection } from '../connection.js';
import { KafkaClientError, brokerError } from '../errors.js';
import { API, errorInfo } from '../wire.js';
import { GroupClient } from '../consumer/group/group-client.js';
import type { TopicPartition } from '../consumer/fetcher.js';

/** Kafka's ListOffsets timestamps: -2 earliest (logStartOffset), -1 latest (highWatermark). */
export type OffsetSpec = 'earliest' | 'latest' | { timestamp: bigint };

export interface PartitionOffset extends TopicPartition {
  offset: bigint;
}

export interface ConfigEntry {
  name: string;
  value: string | null;
  readOnly: boolean;
  isSensitive: boolean;
  /** Kafka's ConfigSource: 1 DYNAMIC_TOPIC_CONFIG, 2 DYNAMIC_BROKER_CONFIG, 4 STATIC_BROKER_CONFIG, 5 DEFAULT_CONFIG, -1 unknown. */
  source: number;
  /** True when the value is a per-resource override (what AlterConfigs replaces). */
  isOverride: boolean;
}

const DYNAMIC_TOPIC_CONFIG = 1;
const DYNAMIC_BROKER_CONFIG = 2;

function specTimestamp(spec: OffsetSpec): bigint {
  if (spec === 'earliest') return -2n;
  if (spec === 'latest') return -1n;
  return spec.timestamp;
}

/** One offset per partition, asked of each partition's leader. Order follows `tps`. */
export async function listOffsets(cluster: Cluster, tps: readonly TopicPartition[], spec: OffsetSpec): Promise<PartitionOffset[]> {
  if (tps.length === 0) return [];
  const topicNames = [...new Set(tps.map((tp) => tp.topic))];
  await cluster.refreshMetadata(topicNames);
  const byLeader = new Map<number, TopicPartition[]>();
  for (const tp of tps) {
    const leader = cluster.leaderFor(tp.topic, tp.partition);
    if (leader === undefined) throw new KafkaClientError('CLI_METADATA', `no leader for ${tp.topic}-${tp.partition}`, { retriable: true });
    let l = byLeader.get(leader);
    if (l === undefined) byLeader.set(leader, (l = []));
    l.push(tp);
  }
  const found = new Map<string, bigint>();
  const timestamp = specTimestamp(spec);
  await Promise.all(
    [...byLeader].map(async ([leader, list]) => {
      const topics = new Map<string, ListOffsetsRequest['topics'][number]['partitions']>();
      for (const tp of list) {
        let l = topics.get(tp.topic);
        if (l === undefined) topics.set(tp.topic, (l = []));
        l.push({ partitionIndex: tp.partition, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 });
      }
      const req: ListOffsetsRequest = { replicaId: -1, isolationLevel: 0, topics: [...topics].map(([name, partitions]) => ({ name, partitions })) };
      const c = await cluster.connectionForAsync(leader);
      const res = await c.send<ListOffsetsResponse>(API.ListOffsets, req);
      for (const t of res.topics) {
        for (const p of t.partitions) {
          if (p.errorCode !== 0) throw brokerError(errorInfo(p.errorCode), `list offsets of ${t.name}-${p.partitionIndex}`);
          found.set(tpKey(t.name, p.partitionIndex), p.offset !== undefined && p.offset >= 0n ? p.offset : (p.oldStyleOffsets?.[0] ?? -1n));
        }
      }
    }),
  );
  return tps.map((tp) => ({ ...tp, offset: found.get(tpKey(tp.topic, tp.partition)) ?? -1n }));
}

/** Committed offsets of a group: for `tps`, or (null) every partition it has committed. */
export async function fetchGroupOffsets(cluster: Cluster, groupId: string, tps: readonly TopicPartition[] | null = null): Promise<PartitionOffset[]> {
  const client = new GroupClient(cluster, groupId);
  let topics: OffsetFetchRequest['topics'] = null;
  if (tps !== null) {
    const m = new Map<string, number[]>();
    for (const tp of tps) {
      let l = m.get(tp.topic);
      if (l === undefined) m.set(tp.topic, (l = []));
      l.push(tp.partition);
    }
    topics = [...m].map(([name, partitionIndexes]) => ({ name, partitionIndexes }));
  }
  const res = await client.send<OffsetFetchResponse>(API.OffsetFetch, { groupId, topics } satisfies OffsetFetchRequest);
  if (res.errorCode !== undefined && res.errorCode !== 0) throw brokerError(errorInfo(res.errorCode), `fetch offsets of group ${groupId}`);
  const out: PartitionOffset[] = [];
  for (const t of res.topics ?? []) {
    for (const p of t.partitions ?? []) {
      if (p.errorCode !== undefined && p.errorCode !== 0) throw brokerError(errorInfo(p.errorCode), `fetch offset of ${t.name}-${p.partitionIndex} for group ${groupId}`);
      if (p.committedOffset !== undefined && p.committedOffset >= 0n) out.push({ topic: t.name ?? '', partition: p.partitionIndex ?? -1, offset: p.committedOffset });
    }
  }
  return out.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
}

/** Commit offsets for a group that has no active members (fails with UNKNOWN_MEMBER_ID/REBALANCE_IN_PROGRESS otherwise). */
export async function alterGroupOffsets(cluster: Cluster, groupId: string, offsets: readonly PartitionOffset[]): Promise<void> {
  const client = new GroupClient(cluster, groupId);
  const map = new Map(offsets.map((o) => [{ topic: o.topic, partition: o.partition }, { offset: o.offset }] as const));
  await client.commitOffsets(map, undefined);
}

export async function describeConfigEntries(cluster: Cluster, resourceType: number, name: string): Promise<ConfigEntry[]> {
  const request: DescribeConfigsRequest = { resources: [{ resourceType, resourceName: name, configurationKeys: null }], includeSynonyms: false };
  const send = (c: Connection) => c.send<DescribeConfigsResponse>(API.DescribeConfigs, request);
  // A broker's own configs are asked of that broker; "" (the cluster-wide default) of any.
  const res = resourceType === 4 && name !== '' ? await cluster.connectionForAsync(Number(name)).then(send) : await cluster.withAnyBroker(send);
  const result = res.results[0];
  if (result === undefined) throw new KafkaClientError('CLI_PROTOCOL', 'DescribeConfigs returned no result');
  if (result.errorCode !== 0) throw brokerError(errorInfo(result.errorCode), `describe configs of ${name}${result.errorMessage ? ` (${result.errorMessage})` : ''}`);
  return result.configs.map((c) => {
    const source = c.configSource ?? -1;
    const isOverride = source === DYNAMIC_TOPIC_CONFIG || source === DYNAMIC_BROKER_CONFIG || (source === -1 && c.isDefault === false);
    return { name: c.name, value: c.value, readOnly: c.readOnly, isSensitive: c.isSensitive, source, isOverride };
  });
}

/** AlterConfigs: `configs` becomes the resource's complete override set. */
export async function alterConfigs(cluster: Cluster, resourceType: number, name: string, configs: Readonly<Record<string, string>>, validateOnly = false): Promise<void> {
  const request: AlterConfigsRequest = {
    resources: [{ resourceType, resourceName: name, configs: Object.entries(configs).map(([k, value]) => ({ name: k, value })) }],
    validateOnly,
  };
  const send = (c: Connection) => c.send<AlterConfigsResponse>(API.AlterConfigs, request);
  // A broker's own configs are asked of that broker; "" (the cluster-wide default) of any.
  const res = resourceType === 4 && name !== '' ? await cluster.connectionForAsync(Number(name)).then(send) : await cluster.withAnyBroker(send);
  for (const r of res.responses) {
    if (r.errorCode !== 0) throw brokerError(errorInfo(r.errorCode), `alter configs of ${r.resourceName}${r.errorMessage ? ` (${r.errorMessage})` : ''}`);
  }
}
