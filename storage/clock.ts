/**
 * Time and timers are injected so that roll, retention, flush and delete schedules run under
 * fake clocks in tests.
 */
export interface Clock {
  /** Wall-clock milliseconds since the epoch (record timestamps, retention, segment age). */
  now(): number;
}

export interface ScheduledTask {
  cancel(): void;
}

export interface Scheduler {
  /** Runs `task` every `periodMs` after `delayMs`; a task still running when the next tick is due is skipped. */
  schedulePeriodic(name: string, task: () => Promise<void> | void, periodMs: number, delayMs?: number): ScheduledTask;
  /** Runs `task` once after `delayMs`. */
  scheduleOnce(name: string, task: () => Promise<void> | void, delayMs: number): ScheduledTask;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A Scheduler on Node timers; task failures go to `onError` (never an unhandled rejection). */
export function timerScheduler(onError: (name: string, err: unknown) => void): Scheduler {
  const runGuarded = (name: string, task: () => Promise<void> | void): Promise<void> =>
    Promise.resolve()
      .then(task)
      .catch((err: unknown) => onError(name, err));
  return {
    schedulePeriodic(name, task, periodMs, delayMs = periodMs) {
      let running = false;
      let interval: NodeJS.Timeout | undefined;
      const tick = (): void => {
        if (running) return;
        running = true;
        void runGuarded(name, task).finally(() => {
          running = false;
        });
      };
      const first = setTimeout(() => {
        tick();
        interval = setInterval(tick, periodMs);
        interval.unref();
      }, delayMs);
      first.unref();
      return {
        cancel() {
          clearTimeout(first);
          if (interval) clearInterval(interval);
        },
      };
    },
    scheduleOnce(name, task, delayMs) {
      const t = setTimeout(() => void runGuarded(name, task), delayMs);
      t.unref();
      return { cancel: () => clearTimeout(t) };
    },
  };
}
