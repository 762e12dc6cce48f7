/**
 * The composition root of one broker process. Start order (each a BrokerServer component; the
 * listeners open after the last one, and everything stops in reverse):
 *
 *   zookeeper      ZkSession (zookeeper.connect with chroot, session timeout)
 *   identity       broker id + cluster id, meta.properties stamped in every log dir
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
 */
import { createServer } from 'node:net';
import type { Logger } from 'pino';
import { isCoordinationError, ZkSession, type ZkSessionOptions } from '../coordination/index.js';
import { LogManager, type LogManagerIntervals } from '../storage/index.js';
import { TopicAdmin } from './admin/index.js';
import type { RunningAdminHttp } from './http/index.js';
import { BrokerMetrics } from './metrics/index.js';
import { brokerMetricProviders, clusterGroupOps, registerGroupAdmin, startBrokerAdminHttp, type BrokerParts } from './broker-admin.js';
import type { ClusterGroupOps } from './group-admin.js';
import type { BrokerConfig } from './config/index.js';
import { Controller } from './controller/index.js';
import { dataPathHandlers } from './handlers/index.js';
import { stateChangeLogger } from './logging.js';
import { type BrokerIdentity, type ControlApi, ControlRequestHandler, MetadataCache, resolveBrokerIdentity } from './metadata/index.js';
import { backgroundScheduler, type Scheduler, sleep } from '../common/index.js';
import {
  ALTER_ISR_API,
  ConfigChangeWatcher,
  LEADER_EPOCH_END_OFFSET_API,
  REPLICA_FETCH_API,
  ReplicaManager,
  serveEpochEndOffsets,
  serveReplicaFetch,
  TopicConfigs,
  type AlterIsrItem,
  type AlterIsrItemResult,
  type ReplicationOptions,
} from './replica/index.js';
import { ProducerIdManager } from './producer-id-manager.js';
import { LogDirFailureHandler } from './log-dir-failure.js';
import { wireGroupCoordinator } from './broker-groups.js';
import { wireTransactionCoordinator, type TxnWiring } from './broker-txn.js';
import type { GroupCoordinatorComponent } from './group/index.js';
import { BrokerServer } from './server.js';

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

const CONTROL_APIS: readonly ControlApi[] = ['LeaderAndIsr', 'UpdateMetadata', 'StopReplica'];

export interface ControlledShutdownRequest {
  readonly brokerId: number;
  readonly brokerEpoch: bigint;
}

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
  private readonly parts: BrokerParts;
  /** Cluster-wide consumer-group operations (HTTP /groups) and lag for /metrics. */
  readonly groupOps: ClusterGroupOps;
  private readonly logDirFailures: LogDirFailureHandler;
  private haltReason: string | undefined;

  constructor(private readonly o: BrokerOptions) {
    this.config = o.config;
    this.log = o.logger;
    this.scheduler = o.scheduler ?? backgroundScheduler;
    this.server = new BrokerServer({ config: o.config, logger: o.logger, shutdownDrainMs: o.shutdownDrainMs, scheduler: this.scheduler });
    this.session = new ZkSession({
      connect: o.config.zookeeperConnect,
      sessionTimeoutMs: o.config.zookeeperSessionTimeoutMs,
      connectionTimeoutMs: o.config.zookeeperConnectionTimeoutMs,
      logger: o.logger.child({ module: 'zookeeper' }),
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
      haltReason: () => this.haltReason,
    };
    this.parts = parts;
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
      .addComponent({ name: 'identity', start: () => this.resolveIdentity(), stop: async () => {} })
      .addComponent({
        name: 'log-manager',
        start: () => this.startLogManager(),
        stop: async () => {
          this.logDirFailures.stop();
          await this.logManagerValue?.shutdown();
        },
      })
      .addComponent({ name: 'replica-manager', start: () => this.startReplicaManager(), stop: () => this.stopReplicaManager() })
      .addComponent({
        name: 'controller',
        start: () => this.startController(),
        beforeStop: () => this.controlledShutdown(),
        stop: async () => {
          // Kafka's order: replica fetchers stop before the controller resigns. A successor
          // controller does not know this broker is shutting down (the old one's memory) and
          // would let it back into the ISRs of the partitions it still follows (KIP-841).
          await this.replicaManagerValue?.fetchers?.shutdown();
          await this.controllerValue?.shutdown();
        },
      })
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
    const c = this.config;
    this.topicConfigs = new TopicConfigs(this.session, c);
    const topicConfigs = this.topicConfigs;
    this.logManagerValue = await LogManager.start({
      logDirs: c.logDirs,
      defaultConfig: topicConfigs.defaults.logConfig,
      topicConfig: (topic) => (topicConfigs.has(topic) ? topicConfigs.get(topic).logConfig : undefined),
      logger: this.log,
      openParallelism: c.int('num.recovery.threads.per.data.dir') * c.logDirs.length,
      initialOfflineDirs: this.identityValue?.offlineLogDirs,
      onLogDirFailure: this.logDirFailures.onFailure,
      cleanerEnabled: c.bool('log.cleaner.enable'),
      cleanerDedupeBufferBytes: c.int('log.cleaner.dedupe.buffer.size'),
      intervals: {
        retentionCheckMs: c.int('log.retention.check.interval.ms'),
        recoveryPointCheckpointMs: c.int('log.flush.offset.checkpoint.interval.ms'),
        highWatermarkCheckpointMs: c.int('replica.high.watermark.checkpoint.interval.ms'),
        cleanerBackoffMs: c.int('log.cleaner.backoff.ms'),
        ...this.o.logIntervals,
      },
    });
  }

  private async startReplicaManager(): Promise<void> {
    const brokerId = this.brokerId;
    const states = stateChangeLogger(this.log).child({ brokerId });
    const rm = new ReplicaManager({
      brokerId,
      logManager: this.logManager,
      topicConfigs: this.topicConfigs!,
      metadataCache: this.metadataCache,
      scheduler: this.scheduler,
      logger: this.log.child({ module: 'replica-manager' }),
      stateChangeLogger: states,
      replicaLagTimeMaxMs: this.config.int('replica.lag.time.max.ms'),
      replication: this.replicationOptions(),
      zooKeeper: this.session,
    });
    this.replicaManagerValue = rm;
    this.server.registerInternal(REPLICA_FETCH_API, async (_ctx, body) => {
      const answer = await serveReplicaFetch(rm, body);
      for (const p of answer.partitions) if (p.records.length > 0) this.metrics.onFetch({ topic: p.topic, bytes: p.records.length, replication: true });
      return answer;
    });
    this.server.registerInternal(LEADER_EPOCH_END_OFFSET_API, async (_ctx, body) => serveEpochEndOffsets(rm, body));
    this.server.registerInternal(ALTER_ISR_API, (_ctx, body: { brokerId: number; brokerEpoch: bigint; partitions: AlterIsrItem[] }) =>
      this.controller.alterIsr(body.brokerId, BigInt(body.brokerEpoch), body.partitions),
    );
    const handler = new ControlRequestHandler({
      brokerId,
      brokerEpoch: () => this.controllerValue?.brokerEpoch ?? -1n,
      cache: this.metadataCache,
      logger: this.log.child({ module: 'control-requests' }),
      listener: {
        onLeaderAndIsr: (states, origin) => rm.onLeaderAndIsr(states, origin),
        onStopReplica: (partitions, origin) => rm.onStopReplica(partitions, origin),
        // A deleted topic's per-topic counters stop being exported.
        onMetadataUpdate: (deleted) => deleted.forEach((t) => this.metrics.forgetTopic(t)),
      },
    });
    this.controlHandler = handler;
    for (const api of CONTROL_APIS) this.server.registerInternal(api, (_ctx, body) => handler.handle(api, body));
    this.server.registerInternal('ControlledShutdown', async (_ctx, body: ControlledShutdownRequest) => {
      const remaining = await this.controller.controlledShutdown(body.brokerId, BigInt(body.brokerEpoch));
      return { partitionsRemaining: remaining };
    });
    const topicAdmin = (this.topicAdmin = new TopicAdmin(this.session, {
      defaultPartitions: this.config.int('num.partitions'),
      defaultReplicationFactor: this.config.int('default.replication.factor'),
    }));
    for (const h of dataPathHandlers({
      brokerId,
      config: this.config,
      clusterId: () => this.clusterId,
      replicaManager: rm,
      metadataCache: this.metadataCache,
      topicAdmin,
      isController: () => this.controllerValue?.isActive ?? false,
      scheduler: this.scheduler,
      logger: this.log,
      metrics: this.metrics,
    })) {
      this.server.registerHandler(h);
    }
    // Producer ids come from this broker's own block (idempotent producers ask any broker);
    // transactional ids go to their coordinator (InitProducerId is registered there).
    const producerIds = new ProducerIdManager({ store: this.session, brokerId, logger: this.log });
    this.txn = await wireTransactionCoordinator({
      brokerId,
      config: this.config,
      store: this.session,
      replicaManager: rm,
      metadataCache: this.metadataCache,
      topicAdmin,
      server: this.server,
      producerIds,
      scheduler: this.scheduler,
      groups: () => this.groups,
      logger: this.log,
    });
    this.groups = await wireGroupCoordinator({
      transactionPlacement: this.txn.placement,
      brokerId,
      config: this.config,
      store: this.session,
      replicaManager: rm,
      metadataCache: this.metadataCache,
      topicAdmin,
      server: this.server,
      logger: this.log,
    });
    this.txn.registerHandlers();
    registerGroupAdmin(this.parts);
    this.configWatcher = new ConfigChangeWatcher(this.session, rm, this.log.child({ module: 'config-changes' }));
    await this.configWatcher.start();
  }

  private async stopReplicaManager(): Promise<void> {
    this.configWatcher?.stop();
    // Marker sending stops and parked joins/syncs answer NOT_COORDINATOR before the logs go away.
    await this.txn?.shutdown();
    await this.groups?.shutdown();
    await this.replicaManagerValue?.shutdown();
  }

  /** Followers fetch over the inter-broker listener; leaders send ISR changes to the controller. */
  private replicationOptions(): ReplicationOptions {
    const c = this.config;
    const listener = c.interBrokerListenerName;
    return {
      transport: this.server.interBrokerClient,
      endpoint: (id) => {
        const ep = this.metadataCache.endpoint(id, listener);
        return ep === undefined ? undefined : { id, host: ep.host, port: ep.port };
      },
      brokerEpoch: () => this.controllerValue?.brokerEpoch ?? -1n,
      alterIsr: (items) => this.sendAlterIsr(items),
      metrics: this.metrics,
      fetch: {
        maxWaitMs: c.int('replica.fetch.wait.max.ms'),
        minBytes: c.int('replica.fetch.min.bytes'),
        maxBytes: c.int('replica.fetch.response.max.bytes'),
        partitionMaxBytes: c.int('replica.fetch.max.bytes'),
        backoffMs: c.int('replica.fetch.backoff.ms'),
        socketTimeoutMs: c.int('replica.socket.timeout.ms'),
      },
    };
  }

  /** AlterIsr to the active controller: a local call when it is us, else the inter-broker listener. */
  private async sendAlterIsr(items: readonly AlterIsrItem[]): Promise<readonly AlterIsrItemResult[]> {
    const controller = this.controller;
    const brokerEpoch = controller.brokerEpoch;
    if (controller.isActive) return controller.alterIsr(this.brokerId, brokerEpoch, items);
    const active = controller.activeControllerId >= 0 ? controller.activeControllerId : this.metadataCache.controllerId;
    const ep = active < 0 ? undefined : this.metadataCache.endpoint(active, this.config.interBrokerListenerName);
    if (ep === undefined) throw new Error('no known controller for AlterIsr');
    return (await this.server.interBrokerClient.send({ id: active, host: ep.host, port: ep.port }, ALTER_ISR_API, { brokerId: this.brokerId, brokerEpoch, partitions: items }, { timeoutMs: 10_000 })) as AlterIsrItemResult[];
  }

  private async startController(): Promise<void> {
    const c = this.config;
    const endpoints = c.advertisedListeners.map((l) => ({
      listener: l.name,
      host: l.host,
      port: l.port,
      securityProtocol: c.securityProtocolMap.get(l.name) ?? 'PLAINTEXT',
    }));
    const make = (): Controller =>
      new Controller({
        store: this.session,
        broker: { id: this.brokerId, endpoints, rack: c.optionalStr('broker.rack'), jmxPort: -1, version: 4 },
        transport: this.server.interBrokerClient,
        interBrokerListenerName: c.interBrokerListenerName,
        uncleanLeaderElectionEnable: c.bool('unclean.leader.election.enable'),
        autoLeaderRebalanceEnable: c.bool('auto.leader.rebalance.enable'),
        leaderImbalanceCheckIntervalMs: c.int('leader.imbalance.check.interval.seconds') * 1000,
        leaderImbalancePerBrokerPercentage: c.int('leader.imbalance.per.broker.percentage'),
        logger: this.log.child({ module: 'controller' }),
        stateChangeLogger: stateChangeLogger(this.log).child({ brokerId: this.brokerId }),
        onLeaderElection: (e) => this.metrics.onLeaderElection(e),
      });
    // A broker restarted within the session timeout of its previous life (crash, kill -9, or
    // ZooKeeper restored the old session) finds its old ephemeral registration still there.
    // Kafka gives up at once; waiting for that session to expire is kinder and just as safe.
    const deadline = this.scheduler.now() + c.zookeeperSessionTimeoutMs * 2 + 5_000;
    for (let attempt = 1; ; attempt++) {
      this.controllerValue = make();
      try {
        await this.controllerValue.startup();
        return;
      } catch (err) {
        const duplicate = isCoordinationError(err, 'CRD_DUPLICATE_BROKER');
        if (!duplicate || this.scheduler.now() >= deadline) throw err;
        if (attempt === 1) this.log.warn({ brokerId: this.brokerId }, 'broker id still registered by an older session; waiting for that session to expire');
        await sleep(this.scheduler, 500);
      }
    }
  }

  /**
   * Kafka's controlled shutdown: ask the controller to move leadership away while this broker
   * still serves. One bounded attempt per configured retry; failures only cost a slower failover.
   */
  private async controlledShutdown(): Promise<void> {
    const controller = this.controllerValue;
    if (controller === undefined || !this.config.bool('controlled.shutdown.enable')) return;
    const attempts = Math.max(1, this.config.int('controlled.shutdown.max.retries'));
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const request: ControlledShutdownRequest = { brokerId: this.brokerId, brokerEpoch: controller.brokerEpoch };
        const active = controller.activeControllerId;
        let remaining: unknown[];
        if (controller.isActive) {
          remaining = await controller.controlledShutdown(request.brokerId, request.brokerEpoch);
        } else {
          const ep = active < 0 ? undefined : this.metadataCache.endpoint(active, this.config.interBrokerListenerName);
          if (ep === undefined) throw new Error('no known controller to ask');
          const answer = (await this.server.interBrokerClient.send({ id: active, host: ep.host, port: ep.port }, 'ControlledShutdown', request, { timeoutMs: 10_000 })) as { partitionsRemaining: unknown[] };
          remaining = answer.partitionsRemaining;
        }
        if (remaining.length === 0) {
          this.log.info({ attempt }, 'controlled shutdown done');
          return;
        }
        // Kafka retries while partitions remain (e.g. a follower not yet back in the ISR).
        this.log.warn({ attempt, partitionsRemaining: remaining.length }, 'controlled shutdown left partitions led here');
      } catch (err) {
        this.log.warn({ err, attempt }, 'controlled shutdown attempt failed');
      }
      // Without ZooKeeper no controller can act on it: stop now rather than wait out the retries.
      if (!this.session.connected) {
        this.log.warn({ attempt }, 'ZooKeeper is not connected; giving up on controlled shutdown');
        return;
      }
      if (attempt < attempts) await sleep(this.scheduler, this.config.int('controlled.shutdown.retry.backoff.ms'));
    }
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

/**
 * Fails fast, before anything registers in ZooKeeper, when a listener's port is taken (the
 * listeners themselves open only after every component started). Kafka binds its sockets early
 * for the same reason.
 */
async function checkListenerPorts(config: BrokerConfig): Promise<void> {
  const all = [...config.listeners];
  if (config.adminHttp !== null) all.push({ name: 'admin.http.listener', host: config.adminHttp.host === '' ? '127.0.0.1' : config.adminHttp.host, port: config.adminHttp.port });
  for (const l of all) {
    if (l.port === 0) continue;
    await new Promise<void>((resolve, reject) => {
      const probe = createServer();
      probe.once('error', (err) => reject(new Error(`cannot listen on ${l.name}://${l.host}:${l.port}: ${err.message}`, { cause: err })));
      probe.listen(l.host === '' ? { port: l.port, exclusive: true } : { host: l.host, port: l.port, exclusive: true }, () => probe.close(() => resolve()));
    });
  }
}

export function createBroker(options: BrokerOptions): Broker {
  return new Broker(options);
}
