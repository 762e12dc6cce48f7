/**
 * Wiring of replication into a broker: how followers reach leaders and leaders reach the
 * controller (ReplicationOptions), the internal replication APIs this broker serves (replica
 * fetch, epoch end offsets, AlterIsr), and the controller's requests to it (LeaderAndIsr,
 * UpdateMetadata, StopReplica, ControlledShutdown). Kept apart from broker.ts so the composition
 * root stays one screen of start order.
 */
import type { Logger } from 'pino';
import type { Scheduler } from '../common/index.js';
import type { ZkSession } from '../coordination/index.js';
import type { LogManager } from '../storage/index.js';
import { stateChangeLogger } from './logging.js';
import type { BrokerConfig } from './config/index.js';
import type { Controller } from './controller/index.js';
import { askActiveController, type ControlledShutdownRequest } from './broker-controller.js';
import { type ControlApi, ControlRequestHandler, type MetadataCache } from './metadata/index.js';
import type { FetchManager } from './fetch-session/index.js';
import type { BrokerMetrics } from './metrics/index.js';
import {
  ALTER_ISR_API,
  LEADER_EPOCH_END_OFFSET_API,
  REPLICA_FETCH_API,
  REPLICA_FETCH_VERSIONS,
  ReplicaManager,
  encodeReplicaFetchResponse,
  serveEpochEndOffsets,
  serveReplicaFetch,
  type AlterIsrItem,
  type AlterIsrItemResult,
  type ReplicationOptions,
  type TopicConfigs,
} from './replica/index.js';
import type { BrokerServer } from './server.js';

const CONTROL_APIS: readonly ControlApi[] = ['LeaderAndIsr', 'UpdateMetadata', 'StopReplica'];

export interface ReplicationWiring {
  readonly brokerId: () => number;
  readonly config: BrokerConfig;
  readonly server: BrokerServer;
  readonly metadataCache: MetadataCache;
  readonly metrics: BrokerMetrics;
  /** The broker's KIP-227 session cache, shared by consumer and follower fetches. */
  readonly fetchSessions: FetchManager;
  /** The started controller (throws before). */
  readonly controller: () => Controller;
  /** The controller if started, for the broker epoch (-1 before). */
  readonly controllerIfStarted: () => Controller | undefined;
}

/** The replica manager of this broker, over its logs, replicating as `replicationOptions` says. */
export function createReplicaManager(
  w: ReplicationWiring,
  o: { logManager: LogManager; topicConfigs: TopicConfigs; scheduler: Scheduler; logger: Logger; zooKeeper: ZkSession },
): ReplicaManager {
  const brokerId = w.brokerId();
  return new ReplicaManager({
    brokerId,
    logManager: o.logManager,
    topicConfigs: o.topicConfigs,
    metadataCache: w.metadataCache,
    scheduler: o.scheduler,
    logger: o.logger.child({ module: 'replica-manager' }),
    stateChangeLogger: stateChangeLogger(o.logger).child({ brokerId }),
    replicaLagTimeMaxMs: w.config.int('replica.lag.time.max.ms'),
    alterLogDirsBytesPerSecond: w.config.int('replica.alter.log.dirs.io.max.bytes.per.second'),
    replication: replicationOptions(w),
    zooKeeper: o.zooKeeper,
  });
}

/** Followers fetch over the inter-broker listener; leaders send ISR changes to the controller. */
export function replicationOptions(w: ReplicationWiring): ReplicationOptions {
  const c = w.config;
  const listener = c.interBrokerListenerName;
  return {
    transport: w.server.interBrokerClient,
    endpoint: (id) => {
      const ep = w.metadataCache.endpoint(id, listener);
      return ep === undefined ? undefined : { id, host: ep.host, port: ep.port };
    },
    brokerEpoch: () => w.controllerIfStarted()?.brokerEpoch ?? -1n,
    alterIsr: (items) => sendAlterIsr(w, items),
    metrics: w.metrics,
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
function sendAlterIsr(w: ReplicationWiring, items: readonly AlterIsrItem[]): Promise<readonly AlterIsrItemResult[]> {
  const controller = w.controller();
  const brokerEpoch = controller.brokerEpoch;
  const brokerId = w.brokerId();
  return askActiveController<readonly AlterIsrItemResult[]>(
    { controller, config: w.config, metadataCache: w.metadataCache, server: w.server },
    ALTER_ISR_API,
    { brokerId, brokerEpoch, partitions: items },
    () => controller.alterIsr(brokerId, brokerEpoch, items),
    'no known controller for AlterIsr',
  );
}

/** Replica fetch, epoch end offsets and AlterIsr, served on the inter-broker listener. */
export function registerReplicationApis(w: ReplicationWiring, rm: ReplicaManager): void {
  w.server.registerInternal(
    REPLICA_FETCH_API,
    async (ctx, body) => {
      // Follower sessions live in the broker's one fetch-session cache, privileged over consumers'.
      const answer = await serveReplicaFetch(rm, body, undefined, w.fetchSessions);
      for (const p of answer.partitions) {
        // Counted piece by piece: `records` of an in-memory read would join them.
        const bytes = p.parts === undefined ? p.records.length : p.parts.reduce((n, piece) => n + piece.length, 0);
        if (bytes > 0) w.metrics.onFetch({ topic: p.topic, bytes, replication: true });
      }
      return encodeReplicaFetchResponse(answer, ctx.version);
    },
    REPLICA_FETCH_VERSIONS,
  );
  w.server.registerInternal(LEADER_EPOCH_END_OFFSET_API, async (_ctx, body) => serveEpochEndOffsets(rm, body));
  w.server.registerInternal(ALTER_ISR_API, (_ctx, body: { brokerId: number; brokerEpoch: bigint; partitions: AlterIsrItem[] }) =>
    w.controller().alterIsr(body.brokerId, BigInt(body.brokerEpoch), body.partitions),
  );
}

/** The controller's requests to this broker, applied by the replica manager. */
export function registerControlApis(w: ReplicationWiring, rm: ReplicaManager, logger: Logger): ControlRequestHandler {
  const handler = new ControlRequestHandler({
    brokerId: w.brokerId(),
    brokerEpoch: () => w.controllerIfStarted()?.brokerEpoch ?? -1n,
    cache: w.metadataCache,
    logger: logger.child({ module: 'control-requests' }),
    listener: {
      onLeaderAndIsr: (states, origin) => rm.onLeaderAndIsr(states, origin),
      onStopReplica: (partitions, origin) => rm.onStopReplica(partitions, origin),
      // Answered before any epoch check: how the controller learns which replicas are offline.
      isReplicaOffline: (topic, partition) => rm.isReplicaOffline(topic, partition),
      onMetadataUpdate: (deleted, brokersLeft) => {
        rm.onMetadataCacheUpdated();
        // A follower whose broker left the metadata stops holding the HW now, not at its lag timeout.
        if (brokersLeft.length > 0) rm.onMetadataUpdate();
        // A deleted topic's per-topic counters stop being exported.
        deleted.forEach((t) => w.metrics.forgetTopic(t));
      },
    },
  });
  for (const api of CONTROL_APIS) w.server.registerInternal(api, (_ctx, body) => handler.handle(api, body));
  w.server.registerInternal('ControlledShutdown', async (_ctx, body: ControlledShutdownRequest) => {
    const remaining = await w.controller().controlledShutdown(body.brokerId, BigInt(body.brokerEpoch));
    return { partitionsRemaining: remaining };
  });
  return handler;
}
