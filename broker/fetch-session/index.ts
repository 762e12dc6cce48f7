export {
  FetchSessionCache,
  FetchSession,
  nextEpoch,
  INVALID_SESSION_ID,
  INITIAL_EPOCH,
  FINAL_EPOCH,
  MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS,
  type CachedPartition,
  type FetchSessionCacheOptions,
  type FetchSessionCacheStats,
} from './fetch-session-cache.js';
export {
  FetchManager,
  groupByTopic,
  requestedPartitions,
  type FetchContext,
  type FetchContextResult,
  type FetchPartitionData,
  type FetchPartitionResponse,
  type PartitionAnswer,
} from './fetch-context.js';
