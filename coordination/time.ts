/**
 * Injected time for stateful coordination logic (watchdog, retries), so unit tests can drive it
 * with fake timers.
 */
export interface Scheduler {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemScheduler: Scheduler = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** The subset of a pino logger coordination/ writes to (it may not import broker/). */
export interface CoordinationLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const nullLogger: CoordinationLogger = { debug() {}, info() {}, warn() {}, error() {} };
