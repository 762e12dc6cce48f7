import { expect } from 'chai';
import { ApiKey, ErrorCode } from '../../../protocol/index.js';
import { startWireHarness, type WireHarness } from './wire-harness.js';

const SUBSCRIPTION = Buffer.from([0, 0, 0, 0, 0, 1, 0, 1, 0x74, 0, 0, 0, 0]);

function kcatJoin(memberId: string, groupInstanceId: string | null = null) {
  return {
    groupId: 'g',
    sessionTimeoutMs: 45000,
    rebalanceTimeoutMs: 300000,
    memberId,
    groupInstanceId,
    protocolType: 'consumer',
    protocols: [
      { name: 'range', metadata: SUBSCRIPTION },
      { name: 'roundrobin', metadata: SUBSCRIPTION },
    ],
  };
}

describe('group-apis > kcat/librdkafka 2.0.2 versions', () => {
  let h: WireHarness;
  afterEach(() => h.restore());

  it('two members rebalance at JoinGroup v5 / SyncGroup v3 / Heartbeat v3, commit v7, fetch v5, leave v1', async () => {
    h = await startWireHarness();
    // JoinGroup v5 without a member id: Kafka hands out an id to come back with (KIP-394).
    const first = await Promise.all(['rdkafka-a', 'rdkafka-b'].map((clientId) => h.call(ApiKey.JoinGroup, 5, kcatJoin(''), { clientId })));
    for (const r of first) {
      expect(r.errorCode).to.equal(ErrorCode.MEMBER_ID_REQUIRED);
      expect(r.memberId).to.match(/^rdkafka-[ab]-/);
      expect(r.generationId).to.equal(-1);
    }
    const [a, b] = await h.settle(
      first.map((r, i) => h.call(ApiKey.JoinGroup, 5, kcatJoin(r.memberId), { clientId: ['rdkafka-a', 'rdkafka-b'][i]! })),
    );
    for (const r of [a!, b!]) {
      expect(r.errorCode).to.equal(ErrorCode.NONE);
      expect(r.generationId).to.equal(1);
      expect(r.protocolName).to.equal('range');
      expect(r.throttleTimeMs).to.equal(0);
    }
    expect(a!.leader).to.equal(b!.leader);
    const leader = a!.memberId === a!.leader ? a! : b!;
    const follower = leader === a ? b! : a!;
    expect(leader.members.map((m) => m.memberId).sort()).to.deep.equal([a!.memberId, b!.memberId].sort());
    expect(leader.members.every((m) => m.groupInstanceId === null && m.metadata.equals(SUBSCRIPTION))).to.equal(true);
    expect(follower.members).to.deep.equal([]);

    const followerSync = h.call(ApiKey.SyncGroup, 3, { groupId: 'g', generationId: 1, memberId: follower.memberId, groupInstanceId: null, assignments: [] });
    const leaderSync = h.call(ApiKey.SyncGroup, 3, {
      groupId: 'g',
      generationId: 1,
      memberId: leader.memberId,
      groupInstanceId: null,
      assignments: [
        { memberId: leader.memberId, assignment: Buffer.from('to-leader') },
        { memberId: follower.memberId, assignment: Buffer.from('to-follower') },
      ],
    });
    const [ls, fs] = await h.settle([leaderSync, followerSync]);
    expect(ls).to.deep.include({ errorCode: ErrorCode.NONE, throttleTimeMs: 0 });
    expect(ls!.assignment.toString()).to.equal('to-leader');
    expect(fs!.errorCode).to.equal(ErrorCode.NONE);
    expect(fs!.assignment.toString()).to.equal('to-follower');

    for (const m of [leader, follower]) {
      const hb = await h.call(ApiKey.Heartbeat, 3, { groupId: 'g', generationId: 1, memberId: m.memberId, groupInstanceId: null });
      expect(hb).to.deep.equal({ throttleTimeMs: 0, errorCode: ErrorCode.NONE });
    }

    const described = await h.call(ApiKey.DescribeGroups, 4, { groups: ['g'], includeAuthorizedOperations: false });
    expect(described.groups).to.have.length(1);
    expect(described.groups[0]).to.deep.include({ errorCode: 0, groupId: 'g', groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' });
    const byId = new Map(described.groups[0]!.members.map((m) => [m.memberId, m]));
    expect(byId.get(follower.memberId)!.memberAssignment.toString()).to.equal('to-follower');
    expect(byId.get(leader.memberId)).to.deep.include({ clientHost: '/127.0.0.1', groupInstanceId: null });
    expect([...byId.values()].map((m) => m.clientId).sort()).to.deep.equal(['rdkafka-a', 'rdkafka-b']);

    const commit = await h.call(ApiKey.OffsetCommit, 7, {
      groupId: 'g',
      generationIdOrMemberEpoch: 1,
      memberId: follower.memberId,
      groupInstanceId: null,
      topics: [
        { name: 't', partitions: [{ partitionIndex: 0, committedOffset: 42n, committedLeaderEpoch: 3, committedMetadata: 'kcat was here' }] },
        { name: 'no-such-topic', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null }] },
      ],
    });
    expect(commit).to.deep.equal({
      throttleTimeMs: 0,
      topics: [
        { name: 't', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.NONE }] },
        { name: 'no-such-topic', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }] },
      ],
    });

    const fetched = await h.call(ApiKey.OffsetFetch, 5, { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 1] }] });
    expect(fetched).to.deep.equal({
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      topics: [
        {
          name: 't',
          partitions: [
            { partitionIndex: 0, committedOffset: 42n, committedLeaderEpoch: 3, metadata: 'kcat was here', errorCode: ErrorCode.NONE },
            { partitionIndex: 1, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE },
          ],
        },
      ],
    });

    // librdkafka leaves with LeaveGroup v1: the member's fate is the top-level error.
    expect(await h.call(ApiKey.LeaveGroup, 1, { groupId: 'g', memberId: follower.memberId })).to.deep.include({ throttleTimeMs: 0, errorCode: ErrorCode.NONE });
    const hb = await h.call(ApiKey.Heartbeat, 3, { groupId: 'g', generationId: 1, memberId: leader.memberId, groupInstanceId: null });
    expect(hb.errorCode).to.equal(ErrorCode.REBALANCE_IN_PROGRESS);
    const [rejoined] = await h.settle([h.call(ApiKey.JoinGroup, 5, kcatJoin(leader.memberId), { clientId: 'rdkafka-a' })]);
    expect(rejoined).to.deep.include({ errorCode: ErrorCode.NONE, generationId: 2, leader: leader.memberId });
    expect(rejoined!.members.map((m) => m.memberId)).to.deep.equal([leader.memberId]);
    // Leaving twice: the member is gone.
    expect((await h.call(ApiKey.LeaveGroup, 1, { groupId: 'g', memberId: follower.memberId })).errorCode).to.equal(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('static members (JoinGroup v5 group.instance.id) join without MEMBER_ID_REQUIRED; a restart keeps the assignment and fences the old id', async () => {
    h = await startWireHarness();
    const joins = ['a', 'b'].map((id) => h.call(ApiKey.JoinGroup, 5, kcatJoin('', `instance-${id}`), { clientId: `rdkafka-${id}` }));
    const [a, b] = await h.settle(joins);
    expect([a!.errorCode, b!.errorCode]).to.deep.equal([ErrorCode.NONE, ErrorCode.NONE]);
    expect([a!.generationId, b!.generationId]).to.deep.equal([1, 1]);
    const leader = a!.memberId === a!.leader ? a! : b!;
    expect(leader.members.map((m) => m.groupInstanceId).sort()).to.deep.equal(['instance-a', 'instance-b']);

    const syncs = [a!, b!].map((m, i) =>
      h.call(ApiKey.SyncGroup, 3, {
        groupId: 'g',
        generationId: 1,
        memberId: m.memberId,
        groupInstanceId: `instance-${'ab'[i]}`,
        assignments: m === leader ? [a!, b!].map((x, j) => ({ memberId: x.memberId, assignment: Buffer.from(`for-${'ab'[j]}`) })) : [],
      }),
    );
    const synced = await h.settle(syncs);
    expect(synced.map((s) => s.assignment.toString())).to.deep.equal(['for-a', 'for-b']);

    // instance-b restarts: no member id, same instance id. No rebalance: same generation at once.
    const restarted = await h.call(ApiKey.JoinGroup, 5, kcatJoin('', 'instance-b'), { clientId: 'rdkafka-b' });
    expect(restarted.errorCode).to.equal(ErrorCode.NONE);
    expect(restarted.generationId).to.equal(1);
    expect(restarted.memberId).to.not.equal(b!.memberId);
    const resync = await h.call(ApiKey.SyncGroup, 3, { groupId: 'g', generationId: 1, memberId: restarted.memberId, groupInstanceId: 'instance-b', assignments: [] });
    expect(resync.errorCode).to.equal(ErrorCode.NONE);
    expect(resync.assignment.toString()).to.equal('for-b');
    const fenced = await h.call(ApiKey.Heartbeat, 3, { groupId: 'g', generationId: 1, memberId: b!.memberId, groupInstanceId: 'instance-b' });
    expect(fenced.errorCode).to.equal(ErrorCode.FENCED_INSTANCE_ID);
    const ok = await h.call(ApiKey.Heartbeat, 3, { groupId: 'g', generationId: 1, memberId: a!.memberId, groupInstanceId: 'instance-a' });
    expect(ok.errorCode).to.equal(ErrorCode.NONE);

    // An admin removes instance-a by instance id (LeaveGroup v3, member id "").
    const removed = await h.call(ApiKey.LeaveGroup, 3, { groupId: 'g', members: [{ memberId: '', groupInstanceId: 'instance-a' }] });
    expect(removed.errorCode).to.equal(ErrorCode.NONE);
    expect(removed.members).to.deep.equal([{ memberId: '', groupInstanceId: 'instance-a', errorCode: ErrorCode.NONE }]);
    const described = await h.call(ApiKey.DescribeGroups, 4, { groups: ['g'], includeAuthorizedOperations: false });
    expect(described.groups[0]!.groupState).to.equal('PreparingRebalance');
    expect(described.groups[0]!.members.map((m) => m.groupInstanceId)).to.deep.equal(['instance-b']);
  });
});
