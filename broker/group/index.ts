// Public surface of broker/group/: the group coordinator engine the Kafka API handlers call.
export { GroupCoordinator, type GroupCoordinatorOptions } from './group-coordinator.js';
export { DEFAULT_GROUP_COORDINATOR_CONFIG, groupCoordinatorConfigFrom, type GroupCoordinatorConfig } from './config.js';
export {
  GroupCoordinatorError,
  OffsetsLogError,
  appendErrorToGroupError,
  type GroupFailureCode,
  type OffsetsLogFailureCode,
} from './errors.js';
export { InMemoryOffsetsStore, type OffsetsStore, type OffsetsRecord, type ReplayedRecord, type TxnProducer } from './offsets-store.js';
export { LogOffsetsStore, type LogOffsetsStoreOptions, type OffsetsLogAccess } from './log-offsets-store.js';
export { replicaOffsetsLog } from './replica-offsets-log.js';
export { GroupCoordinatorComponent, type GroupCoordinatorComponentOptions } from './coordinator-component.js';
export { internalTopicEnsurer, offsetsTopicEnsurer, type OffsetsTopicEnsurerOptions, type OffsetsTopicSpec } from './offsets-topic.js';
export { OFFSETS_TOPIC_NAME, javaStringHashCode, partitionFor } from './partition-for.js';
export { GROUP_STATES, canTransition, type GroupState } from './group-state.js';
export { assignedPartitionsOf, subscribedTopicsOf } from './consumer-subscription.js';
export {
  decodeGroupMetadataValue,
  decodeOffsetCommitValue,
  decodeOffsetsKey,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
  type GroupMetadataValue,
  type OffsetCommitValue,
  type OffsetsKey,
  type StoredMember,
} from './offsets-codec.js';
export type * from './types.js';
