/**
 * In-process brokers without a data path: each has its own coordination session, a Controller,
 * a ControlRequestHandler with a MetadataCache, and records what its "replica manager" was told.
 * Control requests travel through one InProcessControlTransport. Used by the controller unit
 * tests (fake ZooKeeper), the cluster tests (real ZooKeeper) and the failover benchmark.
 */
import type { Logger } from 'pino';
import type { CoordinationStore } from '../../../coordination/index.js';
import { silentLogger } from '../../../broker/logging.js';
import { Controller, InProcessControlTransport } from '../../../broker/controller/index.js';
import {
  type ControlApi,
  type ControlRequestOrigin,
  ControlRequestHandler,
  type LeaderAndIsrPartitionState,
  MetadataCache,
  type StopReplicaPartition,
} from '../../../broker/metadata/index.js';

export interface StoreHandle {
  readonly store: CoordinationStore;
  close(): Promise<void>;
}

export interface ObservedRequest {
  readonly broker: number;
  readonly api: ControlApi;
  readonly controllerId: number;
  readonly controllerEpoch: number;
  readonly accepted: boolean;
  readonly highestEpochBefore: number;
  readonly at: number;
}

export interface HarnessBroker {
  readonly id: number;
  readonly handle: StoreHandle;
  readonly controller: Controller;
  readonly handler: ControlRequestHandler;
  readonly cache: MetadataCache;
  readonly leaderAndIsr: LeaderAndIsrPartitionState[];
  readonly stopReplica: StopReplicaPartition[];
  /** `topic-partition` keys this broker answers KAFKA_STORAGE_ERROR for (a failed log directory). */
  readonly offlineReplicas: Set<string>;
  epoch: bigint;
}

export interface HarnessOptions {
  openStore: () => Promise<StoreHandle>;
  logger?: Logger;
  uncleanLeaderElectionEnable?: boolean;
  /** Off unless given: most tests want leadership to stay where elections put it. */
  leaderImbalanceCheckIntervalMs?: number;
}

export class ControllerHarness {
  readonly transport = new InProcessControlTransport();
  readonly brokers = new Map<number, HarnessBroker>();
  readonly observed: ObservedRequest[] = [];
  private readonly log: Logger;

  constructor(private readonly options: HarnessOptions) {
    this.log = options.logger ?? silentLogger();
  }

  async startBroker(id: number, rack: string | null = null): Promise<HarnessBroker> {
    const handle = await this.options.openStore();
    const cache = new MetadataCache();
    const leaderAndIsr: LeaderAndIsrPartitionState[] = [];
    const stopReplica: StopReplicaPartition[] = [];
    const offlineReplicas = new Set<string>();
    let broker: HarnessBroker | undefined;
    const handler = new ControlRequestHandler({
      brokerId: id,
      brokerEpoch: () => broker?.epoch ?? -1n,
      cache,
      logger: this.log,
      listener: {
        onLeaderAndIsr: (states: readonly LeaderAndIsrPartitionState[], _o: ControlRequestOrigin) => void leaderAndIsr.push(...states),
        onStopReplica: (ps: readonly StopReplicaPartition[]) => void stopReplica.push(...ps),
        isReplicaOffline: (topic: string, partition: number) => offlineReplicas.has(`${topic}-${partition}`),
      },
      observe: (api, req, accepted, highestEpochBefore) =>
        this.observed.push({ broker: id, api, controllerId: req.controllerId, controllerEpoch: req.controllerEpoch, accepted, highestEpochBefore, at: Date.now() }),
    });
    const controller = new Controller({
      store: handle.store,
      broker: {
        id,
        endpoints: [
          { listener: 'PLAINTEXT', host: '127.0.0.1', port: 9092 + id, securityProtocol: 'PLAINTEXT' },
          { listener: 'INTERNAL', host: '127.0.0.1', port: 19092 + id, securityProtocol: 'PLAINTEXT' },
        ],
        rack,
        jmxPort: -1,
        version: 4,
      },
      transport: this.transport,
      interBrokerListenerName: 'INTERNAL',
      uncleanLeaderElectionEnable: this.options.uncleanLeaderElectionEnable ?? false,
      autoLeaderRebalanceEnable: this.options.leaderImbalanceCheckIntervalMs !== undefined,
      ...(this.options.leaderImbalanceCheckIntervalMs === undefined ? {} : { leaderImbalanceCheckIntervalMs: this.options.leaderImbalanceCheckIntervalMs }),
      logger: this.log.child({ brokerId: id }),
      stateChangeLogger: this.log.child({ brokerId: id, module: 'state-change' }),
      onBrokerEpoch: (e) => {
        if (broker) broker.epoch = e;
      },
    });
    broker = { id, handle, controller, handler, cache, leaderAndIsr, stopReplica, offlineReplicas, epoch: -1n };
    this.brokers.set(id, broker);
    this.transport.register(id, handler);
    await controller.startup();
    broker.epoch = controller.brokerEpoch;
    return broker;
  }

  /** Clean stop: resign if controller, close the session (ephemerals go at once). */
  async stopBroker(id: number): Promise<void> {
    const b = this.brokers.get(id);
    if (b === undefined) return;
    this.brokers.delete(id);
    this.transport.unregister(id);
    await b.controller.shutdown();
    await b.handle.close();
  }

  /** Hard stop: the session is closed without the controller resigning first (a crash). */
  async killBroker(id: number): Promise<void> {
    const b = this.brokers.get(id);
    if (b === undefined) return;
    this.brokers.delete(id);
    this.transport.unregister(id);
    await b.handle.close();
    await b.controller.shutdown();
  }

  controllers(): HarnessBroker[] {
    return [...this.brokers.values()].filter((b) => b.controller.isActive);
  }

  async stopAll(): Promise<void> {
    for (const id of [...this.brokers.keys()]) await this.stopBroker(id);
  }

  /** True when every broker's cache names a live leader for each of the given partitions. */
  allCachesAgree(topic: string, partitions: number, check?: (leader: number, partition: number) => boolean): boolean {
    for (const b of this.brokers.values()) {
      for (let p = 0; p < partitions; p++) {
        const leader = b.cache.leaderFor(topic, p);
        if (leader < 0 || !this.brokers.has(leader)) return false;
        if (check && !check(leader, p)) return false;
      }
    }
    return true;
  }
}
