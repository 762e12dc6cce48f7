// client/mirror: MirrorMaker 2-style replication between clusters (consumer + producer), offset
// translation and the helpers applications use to move between clusters.
export { parseMirrorMakerConfig, type MirrorMakerConfig, type FlowConfig, type ConfigEntry } from './config.js';
export { FLOW_KEYS, GLOBAL_KEYS, CLUSTER_KEYS, type KeyDef } from './config-keys.js';
export { MirrorMaker, type MirrorMakerOptions } from './mirror-maker.js';
export type { FlowStatus, FlowState } from './flow.js';
export type { MirrorLog } from './flow-context.js';
export { MirrorMetrics, FlowMetrics, PartitionMetrics, WindowedStat, FLOW_COUNTERS, type FlowCounter, type StatSnapshot, type LatencyObserver } from './metrics.js';
export { replicationPolicy, isCycle, shouldReplicateTopic, compilePatternList, selected, type ReplicationPolicy, type ReplicationPolicyName, type IncludeExclude } from './policy.js';
export { OffsetSyncStore, type SyncPoint, type Translation } from './offset-sync-store.js';
export {
  encodeOffsetSync,
  decodeOffsetSync,
  encodeCheckpoint,
  decodeCheckpoint,
  encodeHeartbeat,
  decodeHeartbeat,
  encodeSourceOffsetKey,
  decodeSourceOffsetKey,
  encodeSourceOffsetValue,
  decodeSourceOffsetValue,
  type OffsetSync,
  type Checkpoint,
  type Heartbeat,
  type SourceOffsetKey,
} from './formats.js';
export { translateOffsets, readCheckpoints, upstreamClusters, type RemoteClusterOptions } from './remote-cluster-utils.js';
