import { expect } from 'chai';
import { ApiKey, ErrorCode } from '../../../protocol/index.js';
import { startWireHarness, type WireHarness } from './wire-harness.js';

const META = Buffer.from('m');
const join = (memberId: string, groupId = 'g') => ({ groupId, sessionTimeoutMs: 10000, rebalanceTimeoutMs: 30000, memberId, groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: META }] });

/** Two kafka-python style members (JoinGroup v2: no MEMBER_ID_REQUIRED), synced and Stable. */
async function stableGroup(h: WireHarness): Promise<{ a: string; b: string }> {
  const [a, b] = await h.settle([h.call(ApiKey.JoinGroup, 2, join('')), h.call(ApiKey.JoinGroup, 2, join(''))]);
  const leader = a!.leader === a!.memberId ? a! : b!;
  const other = leader === a ? b! : a!;
  await h.settle([
    h.call(ApiKey.SyncGroup, 1, { groupId: 'g', generationId: 1, memberId: other.memberId, assignments: [] }),
    h.call(ApiKey.SyncGroup, 1, { groupId: 'g', generationId: 1, memberId: leader.memberId, assignments: [] }),
  ]);
  return { a: a!.memberId, b: b!.memberId };
}

describe('group-apis > error paths', () => {
  let h: WireHarness;
  afterEach(() => h.restore());

  it('NOT_COORDINATOR from every group API once the offsets partition moved away, in each version\'s shape', async () => {
    h = await startWireHarness();
    const { a } = await stableGroup(h);
    await h.coordinator.onResign(h.coordinator.partitionFor('g'));
    const NC = ErrorCode.NOT_COORDINATOR;

    expect((await h.call(ApiKey.JoinGroup, 5, join(a))).errorCode).to.equal(NC);
    expect((await h.call(ApiKey.SyncGroup, 3, { groupId: 'g', generationId: 1, memberId: a, groupInstanceId: null, assignments: [] })).errorCode).to.equal(NC);
    expect((await h.call(ApiKey.Heartbeat, 3, { groupId: 'g', generationId: 1, memberId: a, groupInstanceId: null })).errorCode).to.equal(NC);
    expect((await h.call(ApiKey.LeaveGroup, 1, { groupId: 'g', memberId: a })).errorCode).to.equal(NC);
    expect(await h.call(ApiKey.LeaveGroup, 3, { groupId: 'g', members: [{ memberId: a, groupInstanceId: null }] })).to.deep.equal({ throttleTimeMs: 0, errorCode: NC, members: [] });
    const commit = await h.call(ApiKey.OffsetCommit, 7, {
      groupId: 'g',
      generationIdOrMemberEpoch: 1,
      memberId: a,
      groupInstanceId: null,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null }] }],
    });
    expect(commit.topics[0]!.partitions[0]!.errorCode).to.equal(NC);
    // OffsetFetch v1 has no top-level error: every requested partition carries it.
    const v1 = await h.call(ApiKey.OffsetFetch, 1, { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 1] }] });
    expect(v1.topics).to.deep.equal([
      {
        name: 't',
        partitions: [0, 1].map((partitionIndex) => ({ partitionIndex, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: NC })),
      },
    ]);
    const v5 = await h.call(ApiKey.OffsetFetch, 5, { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }] });
    expect(v5).to.deep.equal({ throttleTimeMs: 0, errorCode: NC, topics: [] });
    expect((await h.call(ApiKey.DescribeGroups, 1, { groups: ['g'] })).groups[0]).to.deep.include({ errorCode: NC, groupState: '', members: [] });
    expect((await h.call(ApiKey.DeleteGroups, 0, { groupsNames: ['g'] })).results).to.deep.equal([{ groupId: 'g', errorCode: NC }]);
  });

  it('UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION and REBALANCE_IN_PROGRESS as members see them', async () => {
    h = await startWireHarness();
    const { a, b } = await stableGroup(h);

    const ghost = await h.call(ApiKey.Heartbeat, 3, { groupId: 'g', generationId: 1, memberId: 'ghost', groupInstanceId: null });
    expect(ghost.errorCode).to.equal(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await h.call(ApiKey.SyncGroup, 3, { groupId: 'g', generationId: 1, memberId: 'ghost', groupInstanceId: null, assignments: [] })).errorCode).to.equal(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await h.call(ApiKey.JoinGroup, 5, join('ghost'))).errorCode).to.equal(ErrorCode.UNKNOWN_MEMBER_ID);
    const ghostCommit = await h.call(ApiKey.OffsetCommit, 7, {
      groupId: 'g',
      generationIdOrMemberEpoch: 1,
      memberId: 'ghost',
      groupInstanceId: null,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null }] }],
    });
    expect(ghostCommit.topics[0]!.partitions[0]!.errorCode).to.equal(ErrorCode.UNKNOWN_MEMBER_ID);

    expect((await h.call(ApiKey.Heartbeat, 1, { groupId: 'g', generationId: 2, memberId: a })).errorCode).to.equal(ErrorCode.ILLEGAL_GENERATION);
    const staleCommit = await h.call(ApiKey.OffsetCommit, 2, {
      groupId: 'g',
      generationIdOrMemberEpoch: 0,
      memberId: a,
      retentionTimeMs: -1n,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedMetadata: null }] }],
    });
    expect(staleCommit.topics[0]!.partitions[0]!.errorCode).to.equal(ErrorCode.ILLEGAL_GENERATION);
    // A managed commit (generation ≥ 0) for a group that does not exist is from another life.
    const orphan = await h.call(ApiKey.OffsetCommit, 2, {
      groupId: 'nobody',
      generationIdOrMemberEpoch: 3,
      memberId: 'x',
      retentionTimeMs: -1n,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedMetadata: null }] }],
    });
    expect(orphan.topics[0]!.partitions[0]!.errorCode).to.equal(ErrorCode.ILLEGAL_GENERATION);

    // A newcomer starts a rebalance: the others learn it from their heartbeats.
    const newcomer = h.call(ApiKey.JoinGroup, 2, join(''));
    await h.clock.tickAsync(0);
    for (const memberId of [a, b]) {
      expect((await h.call(ApiKey.Heartbeat, 1, { groupId: 'g', generationId: 1, memberId })).errorCode).to.equal(ErrorCode.REBALANCE_IN_PROGRESS);
    }
    const described = await h.call(ApiKey.DescribeGroups, 2, { groups: ['g'] });
    expect(described.groups[0]).to.deep.include({ groupState: 'PreparingRebalance', protocolData: '' });
    const rejoined = await h.settle([newcomer, h.call(ApiKey.JoinGroup, 2, join(a)), h.call(ApiKey.JoinGroup, 2, join(b))]);
    expect(rejoined.map((r) => [r.errorCode, r.generationId])).to.deep.equal([
      [0, 2],
      [0, 2],
      [0, 2],
    ]);
    // Until the leader's SyncGroup, commits of the new generation wait for the assignment.
    const early = await h.call(ApiKey.OffsetCommit, 2, {
      groupId: 'g',
      generationIdOrMemberEpoch: 2,
      memberId: a,
      retentionTimeMs: -1n,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedMetadata: null }] }],
    });
    expect(early.topics[0]!.partitions[0]!.errorCode).to.equal(ErrorCode.REBALANCE_IN_PROGRESS);
  });

  it('COORDINATOR_LOAD_IN_PROGRESS while the offsets partition loads; INVALID_GROUP_ID and INVALID_SESSION_TIMEOUT on join', async () => {
    h = await startWireHarness();
    expect((await h.call(ApiKey.JoinGroup, 2, join('', ''))).errorCode).to.equal(ErrorCode.INVALID_GROUP_ID);
    const tooShort = { ...join(''), sessionTimeoutMs: 10 };
    expect((await h.call(ApiKey.JoinGroup, 2, tooShort)).errorCode).to.equal(ErrorCode.INVALID_SESSION_TIMEOUT);

    const p = h.coordinator.partitionFor('g');
    await h.coordinator.onResign(p);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const original = h.store.replay.bind(h.store);
    h.store.replay = async function* (partition: number) {
      await gate;
      yield* original(partition);
    };
    const loading = h.coordinator.onBecomeLeader(p);
    expect((await h.call(ApiKey.JoinGroup, 5, join(''))).errorCode).to.equal(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    expect((await h.call(ApiKey.OffsetFetch, 5, { groupId: 'g', topics: null })).errorCode).to.equal(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    expect((await h.call(ApiKey.ListGroups, 0, {})).errorCode).to.equal(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    release();
    await loading;
    expect((await h.call(ApiKey.OffsetFetch, 5, { groupId: 'g', topics: null })).errorCode).to.equal(ErrorCode.NONE);
  });
});
