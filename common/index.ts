// Public surface of common/: the few mechanisms every module shares — the module-error shape and
// injected time. Imports nothing; no sockets, files or logging.
export { ModuleError, kafkaErrorOf, isRetriable, type ErrorSpec, type ErrorTable, type ModuleErrorOptions } from './errors.js';
export {
  MAX_TIMER_MS,
  timerDelay,
  systemScheduler,
  backgroundScheduler,
  systemClock,
  runAfter,
  every,
  type Clock,
  type Scheduler,
  type TimerHandle,
  type Cancellable,
} from './time.js';
