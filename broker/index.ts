// Public surface of broker/, for scripts/ and test/ only (nothing else may import broker/).
export * from './config/index.js';
export { createRootLogger, silentLogger, stateChangeLogger, type Logger, type RootLoggerOptions } from './logging.js';
