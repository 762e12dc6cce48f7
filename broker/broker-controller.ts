/**
 * Wiring of the controller into a broker: starting it (waiting out an older registration of the
 * same broker id), asking the active controller (a local call when it is this broker, else the
 * inter-broker listener), Kafka's controlled shutdown, and the broker's `controller` step made of
 * them. Kept apart from broker.ts so the
 * composition root stays one screen of start order.
 */
import type { Logger } from 'pino';
import { isCoordinationError, type ZkSession } from '../coordination/index.js';
import { sleep, type Scheduler } from '../common/index.js';
import type { BrokerConfig } from './config/index.js';
import { Controller } from './controller/index.js';
import { stateChangeLogger } from './logging.js';
import type { MetadataCache } from './metadata/index.js';
import type { BrokerMetrics } from './metrics/index.js';
import type { BrokerComponent, BrokerServer } from './server.js';

export interface ControlledShutdownRequest {
  readonly brokerId: number;
  readonly brokerEpoch: bigint;
}

interface ControllerWiringOptions {
  readonly brokerId: number;
  readonly config: BrokerConfig;
  /** unclean.leader.election.enable as it is now (dynamic broker configs change it). */
  readonly uncleanLeaderElectionEnable: () => boolean;
  readonly session: ZkSession;
  readonly server: BrokerServer;
  readonly scheduler: Scheduler;
  readonly metrics: BrokerMetrics;
  readonly logger: Logger;
  /** Wakes the admin requests waiting for metadata (the replica manager's metadata purgatory). */
  readonly onMetadataPropagated: () => void;
  /** Told each new Controller before it starts (the broker's accessors read it). */
  readonly onCreated: (controller: Controller) => void;
}

export async function startController(o: ControllerWiringOptions): Promise<void> {
  const c = o.config;
  const endpoints = c.advertisedListeners.map((l) => ({
    listener: l.name,
    host: l.host,
    port: l.port,
    securityProtocol: c.securityProtocolMap.get(l.name) ?? 'PLAINTEXT',
  }));
  const make = (): Controller =>
    new Controller({
      store: o.session,
      broker: { id: o.brokerId, endpoints, rack: c.optionalStr('broker.rack'), jmxPort: -1, version: 4 },
      transport: o.server.interBrokerClient,
      interBrokerListenerName: c.interBrokerListenerName,
      uncleanLeaderElectionEnable: o.uncleanLeaderElectionEnable,
      autoLeaderRebalanceEnable: c.bool('auto.leader.rebalance.enable'),
      leaderImbalanceCheckIntervalMs: c.int('leader.imbalance.check.interval.seconds') * 1000,
      leaderImbalancePerBrokerPercentage: c.int('leader.imbalance.per.broker.percentage'),
      logger: o.logger.child({ module: 'controller' }),
      stateChangeLogger: stateChangeLogger(o.logger).child({ brokerId: o.brokerId }),
      onLeaderElection: (e) => o.metrics.onLeaderElection(e),
      onMetadataPropagated: o.onMetadataPropagated,
    });
  // A broker restarted within the session timeout of its previous life (crash, kill -9, or
  // ZooKeeper restored the old session) finds its old ephemeral registration still there.
  // Kafka gives up at once; waiting for that session to expire is kinder and just as safe.
  const deadline = o.scheduler.now() + c.zookeeperSessionTimeoutMs * 2 + 5_000;
  for (let attempt = 1; ; attempt++) {
    const controller = make();
    o.onCreated(controller);
    try {
      await controller.startup();
      return;
    } catch (err) {
      const duplicate = isCoordinationError(err, 'CRD_DUPLICATE_BROKER');
      if (!duplicate || o.scheduler.now() >= deadline) throw err;
      if (attempt === 1) o.logger.warn({ brokerId: o.brokerId }, 'broker id still registered by an older session; waiting for that session to expire');
      await sleep(o.scheduler, 500);
    }
  }
}

export interface ActiveControllerPath {
  readonly controller: Controller;
  readonly config: BrokerConfig;
  readonly metadataCache: MetadataCache;
  readonly server: BrokerServer;
}

/**
 * One request to the active controller: `local` when this broker is it, else `api` over the
 * inter-broker listener to the controller this broker knows of.
 */
export async function askActiveController<T>(p: ActiveControllerPath, api: string, body: unknown, local: () => Promise<T>, noneKnown: string): Promise<T> {
  if (p.controller.isActive) return local();
  const active = p.controller.activeControllerId >= 0 ? p.controller.activeControllerId : p.metadataCache.controllerId;
  const ep = active < 0 ? undefined : p.metadataCache.endpoint(active, p.config.interBrokerListenerName);
  if (ep === undefined) throw new Error(noneKnown);
  return (await p.server.interBrokerClient.send({ id: active, host: ep.host, port: ep.port }, api, body, { timeoutMs: 10_000 })) as T;
}

/**
 * Kafka's controlled shutdown: ask the controller to move leadership away while this broker
 * still serves. One bounded attempt per configured retry; failures only cost a slower failover.
 */
export async function controlledShutdown(o: {
  readonly brokerId: number;
  readonly controller: Controller | undefined;
  readonly config: BrokerConfig;
  readonly metadataCache: MetadataCache;
  readonly server: BrokerServer;
  readonly session: ZkSession;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
}): Promise<void> {
  const controller = o.controller;
  if (controller === undefined || !o.config.bool('controlled.shutdown.enable')) return;
  const attempts = Math.max(1, o.config.int('controlled.shutdown.max.retries'));
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const request: ControlledShutdownRequest = { brokerId: o.brokerId, brokerEpoch: controller.brokerEpoch };
      const answer = await askActiveController<{ partitionsRemaining: unknown[] }>(
        { ...o, controller },
        'ControlledShutdown',
        request,
        async () => ({ partitionsRemaining: await controller.controlledShutdown(request.brokerId, request.brokerEpoch) }),
        'no known controller to ask',
      );
      const remaining = answer.partitionsRemaining;
      if (remaining.length === 0) {
        o.logger.info({ attempt }, 'controlled shutdown done');
        return;
      }
      // Kafka retries while partitions remain (e.g. a follower not yet back in the ISR).
      o.logger.warn({ attempt, partitionsRemaining: remaining.length }, 'controlled shutdown left partitions led here');
    } catch (err) {
      o.logger.warn({ err, attempt }, 'controlled shutdown attempt failed');
    }
    // Without ZooKeeper no controller can act on it: stop now rather than wait out the retries.
    if (!o.session.connected) {
      o.logger.warn({ attempt }, 'ZooKeeper is not connected; giving up on controlled shutdown');
      return;
    }
    if (attempt < attempts) await sleep(o.scheduler, o.config.int('controlled.shutdown.retry.backoff.ms'));
  }
}

export interface ControllerStepOptions extends Omit<ControllerWiringOptions, 'brokerId'> {
  readonly brokerId: () => number;
  readonly metadataCache: MetadataCache;
  /** The controller once created (undefined before). */
  readonly controller: () => Controller | undefined;
  readonly stopReplicaFetchers: () => Promise<void>;
}

/** The broker's `controller` step: start, controlled shutdown while listeners serve, resign. */
export function controllerComponent(o: ControllerStepOptions): BrokerComponent {
  return {
    name: 'controller',
    start: () => startController({ ...o, brokerId: o.brokerId() }),
    beforeStop: () => controlledShutdown({ ...o, brokerId: o.brokerId(), controller: o.controller() }),
    stop: async () => {
      // Kafka's order: replica fetchers stop before the controller resigns. A successor
      // controller does not know this broker is shutting down (the old one's memory) and
      // would let it back into the ISRs of the partitions it still follows (KIP-841).
      await o.stopReplicaFetchers();
      await o.controller()?.shutdown();
    },
  };
}
