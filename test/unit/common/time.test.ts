import { expect } from 'chai';
import { backgroundScheduler, backoffMs, every, MAX_TIMER_MS, runAfter, sleep, timerDelay, withTimeout } from '../../../common/index.js';
import { TestScheduler } from '../../helpers/test-scheduler.js';

describe('common > time: the one scheduler, sleep, every, runAfter', () => {
  it('clamps delays once: NaN and negatives are 0, beyond 2^31-1 ms is capped', () => {
    expect([timerDelay(Number.NaN), timerDelay(-5), timerDelay(10), timerDelay(2 ** 40)]).to.deep.equal([0, 0, 10, MAX_TIMER_MS]);
  });

  it('a system timer of 2^40 ms does not fire after Node\'s 1 ms overflow', async () => {
    let fired = false;
    const h = backgroundScheduler.setTimeout(() => (fired = true), 2 ** 40);
    await sleep(backgroundScheduler, 30);
    backgroundScheduler.clearTimeout(h);
    expect(fired).to.equal(false);
  });

  it('sleep resolves true after its time, false at once when aborted, and leaves no timer', async () => {
    const s = new TestScheduler();
    const done = sleep(s, 1000);
    expect(s.pendingDelays()).to.deep.equal([1000]);
    await s.tickAsync(1000);
    expect(await done).to.equal(true);
    const ac = new AbortController();
    const cut = sleep(s, 1000, ac.signal);
    ac.abort();
    expect(await cut).to.equal(false);
    expect(s.pending).to.equal(0);
    expect(await sleep(s, 1000, ac.signal)).to.equal(false);
    expect(s.pending).to.equal(0);
  });

  it('withTimeout settles as the promise does in time, else rejects with its own error; no timer is left', async () => {
    const s = new TestScheduler();
    expect(await withTimeout(s, Promise.resolve(7), 100, () => new Error('late'))).to.equal(7);
    await withTimeout(s, Promise.reject(new Error('own')), 100, () => new Error('late')).then(
      () => expect.fail('should reject'),
      (e: Error) => expect(e.message).to.equal('own'),
    );
    expect(s.pending).to.equal(0);
    const never = withTimeout(s, new Promise(() => {}), 100, () => new Error('late'));
    s.tick(100);
    await never.then(
      () => expect.fail('should time out'),
      (e: Error) => expect(e.message).to.equal('late'),
    );
    expect(s.pending).to.equal(0);
  });

  it('every runs at a fixed rate, skips a tick while the previous run is unfinished, and stops on cancel', async () => {
    const s = new TestScheduler();
    const flush = (): Promise<void> => new Promise((r) => setImmediate(r));
    let runs = 0;
    let release: () => void = () => {};
    const task = every(s, 100, () => {
      runs++;
      return new Promise<void>((r) => (release = r));
    }, () => {});
    s.tick(100);
    await flush();
    expect(runs).to.equal(1);
    s.tick(300); // three ticks while the first run hangs
    await flush();
    expect(runs).to.equal(1);
    release();
    await flush();
    s.tick(100);
    await flush();
    expect(runs).to.equal(2);
    release();
    task.cancel();
    s.tick(1000);
    await flush();
    expect([runs, s.pending]).to.deep.equal([2, 0]);
  });

  it('failures of every and runAfter go to onError, never to an unhandled rejection', async () => {
    const s = new TestScheduler();
    const errors: string[] = [];
    const onError = (e: unknown) => errors.push((e as Error).message);
    const periodic = every(s, 50, () => {
      throw new Error('tick');
    }, onError);
    runAfter(s, 60, async () => Promise.reject(new Error('later')), onError);
    const cancelled = runAfter(s, 70, () => errors.push('cancelled ran'), onError);
    cancelled.cancel();
    await s.tickAsync(100);
    periodic.cancel();
    expect(errors).to.deep.equal(['tick', 'later', 'tick']);
  });
});

describe('common > backoff: Kafka\'s ExponentialBackoff', () => {
  const mid = () => 0.5; // factor 1: the term itself
  it('doubles from initialMs and stops at maxMs', () => {
    const policy = { initialMs: 100, maxMs: 2000 };
    expect([0, 1, 2, 3, 4, 5, 6, 50].map((a) => backoffMs(policy, a, mid))).to.deep.equal([100, 200, 400, 800, 1600, 2000, 2000, 2000]);
    expect([0, 1, 2, 3].map((a) => backoffMs({ initialMs: 20, maxMs: 70 }, a, mid))).to.deep.equal([20, 40, 70, 70]);
  });

  it('jitters by ±20% by default and never exceeds maxMs', () => {
    const policy = { initialMs: 100, maxMs: 1000 };
    expect(backoffMs(policy, 0, () => 0)).to.equal(80);
    expect(backoffMs(policy, 0, () => 0.999999)).to.equal(119);
    expect(backoffMs(policy, 10, () => 0.999999)).to.equal(1000);
    expect(backoffMs(policy, 10, () => 0)).to.equal(800);
    expect(backoffMs({ ...policy, jitter: 0 }, 1, () => 0)).to.equal(200);
    for (let i = 0; i < 200; i++) expect(backoffMs(policy, i % 8)).to.be.within(80, 1000);
  });

  it('is a constant maxMs when maxMs is not above initialMs', () => {
    expect([0, 3].map((a) => backoffMs({ initialMs: 500, maxMs: 200 }, a, () => 0))).to.deep.equal([200, 200]);
  });
});
