/**
 * The composition root of one broker process. Start order (each a BrokerServer component; the
 * listeners open after the last one, and everything stops in reverse):
 *
 *   zookeeper      ZkSession (zookeeper.connect with chroot, session timeout)
 *   identity       broker id + cluster id, meta.properties stamped in every log dir
 *   authorizer     ACLs loaded from ZooKeeper and the router's hook (authorizer.class.name;
 *                  broker-security.ts)
 *   log-manager    every log opened (recovery after an unclean shutdown), periodic tasks
 *   replica-manager  ReplicaManager; ControlRequestHandler on the inter-broker listener
 *                  (LeaderAndIsr / UpdateMetadata / StopReplica) with the replica manager as
 *                  its listener; Kafka handlers; /config/changes watcher
 *   controller     registration in /brokers/ids (advertised listeners, rack), election; the
 *                  inter-broker client is its ControlTransport; session expiry is handled
 *                  inside (re-register, step down, re-elect)
 *
 *   admin-http     the HTTP admin API + /metrics (admin.http.listener; empty disables it)
 *
 * Stop: controlled shutdown first (listeners still up), then listeners, then the replica
 * fetchers stop and the controller resigns, the replica manager wakes every parked request, logs
 * close cleanly (clean-shutdown marker, checkpoints), and the ZooKeeper session closes
 * (ephemerals go at once).
 * Halt (every log directory failed, log-dir-failure.ts): no controlled shutdown and nothing
 * written to disk; parked requests fail, the ZooKeeper session closes, then `onHalt`.
 *
 * Each step's wiring lives beside this file in broker-*.ts and listener-ports.ts (README,
 * "Composition and start order", says which is which), so this file stays the start order.
 */
import type { Logger } from 'pino';
import { ZkSession, type ZkSessionOptions } from '../coordination/index.js';
import type { LogManager, LogManagerIntervals } from '../storage/index.js';
import type { TopicAdmin } from './admin/index.js';
import type { RunningAdminHttp } from './http/index.js';
import { FetchManager, FetchSessionCache } from './fetch-session/index.js';
import { BrokerMetrics } from './metrics/index.js';
import { brokerMetricProviders, clusterGroupOps, registerDashboardData, registerGroupAdmin, startBrokerAdminHttp, type BrokerParts } from './broker-admin.js';
import type { ClusterGroupOps } from './group-admin.js';
import type { BrokerConfig } from './config/index.js';
import { Controller } from './controller/index.js';
import { type BrokerIdentity, type ControlRequestHandler, MetadataCache, resolveBrokerIdentity } from './metadata/index.js';
import { backgroundScheduler, type Scheduler } from '../common/index.js';
import { ConfigChangeWatcher, METADATA_CHANGES, type ReplicaManager, type TopicConfigs } from './replica/index.js';
import { controllerComponent } from './broker-controller.js';
import { createReplicaManager, registerControlApis, registerReplicationApis, type ReplicationWiring } from './broker-replication.js';
import { LogDirFailureHandler } from './log-dir-failure.js';
import { registerKafkaApis } from './broker-kafka-apis.js';
import type { TxnWiring } from './broker-txn.js';
import type { GroupCoordinatorComponent } from './group/index.js';
import { BrokerServer, type BrokerComponent } from './server.js';
import { UserAndClientConfigs } from './broker-entity-configs.js';
import { startBrokerLogs } from './broker-logs.js';
import type { ClientQuotaManager, QuotaAdmin, QuotaConfigs } from './quota/index.js';
import { LiveBrokerConfig } from './broker-dynamic-config.js';
import { checkListenerPorts } from './listener-ports.js';
import { startAuthorizer, zookeeperSecurity } from './broker-security.js';
import type { AclAuthorizer } from './security/index.js';

export interface BrokerOptions {
  readonly config: BrokerConfig;
  readonly logger: Logger;
  readonly scheduler?: Scheduler;
  readonly shutdownDrainMs?: number;
  /** Overrides for the ZooKeeper session (tests: shorter request timeouts). */
  readonly zk?: Partial<ZkSessionOptions>;
  readonly logIntervals?: Partial<LogManagerIntervals>;
  /**
   * Called once the broker has halted because every log directory failed (main.ts exits 1).
   * Without it the broker stays halted in its process (tests).
   */
  readonly onHalt?: (reason: string) => void;
}

export type { ControlledShutdownRequest } from './broker-controller.js';

export class Broker {
  readonly server: BrokerServer;
  readonly config: BrokerConfig;
  readonly session: ZkSession;
  readonly metadataCache = new MetadataCache();
  /** Kafka-named Prometheus metrics of this broker (served by the HTTP admin API's /metrics). */
  readonly metrics: BrokerMetrics;
  private readonly log: Logger;
  private readonly startedAtMs = Date.now();
  private adminHttp: RunningAdminHttp | undefined;
  private topicAdmin: TopicAdmin | undefined;
  private readonly scheduler: Scheduler;
  private identityValue: BrokerIdentity | undefined;
  private logManagerValue: LogManager | undefined;
  private replicaManagerValue: ReplicaManager | undefined;
  private controllerValue: Controller | undefined;
  private controlHandler: ControlRequestHandler | undefined;
  private configWatcher: ConfigChangeWatcher | undefined;
  private groups: GroupCoordinatorComponent | undefined;
  private txn: TxnWiring | undefined;
  private aclAuthorizerValue: AclAuthorizer | undefined;
  private readonly parts: BrokerParts;
  /** server.properties with the dynamic broker configs of ZooKeeper on top. */
  readonly liveConfig: LiveBrokerConfig;
  /** Cluster-wide consumer-group operations (HTTP /groups) and lag for /metrics. */
  readonly groupOps: ClusterGroupOps;
  private readonly logDirFailures: LogDirFailureHandler;
  private haltReason: string | undefined;
  /** SCRAM credentials and client quotas (/config/users, /config/clients). */
  private readonly entityConfigs: UserAndClientConfigs;
  /** Client quotas as configured in ZooKeeper, and the sensors charged against them. */
  readonly quotaConfigs: QuotaConfigs;
  readonly clientQuotas: ClientQuotaManager;
  private quotaAdmin: QuotaAdmin | undefined;

  constructor(private readonly o: BrokerOptions) {
    this.config = o.config;
    this.log = o.logger;
    this.scheduler = o.scheduler ?? backgroundScheduler;
    this.server = new BrokerServer({
      config: o.config,
      logger: o.logger,
      shutdownDrainMs: o.shutdownDrainMs,
      scheduler: this.scheduler,
      scramCredentials: (mechanism, user) => this.entityConfigs.scramCredentials.lookup(mechanism, user),
      onAuthentication: (listener, outcome) => this.metrics.onAuthentication(listener, outcome),
    });
    this.session = new ZkSession({
      connect: o.config.zookeeperConnect,
      sessionTimeoutMs: o.config.zookeeperSessionTimeoutMs,
      connectionTimeoutMs: o.config.zookeeperConnectionTimeoutMs,
      logger: o.logger.child({ module: 'zookeeper' }),
      ...zookeeperSecurity(o.config),
      ...o.zk,
    });
    const parts: BrokerParts = {
      brokerId: () => this.brokerId,
      clusterId: () => this.clusterId,
      config: o.config,
      server: this.server,
      metadataCache: this.metadataCache,
      replicaManager: () => this.replicaManagerValue,
      logManager: () => this.logManagerValue,
      topicConfigs: () => this.topicConfigs,
      controller: () => this.controllerValue,
      groups: () => this.groups,
      txn: () => this.txn,
      haltReason: () => this.haltReason,
      clientQuotas: () => this.clientQuotas,
      quotaConfigs: () => this.quotaConfigs,
      quotaAdmin: () => this.quotaAdmin,
      acls: () => this.aclAuthorizerValue,
      scramCredentials: (mechanism, user) => this.entityConfigs?.scramCredentials.lookup(mechanism, user),
      fetchSessions: new FetchManager(new FetchSessionCache({
        maxSlots: o.config.int('max.incremental.fetch.session.cache.slots'),
        clock: this.scheduler,
        onEviction: () => this.metrics.onFetchSessionEviction(),
      })),
    };
    this.parts = parts;
    this.entityConfigs = new UserAndClientConfigs({ store: this.session, config: o.config, clock: this.scheduler, logger: o.logger });
    this.quotaConfigs = this.entityConfigs.quotaConfigs;
    this.clientQuotas = this.entityConfigs.clientQuotas;
    const enforcer = this.entityConfigs.quotaEnforcer;
    this.server.router.setThrottler((cost, request, response) => enforcer.throttleTimeMs(cost, request, response));
    this.liveConfig = new LiveBrokerConfig({
      store: this.session,
      config: o.config,
      brokerId: () => this.brokerId,
      logger: o.logger.child({ module: 'dynamic-config' }),
      topicConfigs: () => this.topicConfigs,
      replicaManager: () => this.replicaManagerValue,
    });
    this.logDirFailures = new LogDirFailureHandler({
      brokerId: () => this.brokerId,
      store: this.session,
      replicaManager: () => this.replicaManagerValue,
      scheduler: this.scheduler,
      logger: o.logger.child({ module: 'log-dir-failure' }),
      halt: (reason) => this.halt(reason),
    });

    this.groupOps = clusterGroupOps(parts);
    this.metrics = new BrokerMetrics({ logger: o.logger.child({ module: 'metrics' }), providers: brokerMetricProviders(parts, this.groupOps) });
    this.server.router.setRequestObserver((e) => this.metrics.onRequest(e));
    this.session.addSessionListener(this.metrics.zooKeeperSessionListener());
    this.server
      .addComponent({ name: 'ports', start: () => checkListenerPorts(o.config), stop: async () => {} })
      .addComponent({ name: 'zookeeper', start: () => this.session.start(), stop: () => this.session.close() })
      .addComponent({ name: 'user-and-client-configs', start: () => this.entityConfigs.start(), stop: async () => this.entityConfigs.stop() })
      .addComponent({ name: 'identity', start: () => this.resolveIdentity(), stop: async () => {} })
      .addComponent({
        name: 'authorizer',
        start: async () => {
          this.aclAuthorizerValue = await startAuthorizer({
            config: o.config, store: this.session, metadataCache: this.metadataCache, router: this.server.router, logger: o.logger,
          });
        },
        stop: async () => this.aclAuthorizerValue?.stop(),
      })
      .addComponent({
        name: 'log-manager',
        start: () => this.startLogManager(),
        stop: async () => {
          this.logDirFailures.stop();
          await this.logManagerValue?.shutdown();
        },
      })
      .addComponent({ name: 'replica-manager', start: () => this.startReplicaManager(), stop: () => this.stopReplicaManager() })
      .addComponent(this.controllerStep())
      .addComponent({ name: 'admin-http', start: () => this.startAdminHttp(), stop: () => this.adminHttp?.stop() ?? Promise.resolve() });
  }

  /** `http://host:port` of the HTTP admin API, undefined when disabled or not started. */
  get adminHttpUrl(): string | undefined {
    return this.adminHttp?.url;
  }

  private async startAdminHttp(): Promise<void> {
    this.adminHttp = await startBrokerAdminHttp({
      parts: this.parts,
      logger: this.log.child({ module: 'admin-http' }),
      startedAtMs: this.startedAtMs,
      topicAdmin: this.topicAdmin!,
      metrics: this.metrics,
      groupOps: this.groupOps,
    });
  }

  /** The ACL authorizer, undefined when authorizer.class.name is empty. */
  get aclAuthorizer(): AclAuthorizer | undefined {
    return this.aclAuthorizerValue;
  }

  get brokerId(): number {
    return this.identityValue?.brokerId ?? this.config.brokerId;
  }

  get clusterId(): string | null {
    return this.identityValue?.clusterId ?? null;
  }

  get logManager(): LogManager {
    if (this.logManagerValue === undefined) throw new Error('log manager not started');
    return this.logManagerValue;
  }

  get replicaManager(): ReplicaManager {
    if (this.replicaManagerValue === undefined) throw new Error('replica manager not started');
    return this.replicaManagerValue;
  }

  get controller(): Controller {
    if (this.controllerValue === undefined) throw new Error('controller not started');
    return this.controllerValue;
  }

  start(): Promise<void> {
    return this.server.start();
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  private async resolveIdentity(): Promise<void> {
    this.identityValue = await resolveBrokerIdentity(this.session, {
      configuredBrokerId: this.config.brokerId,
      logDirs: this.config.logDirs,
      reservedBrokerMaxId: this.config.int('reserved.broker.max.id'),
      brokerIdGenerationEnable: this.config.bool('broker.id.generation.enable'),
    });
    this.log.info({ brokerId: this.identityValue.brokerId, clusterId: this.identityValue.clusterId }, 'broker identity resolved');
  }

  private topicConfigs: TopicConfigs | undefined;

  private async startLogManager(): Promise<void> {
    const started = await startBrokerLogs({
      config: this.config,
      liveConfig: this.liveConfig,
      store: this.session,
      logger: this.log,
      initialOfflineDirs: this.identityValue?.offlineLogDirs,
      onLogDirFailure: this.logDirFailures.onFailure,
      logIntervals: this.o.logIntervals,
    });
    this.topicConfigs = started.topicConfigs;
    this.logManagerValue = started.logManager;
  }

  /** The replica manager, the replication and control APIs it serves, every Kafka API, config changes. */
  private async startReplicaManager(): Promise<void> {
    const w = this.replicationWiring();
    const rm = createReplicaManager(w, {
      logManager: this.logManager, topicConfigs: this.topicConfigs!, scheduler: this.scheduler, logger: this.log, zooKeeper: this.session,
    });
    this.replicaManagerValue = rm;
    registerReplicationApis(w, rm);
    this.controlHandler = registerControlApis(w, rm, this.log);
    const apis = await registerKafkaApis({
      brokerId: this.brokerId,
      config: this.config,
      clusterId: () => this.clusterId,
      replicaManager: rm,
      metadataCache: this.metadataCache,
      isController: () => this.controllerValue?.isActive ?? false,
      metadataPropagating: (topic) => this.controllerValue?.isPropagating(topic) ?? false,
      controller: () => this.controllerValue,
      scheduler: this.scheduler,
      logger: this.log,
      metrics: this.metrics,
      dynamicConfig: this.liveConfig.dynamic,
      fetchSessions: this.parts.fetchSessions,
      store: this.session,
      server: this.server,
      acls: () => this.aclAuthorizerValue,
      quotas: this.entityConfigs.quotaEnforcer,
    });
    this.topicAdmin = apis.topicAdmin;
    this.groups = apis.groups;
    this.txn = apis.txn;
    this.quotaAdmin = apis.quotaAdmin;
    registerGroupAdmin(this.parts);
    registerDashboardData(this.parts, this.metrics);
    this.configWatcher = new ConfigChangeWatcher(this.session, rm, this.log.child({ module: 'config-changes' }), () => this.liveConfig.reload());
    await this.configWatcher.start();
  }

  private replicationWiring(): ReplicationWiring {
    return {
      brokerId: () => this.brokerId,
      config: this.config,
      server: this.server,
      metadataCache: this.metadataCache,
      metrics: this.metrics,
      fetchSessions: this.parts.fetchSessions,
      controller: () => this.controller,
      controllerIfStarted: () => this.controllerValue,
    };
  }

  private async stopReplicaManager(): Promise<void> {
    this.configWatcher?.stop();
    // Marker sending stops and parked joins/syncs answer NOT_COORDINATOR before the logs go away.
    await this.txn?.shutdown();
    await this.groups?.shutdown();
    await this.replicaManagerValue?.shutdown();
  }

  private controllerStep(): BrokerComponent {
    return controllerComponent({
      brokerId: () => this.brokerId,
      config: this.config,
      uncleanLeaderElectionEnable: () => this.liveConfig.current.bool('unclean.leader.election.enable'),
      session: this.session,
      server: this.server,
      scheduler: this.scheduler,
      metrics: this.metrics,
      metadataCache: this.metadataCache,
      logger: this.log,
      onMetadataPropagated: () => this.replicaManagerValue?.metadataPurgatory.notify(METADATA_CHANGES),
      onCreated: (controller) => (this.controllerValue = controller),
      controller: () => this.controllerValue,
      stopReplicaFetchers: async () => this.replicaManagerValue?.fetchers?.shutdown(),
    });
  }

  /**
   * Every log directory failed (Kafka's Exit.halt): nothing is written to disk any more, parked
   * requests fail, the ZooKeeper session closes so the controller moves leadership at once, and
   * the owner (main.ts) ends the process.
   */
  private async halt(reason: string): Promise<void> {
    if (this.haltReason !== undefined) return;
    this.haltReason = reason;
    this.log.fatal({ reason }, 'halting the broker');
    this.logDirFailures.stop();
    await this.replicaManagerValue?.shutdown().catch((err: unknown) => this.log.error({ err }, 'stopping the replica manager failed'));
    await this.session.close().catch((err: unknown) => this.log.error({ err }, 'closing the ZooKeeper session failed'));
    this.o.onHalt?.(reason);
  }

  /** Why the broker halted, if it did. */
  get halted(): string | undefined {
    return this.haltReason;
  }

  /** The log-directory failure handler (tests wait on its `idle()`). */
  get logDirFailureHandler(): LogDirFailureHandler {
    return this.logDirFailures;
  }

  /** The handler behind the inter-broker control APIs (tests). */
  get controlRequestHandler(): ControlRequestHandler | undefined {
    return this.controlHandler;
  }
}

export function createBroker(options: BrokerOptions): Broker {
  return new Broker(options);
}
