// Public surface of common/: the few mechanisms every module shares — the module-error shape,
// injected time, sleep and backoff. Imports nothing; no sockets, files or logging.
export { ModuleError, kafkaErrorOf, isRetriable, messageOf, type ErrorSpec, type ErrorTable, type ModuleErrorOptions } from './errors.js';
export {
  MAX_TIMER_MS,
  timerDelay,
  systemScheduler,
  backgroundScheduler,
  systemClock,
  runAfter,
  every,
  sleep,
  withTimeout,
  type Clock,
  type Scheduler,
  type TimerHandle,
  type Cancellable,
} from './time.js';
export { backoffMs, type BackoffPolicy } from './backoff.js';
export { tpKey, parseTpKey } from './topic-partition.js';
