// broker/metadata: the broker-side metadata cache, the control-request fence and meta.properties.
export * from './control-requests.js';
export { MetadataCache, type CachedBroker, type PartitionMetadata } from './metadata-cache.js';
export {
  ControlRequestError,
  ControlRequestHandler,
  type ControlRequestHandlerOptions,
  type ControlRequestOrigin,
  type ReplicaStateListener,
  type PartitionErrors,
} from './control-request-handler.js';
export {
  checkLogDirs,
  MetaPropertiesError,
  pinLogDirs,
  readMetaProperties,
  writeMetaProperties,
  type BrokerMetadata,
} from './meta-properties.js';
export { resolveBrokerIdentity, type BrokerIdentity, type BrokerIdentityOptions } from './broker-identity.js';
