import { expect } from 'chai';
import { ErrorCode as E } from '../../../protocol/index.js';
import { formGroup, heartbeat, joinRequest, startHarness, syncAll, type Harness } from './harness.js';

describe('group > static membership (group.instance.id)', () => {
  let h: Harness;
  afterEach(() => h.restore());

  async function stableStaticGroup(): Promise<{ joined: Awaited<ReturnType<typeof formGroup>> }> {
    const joins = ['a', 'b'].map((id) => h.coordinator.joinGroup(joinRequest('g', { clientId: id, groupInstanceId: `instance-${id}`, sessionTimeoutMs: 30_000 })));
    await h.clock.tickAsync(10_000);
    const joined = await Promise.all(joins);
    await syncAll(h, 'g', joined);
    return { joined };
  }

  it('a restarted static member gets its old assignment without a rebalance, and the old incarnation is fenced', async () => {
    h = await startHarness();
    const { joined } = await stableStaticGroup();
    const [a, b] = joined as [typeof joined[0], typeof joined[0]];
    const recordsBefore = h.store.records(h.coordinator.partitionFor('g')).length;

    // Instance b restarts: new process, no member id, same instance id.
    const rejoin = await h.coordinator.joinGroup(joinRequest('g', { clientId: 'b', groupInstanceId: 'instance-b', sessionTimeoutMs: 30_000 }));
    expect(rejoin.errorCode).to.equal(E.NONE);
    expect(rejoin.memberId).to.not.equal(b.memberId);
    expect(rejoin.generationId).to.equal(1);
    expect(h.coordinator.groupState('g')).to.equal('Stable');
    // The replacement was persisted so that a coordinator failover knows the new member id.
    expect(h.store.records(h.coordinator.partitionFor('g')).length).to.equal(recordsBefore + 1);

    const sync = await h.coordinator.syncGroup({ groupId: 'g', generationId: 1, memberId: rejoin.memberId, groupInstanceId: 'instance-b', protocolType: null, protocolName: null, assignments: [] });
    expect(sync.errorCode).to.equal(E.NONE);
    expect(sync.assignment.toString()).to.equal(`assign-${b.memberId}`);

    expect((await heartbeat(h, 'g', b, 'instance-b')).errorCode).to.equal(E.FENCED_INSTANCE_ID);
    expect((await heartbeat(h, 'g', { memberId: rejoin.memberId, generationId: 1 }, 'instance-b')).errorCode).to.equal(E.NONE);
    expect((await heartbeat(h, 'g', a, 'instance-a')).errorCode).to.equal(E.NONE);
    const staleCommit = await h.coordinator.commitOffsets({ groupId: 'g', generationId: 1, memberId: b.memberId, groupInstanceId: 'instance-b', partitions: [{ topic: 't', partition: 0, offset: 1n, leaderEpoch: -1, metadata: null }] });
    expect(staleCommit.partitions[0]!.errorCode).to.equal(E.FENCED_INSTANCE_ID);
  });

  it('a static member that misses a rebalance stays in the new generation, and is dropped if it never syncs', async () => {
    h = await startHarness();
    const joins = ['a', 'b'].map((id) => h.coordinator.joinGroup(joinRequest('g', { clientId: id, groupInstanceId: `instance-${id}`, sessionTimeoutMs: 60_000, rebalanceTimeoutMs: 20_000 })));
    await h.clock.tickAsync(10_000);
    const joined = await Promise.all(joins);
    await syncAll(h, 'g', joined);
    const a = joined[0]!;
    // A dynamic newcomer forces a rebalance; only a rejoins, b is away (e.g. restarting).
    const newcomer = h.coordinator.joinGroup(joinRequest('g', { clientId: 'n', sessionTimeoutMs: 60_000, rebalanceTimeoutMs: 20_000 }));
    const aRejoin = h.coordinator.joinGroup(joinRequest('g', { clientId: 'a', memberId: a.memberId, groupInstanceId: 'instance-a', sessionTimeoutMs: 60_000, rebalanceTimeoutMs: 20_000 }));
    await h.clock.tickAsync(20_000);
    const [n, ra] = await Promise.all([newcomer, aRejoin]);
    const joinPhaseEnd = h.clock.now();
    expect([n.generationId, ra.generationId]).to.deep.equal([2, 2]);
    const leader = [n, ra].find((j) => j.memberId === j.leader)!;
    expect(leader.members.map((m) => m.groupInstanceId).sort()).to.deep.equal(['instance-a', 'instance-b', null]);
    await syncAll(h, 'g', [n, ra]);
    // b never sends SyncGroup for generation 2: dropped one rebalance timeout after the join phase.
    for (let i = 0; i < 10 && h.coordinator.groupState('g') === 'Stable'; i++) {
      await h.clock.tickAsync(5000);
      await heartbeat(h, 'g', n);
      await heartbeat(h, 'g', ra, 'instance-a');
    }
    expect(h.coordinator.groupState('g')).to.equal('PreparingRebalance');
    expect(h.clock.now() - joinPhaseEnd).to.be.within(20_000, 25_000);
  });

  it('LeaveGroup v3 by instance id removes a static member (admin removal)', async () => {
    h = await startHarness();
    const { joined } = await stableStaticGroup();
    const left = await h.coordinator.leaveGroup({ groupId: 'g', members: [{ memberId: '', groupInstanceId: 'instance-a' }, { memberId: '', groupInstanceId: 'instance-zz' }] });
    expect(left.members.map((m) => m.errorCode)).to.deep.equal([E.NONE, E.UNKNOWN_MEMBER_ID]);
    expect(h.coordinator.groupState('g')).to.equal('PreparingRebalance');
    expect((await heartbeat(h, 'g', joined[0]!, 'instance-a')).errorCode).to.equal(E.UNKNOWN_MEMBER_ID);
  });
});
