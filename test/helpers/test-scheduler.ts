/**
 * The one fake of common/'s Scheduler for tests: sinon's fake timers installed on a private object
 * rather than on the real globals, so mocha's own timeouts, real sockets and real files keep real
 * time while the code under test sees only the fake. It also knows which of its timers are still
 * pending (with their delays) and waits for the work its timers started (`every`/`runAfter`
 * return their run's promise to the timer; work that never finishes holds `tickAsync` until
 * mocha's timeout fails the test).
 *
 * `TestScheduler.realTime()` keeps real time but the same bookkeeping, for tests that talk to a
 * real (or fake) broker over sockets and only want to know that nothing was left pending.
 */
import sinon from 'sinon';
import { systemScheduler, timerDelay, type Scheduler, type TimerHandle } from '../../common/index.js';

export const FAKE_EPOCH_MS = 1_700_000_000_000;

export class TestScheduler implements Scheduler {
  /** The sinon clock behind a fake scheduler (undefined in real time). */
  readonly clock: sinon.SinonFakeTimers | undefined;
  private readonly live = new Map<TimerHandle, number>();
  private readonly started = new Set<Promise<unknown>>();

  constructor(startMs = FAKE_EPOCH_MS, realTime = false) {
    if (realTime) return;
    const target = { setTimeout, clearTimeout, setInterval, clearInterval, setImmediate, clearImmediate, Date, Promise, queueMicrotask };
    // `global` is a fake-timers option that sinon's typings do not list.
    const config = { global: target, now: startMs, toFake: ['setTimeout', 'clearTimeout', 'Date'] };
    this.clock = sinon.useFakeTimers(config as Parameters<typeof sinon.useFakeTimers>[0]);
  }

  static realTime(): TestScheduler {
    return new TestScheduler(0, true);
  }

  now(): number {
    return this.clock === undefined ? Date.now() : this.clock.now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const delay = timerDelay(ms);
    const run = (): void => {
      this.live.delete(handle);
      const result = (fn as () => unknown)();
      if (result instanceof Promise) {
        this.started.add(result);
        void result.finally(() => this.started.delete(result)).catch(() => {});
      }
    };
    const handle: TimerHandle = this.clock === undefined ? systemScheduler.setTimeout(run, delay) : this.clock.setTimeout(run, delay);
    this.live.set(handle, delay);
    return handle;
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle === undefined) return;
    this.live.delete(handle);
    if (this.clock === undefined) systemScheduler.clearTimeout(handle);
    else this.clock.clearTimeout(handle as number);
  }

  /** Advances fake time by `ms`, firing due timers synchronously in time order. */
  tick(ms: number): void {
    this.fake().tick(ms);
  }

  /**
   * Advances fake time by `ms`, letting promise reactions run between timers, then waits until
   * the work those timers started (an `every` or `runAfter` task) has finished.
   */
  async tickAsync(ms: number): Promise<void> {
    await this.fake().tickAsync(ms);
    await this.settled();
  }

  /** Waits for the work fired timers started, including work started meanwhile. */
  async settled(): Promise<void> {
    for (let i = 0; i < 100 && this.started.size > 0; i++) await Promise.allSettled([...this.started]);
  }

  /** Delays of the timers not yet fired or cleared, in the order they were set. */
  pendingDelays(): number[] {
    return [...this.live.values()];
  }

  get pending(): number {
    return this.live.size;
  }

  restore(): void {
    this.clock?.restore();
  }

  private fake(): sinon.SinonFakeTimers {
    if (this.clock === undefined) throw new Error('a real-time TestScheduler cannot move time');
    return this.clock;
  }
}
