/**
 * Wiring of Kafka's client-facing APIs into a broker: the deps of the one handler list
 * (`kafkaApiHandlers`, broker/handlers/index.ts) — topic admin, the group coordinator, the
 * transaction coordinator with producer ids — and its registration. Kept apart from
 * broker.ts so the composition root stays one screen of start order.
 */
import { UserScramAdmin } from './security/scram-credentials.js';
import { QuotaAdmin, type HandlerQuotas } from './quota/index.js';
import type { Logger } from 'pino';
import type { CoordinationStore } from '../coordination/index.js';
import type { Scheduler } from '../common/index.js';
import { TopicAdmin } from './admin/index.js';
import { wireGroupCoordinator } from './broker-groups.js';
import { wireTransactionCoordinator, type TxnWiring } from './broker-txn.js';
import type { BrokerConfig, DynamicBrokerConfig } from './config/index.js';
import type { Controller } from './controller/index.js';
import type { FetchManager } from './fetch-session/index.js';
import type { GroupCoordinatorComponent } from './group/index.js';
import { kafkaApiHandlers, type KafkaApiDeps } from './handlers/index.js';
import type { MetadataCache } from './metadata/index.js';
import type { BrokerMetrics } from './metrics/index.js';
import { ProducerIdManager } from './producer-id-manager.js';
import type { ReplicaManager } from './replica/index.js';
import type { BrokerServer } from './server.js';
import type { AclAuthorizer } from './security/index.js';

export interface KafkaApiWiring {
  readonly brokerId: number;
  readonly config: BrokerConfig;
  readonly clusterId: () => string | null;
  readonly replicaManager: ReplicaManager;
  readonly metadataCache: MetadataCache;
  readonly isController: () => boolean;
  readonly metadataPropagating: (topic: string) => boolean;
  readonly controller: () => Controller | undefined;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly metrics: BrokerMetrics;
  readonly dynamicConfig: DynamicBrokerConfig;
  /** KIP-227 fetch sessions, shared with the metrics providers. */
  readonly fetchSessions: FetchManager;
  readonly store: CoordinationStore;
  readonly server: BrokerServer;
  /** The ACL authorizer (CreateAcls/DescribeAcls/DeleteAcls), undefined without one. */
  readonly acls: () => AclAuthorizer | undefined;
  /** The client quotas a handler charges itself (a consumer Fetch). */
  readonly quotas: HandlerQuotas;
}

/** Registers every client-facing Kafka API (`kafkaApiHandlers`) on the broker's server. */
export async function registerKafkaApis(o: KafkaApiWiring): Promise<{ topicAdmin: TopicAdmin; groups: GroupCoordinatorComponent; txn: TxnWiring; quotaAdmin: QuotaAdmin }> {
  const { brokerId, server } = o;
  const topicAdmin = new TopicAdmin(o.store, {
    defaultPartitions: o.config.int('num.partitions'),
    defaultReplicationFactor: o.config.int('default.replication.factor'),
  });
  // Producer ids come from this broker's own block (idempotent producers ask any broker);
  // transactional ids go to their coordinator.
  const producerIds = new ProducerIdManager({ store: o.store, brokerId, logger: o.logger });
  let groups: GroupCoordinatorComponent | undefined;
  const txn = await wireTransactionCoordinator({
    brokerId,
    config: o.config,
    store: o.store,
    replicaManager: o.replicaManager,
    metadataCache: o.metadataCache,
    topicAdmin,
    server,
    producerIds,
    scheduler: o.scheduler,
    groups: () => groups,
    logger: o.logger,
  });
  const wired = await wireGroupCoordinator({
    brokerId,
    config: o.config,
    store: o.store,
    replicaManager: o.replicaManager,
    metadataCache: o.metadataCache,
    topicAdmin,
    transactionPlacement: txn.placement,
    logger: o.logger,
  });
  groups = wired.groups;
  const userScram = new UserScramAdmin(o.store, topicAdmin);
  const quotaAdmin = new QuotaAdmin(o.store, (type, name, config) => topicAdmin.changeEntityConfig(type, name, config));
  const deps: KafkaApiDeps = {
    brokerId,
    config: o.config,
    clusterId: o.clusterId,
    replicaManager: o.replicaManager,
    metadataCache: o.metadataCache,
    topicAdmin,
    isController: o.isController,
    metadataPropagating: o.metadataPropagating,
    controller: o.controller,
    scheduler: o.scheduler,
    logger: o.logger,
    metrics: o.metrics,
    dynamicConfig: o.dynamicConfig,
    fetchSessions: o.fetchSessions,
    quotas: o.quotas,
    groups: wired.apiDeps,
    producerIds: txn.initProducerIdDeps,
    transactions: txn.apiDeps,
    acls: o.acls,
    userScram: () => userScram,
    quotaAdmin: () => quotaAdmin,
  };
  for (const h of kafkaApiHandlers(deps)) server.registerHandler(h);
  return { topicAdmin, groups: wired.groups, txn, quotaAdmin };
}
