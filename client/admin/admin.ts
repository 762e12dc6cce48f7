/**
 * The admin client: topics (create, delete, add partitions, list, describe), the cluster
 * (brokers, controller) and configs. Topic changes go to the controller named by Metadata, as
 * Kafka's admin client does; NOT_CONTROLLER refreshes metadata and retries. createTopics waits,
 * by default, until every new partition has a leader (KafkaJS `waitForLeaders`).
 */
import { alterClientQuotas, describeClientQuotas, type ClientQuotaAlteration, type ClientQuotaEntity, type ClientQuotaFilter } from './quotas.js';
import { alterUserScramCredentials, describeUserScramCredentials, type ScramCredentialAlteration, type ScramCredentialInfo } from './scram.js';
import type {
  CreatePartitionsRequest,
  CreatePartitionsResponse,
  CreateTopicsRequest,
  CreateTopicsResponse,
  DeleteTopicsRequest,
  DeleteTopicsResponse,
  DescribeConfigsRequest,
  DescribeConfigsResponse,
} from '../../protocol/index.js';
import { backoffMs, sleep, type BackoffPolicy } from '../../common/index.js';
import { Cluster, type ClusterOptions, type TopicMetadata } from '../cluster.js';
import type { Connection } from '../connection.js';
import { KafkaClientError, brokerError } from '../errors.js';
import { API, errorInfo } from '../wire.js';
import { createAcls, deleteAcls, describeAcls, type AclBindingSpec, type AclFilterSpec } from './acls.js';
import { deleteGroup, describeGroup, listGroups, type GroupDescription, type GroupListing } from './groups.js';
import { describeTransaction, listTransactions, type ListTransactionsFilter, type TransactionDescription, type TransactionListing } from './transactions.js';
import {
  alterConfigs,
  alterGroupOffsets,
  describeConfigEntries,
  fetchGroupOffsets,
  listOffsets,
  type ConfigEntry,
  type OffsetSpec,
  type PartitionOffset,
} from './offsets.js';
import type { TopicPartition } from '../consumer/fetcher.js';
import { alterReplicaLogDirs, describeLogDirs, type LogDirDescription, type ReplicaLogDirMove } from './log-dirs.js';

const TOPIC_ID_METADATA_VERSION = 10;

export interface AdminOptions extends Omit<ClusterOptions, 'allowAutoTopicCreation'> {
  /** Attempts for retriable errors (NOT_CONTROLLER, connection loss). */
  retries?: number;
  retryBackoffMs?: number;
}

export interface NewTopic {
  topic: string;
  /** -1 (default) = the broker's num.partitions. */
  numPartitions?: number;
  /** -1 (default) = the broker's default.replication.factor. */
  replicationFactor?: number;
  configs?: Record<string, string>;
}

export interface ClusterDescription {
  clusterId: string | null;
  controllerId: number;
  brokers: Array<{ nodeId: number; host: string; port: number; rack: string | null }>;
}

export type ConfigResourceType = 'topic' | 'broker';

const RESOURCE_TYPE: Record<ConfigResourceType, number> = { topic: 2, broker: 4 };
const TOPIC_ALREADY_EXISTS = 36;
const NOT_CONTROLLER = 41;

export class Admin {
  readonly cluster: Cluster;
  private readonly retries: number;
  /** Kafka's admin client: retry.backoff.ms doubling up to retry.backoff.max.ms (1 s). */
  private readonly retryBackoff: BackoffPolicy;

  constructor(opts: AdminOptions) {
    this.cluster = new Cluster({ ...opts, allowAutoTopicCreation: false });
    this.retries = opts.retries ?? 5;
    this.retryBackoff = { initialMs: opts.retryBackoffMs ?? 100, maxMs: 1000 };
  }

  connect(): Promise<void> {
    return this.cluster.connect();
  }

  close(): void {
    this.cluster.close();
  }

  /**
   * Create topics. Resolves true if all were created, false if some already existed; rejects
   * with the first other error.
   */
  async createTopics(topics: NewTopic[], options: { timeoutMs?: number; validateOnly?: boolean; waitForLeaders?: boolean } = {}): Promise<boolean> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const request: CreateTopicsRequest = {
      topics: topics.map((t) => ({
        name: t.topic,
        numPartitions: t.numPartitions ?? -1,
        replicationFactor: t.replicationFactor ?? -1,
        assignments: [],
        configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
      })),
      timeoutMs,
      validateOnly: options.validateOnly ?? false,
    };
    const res = await this.toController<CreateTopicsResponse>(API.CreateTopics, request, (r) => r.topics.some((t) => t.errorCode === NOT_CONTROLLER));
    let allCreated = true;
    for (const t of res.topics) {
      if (t.errorCode === TOPIC_ALREADY_EXISTS) allCreated = false;
      else if (t.errorCode !== 0) throw brokerError(errorInfo(t.errorCode), `create topic ${t.name}${t.errorMessage ? ` (${t.errorMessage})` : ''}`);
    }
    if ((options.waitForLeaders ?? true) && !options.validateOnly) await this.waitForLeaders(topics.map((t) => t.topic), timeoutMs);
    return allCreated;
  }

  async deleteTopics(topics: string[], options: { timeoutMs?: number } = {}): Promise<void> {
    const request: DeleteTopicsRequest = { topicNames: topics, timeoutMs: options.timeoutMs ?? 30_000 };
    const res = await this.toController<DeleteTopicsResponse>(API.DeleteTopics, request, (r) => r.responses.some((t) => t.errorCode === NOT_CONTROLLER));
    for (const t of res.responses) if (t.errorCode !== 0) throw brokerError(errorInfo(t.errorCode), `delete topic ${t.name}`);
  }

  /** Grow topics to `count` partitions each. */
  async createPartitions(topics: Array<{ topic: string; count: number }>, options: { timeoutMs?: number; validateOnly?: boolean } = {}): Promise<void> {
    const request: CreatePartitionsRequest = {
      topics: topics.map((t) => ({ name: t.topic, count: t.count, assignments: null })),
      timeoutMs: options.timeoutMs ?? 30_000,
      validateOnly: options.validateOnly ?? false,
    };
    const res = await this.toController<CreatePartitionsResponse>(API.CreatePartitions, request, (r) => r.results.some((t) => t.errorCode === NOT_CONTROLLER));
    for (const t of res.results) {
      if (t.errorCode !== 0) throw brokerError(errorInfo(t.errorCode), `create partitions for ${t.name}${t.errorMessage ? ` (${t.errorMessage})` : ''}`);
    }
  }

  async listTopics(): Promise<string[]> {
    const res = await this.cluster.fetchMetadata(null, false);
    return res.topics.filter((t) => t.errorCode === 0).map((t) => t.name).sort();
  }

  /** Metadata for these topics (or all). Unknown topics reject with UNKNOWN_TOPIC_OR_PARTITION. */
  async fetchTopicMetadata(topics?: string[]): Promise<TopicMetadata[]> {
    const res = await this.cluster.fetchMetadata(topics ?? null, false);
    return res.topics.map((t) => {
      if (t.errorCode !== 0) throw brokerError(errorInfo(t.errorCode), `metadata for topic ${t.name}`);
      return this.cluster.topic(t.name)!;
    });
  }

  /**
   * Topic ids (KIP-516) by name, from a Metadata v10 request (the client otherwise speaks v8,
   * which has none); empty when the broker does not answer v10. Unknown topics are left out.
   */
  async fetchTopicIds(topics: string[]): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    const res = await this.cluster.withAnyBroker(async (c) => {
      if ((c.brokerRange(API.Metadata)?.max ?? -1) < TOPIC_ID_METADATA_VERSION) return null;
      const request = { topics: topics.map((name) => ({ name })), allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false };
      return c.send<{ topics: Array<{ name: string; errorCode: number; topicId?: string }> }>(API.Metadata, request, { version: TOPIC_ID_METADATA_VERSION });
    });
    for (const t of res?.topics ?? []) if (t.errorCode === 0 && t.topicId !== undefined) ids.set(t.name, t.topicId);
    return ids;
  }

  async describeCluster(): Promise<ClusterDescription> {
    const res = await this.cluster.fetchMetadata([], false);
    return {
      clusterId: res.clusterId ?? null,
      controllerId: res.controllerId ?? -1,
      brokers: res.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack ?? null })),
    };
  }

  /** Current config values of a topic or broker (`name` = topic name or broker id). */
  async describeConfigs(type: ConfigResourceType, name: string, keys: string[] | null = null): Promise<Record<string, string | null>> {
    const request: DescribeConfigsRequest = {
      resources: [{ resourceType: RESOURCE_TYPE[type], resourceName: name, configurationKeys: keys }],
      includeSynonyms: false,
    };
    const send = (c: Connection) => c.send<DescribeConfigsResponse>(API.DescribeConfigs, request);
    const res = type === 'broker' ? await this.cluster.connectionForAsync(Number(name)).then(send) : await this.cluster.withAnyBroker(send);
    const result = res.results[0];
    if (result === undefined) throw new KafkaClientError('CLI_PROTOCOL', 'DescribeConfigs returned no result');
    if (result.errorCode !== 0) throw brokerError(errorInfo(result.errorCode), `describe configs of ${type} ${name}`);
    return Object.fromEntries(result.configs.map((c) => [c.name, c.value]));
  }

  /** Adds ACLs (needs Alter on the cluster); rejects with the first refusal. */
  createAcls(bindings: readonly AclBindingSpec[]): Promise<void> {
    return createAcls(this.cluster, bindings);
  }

  /** The ACLs a filter matches (needs Describe on the cluster). */
  describeAcls(filter: AclFilterSpec): Promise<AclBindingSpec[]> {
    return describeAcls(this.cluster, filter);
  }

  /** Removes the ACLs each filter matches; per filter, what it removed. */
  deleteAcls(filters: readonly AclFilterSpec[]): Promise<AclBindingSpec[][]> {
    return deleteAcls(this.cluster, filters);
  }

  /** SCRAM users and their mechanisms/iterations (all users when `users` is omitted). */
  describeUserScramCredentials(users?: readonly string[]): Promise<Map<string, ScramCredentialInfo[]>> {
    return describeUserScramCredentials(this.cluster, users);
  }

  /** Upserts (password salted here) and deletions of SCRAM credentials. */
  alterUserScramCredentials(alterations: readonly ScramCredentialAlteration[]): Promise<void> {
    return alterUserScramCredentials(this.cluster, alterations);
  }

  /** Client quota entities matching the filter (every entity by default) and their values. */
  describeClientQuotas(filter?: ClientQuotaFilter): Promise<Array<{ entity: ClientQuotaEntity; values: Record<string, number> }>> {
    return describeClientQuotas(this.cluster, filter);
  }

  /** Sets (number) or removes (null) quota values per entity; every broker applies them without restart. */
  alterClientQuotas(alterations: readonly ClientQuotaAlteration[], validateOnly = false): Promise<void> {
    return alterClientQuotas(this.cluster, alterations, validateOnly);
  }

  /** Moves replicas of broker `brokerId` to other log directories of it; per `<topic>-<partition>`, the error code. */
  alterReplicaLogDirs(brokerId: number, moves: readonly ReplicaLogDirMove[]): Promise<Map<string, number>> {
    return alterReplicaLogDirs(this.cluster, brokerId, moves);
  }

  /** The log directories of broker `brokerId` and the replicas (current and future) in each. */
  describeLogDirs(brokerId: number): Promise<LogDirDescription[]> {
    return describeLogDirs(this.cluster, brokerId);
  }

  /** Every consumer group known to any broker. */
  listGroups(): Promise<GroupListing[]> {
    return listGroups(this.cluster);
  }

  /** State, chosen assignor and members (with decoded subscriptions/assignments) of groups. */
  /** Every transactional id the coordinators hold (ListTransactions on each broker), optionally filtered by state or producer id. */
  listTransactions(filter: ListTransactionsFilter = {}): Promise<TransactionListing[]> {
    return listTransactions(this.cluster, filter);
  }

  /** Each id's transaction as its coordinator holds it (DescribeTransactions). */
  describeTransactions(transactionalIds: string[]): Promise<TransactionDescription[]> {
    return Promise.all(transactionalIds.map((id) => describeTransaction(this.cluster, id)));
  }

  describeGroups(groupIds: string[]): Promise<GroupDescription[]> {
    return Promise.all(groupIds.map((id) => describeGroup(this.cluster, id)));
  }

  /** Delete empty groups (and their committed offsets). */
  async deleteGroups(groupIds: string[]): Promise<void> {
    for (const id of groupIds) await deleteGroup(this.cluster, id);
  }

  /** Offsets of partitions by spec (earliest = logStartOffset, latest = highWatermark, or first at/after a timestamp). */
  listOffsets(tps: readonly TopicPartition[], spec: OffsetSpec): Promise<PartitionOffset[]> {
    return listOffsets(this.cluster, tps, spec);
  }

  /** A group's committed offsets (for `tps`, or every partition it committed). */
  listGroupOffsets(groupId: string, tps: readonly TopicPartition[] | null = null): Promise<PartitionOffset[]> {
    return fetchGroupOffsets(this.cluster, groupId, tps);
  }

  /** Set a group's committed offsets; the group must have no active members. */
  alterGroupOffsets(groupId: string, offsets: readonly PartitionOffset[]): Promise<void> {
    return alterGroupOffsets(this.cluster, groupId, offsets);
  }

  /** Every config entry of a topic or broker, with its source and whether it is an override. */
  describeConfigEntries(type: ConfigResourceType, name: string): Promise<ConfigEntry[]> {
    return describeConfigEntries(this.cluster, RESOURCE_TYPE[type], name);
  }

  /** Replace the override set of a topic (AlterConfigs; keys not given lose their override). */
  alterConfigs(type: ConfigResourceType, name: string, configs: Readonly<Record<string, string>>, options: { validateOnly?: boolean } = {}): Promise<void> {
    return alterConfigs(this.cluster, RESOURCE_TYPE[type], name, configs, options.validateOnly ?? false);
  }

  private async toController<T>(apiKey: number, request: unknown, notController: (res: T) => boolean): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        if (this.cluster.controllerId < 0) await this.cluster.refreshMetadata();
        const c = await this.cluster.connectionForAsync(this.cluster.controllerId);
        const res = await c.send<T>(apiKey, request);
        if (!notController(res)) return res;
        if (attempt >= this.retries) return res;
      } catch (err) {
        if (!(err instanceof KafkaClientError) || !err.retriable || attempt >= this.retries) throw err;
      }
      await sleep(this.cluster.scheduler, backoffMs(this.retryBackoff, attempt));
      await this.cluster.refreshMetadata().catch(() => undefined);
    }
  }

  private async waitForLeaders(topics: string[], timeoutMs: number): Promise<void> {
    const deadline = this.cluster.clock.now() + timeoutMs;
    for (let attempt = 0; ; attempt++) {
      const res = await this.cluster.fetchMetadata(topics, false);
      const ready = res.topics.every((t) => t.errorCode === 0 && t.partitions.length > 0 && t.partitions.every((p) => p.leaderId >= 0));
      if (ready) return;
      if (this.cluster.clock.now() >= deadline) {
        throw new KafkaClientError('CLI_METADATA', `topics ${topics.join(', ')} have no leader for every partition after ${timeoutMs} ms`, { retriable: true });
      }
      await sleep(this.cluster.scheduler, backoffMs(this.retryBackoff, attempt));
    }
  }
}
