/**
 * Time for the coordinator, injected so that tests drive it with sinon's fake timers. The
 * system scheduler reads the globals at call time, so installing fake timers after construction
 * still works.
 */
export interface Scheduler {
  now(): number;
  /** Run `fn` after `delayMs`; the returned function cancels it (idempotent). */
  schedule(delayMs: number, fn: () => void): () => void;
}

export const systemScheduler: Scheduler = {
  now: () => Date.now(),
  schedule(delayMs, fn) {
    const handle = globalThis.setTimeout(fn, Math.max(0, delayMs));
    // Group timers must never keep a stopping broker (or a test run) alive.
    (handle as { unref?: () => void }).unref?.();
    return () => globalThis.clearTimeout(handle);
  },
};

/** Named timers: scheduling a name again replaces the previous timer of that name. */
export class TimerTable {
  private readonly cancels = new Map<string, () => void>();

  constructor(private readonly scheduler: Scheduler) {}

  set(name: string, delayMs: number, fn: () => void): void {
    this.clear(name);
    const cancel = this.scheduler.schedule(delayMs, () => {
      this.cancels.delete(name);
      fn();
    });
    this.cancels.set(name, cancel);
  }

  clear(name: string): void {
    const cancel = this.cancels.get(name);
    if (cancel === undefined) return;
    this.cancels.delete(name);
    cancel();
  }

  /** Cancel every timer whose name starts with `prefix`. */
  clearPrefix(prefix: string): void {
    for (const name of [...this.cancels.keys()]) if (name.startsWith(prefix)) this.clear(name);
  }

  has(name: string): boolean {
    return this.cancels.has(name);
  }

  get size(): number {
    return this.cancels.size;
  }
}
