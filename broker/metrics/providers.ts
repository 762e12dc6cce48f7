/**
 * Snapshot providers: the composition root hands BrokerMetrics functions that read the live
 * state (replica manager, controller, purgatories, group coordinator, logs) and the gauges are
 * filled from them at scrape time. State therefore never has to push gauge updates, and a gauge
 * can never drift from the state it describes.
 */

export interface ReplicaManagerSnapshot {
  readonly underReplicatedPartitions: number;
  readonly leaderCount: number;
  readonly partitionCount: number;
  readonly underMinIsrPartitionCount?: number;
  readonly atMinIsrPartitionCount?: number;
  readonly offlineReplicaCount?: number;
  /** 1 while the ZooKeeper contact fence holds (replica/README.md), else 0. */
  readonly zooKeeperFenced?: number;
  /** Partitions led here that the broker refuses to act for (contact lost or session expired). */
  readonly zooKeeperFencedPartitions?: number;
}

/** Matches broker/controller's ControllerMetrics (all zeros on a broker that is not controller). */
export interface ControllerSnapshot {
  readonly activeControllerCount: number;
  readonly offlinePartitionsCount: number;
  readonly globalTopicCount?: number;
  readonly globalPartitionCount?: number;
  readonly preferredReplicaImbalanceCount?: number;
}

export interface PurgatorySnapshot {
  readonly produce: number;
  readonly fetch: number;
}

/** The KIP-227 fetch session cache. */
export interface FetchSessionsSnapshot {
  readonly sessions: number;
  readonly partitions: number;
}

export interface GroupLagSnapshot {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly committedOffset: bigint;
  /** High watermark minus committed offset, never negative. */
  readonly lag: bigint;
}

export interface GroupsSnapshot {
  /** Group count per Kafka group state name (Empty, PreparingRebalance, …) for owned groups. */
  readonly byState: Readonly<Record<string, number>>;
  readonly lag?: readonly GroupLagSnapshot[];
}

export interface TransactionsSnapshot {
  /** Transactional ids per Kafka transaction state name, for the ids this broker's coordinator holds. */
  readonly byState: Readonly<Record<string, number>>;
  /** Transactions whose COMMIT/ABORT markers are not yet acknowledged by every partition leader. */
  readonly pendingMarkers: number;
}

export interface LogSnapshot {
  readonly topic: string;
  readonly partition: number;
  readonly sizeBytes: number;
  readonly logStartOffset: bigint;
  readonly logEndOffset: bigint;
  readonly numSegments?: number;
}

/** The broker's log directories by state (a directory goes offline on an I/O error). */
export interface LogDirsSnapshot {
  readonly online: readonly string[];
  readonly offline: readonly string[];
}

type MaybePromise<T> = T | Promise<T>;

/** One client quota sensor (broker/quota's QuotaSensorSnapshot). */
export interface QuotaSensorMetric {
  /** Kafka's metric group: Produce, Fetch, Request, ControllerMutation. */
  readonly quotaType: string;
  readonly user: string;
  readonly clientId: string;
  readonly rate: number;
  readonly throttleTimeMs: number;
}

export interface MetricProviders {
  replicaManager?(): MaybePromise<ReplicaManagerSnapshot>;
  controller?(): MaybePromise<ControllerSnapshot>;
  /** The controller epoch this broker knows (its metadata cache's), -1 when none yet. */
  controllerEpoch?(): MaybePromise<number>;
  purgatory?(): MaybePromise<PurgatorySnapshot>;
  fetchSessions?(): MaybePromise<FetchSessionsSnapshot>;
  groups?(): MaybePromise<GroupsSnapshot>;
  transactions?(): MaybePromise<TransactionsSnapshot>;
  /** Logs hosted by this broker (leader or follower). */
  logs?(): MaybePromise<Iterable<LogSnapshot>>;
  logDirs?(): MaybePromise<LogDirsSnapshot>;
  /** Client quota sensors (only entities a quota applies to). */
  clientQuotas?(): MaybePromise<readonly QuotaSensorMetric[]>;
}

export type ProviderName = keyof MetricProviders;
