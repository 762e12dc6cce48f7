// Public surface of storage/: partition logs, segments, indexes, recovery, retention,
// compaction, checkpoints and the log manager.
export { StorageError, STORAGE_ERRORS, isIoError, type StorageErrorCode } from './errors.js';
export { resolveLogConfig, type LogConfig, type CleanupPolicy, type TimestampType } from './config.js';
export { PartitionLog } from './partition-log.js';
export type { PartitionLogOptions, AppendResult } from './partition-log-options.js';
export type { AppendOrigin } from './log-producers.js';
export {
  ProducerStateManager,
  NUM_BATCHES_TO_RETAIN,
  NO_PRODUCER_EPOCH,
  type ProducerStateEntry,
  type BatchMetadata,
  type DuplicateBatch,
} from './producer-state.js';
export { encodeProducerSnapshot, decodeProducerSnapshot } from './producer-state-snapshot.js';
export type { ProducerStateLoad } from './producer-state-loader.js';
export { AbortedTxnIndex, ABORTED_TXN_ENTRY_SIZE, decodeAbortedTxns, encodeAbortedTxn, TXN_INDEX_SUFFIX, type AbortedTxn } from './txn-index.js';
export type { ReadOptions, ReadResult, TimestampAndOffset } from './log-read.js';
export type { RecoveryReport, RecoveryProblem } from './log-loader.js';
export { cleanLog, cleanableRange, type CleanStats, type CleanableRange, type CleanOptions } from './cleaner/cleaner.js';
export { OffsetMap, loadKeyHasher, type KeyHasher } from './cleaner/offset-map.js';
export { LeaderEpochCache, UNDEFINED_EPOCH, type EpochEndOffset } from './leader-epoch-cache.js';
export { selectSegmentsToDelete, type SegmentInfo, type RetentionLimits, type SegmentDeletion, type DeletionReason } from './retention.js';
export {
  readOffsetCheckpoint,
  writeOffsetCheckpoint,
  readEpochCheckpoint,
  writeEpochCheckpoint,
  type TopicPartitionOffset,
  type EpochEntry,
} from './checkpoint.js';
export {
  offsetFilePrefix,
  segmentFileName,
  partitionDirName,
  parsePartitionDirName,
  writeFileAtomic,
  RECOVERY_POINT_CHECKPOINT,
  REPLICATION_OFFSET_CHECKPOINT,
  LOG_START_OFFSET_CHECKPOINT,
  CLEANER_OFFSET_CHECKPOINT,
  LEADER_EPOCH_CHECKPOINT,
  CLEAN_SHUTDOWN_MARKER,
} from './files.js';
export { copyTail } from './future-logs.js';
export { LogManager, type LogManagerOptions, type LogManagerIntervals, type LogDirFailure } from './log-manager.js';
