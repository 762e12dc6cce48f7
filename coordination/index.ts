// Public surface of coordination/: everything that knows ZooKeeper.
export { CoordinationError, COORDINATION_ERRORS, isCoordinationError, type CoordinationErrorCode } from './errors.js';
export {
  ops,
  parentOf,
  createPersistentPath,
  type CoordinationStore,
  type CreateMode,
  type NodeData,
  type Op,
  type OpResult,
  type SessionListener,
  type Stat,
  type Watcher,
  type WatchEvent,
  type WatchEventType,
} from './store.js';
export { nullLogger, type CoordinationLogger } from './logger.js';
export { ZkSession } from './zk/session.js';
export type { ZkSessionOptions } from './zk/session-options.js';
export { digestId, znodeAcls, type DigestCredentials, type ZnodeAcls } from './zk/znode-acls.js';
export { ContactTracker, defaultContactMarginMs, type ContactListener, type ContactState, type ContactTrackerOptions, type SessionContact } from './zk/contact.js';
export { parseConnectString, type ParsedConnectString } from './zk/connect-string.js';
export * from './paths.js';
export * from './znodes/codecs.js';
export { ensurePersistentPaths, generateBrokerId, getOrCreateClusterId, registerBroker, type RegistrationResult } from './registration.js';
export {
  readActiveController,
  resignController,
  tryElectController,
  type ControllerLease,
  type ElectionOutcome,
} from './election.js';
export { FencedWriter, isControllerMoved, type FencedResult, type FencedWriterOptions } from './fenced-writer.js';
export {
  getDataOrNull,
  pipelined,
  readBrokerIds,
  readBrokers,
  readChildrenOrEmpty,
  readPartitionState,
  readPartitionStates,
  readTopicAssignment,
  readTopicAssignments,
  readTopicConfig,
  readEntityConfig,
  readTopicNames,
  type PartitionStateWithVersion,
  type RegisteredBroker,
  type TopicAssignmentWithVersion,
  type TopicPartitionKey,
} from './cluster-store.js';
export { allocateProducerIdBlock, PRODUCER_ID_BLOCK_SIZE } from './producer-ids.js';
export { ConfigChangeListener, type ConfigChangeListenerOptions } from './config-changes.js';
export { propagateLogDirEvent, readLogDirEvents, type LogDirEventNode } from './log-dir-events.js';
export { conditionalSetAcls, listAclResources, readAclResource, writeAclChangeNotification, type AclResourceRef, type VersionedAcls } from './acl-store.js';
export { decodeAcls, decodeExtendedAclChange, decodeLiteralAclChange, encodeAcls, type AclChange, type AclEntryJson } from './znodes/acls.js';
