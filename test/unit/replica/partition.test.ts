import { expect } from 'chai';
import { Partition } from '../../../broker/replica/index.js';
import { fakeLog, setLogEnd } from './fake-log.js';

const LAG = 3_000;

function leaderOf(isr: number[], leo = 10n, hw = 0n): Partition {
  const p = new Partition('t', 0, 1, fakeLog(leo, hw), LAG);
  p.applyState({ leader: 1, leaderEpoch: 5, isr, replicas: [1, 2, 3], zkVersion: 7, controllerEpoch: 1 }, 1_000);
  return p;
}

describe('replica > partition: high watermark, caught-up time, ISR decisions', () => {
  it('HW = min log end offset over the ISR; an ISR follower not heard from yet holds it', () => {
    const p = leaderOf([1, 2, 3]);
    p.updateFollowerFetchState(2, 10n, 1_100);
    expect(p.log.highWatermark).to.equal(0n);
    p.updateFollowerFetchState(3, 8n, 1_100);
    expect(p.log.highWatermark).to.equal(8n);
    p.updateFollowerFetchState(3, 10n, 1_200);
    expect(p.log.highWatermark).to.equal(10n);
  });

  it('the HW never moves backwards', () => {
    const p = leaderOf([1, 2], 10n, 6n);
    p.updateFollowerFetchState(2, 4n, 1_100);
    expect(p.log.highWatermark).to.equal(6n);
  });

  it('a caught-up follower outside the ISR holds the HW back, a lagging one does not', () => {
    const p = leaderOf([1, 2]);
    p.updateFollowerFetchState(2, 10n, 1_100);
    p.updateFollowerFetchState(3, 7n, 1_100);
    // 3 fetched at 7 < 10 and has no previous fetch: not caught up, ignored.
    expect(p.log.highWatermark).to.equal(10n);
    setLogEnd(p.log, 12n);
    p.updateFollowerFetchState(3, 12n, 1_200);
    p.updateFollowerFetchState(2, 11n, 1_300);
    // 3 is caught up (within the lag time) and at 12, 2 (ISR) at 11.
    expect(p.log.highWatermark).to.equal(11n);
  });

  it('caught up = at the leader end now, or where the leader end was at the previous fetch', () => {
    const p = leaderOf([1, 2]);
    p.updateFollowerFetchState(2, 10n, 2_000);
    expect(p.replicaStates.get(2)!.lastCaughtUpTimeMs).to.equal(2_000);
    setLogEnd(p.log, 20n);
    p.updateFollowerFetchState(2, 10n, 3_000);
    // Reached 10 = the leader end at the previous fetch (2 000): caught up as of then.
    expect(p.replicaStates.get(2)!.lastCaughtUpTimeMs).to.equal(2_000);
    setLogEnd(p.log, 30n);
    p.updateFollowerFetchState(2, 20n, 4_000);
    expect(p.replicaStates.get(2)!.lastCaughtUpTimeMs).to.equal(3_000);
    p.updateFollowerFetchState(2, 25n, 5_000);
    expect(p.replicaStates.get(2)!.lastCaughtUpTimeMs).to.equal(3_000);
  });

  it('out of sync after replica.lag.time.max.ms without catching up; the leader never is', () => {
    const p = leaderOf([1, 2, 3]);
    p.updateFollowerFetchState(2, 10n, 1_000);
    p.updateFollowerFetchState(3, 10n, 1_000);
    setLogEnd(p.log, 15n);
    p.updateFollowerFetchState(2, 15n, 4_500);
    expect(p.outOfSyncReplicas(1_000 + LAG)).to.deep.equal([]);
    expect(p.outOfSyncReplicas(1_000 + LAG + 1)).to.deep.equal([3]);
  });

  it('a follower rejoins once at the HW and into the current leader epoch', () => {
    const p = leaderOf([1, 2], 10n, 0n);
    p.leaderEpochStartOffset = 8n;
    p.updateFollowerFetchState(2, 10n, 1_100);
    p.updateFollowerFetchState(3, 5n, 1_100);
    expect(p.canRejoinIsr(3)).to.equal(false);
    p.updateFollowerFetchState(3, 10n, 1_200);
    expect(p.canRejoinIsr(3)).to.equal(true);
    expect(p.canRejoinIsr(2)).to.equal(false);
  });

  it('a follower whose broker is not alive (metadata) neither holds the HW nor may rejoin (Kafka isReplicaIsrEligible)', () => {
    const alive = new Set([1, 2, 3]);
    const p = new Partition('t', 0, 1, fakeLog(10n, 0n), LAG, (id) => alive.has(id));
    p.applyState({ leader: 1, leaderEpoch: 5, isr: [1, 2], replicas: [1, 2, 3], zkVersion: 7, controllerEpoch: 1 }, 1_000);
    p.updateFollowerFetchState(2, 10n, 1_100);
    p.updateFollowerFetchState(3, 10n, 1_100);
    expect(p.canRejoinIsr(3)).to.equal(true);
    setLogEnd(p.log, 15n);
    p.updateFollowerFetchState(2, 15n, 1_200);
    // 3 caught up at 1 100, then stopped fetching: it holds the HW at 10 for the lag time...
    expect(p.log.highWatermark).to.equal(10n);
    // ...unless its broker is gone from the metadata: then the HW moves at the next check.
    alive.delete(3);
    expect(p.maybeIncrementHighWatermark(1_300)).to.equal(true);
    expect(p.log.highWatermark).to.equal(15n);
    expect(p.canRejoinIsr(3)).to.equal(false);
  });

  it('maximal ISR: a pending expansion counts at once, a pending shrink does not remove yet', () => {
    const p = leaderOf([1, 2]);
    p.pendingIsr = { kind: 'expand', isr: [1, 2, 3] };
    expect([...p.maximalIsr].sort()).to.deep.equal([1, 2, 3]);
    p.pendingIsr = { kind: 'shrink', isr: [1] };
    expect(p.maximalIsr).to.deep.equal([1, 2]);
    p.applyIsr([1], 8);
    expect(p.maximalIsr).to.deep.equal([1]);
    expect(p.zkVersion).to.equal(8);
    expect(p.pendingIsr).to.equal(undefined);
  });
});
