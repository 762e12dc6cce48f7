// broker/replica: hosted partitions (leader/follower), the produce and fetch paths, purgatories.
export { Partition, type LeaderAppendInfo, type LeaderAppendOptions, type ReplicaRole, type FollowerState, type PartitionStateUpdate, type PendingIsrChange } from './partition.js';
export { Purgatory, waitUntil, type WaitOutcome } from './purgatory.js';
export { ReplicaManager, NO_LEADER_EPOCH, METADATA_CHANGES } from './replica-manager.js';
export type { ReplicaManagerOptions, ReplicationMetrics, ReplicationOptions, LeadershipListener } from './replica-manager-options.js';
export { ZooKeeperFence, replicaFetchEpochVerdict, type FenceStatus, type LeadershipFence, type ZooKeeperSessionSignals } from './zookeeper-fence.js';
export { TopicConfigs, toLogConfig, type TopicSettings } from './topic-configs.js';
export { appendRecords, type ProduceEntry, type ProduceOptions, type ProducePartitionResult } from './produce-path.js';
export { writeTxnMarkers, type TxnMarker, type TxnMarkerOutcome } from './txn-markers.js';
export { toStoredFormat, toFetchFormat, fetchMagic, refusesZstdFetch } from './message-format.js';
export { fetchRecords, type FetchParams, type FetchPartitionRequest, type FetchPartitionResult } from './fetch-path.js';
export {
  listOffset,
  listOldStyleOffsets,
  deleteRecordsBefore,
  endOffsetForEpoch,
  epochForOffset,
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  type OffsetAndEpoch,
} from './offsets.js';
export { ConfigChangeWatcher } from './config-change-watcher.js';
export { IsrManager, type AlterIsrItem, type AlterIsrItemResult, type AlterIsrSender, type IsrManagerOptions } from './isr-manager.js';
export { ReplicaFetcher, type FetcherDeps, type FetcherSettings } from './replica-fetcher.js';
export { ReplicaFetcherManager } from './fetcher-manager.js';
export { serveReplicaFetch, serveEpochEndOffsets } from './replica-fetch-leader.js';
export { ReplicaFetchSessionHandler, toSessionRequest, type ReplicaSessionFields } from './replica-fetch-session.js';
export { preferredReadReplica, RACK_AWARE_REPLICA_SELECTOR, REPLICA_SELECTOR_CLASSES, NO_PREFERRED_READ_REPLICA, type ReadReplicaView } from './read-replica.js';
export { truncationOffset, type EpochEnd, type TruncationDecision } from './truncation.js';
export * from './replica-fetch-protocol.js';
