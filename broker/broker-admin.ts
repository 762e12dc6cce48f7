/**
 * Wiring of the broker's operator surfaces: the HTTP admin API's dependencies (cluster view,
 * topics, controller operations, cluster-wide consumer groups, metrics) and the providers the
 * metrics gauges read at scrape time. Kept apart from broker.ts so the composition root stays
 * one screen of start order; every part reads the live components through getters, since the
 * metrics exist before the components they describe.
 */
import type { TLSSocket } from 'node:tls';
import { adminHttpTls, brokerPlainUsers, certificatePrincipal, passwordCheck, tlsServerOptions, type AclAuthorizer } from './security/index.js';
import type { ScramCredentialLookup } from '../protocol/index.js';
import type { Logger } from 'pino';
import { DEFAULT_ENTITY, type ClientQuotaManager, type QuotaAdmin, type QuotaConfigs } from './quota/index.js';
import type { QuotaOps } from './http/index.js';
import type { TopicAdmin } from './admin/index.js';
import type { BrokerConfig } from './config/index.js';
import type { Controller } from './controller/index.js';
import type { FetchManager } from './fetch-session/index.js';
import { ClusterDashboard, DASHBOARD_DATA_API, serveDashboardData, type DashboardDataRequest, type LocalDashboardParts } from './dashboard-data.js';
import { ClusterGroupOps, GROUP_ADMIN_API, groupsSnapshot, serveGroupAdmin, type GroupAdminRequest } from './group-admin.js';
import type { GroupCoordinatorComponent } from './group/index.js';
import { transactionOps, type TxnWiring } from './broker-txn.js';
import { buildAdminApp, clusterFromMetadata, controllerOperations, startAdminHttp, topicViewFromMetadata, type RunningAdminHttp } from './http/index.js';
import type { BrokerMetrics, MetricProviders } from './metrics/index.js';
import type { MetadataCache } from './metadata/index.js';
import type { LogManager } from '../storage/index.js';
import type { ReplicaManager, TopicConfigs } from './replica/index.js';
import type { BrokerServer } from './server.js';

/** The live components, read when needed (absent until their component started). */
export interface BrokerParts {
  readonly brokerId: () => number;
  readonly clusterId: () => string | null;
  readonly config: BrokerConfig;
  readonly server: BrokerServer;
  readonly metadataCache: MetadataCache;
  readonly replicaManager: () => ReplicaManager | undefined;
  readonly logManager: () => LogManager | undefined;
  readonly topicConfigs: () => TopicConfigs | undefined;
  readonly controller: () => Controller | undefined;
  readonly groups: () => GroupCoordinatorComponent | undefined;
  readonly txn: () => TxnWiring | undefined;
  /** Why the broker halted (every log directory failed), or undefined while it serves. */
  readonly haltReason: () => string | undefined;
  /** KIP-227 fetch sessions of the Fetch handler. */
  readonly fetchSessions: FetchManager;
  /** Client quota sensors, for /metrics and /quotas. */
  readonly clientQuotas: () => ClientQuotaManager | undefined;
  readonly quotaConfigs: () => QuotaConfigs | undefined;
  readonly quotaAdmin: () => QuotaAdmin | undefined;
  /** The ACL authorizer (authorizer.class.name), undefined without one: HTTP write routes are checked against it. */
  readonly acls: () => AclAuthorizer | undefined;
  /** The SCRAM credential cache (ZooKeeper's /config/users), for the HTTP admin API's Basic authentication. */
  readonly scramCredentials: ScramCredentialLookup;
}

/** /quotas of the HTTP admin API: this broker's copy, its sensors, and AlterClientQuotas' path to ZooKeeper. */
function quotaOps(parts: BrokerParts): QuotaOps {
  return {
    effective: () => (parts.quotaConfigs()?.entries() ?? []).map(({ entity, values }) => ({ entity: { ...entity }, values: { ...values } })),
    sensors: () => parts.clientQuotas()?.snapshot() ?? [],
    alter: async (entity, set, remove) => {
      const admin = parts.quotaAdmin();
      if (admin === undefined) throw new Error('quota admin not started');
      const components = [];
      if (entity.user !== undefined) components.push({ entityType: 'user', entityName: entity.user === DEFAULT_ENTITY ? null : entity.user });
      if (entity.clientId !== undefined) components.push({ entityType: 'client-id', entityName: entity.clientId === DEFAULT_ENTITY ? null : entity.clientId });
      const ops = [...Object.entries(set).map(([key, value]) => ({ key, value, remove: false })), ...remove.map((key) => ({ key, value: 0, remove: true }))];
      await admin.alter(components, ops, false);
    },
  };
}

/** Cluster-wide group operations: this broker's coordinator locally, the others' over `GroupAdmin`. */
export function clusterGroupOps(parts: BrokerParts): ClusterGroupOps {
  const local = (req: GroupAdminRequest): Promise<unknown> => {
    const groups = parts.groups();
    const rm = parts.replicaManager();
    if (groups === undefined || rm === undefined) return Promise.reject(new Error('the group coordinator is not started'));
    return serveGroupAdmin(groups.coordinator, rm)(req);
  };
  return new ClusterGroupOps({
    metadata: parts.metadataCache,
    partitionFor: (groupId) => {
      const groups = parts.groups();
      if (groups === undefined) throw new Error('the group coordinator is not started');
      return groups.coordinator.partitionFor(groupId);
    },
    call: (id, req) => {
      if (id === parts.brokerId()) return local(req);
      const ep = parts.metadataCache.endpoint(id, parts.config.interBrokerListenerName);
      if (ep === undefined) return Promise.reject(new Error(`broker ${id} has no ${parts.config.interBrokerListenerName} endpoint`));
      // Short: a scrape of /metrics waits for the leaders' high watermarks.
      return parts.server.interBrokerClient.send({ id, host: ep.host, port: ep.port }, GROUP_ADMIN_API, req, { timeoutMs: 5_000 });
    },
  });
}

/** Serves `GroupAdmin` for the other brokers (call once the coordinator exists). */
export function registerGroupAdmin(parts: BrokerParts): void {
  parts.server.registerInternal(GROUP_ADMIN_API, (_ctx, body: GroupAdminRequest) => {
    const groups = parts.groups();
    const rm = parts.replicaManager();
    if (groups === undefined || rm === undefined) throw new Error('the group coordinator is not started');
    return serveGroupAdmin(groups.coordinator, rm)(body);
  });
}

const localDashboard = (parts: BrokerParts, metrics: BrokerMetrics): LocalDashboardParts => ({
  brokerId: parts.brokerId(),
  metrics,
  replicaManager: parts.replicaManager,
  controller: parts.controller,
});

/** Serves `DashboardData` (samples, leaders' figures, reads, test records) for the other brokers. */
export function registerDashboardData(parts: BrokerParts, metrics: BrokerMetrics): void {
  parts.server.registerInternal(DASHBOARD_DATA_API, (_ctx, body: DashboardDataRequest) => serveDashboardData(localDashboard(parts, metrics))(body));
}

/** The dashboard's cluster-wide reads: this broker locally, the others over `DashboardData`. */
export function clusterDashboard(parts: BrokerParts, metrics: BrokerMetrics, topicAdmin: TopicAdmin): ClusterDashboard {
  return new ClusterDashboard({
    metadata: parts.metadataCache,
    config: parts.config,
    topicConfigs: parts.topicConfigs,
    describeTopicConfig: (t) => topicAdmin.describeTopicConfig(t),
    call: (id, req, timeoutMs) => {
      if (id === parts.brokerId()) return serveDashboardData(localDashboard(parts, metrics))(req);
      const ep = parts.metadataCache.endpoint(id, parts.config.interBrokerListenerName);
      if (ep === undefined) return Promise.reject(new Error(`broker ${id} has no ${parts.config.interBrokerListenerName} endpoint`));
      return parts.server.interBrokerClient.send({ id, host: ep.host, port: ep.port }, DASHBOARD_DATA_API, req, { timeoutMs: timeoutMs ?? 15_000 });
    },
  });
}

/** Gauges read at scrape time from the live components (absent ones read as zero). */
export function brokerMetricProviders(parts: BrokerParts, groupOps: ClusterGroupOps): MetricProviders {
  return {
    replicaManager: () => {
      const all = parts.replicaManager()?.allPartitions() ?? [];
      const led = all.filter((p) => p.isLeader);
      const minIsr = (t: string): number => parts.topicConfigs()?.get(t).minInsyncReplicas ?? 1;
      const fence = parts.replicaManager()?.fenceStatus();
      return {
        zooKeeperFenced: fence?.contactLost === true ? 1 : 0,
        zooKeeperFencedPartitions: fence?.fencedPartitions ?? 0,
        leaderCount: led.length,
        partitionCount: all.filter((p) => p.role !== 'none').length,
        underReplicatedPartitions: led.filter((p) => p.isr.length < p.replicas.length).length,
        underMinIsrPartitionCount: led.filter((p) => p.isr.length < minIsr(p.topic)).length,
        atMinIsrPartitionCount: led.filter((p) => p.isr.length === minIsr(p.topic)).length,
        offlineReplicaCount: parts.replicaManager()?.offlineReplicaCount() ?? 0,
      };
    },
    logDirs: () => ({ online: parts.logManager()?.liveLogDirs() ?? [], offline: parts.logManager()?.offlineLogDirs() ?? [] }),
    controller: () => parts.controller()?.metrics() ?? { activeControllerCount: 0, offlinePartitionsCount: 0 },
    controllerEpoch: () => parts.metadataCache.controllerEpoch,
    fetchSessions: () => parts.fetchSessions.cache.stats(),
    clientQuotas: () => parts.clientQuotas()?.snapshot() ?? [],
    purgatory: () => ({ produce: parts.replicaManager()?.producePurgatory.size ?? 0, fetch: parts.replicaManager()?.fetchPurgatory.size ?? 0 }),
    groups: async () => {
      const groups = parts.groups();
      return groups === undefined ? { byState: {}, lag: [] } : groupsSnapshot(groups.coordinator, groupOps);
    },
    transactions: () => {
      const txn = parts.txn();
      if (txn === undefined) return { byState: {}, pendingMarkers: 0 };
      const byState: Record<string, number> = {};
      for (const t of txn.coordinator.list([], []).transactions) byState[t.state] = (byState[t.state] ?? 0) + 1;
      return { byState, pendingMarkers: txn.markers.pendingTransactionalIds.length };
    },
    logs: () =>
      (parts.logManager()?.allLogs() ?? []).map((l) => ({
        topic: l.topic,
        partition: l.partition,
        sizeBytes: l.size,
        logStartOffset: l.logStartOffset,
        logEndOffset: l.logEndOffset,
        numSegments: l.numberOfSegments,
      })),
  };
}

export interface AdminHttpWiring {
  readonly parts: BrokerParts;
  readonly logger: Logger;
  readonly startedAtMs: number;
  readonly topicAdmin: TopicAdmin;
  readonly metrics: BrokerMetrics;
  readonly groupOps: ClusterGroupOps;
}

/** Builds and binds the HTTP admin API (admin.http.listener); undefined when it is disabled. */
export async function startBrokerAdminHttp(w: AdminHttpWiring): Promise<RunningAdminHttp | undefined> {
  const { parts } = w;
  const listen = parts.config.adminHttp;
  if (listen === null) return undefined;
  const cache = parts.metadataCache;
  const controller = parts.controller();
  if (controller === undefined) throw new Error('the admin API starts after the controller');
  const config = parts.config;
  const tls = adminHttpTls(config);
  const app = buildAdminApp({
    brokerId: parts.brokerId(),
    acls: parts.acls,
    ...(config.str('admin.http.authentication') === 'basic'
      ? {
          authentication: {
            check: passwordCheck(brokerPlainUsers(config), parts.scramCredentials),
            openPaths: config.list('admin.http.open.paths'),
            ...(tls !== undefined && tls.clientAuth !== 'none' ? { certificatePrincipal: (s) => certificatePrincipal(s as TLSSocket, tls.principalMapper) } : {}),
          },
        }
      : {}),
    logger: w.logger,
    startedAtMs: w.startedAtMs,
    cluster: clusterFromMetadata(cache, parts.clusterId),
    readiness: () => {
      const reasons: string[] = [];
      const halted = parts.haltReason();
      if (halted !== undefined) reasons.push(`halted: ${halted}`);
      if ((parts.controller()?.brokerEpoch ?? -1n) < 0n) reasons.push('not registered in ZooKeeper');
      if (cache.updateCount === 0) reasons.push('no metadata from the controller yet');
      const fence = parts.replicaManager()?.fenceStatus();
      if (fence?.contactLost === true) reasons.push('fenced: no ZooKeeper contact within the session timeout minus the margin');
      else if ((fence?.fencedPartitions ?? 0) > 0) reasons.push(`fenced: ${fence!.fencedPartitions} partitions led by an expired ZooKeeper session await the controller`);
      // A failed directory of several: the broker still serves the rest, but says so.
      const offlineLogDirs = parts.logManager()?.offlineLogDirs() ?? [];
      return reasons.length === 0 ? { ready: true, offlineLogDirs } : { ready: false, reasons, offlineLogDirs };
    },
    topics: topicViewFromMetadata({
      cache,
      topicAdmin: w.topicAdmin,
      localLog: (t, p) => {
        const log = parts.replicaManager()?.getPartition(t, p)?.log;
        return log === undefined ? undefined : { logStartOffset: log.logStartOffset, highWatermark: log.highWatermark, logEndOffset: log.logEndOffset, sizeBytes: log.size };
      },
    }),
    topicAdmin: w.topicAdmin,
    ...controllerOperations(controller, () => cache.topicNames().flatMap((t) => (cache.getTopic(t) ?? []).map((p) => ({ topic: t, partition: p.partition })))),
    groups: w.groupOps,
    transactions: transactionOps(parts.txn),
    quotas: quotaOps(parts),
    dashboard: clusterDashboard(parts, w.metrics, w.topicAdmin),
    metrics: w.metrics,
  }, tls === undefined ? {} : { https: tlsServerOptions(tls) });
  return startAdminHttp(app, listen);
}
