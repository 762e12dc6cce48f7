/**
 * Kafka's purgatory, reduced to what Node needs: requests that cannot complete yet (acks=all
 * produce waiting for the high watermark, fetches waiting for min_bytes) park on one or more
 * partition keys and are woken when something happens to one of them. A woken waiter re-checks
 * its own condition (the purgatory does not know it) and parks again with what is left of its
 * deadline. Every wait ends: on a notify, at its deadline, or when its connection goes away.
 */
import type { Scheduler } from '../../common/index.js';

export type WaitOutcome = 'woken' | 'timeout' | 'aborted';

interface Waiter {
  readonly keys: readonly string[];
  /** When given, a notify wakes the waiter only if this holds (no wake-and-repark churn). */
  readonly ready: (() => boolean) | undefined;
  settle(outcome: WaitOutcome): void;
}

export class Purgatory {
  private readonly watchers = new Map<string, Set<Waiter>>();
  /** Notifications seen per key: lets a caller that read state before parking detect a notify it missed. */
  private readonly notified = new Map<string, number>();

  constructor(
    readonly name: string,
    private readonly scheduler: Scheduler,
  ) {}

  /** Number of parked waiters (metrics: Kafka's PurgatorySize). */
  get size(): number {
    const all = new Set<Waiter>();
    for (const set of this.watchers.values()) for (const w of set) all.add(w);
    return all.size;
  }

  /**
   * Parks until one of `keys` is notified (and `ready`, if given, holds), `timeoutMs` passes or
   * `signal` aborts.
   */
  wait(keys: readonly string[], timeoutMs: number, signal?: AbortSignal, ready?: () => boolean, since?: number): Promise<WaitOutcome> {
    if (signal?.aborted) return Promise.resolve('aborted');
    if (timeoutMs <= 0 || keys.length === 0) return Promise.resolve('timeout');
    // A notify that fired while the caller was reading (before it parked) must not be lost.
    if (since !== undefined && this.notifications(keys) !== since) return Promise.resolve('woken');
    return new Promise<WaitOutcome>((resolve) => {
      let done = false;
      const onAbort = (): void => waiter.settle('aborted');
      const timer = this.scheduler.setTimeout(() => waiter.settle('timeout'), timeoutMs);
      const waiter: Waiter = {
        keys,
        ready,
        settle: (outcome) => {
          if (done) return;
          done = true;
          this.scheduler.clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          for (const k of keys) {
            const set = this.watchers.get(k);
            set?.delete(waiter);
            if (set !== undefined && set.size === 0) this.watchers.delete(k);
          }
          resolve(outcome);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      for (const k of keys) {
        let set = this.watchers.get(k);
        if (set === undefined) this.watchers.set(k, (set = new Set()));
        set.add(waiter);
      }
    });
  }

  /** A counter that changes whenever one of `keys` is notified; pass it to `wait` as `since`. */
  notifications(keys: readonly string[]): number {
    let n = 0;
    for (const k of keys) n += this.notified.get(k) ?? 0;
    return n;
  }

  /** Wakes every waiter parked on `key`. */
  notify(key: string): void {
    this.notified.set(key, (this.notified.get(key) ?? 0) + 1);
    const set = this.watchers.get(key);
    if (set === undefined) return;
    for (const w of [...set]) {
      let wake = true;
      if (w.ready !== undefined) {
        try {
          wake = w.ready();
        } catch {
          wake = true;
        }
      }
      if (wake) w.settle('woken');
    }
  }

  /** Wakes everything unconditionally (shutdown: waiters see the broker stopping when they re-check). */
  notifyAll(): void {
    for (const k of [...this.watchers.keys()]) {
      const set = this.watchers.get(k);
      if (set !== undefined) for (const w of [...set]) w.settle('woken');
    }
  }
}

/**
 * Waits until `check` returns a value (not undefined), re-checking after every wake-up of `keys`,
 * until `deadline` (scheduler ms). Returns the value, or undefined at the deadline / on abort.
 */
export async function waitUntil<T>(
  purgatory: Purgatory,
  scheduler: Scheduler,
  keys: readonly string[],
  deadline: number,
  check: () => T | undefined,
  signal?: AbortSignal,
): Promise<T | undefined> {
  // Bounded: each round either returns or parks until a notify/deadline; the deadline ends it.
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    const remaining = deadline - scheduler.now();
    if (remaining <= 0) return undefined;
    const outcome = await purgatory.wait(keys, remaining, signal, () => check() !== undefined);
    if (outcome === 'aborted') return undefined;
    if (outcome === 'timeout') return check();
  }
}
