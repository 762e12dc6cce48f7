/** What a broker gives its controller component, and the gauges it reports back. */
import type { Logger } from 'pino';
import type { BrokerInfo, CoordinationStore } from '../../coordination/index.js';
import { type Scheduler, tpKey } from '../../common/index.js';
import type { ActiveController } from './active-controller.js';
import type { ControlTransport } from './channel.js';
import type { LeaderElectionObserver } from './partition-ops.js';

export interface ControllerMetrics {
  readonly activeControllerCount: number;
  readonly offlinePartitionsCount: number;
  readonly globalTopicCount: number;
  readonly globalPartitionCount: number;
  readonly preferredReplicaImbalanceCount: number;
}

export interface ControllerOptions {
  store: CoordinationStore;
  /** This broker's registration (timestamp is set at each registration). */
  broker: Omit<BrokerInfo, 'timestamp'>;
  transport: ControlTransport;
  interBrokerListenerName: string;
  /** Broker default for unclean.leader.election.enable (topic overrides win); a getter follows dynamic broker configs. */
  uncleanLeaderElectionEnable?: boolean | (() => boolean);
  logger: Logger;
  stateChangeLogger: Logger;
  scheduler?: Scheduler;
  /** auto.leader.rebalance.enable (Kafka default true). */
  autoLeaderRebalanceEnable?: boolean;
  /** leader.imbalance.check.interval.seconds × 1000 (Kafka default 300 s). */
  leaderImbalanceCheckIntervalMs?: number;
  /** leader.imbalance.per.broker.percentage (Kafka default 10). */
  leaderImbalancePerBrokerPercentage?: number;
  /** Called with every new broker epoch (first registration and each re-registration). */
  onBrokerEpoch?: (brokerEpoch: bigint) => void;
  /** Told once per partition whose leader this controller elected (LeaderElectionRateAndTimeMs). */
  onLeaderElection?: LeaderElectionObserver;
  /** New partitions' LeaderAndIsr and UpdateMetadata were all acknowledged (CreateTopics waits for it). */
  onMetadataPropagated?: () => void;
}

/** Kafka's controller gauges (zero on brokers that are not the controller). */
export function controllerMetrics(ac: ActiveController | undefined): ControllerMetrics {
  if (ac === undefined) return { activeControllerCount: 0, offlinePartitionsCount: 0, globalTopicCount: 0, globalPartitionCount: 0, preferredReplicaImbalanceCount: 0 };
  const all = ac.ctx.allPartitions();
  const imbalance = all.filter((tp) => ac.ctx.leadership.get(tpKey(tp.topic, tp.partition))?.state.leader !== ac.ctx.replicas(tp.topic, tp.partition)[0]).length;
  return {
    activeControllerCount: 1,
    offlinePartitionsCount: ac.ctx.offlinePartitionCount(),
    globalTopicCount: ac.ctx.assignments.size,
    globalPartitionCount: all.length,
    preferredReplicaImbalanceCount: imbalance,
  };
}
