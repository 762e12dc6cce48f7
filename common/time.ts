/**
 * Injected time, one interface for every module: `now()` plus one-shot timers, so state machines,
 * retries and periodic work run under a fake scheduler in tests (test/helpers/test-scheduler.ts).
 * Periodic work (`every`) and delayed work (`runAfter`) are built on the one-shot timer, so a fake
 * drives them too. The system schedulers read the timer globals at call time, so sinon fake timers
 * installed after construction still apply.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** Opaque: whatever the scheduler's setTimeout returned. */
export type TimerHandle = unknown;

export interface Scheduler extends Clock {
  /** Runs `fn` once after `ms` (clamped to [0, MAX_TIMER_MS]). */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a pending timer; a fired, cleared or undefined handle is ignored. */
  clearTimeout(handle: TimerHandle | undefined): void;
}

/** Node runs a timer longer than 2^31-1 ms after 1 ms: "very long" must never mean "now". */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A delay Node's timers honour as asked: NaN and negatives are 0, beyond 2^31-1 ms is capped. */
export function timerDelay(ms: number): number {
  return Number.isNaN(ms) ? 0 : Math.min(Math.max(0, ms), MAX_TIMER_MS);
}

function nodeScheduler(unref: boolean): Scheduler {
  return {
    now: () => Date.now(),
    setTimeout(fn, ms) {
      const t = globalThis.setTimeout(fn, timerDelay(ms));
      // Fake timers may hand out handles without unref.
      if (unref) (t as { unref?: () => void }).unref?.();
      return t;
    },
    clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout> | undefined),
  };
}

/** Node's timers as they are: a pending timer keeps the process alive (clients, tools, ZooKeeper sessions). */
export const systemScheduler: Scheduler = nodeScheduler(false);

/**
 * Node's timers, unref'd: a pending timer never keeps a stopping process alive (a broker's
 * request timeouts, group timers, storage tasks).
 */
export const backgroundScheduler: Scheduler = nodeScheduler(true);

export const systemClock: Clock = { now: () => Date.now() };

export interface Cancellable {
  cancel(): void;
}

/** Runs `task` once after `delayMs`; a throw or rejection goes to `onError`, never unhandled. */
export function runAfter(scheduler: Scheduler, delayMs: number, task: () => unknown, onError: (err: unknown) => void): Cancellable {
  const handle = scheduler.setTimeout(() => runGuarded(task, onError), delayMs);
  return { cancel: () => scheduler.clearTimeout(handle) };
}

/**
 * Runs `task` every `periodMs`, the first time after `delayMs`; a tick that finds the previous run
 * unfinished is skipped (fixed rate, like setInterval). Failures go to `onError`.
 */
export function every(scheduler: Scheduler, periodMs: number, task: () => unknown, onError: (err: unknown) => void, delayMs = periodMs): Cancellable {
  let running = false;
  let cancelled = false;
  let handle: TimerHandle | undefined;
  const tick = (): Promise<void> | undefined => {
    if (cancelled) return undefined;
    handle = scheduler.setTimeout(tick, periodMs);
    if (running) return undefined;
    running = true;
    return runGuarded(task, onError).finally(() => {
      running = false;
    });
  };
  handle = scheduler.setTimeout(tick, delayMs);
  return {
    cancel() {
      cancelled = true;
      scheduler.clearTimeout(handle);
    },
  };
}

/**
 * Resolves after `ms` on `scheduler`, or as soon as `signal` aborts: true when the time passed,
 * false when aborted (the timer is cleared, nothing is left pending).
 */
export function sleep(scheduler: Scheduler, ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted === true) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      scheduler.clearTimeout(handle);
      resolve(false);
    };
    const handle = scheduler.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** `p`'s outcome, or the error `onTimeout()` makes if `p` has not settled after `ms`; the timer is cleared either way. */
export async function withTimeout<T>(scheduler: Scheduler, p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let handle: TimerHandle | undefined;
  const timeout = new Promise<never>((_, reject) => {
    handle = scheduler.setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    scheduler.clearTimeout(handle);
  }
}

// Returns the run's promise so a fake scheduler can wait for the work a timer started.
function runGuarded(task: () => unknown, onError: (err: unknown) => void): Promise<void> {
  return Promise.resolve()
    .then(task)
    .then(
      () => undefined,
      (err: unknown) => onError(err),
    );
}
