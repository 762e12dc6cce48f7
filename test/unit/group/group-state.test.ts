import { expect } from 'chai';
import { acceptJoiningMember, canRebalance, commitDecision, heartbeatDecision, knownMemberJoinDecision, syncDecision } from '../../../broker/group/group-state.js';
import { GROUP_STATES, canTransition, type GroupState } from '../../../broker/group/index.js';

describe('group > state machine tables', () => {
  // from → allowed targets (Kafka GroupMetadata validPreviousStates, read the other way round).
  const ALLOWED: Record<GroupState, GroupState[]> = {
    Empty: ['PreparingRebalance', 'Dead'],
    PreparingRebalance: ['Empty', 'CompletingRebalance', 'Dead'],
    CompletingRebalance: ['PreparingRebalance', 'Stable', 'Dead'],
    Stable: ['PreparingRebalance', 'Dead'],
    Dead: ['Dead'],
  };

  for (const from of GROUP_STATES) {
    for (const to of GROUP_STATES) {
      const allowed = ALLOWED[from].includes(to);
      it(`${from} -> ${to} is ${allowed ? 'allowed' : 'refused'}`, () => {
        expect(canTransition(from, to)).to.equal(allowed);
      });
    }
  }

  it('rebalances start only from Empty, Stable and CompletingRebalance', () => {
    expect(GROUP_STATES.filter(canRebalance)).to.deep.equal(['Empty', 'CompletingRebalance', 'Stable']);
  });

  const decisions: Array<[GroupState, string, boolean, string, string]> = [
    // state, heartbeat, keepAlive, sync, commit
    ['Empty', 'UNKNOWN_MEMBER_ID', false, 'UNKNOWN_MEMBER_ID', 'UNKNOWN_MEMBER_ID'],
    ['PreparingRebalance', 'REBALANCE_IN_PROGRESS', true, 'REBALANCE_IN_PROGRESS', 'STORE'],
    ['CompletingRebalance', 'NONE', true, 'AWAIT_ASSIGNMENT', 'REBALANCE_IN_PROGRESS'],
    ['Stable', 'NONE', true, 'RETURN_CURRENT', 'STORE'],
    ['Dead', 'COORDINATOR_NOT_AVAILABLE', false, 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_NOT_AVAILABLE'],
  ];
  for (const [state, hb, keepAlive, sync, commit] of decisions) {
    it(`in ${state}: heartbeat ${hb}, sync ${sync}, commit ${commit}`, () => {
      expect(heartbeatDecision(state)).to.deep.equal({ errorCode: hb, keepAlive });
      expect(syncDecision(state)).to.equal(sync);
      expect(commitDecision(state)).to.equal(commit);
    });
  }

  const joins: Array<[GroupState, boolean, boolean, string]> = [
    // state, isLeader, sameMetadata → decision
    ['PreparingRebalance', false, true, 'REBALANCE'],
    ['CompletingRebalance', false, true, 'RETURN_CURRENT'],
    ['CompletingRebalance', true, false, 'REBALANCE'],
    ['Stable', false, true, 'RETURN_CURRENT'],
    ['Stable', true, true, 'REBALANCE'],
    ['Stable', false, false, 'REBALANCE'],
    ['Empty', false, true, 'UNKNOWN_MEMBER_ID'],
    ['Dead', false, true, 'UNKNOWN_MEMBER_ID'],
  ];
  for (const [state, isLeader, same, expected] of joins) {
    it(`known member joins in ${state} (leader=${isLeader}, same metadata=${same}) -> ${expected}`, () => {
      expect(knownMemberJoinDecision(state, isLeader, same)).to.equal(expected);
    });
  }

  it('group.max.size counts members awaiting join during a rebalance, all members otherwise', () => {
    const base = { maxSize: 2, isMember: false, memberAwaitingJoin: false, numAwaitingJoin: 2, numMembers: 2 };
    expect(acceptJoiningMember({ ...base, state: 'Empty' })).to.equal(true);
    expect(acceptJoiningMember({ ...base, state: 'PreparingRebalance' })).to.equal(false);
    expect(acceptJoiningMember({ ...base, state: 'PreparingRebalance', isMember: true, memberAwaitingJoin: true })).to.equal(true);
    expect(acceptJoiningMember({ ...base, state: 'PreparingRebalance', numAwaitingJoin: 1 })).to.equal(true);
    expect(acceptJoiningMember({ ...base, state: 'Stable' })).to.equal(false);
    expect(acceptJoiningMember({ ...base, state: 'Stable', isMember: true })).to.equal(true);
  });
});
