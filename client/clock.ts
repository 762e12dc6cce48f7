/**
 * Injected time. Producer, sender and connection never call Date.now() or setTimeout directly,
 * so unit tests can drive them with sinon's fake timers or a hand-rolled clock.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export type TimerHandle = { readonly __timer: unique symbol } | object;

export interface Scheduler {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = { now: () => Date.now() };

// Resolve setTimeout at call time (not import time) so sinon fake timers installed later apply.
export const systemScheduler: Scheduler = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    return t as unknown as TimerHandle;
  },
  clearTimeout: (handle) => clearTimeout(handle as unknown as NodeJS.Timeout),
};
