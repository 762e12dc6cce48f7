import { expect } from 'chai';
import {
  controlledShutdownPartitionLeaderElection,
  offlinePartitionLeaderElection,
  preferredReplicaPartitionLeaderElection,
  reassignPartitionLeaderElection,
  removeReplicasFromIsr,
} from '../../../broker/controller/index.js';

const set = (...xs: number[]): Set<number> => new Set(xs);

describe('controller > election strategies (tables)', () => {
  describe('offline', () => {
    const cases: Array<[string, number[], number[], number[], boolean, { leader: number; isr: number[]; unclean: boolean } | null]> = [
      ['first live ISR member in assignment order', [1, 2, 3], [1, 2, 3], [2, 3], false, { leader: 2, isr: [2, 3], unclean: false }],
      ['assignment order wins over ISR order', [3, 1, 2], [1, 2, 3], [1, 2, 3], false, { leader: 3, isr: [1, 2, 3], unclean: false }],
      ['skips live replicas outside the ISR', [1, 2, 3], [1, 3], [2, 3], false, { leader: 3, isr: [3], unclean: false }],
      ['no live ISR member, unclean off: no leader', [1, 2, 3], [1], [2, 3], false, null],
      ['no live ISR member, unclean on: first live replica, ISR = leader', [1, 2, 3], [1], [3, 2], true, { leader: 2, isr: [2], unclean: true }],
      ['nothing live at all: no leader even when unclean', [1, 2], [1], [], true, null],
      ['unclean on but a clean choice exists: clean', [1, 2, 3], [3], [2, 3], true, { leader: 3, isr: [3], unclean: false }],
    ];
    for (const [name, assignment, isr, live, unclean, expected] of cases) {
      it(name, () => expect(offlinePartitionLeaderElection(assignment, isr, new Set(live), unclean)).to.deep.equal(expected));
    }
  });

  describe('preferred', () => {
    it('elects the head of the assignment when live and in the ISR, ISR unchanged', () => {
      expect(preferredReplicaPartitionLeaderElection([2, 1, 3], [1, 3, 2], set(1, 2, 3))).to.deep.equal({ leader: 2, isr: [1, 3, 2], unclean: false });
    });
    it('refuses when the preferred replica is dead', () => {
      expect(preferredReplicaPartitionLeaderElection([2, 1, 3], [1, 3, 2], set(1, 3))).to.equal(null);
    });
    it('refuses when the preferred replica is out of the ISR', () => {
      expect(preferredReplicaPartitionLeaderElection([2, 1, 3], [1, 3], set(1, 2, 3))).to.equal(null);
    });
  });

  describe('controlled shutdown', () => {
    it('moves leadership to the next ISR member and drops the stopping broker from the ISR', () => {
      expect(controlledShutdownPartitionLeaderElection([1, 2, 3], [1, 2, 3], set(1, 2, 3), set(1))).to.deep.equal({ leader: 2, isr: [2, 3], unclean: false });
    });
    it('no other ISR member: no leader (the broker keeps it)', () => {
      expect(controlledShutdownPartitionLeaderElection([1, 2], [1], set(1, 2), set(1))).to.equal(null);
    });
    it('two brokers stopping at once', () => {
      expect(controlledShutdownPartitionLeaderElection([1, 2, 3], [1, 2, 3], set(1, 2, 3), set(1, 2))).to.deep.equal({ leader: 3, isr: [3], unclean: false });
    });
  });

  describe('reassignment', () => {
    it('first target replica that is live and in the ISR; ISR unchanged', () => {
      expect(reassignPartitionLeaderElection([4, 5, 1], [1, 5, 4], set(1, 5))).to.deep.equal({ leader: 5, isr: [1, 5, 4], unclean: false });
    });
    it('no eligible target replica', () => {
      expect(reassignPartitionLeaderElection([4, 5], [1], set(1, 4, 5))).to.equal(null);
    });
  });

  describe('ISR shrink for offline replicas', () => {
    const cases: Array<[string, number, number[], number[], { leader: number; isr: number[] }]> = [
      ['a dead follower leaves', 1, [1, 2, 3], [3], { leader: 1, isr: [1, 2] }],
      ['a dead leader leaves and the leader becomes -1', 1, [1, 2], [1], { leader: -1, isr: [2] }],
      ['the last ISR member is never removed', 1, [1], [1], { leader: -1, isr: [1] }],
      ['all ISR members dead: the first one stays', 2, [2, 3], [2, 3], { leader: -1, isr: [2] }],
    ];
    for (const [name, leader, isr, dead, expected] of cases) {
      it(name, () => expect(removeReplicasFromIsr(leader, isr, new Set(dead))).to.deep.equal(expected));
    }
  });
});
