/**
 * The leader's fencing decisions as tables: which replica fetches are from an older incarnation
 * of the follower (STALE_BROKER_EPOCH), when a restarted follower may rejoin the ISR (caught up
 * within the current leader epoch, by its current incarnation), and that a fenced leader's high
 * watermark stands still.
 */
import { expect } from 'chai';
import { Partition, replicaFetchEpochVerdict } from '../../../broker/replica/index.js';
import { fakeLog, setLogEnd } from './fake-log.js';

const LAG = 3_000;

function leaderOf(isr: number[], leo = 10n, hw = 0n): Partition {
  const p = new Partition('t', 0, 1, fakeLog(leo, hw), LAG);
  p.applyState({ leader: 1, leaderEpoch: 5, isr, replicas: [1, 2, 3], zkVersion: 7, controllerEpoch: 1 }, 1_000);
  return p;
}

describe('replica > fencing decisions', () => {
  it('replica fetch broker epoch: older than the registration is stale; unknown or newer passes', () => {
    const rows: Array<[requested: bigint, registered: bigint | undefined, verdict: 'ok' | 'stale']> = [
      [100n, 100n, 'ok'], // the current incarnation
      [99n, 100n, 'stale'], // an old incarnation after the id re-registered
      [101n, 100n, 'ok'], // re-registered, the leader's UpdateMetadata is on its way
      [-1n, 100n, 'ok'], // the follower does not say (Kafka lets -1 through)
      [99n, -1n, 'ok'], // the controller did not say
      [99n, undefined, 'ok'], // not in the metadata cache at all: nothing to compare with
    ];
    for (const [requested, registered, verdict] of rows) {
      expect(replicaFetchEpochVerdict(requested, registered), `requested ${requested}, registered ${registered}`).to.equal(verdict);
    }
  });

  it('a restarted follower rejoins only at the HW, past the leader epoch start, and by its current incarnation', () => {
    type Row = { leo: bigint; fetchEpoch: bigint; registered: bigint; rejoin: boolean; why: string };
    const rows: Row[] = [
      { leo: 10n, fetchEpoch: 200n, registered: 200n, rejoin: true, why: 'caught up, current incarnation' },
      { leo: 10n, fetchEpoch: 100n, registered: 200n, rejoin: false, why: 'the fetch came from the old incarnation' },
      { leo: 10n, fetchEpoch: 200n, registered: 100n, rejoin: false, why: 'the cache still names the old incarnation' },
      { leo: 10n, fetchEpoch: -1n, registered: 200n, rejoin: true, why: 'a fetch without an epoch is not checked (Kafka)' },
      { leo: 10n, fetchEpoch: 200n, registered: -1n, rejoin: true, why: 'unknown registration is not checked' },
      { leo: 7n, fetchEpoch: 200n, registered: 200n, rejoin: false, why: 'at the HW (6) but before the epoch start (8)' },
      { leo: 5n, fetchEpoch: 200n, registered: 200n, rejoin: false, why: 'below the HW' },
      { leo: 8n, fetchEpoch: 200n, registered: 200n, rejoin: true, why: 'exactly at the epoch start' },
    ];
    for (const r of rows) {
      const p = leaderOf([1, 2], 10n, 6n);
      p.leaderEpochStartOffset = 8n;
      p.updateFollowerFetchState(3, r.leo, 1_100, r.fetchEpoch);
      expect(p.canRejoinIsr(3, r.registered), r.why).to.equal(r.rejoin);
    }
  });

  it('a new incarnation gets no credit for the previous incarnation\'s fetches', () => {
    const p = leaderOf([1, 2], 10n, 0n);
    p.updateFollowerFetchState(3, 10n, 1_000, 100n); // old incarnation, caught up at 1 000
    setLogEnd(p.log, 20n);
    p.updateFollowerFetchState(3, 10n, 2_000, 200n); // new incarnation at 10: not "at the previous fetch's end"
    expect(p.replicaStates.get(3)!.lastCaughtUpTimeMs).to.equal(1_000);
    p.updateFollowerFetchState(3, 20n, 2_500, 200n);
    expect(p.replicaStates.get(3)!.lastCaughtUpTimeMs).to.equal(2_500);
    // Same incarnation: the previous-fetch rule applies again.
    setLogEnd(p.log, 30n);
    p.updateFollowerFetchState(3, 20n, 2_600, 200n);
    setLogEnd(p.log, 40n);
    p.updateFollowerFetchState(3, 30n, 2_700, 200n);
    expect(p.replicaStates.get(3)!.lastCaughtUpTimeMs).to.equal(2_600);
  });

  it('a fenced leader\'s high watermark stands still and moves on once unfenced', () => {
    let fenced = false;
    const p = leaderOf([1, 2], 10n, 4n);
    p.highWatermarkFrozen = () => fenced;
    p.updateFollowerFetchState(2, 6n, 1_100);
    expect(p.log.highWatermark).to.equal(6n);
    fenced = true;
    expect(p.updateFollowerFetchState(2, 10n, 1_200)).to.equal(false);
    expect(p.maybeIncrementHighWatermark(1_300)).to.equal(false);
    expect(p.log.highWatermark).to.equal(6n);
    fenced = false;
    expect(p.maybeIncrementHighWatermark(1_400)).to.equal(true);
    expect(p.log.highWatermark).to.equal(10n);
  });
});
