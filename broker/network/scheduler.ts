/**
 * Time for the network layer's stateful parts (inter-broker client timeouts and reconnect
 * backoff), injected so that they can run under sinon's fake timers.
 */
/** Opaque; `unknown` so that coordination/'s Scheduler (same shape) can be passed as is. */
export type TimerHandle = unknown;

export interface Scheduler {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const realScheduler: Scheduler = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    // Node turns delays above 2^31-1 ms into 1 ms; clamp so "very long" never means "now".
    const t = setTimeout(fn, Math.min(Math.max(0, ms), 2 ** 31 - 1));
    // A pending request timer must not keep a stopping process alive.
    t.unref();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
