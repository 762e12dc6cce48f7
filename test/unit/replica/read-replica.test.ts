import { expect } from 'chai';
import { Partition, preferredReadReplica } from '../../../broker/replica/index.js';
import { fakeLog } from './fake-log.js';

const RACKS: Record<number, string | null> = { 1: 'a', 2: 'b', 3: 'c', 4: 'b' };

function partition(isr: number[], replicas = [1, 2, 3], leader = 1): Partition {
  const p = new Partition('t', 0, leader, fakeLog(10n, 10n), 30_000);
  p.applyState({ leader, leaderEpoch: 5, isr, replicas, zkVersion: 1, controllerEpoch: 1 }, 1_000);
  for (const id of replicas) if (id !== leader) p.updateFollowerFetchState(id, 10n, 1_000);
  return p;
}

const alive = (dead: number[] = []) => ({ rackOf: (id: number) => (dead.includes(id) ? undefined : RACKS[id]), nowMs: 2_000 });

describe('replica > preferred read replica (KIP-392, RackAwareReplicaSelector)', () => {
  it('names the in-sync follower in the client\'s rack', () => {
    expect(preferredReadReplica(partition([1, 2, 3]), 'b', 5n, alive())).to.equal(2);
    expect(preferredReadReplica(partition([1, 2, 3]), 'c', 5n, alive())).to.equal(3);
  });

  it('answers -1 (read here) when the leader is in the rack, no replica is, or the client sent no rack', () => {
    expect(preferredReadReplica(partition([1, 2, 3]), 'a', 5n, alive())).to.equal(-1);
    expect(preferredReadReplica(partition([1, 2, 3]), 'z', 5n, alive())).to.equal(-1);
    expect(preferredReadReplica(partition([1, 2, 3]), '', 5n, alive())).to.equal(-1);
  });

  it('never names a follower outside the ISR, a dead broker, or one without the fetch offset', () => {
    expect(preferredReadReplica(partition([1, 3]), 'b', 5n, alive())).to.equal(-1);
    expect(preferredReadReplica(partition([1, 2, 3]), 'b', 5n, alive([2]))).to.equal(-1);
    const p = partition([1, 2, 3]);
    p.updateFollowerFetchState(2, 4n, 1_500);
    expect(preferredReadReplica(p, 'b', 5n, alive())).to.equal(-1);
    expect(preferredReadReplica(p, 'b', 4n, alive())).to.equal(2);
  });

  it('among several in the rack, the one with the largest log end offset', () => {
    const p = partition([1, 2, 3, 4], [1, 2, 3, 4]);
    p.updateFollowerFetchState(2, 8n, 1_500);
    expect(preferredReadReplica(p, 'b', 5n, alive())).to.equal(4);
  });

  it('a follower never redirects: only the leader decides', () => {
    const p = partition([1, 2, 3], [1, 2, 3], 1);
    p.applyState({ leader: 3, leaderEpoch: 6, isr: [1, 2, 3], replicas: [1, 2, 3], zkVersion: 2, controllerEpoch: 1 }, 1_000);
    expect(preferredReadReplica(p, 'b', 5n, alive())).to.equal(-1);
  });
});
