/**
 * The leadership fence's decisions over a real ContactTracker under fake timers: broker-wide
 * while contact may be lost, lifted by the next answer on the same session; after an expiry the
 * partitions led at that moment stay fenced on the new session until the controller speaks
 * about each (LeaderAndIsr / StopReplica → `settled`).
 */
import { expect } from 'chai';
import sinon from 'sinon';
import { systemScheduler } from '../../../common/index.js';
import { ContactTracker, type SessionListener } from '../../../coordination/index.js';
import { silentLogger } from '../../../broker/index.js';
import { Partition, ZooKeeperFence } from '../../../broker/replica/index.js';
import { fakeLog } from './fake-log.js';

describe('replica > ZooKeeper fence', () => {
  let clock: sinon.SinonFakeTimers;
  let contact: ContactTracker;
  let sessions: SessionListener[];
  let led: Partition[];
  let fenced: string[][];
  let unfenced: string[][];
  let fence: ZooKeeperFence;

  const leader = (topic: string): Partition => {
    const p = new Partition(topic, 0, 1, fakeLog(10n), 3_000);
    p.applyState({ leader: 1, leaderEpoch: 3, isr: [1], replicas: [1], zkVersion: 0, controllerEpoch: 1 }, 0);
    return p;
  };

  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 50_000 });
    contact = new ContactTracker({ scheduler: systemScheduler, sessionTimeoutMs: () => 4_000 });
    sessions = [];
    led = [leader('a'), leader('b')];
    fenced = [];
    unfenced = [];
    fence = new ZooKeeperFence({
      zooKeeper: {
        contact,
        addSessionListener: (l) => {
          sessions.push(l);
          return () => undefined;
        },
      },
      scheduler: systemScheduler,
      stateLog: silentLogger(),
      ledPartitions: () => led,
      onFenced: (ps) => fenced.push(ps.map((p) => p.key)),
      onUnfenced: (ps) => unfenced.push(ps.map((p) => p.key)),
    });
    contact.noteContact(Date.now(), 1n);
  });

  afterEach(() => {
    fence.stop();
    contact.close();
    clock.restore();
  });

  it('fences every led partition from session timeout minus the margin after the last contact, until the same session answers', async () => {
    await clock.tickAsync(3_199);
    expect(fence.fenceOf('a-0')).to.equal(undefined);
    expect(fence.status()).to.deep.equal({ contactLost: false, fencedPartitions: 0 });
    await clock.tickAsync(1);
    expect(fence.fenceOf('a-0')).to.equal('zookeeper-contact-lost');
    expect(fence.fenceOf('not-led-0'), 'broker-wide').to.equal('zookeeper-contact-lost');
    expect(fence.status()).to.deep.equal({ contactLost: true, fencedPartitions: 2 });
    expect(fenced, 'parked requests woken once').to.deep.equal([['a-0', 'b-0']]);
    contact.noteContact(Date.now(), 1n);
    expect(fence.fenceOf('a-0')).to.equal(undefined);
    expect(unfenced).to.deep.equal([['a-0', 'b-0']]);
  });

  it('after an expiry, what was led stays fenced on the new session until the controller settles each partition', async () => {
    await clock.tickAsync(5_000);
    contact.sessionGone();
    for (const l of sessions) l.sessionExpired?.(1n);
    contact.noteContact(Date.now(), 2n);
    expect(fence.status()).to.deep.equal({ contactLost: false, fencedPartitions: 2 });
    expect(fence.fenceOf('a-0')).to.equal('zookeeper-session-expired');
    fence.settled('a-0');
    expect(fence.fenceOf('a-0')).to.equal(undefined);
    expect(fence.fenceOf('b-0')).to.equal('zookeeper-session-expired');
    fence.settled('b-0');
    expect(fence.status()).to.deep.equal({ contactLost: false, fencedPartitions: 0 });
  });

  it('without a ZooKeeper session nothing is ever fenced', async () => {
    const none = new ZooKeeperFence({ scheduler: systemScheduler, stateLog: silentLogger(), ledPartitions: () => led, onFenced: () => undefined, onUnfenced: () => undefined });
    await clock.tickAsync(60_000);
    expect(none.fenceOf('a-0')).to.equal(undefined);
    expect(none.status()).to.deep.equal({ contactLost: false, fencedPartitions: 0 });
  });
});
