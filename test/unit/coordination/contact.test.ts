/**
 * The "session may be lost" signal (coordination/zk/contact.ts) under fake timers: the deadline
 * is the SEND time of the latest answered request plus the negotiated timeout minus the margin;
 * the events are edges (lost once, restored once); an expiry forgets every earlier contact.
 */
import { expect } from 'chai';
import sinon from 'sinon';
import { systemScheduler } from '../../../common/index.js';
import { ContactTracker, defaultContactMarginMs, type ContactState } from '../../../coordination/index.js';

describe('coordination > ZooKeeper contact tracker', () => {
  let clock: sinon.SinonFakeTimers;
  let timeoutMs: number;
  let tracker: ContactTracker;
  let events: string[];

  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 100_000 });
    timeoutMs = 6_000;
    events = [];
    tracker = new ContactTracker({ scheduler: systemScheduler, sessionTimeoutMs: () => timeoutMs });
    tracker.addContactListener({
      contactLost: (s: ContactState) => events.push(`lost ${s.sessionId}`),
      contactRestored: (s: ContactState) => events.push(`restored ${s.sessionId}`),
    });
  });

  afterEach(() => {
    tracker.close();
    clock.restore();
  });

  it('the margin is a fifth of the negotiated timeout, at least 100 ms', () => {
    expect([1_000, 4_000, 6_000, 18_000, 100].map(defaultContactMarginMs)).to.deep.equal([200, 800, 1_200, 3_600, 100]);
  });

  it('may be lost before any contact, without an event (there is nothing to lose yet)', async () => {
    expect(tracker.sessionMayBeLost()).to.equal(true);
    await clock.tickAsync(60_000);
    expect(events).to.deep.equal([]);
  });

  it('counts from the send time: fenced at sentAt + timeout - margin, not at the answer + timeout - margin', async () => {
    const sentAt = Date.now();
    await clock.tickAsync(2_000); // the answer took 2 s (a stalled event loop, a slow server)
    tracker.noteContact(sentAt, 7n);
    expect(tracker.contactState()).to.include({ lastContactAt: sentAt, marginMs: 1_200, mayBeLostAt: sentAt + 4_800 });
    expect(tracker.sessionMayBeLost()).to.equal(false);
    await clock.tickAsync(2_799);
    expect(tracker.sessionMayBeLost()).to.equal(false);
    expect(events).to.deep.equal([]);
    await clock.tickAsync(1);
    expect(tracker.sessionMayBeLost()).to.equal(true);
    expect(events).to.deep.equal(['lost 7']);
    await clock.tickAsync(60_000);
    expect(events, 'lost is an edge, not repeated').to.deep.equal(['lost 7']);
  });

  it('keeps moving the deadline while answers come, and restores at the first answer after a loss', async () => {
    for (let i = 0; i < 10; i++) {
      tracker.noteContact(Date.now(), 7n);
      await clock.tickAsync(1_000);
    }
    expect(events).to.deep.equal([]);
    await clock.tickAsync(4_000);
    expect(events).to.deep.equal(['lost 7']);
    // An answer to a request sent before the loss is not enough if its deadline is past already.
    tracker.noteContact(Date.now() - 5_000, 7n);
    expect(events).to.deep.equal(['lost 7']);
    tracker.noteContact(Date.now(), 7n);
    expect(events).to.deep.equal(['lost 7', 'restored 7']);
    expect(tracker.sessionMayBeLost()).to.equal(false);
  });

  it('an expiry forgets the old session: lost at once, restored by the new session', async () => {
    tracker.noteContact(Date.now(), 7n);
    tracker.sessionGone();
    expect(tracker.sessionMayBeLost()).to.equal(true);
    expect(events).to.deep.equal(['lost 7']);
    await clock.tickAsync(100);
    tracker.noteContact(Date.now() - 50, 8n);
    expect(events).to.deep.equal(['lost 7', 'restored 8']);
  });

  it('reads the timeout at every decision (it is negotiated only on connect)', async () => {
    tracker.noteContact(Date.now(), 7n);
    timeoutMs = 2_000; // the server granted less than asked
    expect(tracker.contactState().mayBeLostAt).to.equal(Date.now() + 1_600);
    await clock.tickAsync(1_600);
    expect(tracker.sessionMayBeLost()).to.equal(true);
  });

  it('a fixed margin overrides the default; close() silences it', async () => {
    const fixed = new ContactTracker({ scheduler: systemScheduler, sessionTimeoutMs: () => 10_000, marginMs: 3_000 });
    const seen: string[] = [];
    fixed.addContactListener({ contactLost: () => seen.push('lost') });
    fixed.noteContact(Date.now(), 1n);
    expect(fixed.contactState().mayBeLostAt).to.equal(Date.now() + 7_000);
    fixed.close();
    await clock.tickAsync(20_000);
    expect(seen).to.deep.equal([]);
  });
});
