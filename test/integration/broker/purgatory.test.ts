import { expect } from 'chai';
import { Purgatory, waitUntil } from '../../../broker/replica/index.js';
import { TestScheduler } from '../../helpers/test-scheduler.js';

describe('broker > purgatory (fake timers)', () => {
  let scheduler: TestScheduler;

  beforeEach(() => {
    scheduler = new TestScheduler();
  });
  afterEach(() => scheduler.restore());

  it('a notify wakes only the waiters of that key; a timeout ends the others; nothing stays parked', async () => {
    const p = new Purgatory('test', scheduler);
    const a = p.wait(['t-0'], 1000);
    const b = p.wait(['t-1', 't-2'], 1000);
    expect(p.size).to.equal(2);
    p.notify('t-0');
    expect(await a).to.equal('woken');
    await scheduler.tickAsync(1000);
    expect(await b).to.equal('timeout');
    expect(p.size).to.equal(0);
  });

  it('a closed connection (abort) ends the wait at once', async () => {
    const p = new Purgatory('test', scheduler);
    const ac = new AbortController();
    const w = p.wait(['t-0'], 60_000, ac.signal);
    ac.abort();
    expect(await w).to.equal('aborted');
    expect(p.size).to.equal(0);
    expect(await p.wait(['t-0'], 60_000, ac.signal)).to.equal('aborted');
  });

  it('waitUntil re-checks after each wake-up and gives up at the deadline', async () => {
    const p = new Purgatory('test', scheduler);
    let hw = 0;
    const done = waitUntil(p, scheduler, ['t-0'], scheduler.now() + 500, () => (hw >= 3 ? hw : undefined));
    hw = 1;
    p.notify('t-0');
    await scheduler.tickAsync(1);
    hw = 3;
    p.notify('t-0');
    expect(await done).to.equal(3);
    const never = waitUntil(p, scheduler, ['t-0'], scheduler.now() + 500, () => undefined);
    await scheduler.tickAsync(500);
    expect(await never).to.equal(undefined);
    expect(p.size).to.equal(0);
  });

  it('a waiter with a ready condition stays parked through notifies until it holds, keeping its one timer', async () => {
    const p = new Purgatory('test', scheduler);
    let hw = 0;
    const w = p.wait(['t-0'], 1000, undefined, () => hw >= 5);
    hw = 2;
    p.notify('t-0');
    expect(p.size).to.equal(1);
    expect(scheduler.pending).to.equal(1);
    hw = 5;
    p.notify('t-0');
    expect(await w).to.equal('woken');
    const stuck = p.wait(['t-0'], 1000, undefined, () => false);
    p.notifyAll();
    expect(await stuck).to.equal('woken');
    expect(p.size).to.equal(0);
  });
});
