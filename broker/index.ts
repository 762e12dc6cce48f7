// Public surface of broker/, for scripts/ and test/ only (nothing else may import broker/).
export * from './config/index.js';
export { createRootLogger, silentLogger, stateChangeLogger, type Logger, type RootLoggerOptions } from './logging.js';
export { BrokerServer, type BrokerComponent, type BrokerServerOptions } from './server.js';
export * from './network/index.js';
export { BrokerError, BROKER_ERRORS, kafkaErrorName, toWireError, type BrokerErrorCode } from './errors.js';
export { isRetriable, kafkaErrorOf, ModuleError } from '../common/index.js';
export {
  ANONYMOUS_PRINCIPAL,
  allowAllAuthorizer,
  type RequestContext,
  type ConnectionInfo,
  type KafkaHandler,
  type ApiHandler,
  type InternalHandler,
  type InternalRequestContext,
  type Authorizer,
  type AuthorizationResult,
} from './request-context.js';
export { HandlerRegistry, createHandlerRegistry, type ApiVersionRange } from './handlers/index.js';
export * as group from './group/index.js';
export { GroupCoordinator, InMemoryOffsetsStore, groupCoordinatorConfigFrom, type OffsetsStore } from './group/index.js';
export { Broker, createBroker, type BrokerOptions } from './broker.js';
