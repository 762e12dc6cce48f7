import { expect } from 'chai';
import { Purgatory } from '../../../broker/replica/index.js';
import { backgroundScheduler } from '../../../common/index.js';

describe('replica > purgatory > notifications missed before parking', () => {
  it('a notify between reading and parking wakes the wait at once instead of after max wait', async () => {
    const p = new Purgatory('fetch', backgroundScheduler);
    const seen = p.notifications(['t-0']);
    p.notify('t-0'); // an append lands while the fetch was still reading its log
    const started = Date.now();
    expect(await p.wait(['t-0'], 5_000, undefined, undefined, seen)).to.equal('woken');
    expect(Date.now() - started).to.be.below(1_000);
  });

  it('without a missed notify the wait parks until notified', async () => {
    const p = new Purgatory('fetch', backgroundScheduler);
    const seen = p.notifications(['t-0']);
    const waiting = p.wait(['t-0'], 5_000, undefined, undefined, seen);
    expect(p.size).to.equal(1);
    p.notify('t-0');
    expect(await waiting).to.equal('woken');
  });

  it('an expired deadline still times out even when notifications moved', async () => {
    const p = new Purgatory('fetch', backgroundScheduler);
    const seen = p.notifications(['t-0']);
    p.notify('t-0');
    expect(await p.wait(['t-0'], 0, undefined, undefined, seen)).to.equal('timeout');
  });
});
