import { expect } from 'chai';
import sinon from 'sinon';
import { ApiKey, ErrorCode } from '../../../protocol/index.js';
import { startWireHarness, type WireHarness } from './wire-harness.js';

const META = Buffer.from('subscription');

describe('group-apis > kafka-python 2.0.2 and KafkaJS 2.2.4 versions', () => {
  let h: WireHarness;
  afterEach(() => {
    sinon.restore();
    h.restore();
  });

  it('kafka-python: FindCoordinator v0, JoinGroup v2, SyncGroup v1, Heartbeat v1, OffsetCommit v2, OffsetFetch v1, LeaveGroup v1', async () => {
    h = await startWireHarness();
    const coordinator = await h.call(ApiKey.FindCoordinator, 0, { key: 'py-group' });
    expect(coordinator).to.deep.include({ errorCode: ErrorCode.NONE, nodeId: 1, host: 'broker1.example', port: 9091 });

    // JoinGroup v2 predates KIP-394: a new member is admitted at once, no MEMBER_ID_REQUIRED.
    const join = { groupId: 'py-group', sessionTimeoutMs: 10000, rebalanceTimeoutMs: 300000, memberId: '', protocolType: 'consumer', protocols: [{ name: 'range', metadata: META }] };
    const [joined] = await h.settle([h.call(ApiKey.JoinGroup, 2, join, { clientId: 'kafka-python-2.0.2' })]);
    expect(joined).to.deep.include({ errorCode: ErrorCode.NONE, generationId: 1, protocolName: 'range', throttleTimeMs: 0 });
    expect(joined!.leader).to.equal(joined!.memberId);
    expect(joined!.memberId).to.match(/^kafka-python-2\.0\.2-/);
    expect(joined!.members).to.deep.equal([{ memberId: joined!.memberId, groupInstanceId: null, metadata: META }]);

    const sync = await h.call(ApiKey.SyncGroup, 1, { groupId: 'py-group', generationId: 1, memberId: joined!.memberId, assignments: [{ memberId: joined!.memberId, assignment: Buffer.from('all') }] });
    expect(sync).to.deep.include({ errorCode: ErrorCode.NONE, throttleTimeMs: 0 });
    expect(sync.assignment.toString()).to.equal('all');
    expect((await h.call(ApiKey.Heartbeat, 1, { groupId: 'py-group', generationId: 1, memberId: joined!.memberId })).errorCode).to.equal(ErrorCode.NONE);

    const commit = await h.call(ApiKey.OffsetCommit, 2, {
      groupId: 'py-group',
      generationIdOrMemberEpoch: 1,
      memberId: joined!.memberId,
      retentionTimeMs: -1n,
      topics: [{ name: 't', partitions: [{ partitionIndex: 2, committedOffset: 7n, committedMetadata: '' }] }],
    });
    expect(commit.topics).to.deep.equal([{ name: 't', partitions: [{ partitionIndex: 2, errorCode: ErrorCode.NONE }] }]);
    const fetched = await h.call(ApiKey.OffsetFetch, 1, { groupId: 'py-group', topics: [{ name: 't', partitionIndexes: [2] }] });
    expect(fetched.topics).to.deep.equal([{ name: 't', partitions: [{ partitionIndex: 2, committedOffset: 7n, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE }] }]);

    expect((await h.call(ApiKey.LeaveGroup, 1, { groupId: 'py-group', memberId: joined!.memberId })).errorCode).to.equal(ErrorCode.NONE);
    const described = await h.call(ApiKey.DescribeGroups, 0, { groups: ['py-group'] });
    expect(described.groups[0]).to.deep.include({ errorCode: ErrorCode.NONE, groupState: 'Empty', members: [] });
    // Offsets outlive the members.
    const again = await h.call(ApiKey.OffsetFetch, 1, { groupId: 'py-group', topics: [{ name: 't', partitionIndexes: [2] }] });
    expect(again.topics[0]!.partitions[0]!.committedOffset).to.equal(7n);
  });

  it('KafkaJS: LeaveGroup v3 answers per member, OffsetCommit v5, OffsetFetch v4 (also with null topics = everything)', async () => {
    h = await startWireHarness();
    const join = (memberId: string) => ({ groupId: 'kjs', sessionTimeoutMs: 30000, rebalanceTimeoutMs: 60000, memberId, groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'RoundRobinAssigner', metadata: META }] });
    const required = await h.call(ApiKey.JoinGroup, 5, join(''), { clientId: 'kafkajs' });
    expect(required.errorCode).to.equal(ErrorCode.MEMBER_ID_REQUIRED);
    const [joined] = await h.settle([h.call(ApiKey.JoinGroup, 5, join(required.memberId), { clientId: 'kafkajs' })]);
    expect(joined!.protocolName).to.equal('RoundRobinAssigner');
    const me = joined!.memberId;
    await h.call(ApiKey.SyncGroup, 3, { groupId: 'kjs', generationId: 1, memberId: me, groupInstanceId: null, assignments: [{ memberId: me, assignment: Buffer.from('x') }] });

    const commit = await h.call(ApiKey.OffsetCommit, 5, {
      groupId: 'kjs',
      generationIdOrMemberEpoch: 1,
      memberId: me,
      topics: [{ name: 't', partitions: [0, 1].map((p) => ({ partitionIndex: p, committedOffset: BigInt(100 + p), committedMetadata: null })) }],
    });
    expect(commit.topics[0]!.partitions.map((p) => p.errorCode)).to.deep.equal([0, 0]);

    const some = await h.call(ApiKey.OffsetFetch, 4, { groupId: 'kjs', topics: [{ name: 't', partitionIndexes: [1] }] });
    expect(some).to.deep.equal({ throttleTimeMs: 0, errorCode: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 1, committedOffset: 101n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 }] }] });
    const all = await h.call(ApiKey.OffsetFetch, 4, { groupId: 'kjs', topics: null });
    expect(all.errorCode).to.equal(0);
    expect(all.topics.flatMap((t) => t.partitions.map((p) => `${t.name}-${p.partitionIndex}@${p.committedOffset}`)).sort()).to.deep.equal(['t-0@100', 't-1@101']);

    const left = await h.call(ApiKey.LeaveGroup, 3, { groupId: 'kjs', members: [{ memberId: me, groupInstanceId: null }, { memberId: 'ghost', groupInstanceId: null }] });
    expect(left).to.deep.equal({
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      members: [
        { memberId: me, groupInstanceId: null, errorCode: ErrorCode.NONE },
        { memberId: 'ghost', groupInstanceId: null, errorCode: ErrorCode.UNKNOWN_MEMBER_ID },
      ],
    });
    const listed = await h.call(ApiKey.ListGroups, 2, {});
    // groupState is a v4 field: at v2 it reads back as its default.
    expect(listed).to.deep.equal({ throttleTimeMs: 0, errorCode: 0, groups: [{ groupId: 'kjs', protocolType: 'consumer', groupState: '' }] });
    const deleted = await h.call(ApiKey.DeleteGroups, 1, { groupsNames: ['kjs', 'never-existed'] });
    expect(deleted.results).to.deep.equal([
      { groupId: 'kjs', errorCode: ErrorCode.NONE },
      { groupId: 'never-existed', errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
    ]);
    const gone = await h.call(ApiKey.OffsetFetch, 4, { groupId: 'kjs', topics: null });
    expect(gone.topics).to.deep.equal([]);
    const dead = await h.call(ApiKey.DescribeGroups, 2, { groups: ['kjs'] });
    expect(dead.groups[0]).to.deep.include({ errorCode: ErrorCode.NONE, groupId: 'kjs', groupState: 'Dead', protocolType: '', members: [] });
  });

  it('translates versions as Kafka does: v0 rebalance timeout, v4+ member id requirement, v1 commit timestamp, v2–v4 retention', async () => {
    h = await startWireHarness();
    const join = sinon.spy(h.coordinator, 'joinGroup');
    const base = { groupId: 'v', sessionTimeoutMs: 12000, rebalanceTimeoutMs: 50000, memberId: '', protocolType: 'consumer', protocols: [{ name: 'range', metadata: META }] };
    await h.settle([h.call(ApiKey.JoinGroup, 0, base, { clientId: null })]);
    expect(join.lastCall.args[0]).to.deep.include({ rebalanceTimeoutMs: 12000, requireKnownMemberId: false, clientId: '', clientHost: '/127.0.0.1' });
    await h.call(ApiKey.JoinGroup, 4, { ...base, groupId: 'v4' });
    expect(join.lastCall.args[0]).to.deep.include({ rebalanceTimeoutMs: 50000, requireKnownMemberId: true, groupInstanceId: null });
    await h.settle([h.call(ApiKey.JoinGroup, 5, { ...base, groupId: 'v5', groupInstanceId: 'static' })]);
    expect(join.lastCall.args[0]).to.deep.include({ requireKnownMemberId: false, groupInstanceId: 'static' });

    const commit = sinon.spy(h.coordinator, 'commitOffsets');
    const partitions = [{ partitionIndex: 0, committedOffset: 5n, commitTimestamp: 1_600_000_000_000n, committedLeaderEpoch: 9, committedMetadata: 'm' }];
    await h.call(ApiKey.OffsetCommit, 1, { groupId: 'standalone', generationIdOrMemberEpoch: -1, memberId: '', topics: [{ name: 't', partitions }] });
    expect(commit.lastCall.args[0].partitions[0]).to.deep.include({ commitTimestamp: 1_600_000_000_000n, leaderEpoch: -1 });
    expect(commit.lastCall.args[0]).to.not.have.property('retentionTimeMs');
    await h.call(ApiKey.OffsetCommit, 3, { groupId: 'standalone', generationIdOrMemberEpoch: -1, memberId: '', retentionTimeMs: 60000n, topics: [{ name: 't', partitions }] });
    expect(commit.lastCall.args[0].retentionTimeMs).to.equal(60000n);
    expect(commit.lastCall.args[0].partitions[0]).to.not.have.property('commitTimestamp');
    await h.call(ApiKey.OffsetCommit, 6, { groupId: 'standalone', generationIdOrMemberEpoch: -1, memberId: '', topics: [{ name: 't', partitions }] });
    expect(commit.lastCall.args[0]).to.not.have.property('retentionTimeMs');
    expect(commit.lastCall.args[0].partitions[0]!.leaderEpoch).to.equal(9);
    // OffsetCommit v0: no generation and no member on the wire; a standalone store.
    const v0 = await h.call(ApiKey.OffsetCommit, 0, { groupId: 'standalone', topics: [{ name: 't', partitions: [{ partitionIndex: 1, committedOffset: 11n, committedMetadata: null }] }] });
    expect(v0.topics[0]!.partitions[0]!.errorCode).to.equal(ErrorCode.NONE);
    expect(commit.lastCall.args[0]).to.deep.include({ generationId: -1, memberId: '' });
    const fetched = await h.call(ApiKey.OffsetFetch, 0, { groupId: 'standalone', topics: [{ name: 't', partitionIndexes: [0, 1] }] });
    expect(fetched.topics[0]!.partitions.map((p) => p.committedOffset)).to.deep.equal([5n, 11n]);
  });
});
