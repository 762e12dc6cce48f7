// Public surface of common/: the few mechanisms every module shares (the module-error shape).
// Imports nothing; no sockets, files or logging.
export { ModuleError, kafkaErrorOf, isRetriable, type ErrorSpec, type ErrorTable, type ModuleErrorOptions } from './errors.js';
