import { expect } from 'chai';
import { ErrorCode as E } from '../../../protocol/index.js';
import { joinRequest, startHarness, type Harness } from './harness.js';

/** librdkafka 0118's start: one member forms generation 1 alone, a second joins before the first syncs. */
describe('group > a member joins while the group completes a rebalance', () => {
  let h: Harness;
  afterEach(() => h.restore());

  it('the first member, told REBALANCE_IN_PROGRESS at SyncGroup, rejoins into generation 2 with the second', async () => {
    h = await startHarness({ groupInitialRebalanceDelayMs: 0 });
    const a0 = await h.coordinator.joinGroup(joinRequest('g', { clientId: 'a', requireKnownMemberId: true }));
    expect(a0.errorCode).to.equal(E.MEMBER_ID_REQUIRED);
    const a1p = h.coordinator.joinGroup(joinRequest('g', { clientId: 'a', requireKnownMemberId: true, memberId: a0.memberId }));
    await h.clock.tickAsync(0);
    const a1 = await a1p;
    expect(a1).to.include({ errorCode: E.NONE, generationId: 1, leader: a0.memberId });

    const b0 = await h.coordinator.joinGroup(joinRequest('g', { clientId: 'b', requireKnownMemberId: true }));
    expect(b0.errorCode).to.equal(E.MEMBER_ID_REQUIRED);
    const b1p = h.coordinator.joinGroup(joinRequest('g', { clientId: 'b', requireKnownMemberId: true, memberId: b0.memberId }));
    await h.clock.tickAsync(0);
    expect(h.coordinator.groupState('g')).to.equal('PreparingRebalance');

    const aSync = await h.coordinator.syncGroup({ groupId: 'g', generationId: 1, memberId: a1.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [{ memberId: a1.memberId, assignment: Buffer.from('x') }] });
    expect(aSync.errorCode).to.equal(E.REBALANCE_IN_PROGRESS);
    const a2p = h.coordinator.joinGroup(joinRequest('g', { clientId: 'a', requireKnownMemberId: true, memberId: a1.memberId }));
    await h.clock.tickAsync(0);
    const [a2, b1] = await Promise.all([a2p, b1p]);
    expect([a2.errorCode, b1.errorCode]).to.deep.equal([E.NONE, E.NONE]);
    expect([a2.generationId, b1.generationId]).to.deep.equal([2, 2]);
  });
});
