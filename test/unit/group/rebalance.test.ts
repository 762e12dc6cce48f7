import { expect } from 'chai';
import { ErrorCode as E } from '../../../protocol/index.js';
import { formGroup, heartbeat, joinRequest, startHarness, syncAll, type Harness } from './harness.js';

describe('group > rebalance scenarios', () => {
  let h: Harness;
  afterEach(() => h.restore());

  it('two members join into one generation; the leader sees all metadata, followers get their assignment from SyncGroup', async () => {
    h = await startHarness();
    const joined = await formGroup(h, 'g', ['a', 'b']);
    expect(joined.map((j) => j.errorCode)).to.deep.equal([E.NONE, E.NONE]);
    expect(new Set(joined.map((j) => j.generationId))).to.deep.equal(new Set([1]));
    expect(joined.every((j) => j.protocolName === 'range' && j.protocolType === 'consumer')).to.equal(true);
    const leader = joined.find((j) => j.memberId === j.leader)!;
    const follower = joined.find((j) => j.memberId !== j.leader)!;
    expect(leader.members.map((m) => m.metadata.toString()).sort()).to.deep.equal(['sub-a', 'sub-b']);
    expect(follower.members).to.deep.equal([]);
    expect(follower.leader).to.equal(leader.memberId);

    const synced = await syncAll(h, 'g', joined);
    expect(synced.map((s) => s.errorCode)).to.deep.equal([E.NONE, E.NONE]);
    joined.forEach((j, i) => expect(synced[i]!.assignment.toString()).to.equal(`assign-${j.memberId}`));
    expect(h.coordinator.groupState('g')).to.equal('Stable');
    expect((await heartbeat(h, 'g', follower)).errorCode).to.equal(E.NONE);
  });

  it('a third member triggers a rebalance: REBALANCE_IN_PROGRESS on heartbeat, rejoin, a new generation', async () => {
    h = await startHarness();
    const joined = await formGroup(h, 'g', ['a', 'b']);
    await syncAll(h, 'g', joined);

    const third = h.coordinator.joinGroup(joinRequest('g', { clientId: 'c3' }));
    await h.clock.tickAsync(0);
    expect(h.coordinator.groupState('g')).to.equal('PreparingRebalance');
    for (const j of joined) expect((await heartbeat(h, 'g', j)).errorCode).to.equal(E.REBALANCE_IN_PROGRESS);

    const rejoins = joined.map((j) => h.coordinator.joinGroup(joinRequest('g', { memberId: j.memberId, clientId: j.memberId.split('-')[0]! })));
    const all = await Promise.all([...rejoins, third]);
    expect(all.map((j) => j.errorCode)).to.deep.equal([E.NONE, E.NONE, E.NONE]);
    expect(new Set(all.map((j) => j.generationId))).to.deep.equal(new Set([2]));
    const leader = all.find((j) => j.memberId === j.leader)!;
    expect(leader.members).to.have.length(3);

    const synced = await syncAll(h, 'g', all);
    expect(synced.map((s) => s.errorCode)).to.deep.equal([E.NONE, E.NONE, E.NONE]);
    // A member still on the old generation is told so.
    expect((await heartbeat(h, 'g', joined[0]!)).errorCode).to.equal(E.ILLEGAL_GENERATION);
  });

  it('a member leaving triggers a rebalance the others complete without it', async () => {
    h = await startHarness();
    const joined = await formGroup(h, 'g', ['a', 'b']);
    await syncAll(h, 'g', joined);
    const [gone, stays] = joined as [typeof joined[0], typeof joined[0]];

    const left = await h.coordinator.leaveGroup({ groupId: 'g', members: [{ memberId: gone.memberId, groupInstanceId: null }] });
    expect(left).to.deep.equal({ errorCode: E.NONE, members: [{ memberId: gone.memberId, groupInstanceId: null, errorCode: E.NONE }] });
    expect((await heartbeat(h, 'g', stays)).errorCode).to.equal(E.REBALANCE_IN_PROGRESS);

    const rejoined = await h.coordinator.joinGroup(joinRequest('g', { memberId: stays.memberId, clientId: 'b' }));
    expect(rejoined).to.include({ errorCode: E.NONE, generationId: 2, leader: stays.memberId });
    expect(rejoined.members.map((m) => m.memberId)).to.deep.equal([stays.memberId]);
    expect((await heartbeat(h, 'g', gone)).errorCode).to.equal(E.UNKNOWN_MEMBER_ID);
  });

  it('a member that stops heartbeating is expired after its session timeout and the group rebalances', async () => {
    h = await startHarness();
    const joined = await formGroup(h, 'g', ['a', 'b'], { sessionTimeoutMs: 10_000 });
    await syncAll(h, 'g', joined);
    const [silent, alive] = joined as [typeof joined[0], typeof joined[0]];

    for (let i = 0; i < 3; i++) {
      await h.clock.tickAsync(3000);
      expect((await heartbeat(h, 'g', alive)).errorCode).to.equal(E.NONE);
    }
    await h.clock.tickAsync(1001); // 10_001 ms since the silent member's last sign of life
    expect(h.coordinator.groupState('g')).to.equal('PreparingRebalance');
    expect((await heartbeat(h, 'g', alive)).errorCode).to.equal(E.REBALANCE_IN_PROGRESS);
    expect((await heartbeat(h, 'g', silent)).errorCode).to.equal(E.UNKNOWN_MEMBER_ID);

    const rejoined = await h.coordinator.joinGroup(joinRequest('g', { memberId: alive.memberId, clientId: 'b' }));
    expect(rejoined).to.include({ errorCode: E.NONE, generationId: 2, leader: alive.memberId });
  });

  it('a rebalance ends at the rebalance timeout, dropping dynamic members that did not rejoin', async () => {
    h = await startHarness();
    const joined = await formGroup(h, 'g', ['a', 'b'], { rebalanceTimeoutMs: 20_000, sessionTimeoutMs: 60_000 });
    await syncAll(h, 'g', joined);
    const [late, eager] = joined as [typeof joined[0], typeof joined[0]];
    // New subscription metadata: the member asks for a rebalance.
    const protocols = [{ name: 'range', metadata: Buffer.from('sub-b-more-topics') }];
    const rejoin = h.coordinator.joinGroup(joinRequest('g', { memberId: eager.memberId, clientId: 'b', protocols, rebalanceTimeoutMs: 20_000, sessionTimeoutMs: 60_000 }));
    let done = false;
    void rejoin.then(() => (done = true));
    await h.clock.tickAsync(19_999);
    expect(done, 'join must wait for the other member until the rebalance timeout').to.equal(false);
    await h.clock.tickAsync(1);
    const result = await rejoin;
    expect(result).to.include({ errorCode: E.NONE, generationId: 2 });
    expect(result.members.map((m) => m.memberId)).to.deep.equal([eager.memberId]);
    expect((await heartbeat(h, 'g', late)).errorCode).to.equal(E.UNKNOWN_MEMBER_ID);
  });

  it('respects group.initial.rebalance.delay.ms and extends it while members keep arriving', async () => {
    h = await startHarness({ groupInitialRebalanceDelayMs: 3000 });
    const settled: string[] = [];
    const first = h.coordinator.joinGroup(joinRequest('g', { clientId: 'a' })).then((r) => (settled.push('a'), r));
    await h.clock.tickAsync(2000);
    const second = h.coordinator.joinGroup(joinRequest('g', { clientId: 'b' })).then((r) => (settled.push('b'), r));
    await h.clock.tickAsync(999);
    expect(settled).to.deep.equal([]);
    await h.clock.tickAsync(1); // first delay over, but b arrived during it: one more delay
    expect(settled).to.deep.equal([]);
    await h.clock.tickAsync(2999);
    expect(settled).to.deep.equal([]);
    await h.clock.tickAsync(1);
    const [ra, rb] = await Promise.all([first, second]);
    expect(ra.generationId).to.equal(1);
    expect(rb.generationId).to.equal(1);
    expect(settled.sort()).to.deep.equal(['a', 'b']);
  });

  it('MEMBER_ID_REQUIRED (JoinGroup v4+): the member comes back with the id it was given', async () => {
    h = await startHarness({ groupInitialRebalanceDelayMs: 0 });
    const first = await h.coordinator.joinGroup(joinRequest('g', { requireKnownMemberId: true }));
    expect(first.errorCode).to.equal(E.MEMBER_ID_REQUIRED);
    expect(first.memberId).to.match(/^c-/);
    const second = h.coordinator.joinGroup(joinRequest('g', { requireKnownMemberId: true, memberId: first.memberId }));
    await h.clock.tickAsync(0);
    expect(await second).to.include({ errorCode: E.NONE, memberId: first.memberId, leader: first.memberId, generationId: 1 });
  });

  it('a pending member id not used within the session timeout is forgotten', async () => {
    h = await startHarness({ groupInitialRebalanceDelayMs: 0 });
    const first = await h.coordinator.joinGroup(joinRequest('g', { requireKnownMemberId: true, sessionTimeoutMs: 5000 }));
    await h.clock.tickAsync(5000);
    const late = await h.coordinator.joinGroup(joinRequest('g', { memberId: first.memberId }));
    expect(late.errorCode).to.equal(E.UNKNOWN_MEMBER_ID);
  });

  it('a leader that heartbeats but never sends SyncGroup is dropped after the rebalance timeout', async () => {
    h = await startHarness({ groupInitialRebalanceDelayMs: 0 });
    const joins = [h.coordinator.joinGroup(joinRequest('g', { clientId: 'a', rebalanceTimeoutMs: 15_000 })), h.coordinator.joinGroup(joinRequest('g', { clientId: 'b', rebalanceTimeoutMs: 15_000 }))];
    await h.clock.tickAsync(10);
    const joined = await Promise.all(joins);
    const leader = joined.find((j) => j.memberId === j.leader)!;
    const follower = joined.find((j) => j.memberId !== j.leader)!;
    const sync = h.coordinator.syncGroup({ groupId: 'g', generationId: 1, memberId: follower.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] });
    for (let i = 0; i < 4; i++) {
      await h.clock.tickAsync(3000);
      expect((await heartbeat(h, 'g', leader)).errorCode).to.equal(E.NONE);
    }
    await h.clock.tickAsync(3000);
    expect((await sync).errorCode).to.equal(E.REBALANCE_IN_PROGRESS);
    expect(h.coordinator.groupState('g')).to.equal('PreparingRebalance');
    expect((await heartbeat(h, 'g', leader)).errorCode).to.equal(E.UNKNOWN_MEMBER_ID);
  });

  it('rebalance timeout 0 (old clients): the members are kept until their SyncGroup arrives, bounded by the session as in Kafka 2.8', async () => {
    h = await startHarness({ groupInitialRebalanceDelayMs: 0 });
    const joins = ['a', 'b'].map((c) => h.coordinator.joinGroup(joinRequest('g', { clientId: c, rebalanceTimeoutMs: 0, sessionTimeoutMs: 10_000 })));
    await h.clock.tickAsync(10);
    const joined = await Promise.all(joins);
    expect(joined.map((j) => j.errorCode)).to.deep.equal([E.NONE, E.NONE]);
    // The SyncGroups come a while after the join phase, as over a real network.
    await h.clock.tickAsync(2_000);
    expect(h.coordinator.groupState('g')).to.equal('CompletingRebalance');
    const synced = await syncAll(h, 'g', joined);
    expect(synced.map((s) => s.errorCode)).to.deep.equal([E.NONE, E.NONE]);
    expect(h.coordinator.groupState('g')).to.equal('Stable');
    expect((await heartbeat(h, 'g', joined[0]!)).errorCode).to.equal(E.NONE);
  });

  it('rebalance timeout 0: a member that never sends SyncGroup goes when its session ends', async () => {
    h = await startHarness({ groupInitialRebalanceDelayMs: 0 });
    const joins = ['a', 'b'].map((c) => h.coordinator.joinGroup(joinRequest('g', { clientId: c, rebalanceTimeoutMs: 0, sessionTimeoutMs: 10_000 })));
    await h.clock.tickAsync(10);
    const joined = await Promise.all(joins);
    const leader = joined.find((j) => j.memberId === j.leader)!;
    for (let i = 0; i < 3; i++) {
      await h.clock.tickAsync(3_000);
      expect((await heartbeat(h, 'g', leader)).errorCode).to.equal(E.NONE);
    }
    expect(h.coordinator.groupState('g')).to.equal('CompletingRebalance');
    await h.clock.tickAsync(2_000);
    // Neither synced within the 10 s session: both are gone (the next join phase, 0 ms long, ends empty).
    expect((await heartbeat(h, 'g', leader)).errorCode).to.equal(E.UNKNOWN_MEMBER_ID);
    expect(h.coordinator.groupState('g')).to.equal('Empty');
  });

  it('SyncGroup and heartbeats validate member, generation and state', async () => {
    h = await startHarness();
    const joined = await formGroup(h, 'g', ['a', 'b']);
    const j = joined[0]!;
    const sync = (over: object) => h.coordinator.syncGroup({ groupId: 'g', generationId: 1, memberId: j.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [], ...over });
    expect((await sync({ memberId: 'nobody' })).errorCode).to.equal(E.UNKNOWN_MEMBER_ID);
    expect((await sync({ generationId: 7 })).errorCode).to.equal(E.ILLEGAL_GENERATION);
    expect((await sync({ protocolName: 'roundrobin' })).errorCode).to.equal(E.INCONSISTENT_GROUP_PROTOCOL);
    expect((await sync({ groupId: 'unknown-group' })).errorCode).to.equal(E.UNKNOWN_MEMBER_ID);
    // Heartbeats between JoinGroup and SyncGroup responses are fine.
    expect((await heartbeat(h, 'g', j)).errorCode).to.equal(E.NONE);
  });
});
