/**
 * The Kafka handler registry: one handler per api key, each in its own file. What the broker
 * advertises in ApiVersions is computed here, from the handlers actually registered intersected
 * with the ranges protocol/'s message specs describe, so the two can never disagree.
 */
import { ApiKey, describedVersions } from '../../protocol/index.js';
import { createSaslAuthenticateHandler } from './sasl-authenticate.js';
import { createAlterUserScramCredentialsHandler } from './alter-user-scram-credentials.js';
import { createDescribeUserScramCredentialsHandler } from './describe-user-scram-credentials.js';
import { createDescribeClientQuotasHandler } from './describe-client-quotas.js';
import { createAlterClientQuotasHandler } from './alter-client-quotas.js';
import type { QuotaAdmin } from '../quota/index.js';
import type { UserScramAdmin } from '../security/scram-credentials.js';
import { createSaslHandshakeHandler } from './sasl-handshake.js';
import type { KafkaHandler } from '../request-context.js';
import { createAlterConfigsHandler } from './alter-configs.js';
import { createApiVersionsHandler } from './api-versions.js';
import { createCreatePartitionsHandler } from './create-partitions.js';
import { createCreateTopicsHandler } from './create-topics.js';
import { createDeleteRecordsHandler } from './delete-records.js';
import { createDeleteTopicsHandler } from './delete-topics.js';
import type { HandlerDeps } from './deps.js';
import type { Controller } from '../controller/index.js';
import { createAlterPartitionReassignmentsHandler } from './alter-partition-reassignments.js';
import { createDescribeClusterHandler } from './describe-cluster.js';
import { createDescribeLogDirsHandler } from './describe-log-dirs.js';
import { createAlterReplicaLogDirsHandler } from './alter-replica-log-dirs.js';
import { createDescribeProducersHandler } from './describe-producers.js';
import { createElectLeadersHandler } from './elect-leaders.js';
import { groupApiHandlers, type GroupApiDeps } from './group-apis.js';
import { createInitProducerIdHandler, type InitProducerIdDeps } from './init-producer-id.js';
import { txnApiHandlers, type TxnApiDeps } from './txn-apis.js';
import { createListPartitionReassignmentsHandler } from './list-partition-reassignments.js';
import { createUpdateFeaturesHandler } from './update-features.js';
import { createDescribeConfigsHandler } from './describe-configs.js';
import { createFetchHandler } from './fetch.js';
import { createIncrementalAlterConfigsHandler } from './incremental-alter-configs.js';
import { createListOffsetsHandler } from './list-offsets.js';
import { createMetadataHandler } from './metadata.js';
import { createOffsetForLeaderEpochHandler } from './offset-for-leader-epoch.js';
import { createProduceHandler } from './produce.js';
import type { AclApiDeps } from './acl-apis.js';
import { createCreateAclsHandler } from './create-acls.js';
import { createDeleteAclsHandler } from './delete-acls.js';
import { createDescribeAclsHandler } from './describe-acls.js';

export interface ApiVersionRange {
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
}

/** The range protocol/ can encode for an api key, or undefined. */
export function codecRange(apiKey: number): { min: number; max: number } | undefined {
  const r = describedVersions(apiKey);
  return r === undefined ? undefined : { min: r.min, max: r.max };
}

export class HandlerRegistry {
  private readonly handlers = new Map<number, KafkaHandler>();
  private advertisedCache: ApiVersionRange[] | undefined;
  private rangeCache: Map<number, ApiVersionRange> | undefined;

  /** Adds a handler; registering an api key twice is a programming error. */
  register(handler: KafkaHandler): this {
    if (this.handlers.has(handler.apiKey)) throw new Error(`a handler for api key ${handler.apiKey} is already registered`);
    if (handler.minVersion > handler.maxVersion) throw new Error(`handler for api key ${handler.apiKey} has an empty version range`);
    this.handlers.set(handler.apiKey, handler);
    this.advertisedCache = undefined;
    this.rangeCache = undefined;
    return this;
  }

  /** Replaces the handler of an api key (tests, or a later module taking over an api). */
  replace(handler: KafkaHandler): this {
    this.handlers.delete(handler.apiKey);
    return this.register(handler);
  }

  get(apiKey: number): KafkaHandler | undefined {
    return this.handlers.get(apiKey);
  }

  /** The advertised range of an api key, or undefined when we do not serve it. */
  range(apiKey: number): ApiVersionRange | undefined {
    this.rangeCache ??= new Map(this.advertised().map((r) => [r.apiKey, r]));
    return this.rangeCache.get(apiKey);
  }

  /** Every served api with the versions both its handler and the codecs support. */
  advertised(): readonly ApiVersionRange[] {
    if (this.advertisedCache !== undefined) return this.advertisedCache;
    const out: ApiVersionRange[] = [];
    for (const h of this.handlers.values()) {
      const codec = codecRange(h.apiKey);
      if (codec === undefined) continue;
      const minVersion = Math.max(h.minVersion, codec.min);
      const maxVersion = Math.min(h.maxVersion, codec.max);
      if (minVersion <= maxVersion) out.push({ apiKey: h.apiKey, minVersion, maxVersion });
    }
    out.sort((a, b) => a.apiKey - b.apiKey);
    this.advertisedCache = out;
    return out;
  }
}

/**
 * A registry holding the handlers that need nothing but the network layer: ApiVersions, and
 * SaslHandshake/SaslAuthenticate (answered by the listener's authenticator on SASL listeners;
 * these answer ILLEGAL_SASL_STATE elsewhere).
 */
export function createHandlerRegistry(): HandlerRegistry {
  const registry = new HandlerRegistry();
  registry.register(createApiVersionsHandler(() => registry.advertised()));
  registry.register(createSaslHandshakeHandler());
  registry.register(createSaslAuthenticateHandler());
  return registry;
}

/** The api keys `createHandlerRegistry` registers itself (not in `kafkaApiHandlers`). */
export const NETWORK_API_KEYS: readonly number[] = [ApiKey.ApiVersions, ApiKey.SaslHandshake, ApiKey.SaslAuthenticate];

/** What the handlers of every Kafka API need, handed over by the composition root (broker/broker-kafka-apis.ts). */
export interface KafkaApiDeps extends HandlerDeps {
  /** The controller component; its APIs answer NOT_CONTROLLER on a broker that is not the active one. */
  readonly controller: () => Controller | undefined;
  /** The group coordinator and what FindCoordinator needs (broker/broker-groups.ts builds them). */
  readonly groups: GroupApiDeps;
  /** Producer ids: idempotent producers from this broker's block, transactional ids through their coordinator (broker/broker-txn.ts). */
  readonly producerIds: InitProducerIdDeps;
  /** The transaction coordinator and what its APIs need (broker/broker-txn.ts builds them). */
  readonly transactions: TxnApiDeps;
  /** The ACL authorizer the ACL APIs manage (broker/security; absent: SECURITY_DISABLED). */
  readonly acls?: AclApiDeps['acls'];
  /** SCRAM credentials in ZooKeeper (Describe/AlterUserScramCredentials). */
  readonly userScram: () => UserScramAdmin;
  /** DescribeClientQuotas / AlterClientQuotas against ZooKeeper. */
  readonly quotaAdmin: () => QuotaAdmin;
}

/**
 * Every Kafka API a broker serves, in one list: the composition root registers exactly these, and
 * ApiVersions (registered with the registry itself, `createHandlerRegistry`) advertises what is
 * registered. A new API is one line here, in its section.
 */
export function kafkaApiHandlers(deps: KafkaApiDeps): KafkaHandler[] {
  return [
    // The data path.
    createProduceHandler(deps),
    createFetchHandler(deps),
    createListOffsetsHandler(deps),
    createMetadataHandler(deps),
    createOffsetForLeaderEpochHandler(deps),
    createDeleteRecordsHandler(deps),
    // Topics and configs.
    createCreateTopicsHandler(deps),
    createDeleteTopicsHandler(deps),
    createCreatePartitionsHandler(deps),
    createDescribeConfigsHandler(deps),
    createAlterConfigsHandler(deps),
    createIncrementalAlterConfigsHandler(deps),
    // The cluster (the controller APIs reach the Controller through a getter: it starts later).
    createDescribeClusterHandler(deps),
    createElectLeadersHandler(deps),
    createAlterPartitionReassignmentsHandler(deps),
    createListPartitionReassignmentsHandler(deps),
    createDescribeLogDirsHandler(deps),
    createAlterReplicaLogDirsHandler(deps),
    createDescribeProducersHandler(deps),
    createUpdateFeaturesHandler(deps),
    // Consumer groups: FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit,
    // OffsetFetch, DescribeGroups, ListGroups, DeleteGroups, OffsetDelete (group-apis.ts).
    ...groupApiHandlers(deps.groups),
    // Producer ids and transactions: InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn, EndTxn,
    // DescribeTransactions, ListTransactions (txn-apis.ts; TxnOffsetCommit is a group API).
    createInitProducerIdHandler(deps.producerIds),
    ...txnApiHandlers(deps.transactions),
    // ACLs (the authorizer itself is the router's hook, broker/security).
    createCreateAclsHandler({ acls: deps.acls ?? (() => undefined) }),
    createDescribeAclsHandler({ acls: deps.acls ?? (() => undefined) }),
    createDeleteAclsHandler({ acls: deps.acls ?? (() => undefined) }),
    // Security: SCRAM credentials (KIP-554). SaslHandshake/SaslAuthenticate are the registry's own.
    createDescribeUserScramCredentialsHandler(deps),
    createAlterUserScramCredentialsHandler(deps),
    createDescribeClientQuotasHandler(deps),
    createAlterClientQuotasHandler(deps),
  ];
}

export { createApiVersionsHandler, apiVersionsBody } from './api-versions.js';
export { type HandlerDeps, waitForMetadata } from './deps.js';
export { groupApiHandlers, type CoordinatorPlacement, type GroupApiDeps } from './group-apis.js';
export { txnApiHandlers, type TxnApiDeps } from './txn-apis.js';
export { createInitProducerIdHandler, type InitProducerIdDeps } from './init-producer-id.js';
export { createProduceHandler } from './produce.js';
export { createFetchHandler } from './fetch.js';
export { createListOffsetsHandler } from './list-offsets.js';
export { createMetadataHandler } from './metadata.js';
export { createCreateTopicsHandler } from './create-topics.js';
export { createDeleteTopicsHandler } from './delete-topics.js';
export { createDeleteRecordsHandler } from './delete-records.js';
export { createOffsetForLeaderEpochHandler } from './offset-for-leader-epoch.js';
export { createDescribeConfigsHandler } from './describe-configs.js';
export { createAlterConfigsHandler } from './alter-configs.js';
export { createIncrementalAlterConfigsHandler, applyConfigOps } from './incremental-alter-configs.js';
export { createCreatePartitionsHandler } from './create-partitions.js';
