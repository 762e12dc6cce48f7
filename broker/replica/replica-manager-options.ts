/** What a ReplicaManager is built from, and what it tells its listeners. */
import type { Logger } from 'pino';
import type { Scheduler } from '../../common/index.js';
import type { LogManager } from '../../storage/index.js';
import type { MetadataCache } from '../metadata/index.js';
import type { BrokerEndpoint, InterBrokerTransport } from '../network/index.js';
import type { AlterIsrSender } from './isr-manager.js';
import type { FetcherSettings } from './replica-fetcher.js';
import type { TopicConfigs } from './topic-configs.js';
import type { ZooKeeperSessionSignals } from './zookeeper-fence.js';

/** What a broker needs to replicate: without it partitions lead or sit idle (unit tests). */
export interface ReplicationOptions {
  readonly transport: InterBrokerTransport;
  /** Inter-broker endpoint of a broker, from the metadata cache. */
  readonly endpoint: (brokerId: number) => BrokerEndpoint | undefined;
  readonly brokerEpoch: () => bigint;
  readonly alterIsr: AlterIsrSender;
  readonly fetch: FetcherSettings;
  /** ISR changes and follower appends, counted for /metrics (a BrokerMetrics fits). */
  readonly metrics?: ReplicationMetrics;
}

export interface ReplicationMetrics {
  onIsrShrink(): void;
  onIsrExpand(): void;
  onReplicationAppend(topic: string, bytes: number): void;
}

export interface ReplicaManagerOptions {
  readonly brokerId: number;
  readonly logManager: LogManager;
  readonly topicConfigs: TopicConfigs;
  readonly metadataCache: MetadataCache;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly stateChangeLogger?: Logger;
  /** Partitions of one LeaderAndIsr applied at once (log creation does file I/O). */
  readonly transitionParallelism?: number;
  /** replica.lag.time.max.ms (default 30 s). */
  readonly replicaLagTimeMaxMs?: number;
  /** replica.alter.log.dirs.io.max.bytes.per.second: copy rate of moves between log directories. */
  readonly alterLogDirsBytesPerSecond?: number;
  readonly replication?: ReplicationOptions;
  /** The ZooKeeper session whose contact decides the leadership fence; absent = never fenced (unit tests). */
  readonly zooKeeper?: ZooKeeperSessionSignals;
}

/** Told after a partition's role was applied (the group coordinator loads/unloads offsets). */
export type LeadershipListener = (topic: string, partition: number, isLeader: boolean) => void;
