import { expect } from 'chai';
import { ErrorCode as E } from '../../../protocol/index.js';
import {
  GroupCoordinator,
  OffsetsLogError,
  InMemoryOffsetsStore,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
  type ReplayedRecord,
} from '../../../broker/group/index.js';
import { formGroup, heartbeat, joinRequest, startHarness, syncAll, TEST_CONFIG, type Harness } from './harness.js';
import { TestScheduler } from '../../helpers/test-scheduler.js';

describe('group > coordinator ownership and loading', () => {
  let h: Harness;
  afterEach(() => h.restore());

  it('restores groups, members, assignments and offsets (tombstones applied) from a replayed log', async () => {
    h = await startHarness();
    const joined = await formGroup(h, 'g', ['a', 'b']);
    await syncAll(h, 'g', joined);
    const me = joined[0]!;
    const commit = (partition: number, offset: bigint) => h.coordinator.commitOffsets({ groupId: 'g', generationId: 1, memberId: me.memberId, groupInstanceId: null, partitions: [{ topic: 't', partition, offset, leaderEpoch: 2, metadata: `m${offset}` }] });
    await commit(0, 10n);
    await commit(0, 20n);
    await commit(1, 5n);
    await h.coordinator.commitOffsets({ groupId: 'solo', generationId: -1, memberId: '', groupInstanceId: null, partitions: [{ topic: 't', partition: 0, offset: 1n, leaderEpoch: -1, metadata: null }] });
    const partition = h.coordinator.partitionFor('g');
    // Someone deleted t-1 (e.g. OffsetDelete): a tombstone in the log.
    await h.store.append(partition, [{ key: encodeOffsetCommitKey('g', 't', 1), value: null }]);

    // A second broker takes over the same log.
    const second = new GroupCoordinator({ store: h.store, config: TEST_CONFIG, scheduler: h.clock });
    await second.onBecomeLeader(partition);
    await second.onBecomeLeader(h.coordinator.partitionFor('solo'));
    expect(second.groupState('g')).to.equal('Stable');
    const fetched = await second.fetchOffsets({ groupId: 'g', partitions: null });
    expect(fetched.partitions).to.deep.equal([{ topic: 't', partition: 0, offset: 20n, leaderEpoch: 2, metadata: 'm20', errorCode: E.NONE }]);
    expect((await second.fetchOffsets({ groupId: 'solo', partitions: null })).partitions.map((x) => x.offset)).to.deep.equal([1n]);
    const [described] = await second.describeGroups(['g']);
    expect(described!.members.map((m) => m.assignment.toString()).sort()).to.deep.equal(joined.map((j) => `assign-${j.memberId}`).sort());
    // Members carry on without rejoining.
    expect((await heartbeat({ ...h, coordinator: second }, 'g', me)).errorCode).to.equal(E.NONE);
    const sync = await second.syncGroup({ groupId: 'g', generationId: 1, memberId: me.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] });
    expect(sync.assignment.toString()).to.equal(`assign-${me.memberId}`);
    // Loaded members still expire if they went away with the old coordinator.
    await h.clock.tickAsync(6000);
    expect((await heartbeat({ ...h, coordinator: second }, 'g', me)).errorCode).to.equal(E.NONE);
    await h.clock.tickAsync(4001);
    expect(second.groupState('g')).to.equal('PreparingRebalance');
    expect((await heartbeat({ ...h, coordinator: second }, 'g', me)).errorCode).to.equal(E.REBALANCE_IN_PROGRESS);
    await second.shutdown();
  });

  it('a deleted group stays deleted after a reload (group and offset tombstones)', async () => {
    h = await startHarness();
    const joined = await formGroup(h, 'gone', ['a']);
    await syncAll(h, 'gone', joined);
    const me = joined[0]!;
    await h.coordinator.commitOffsets({ groupId: 'gone', generationId: 1, memberId: me.memberId, groupInstanceId: null, partitions: [{ topic: 't', partition: 0, offset: 5n, leaderEpoch: -1, metadata: null }] });
    await h.coordinator.leaveGroup({ groupId: 'gone', members: [{ memberId: me.memberId, groupInstanceId: null }] });
    expect(await h.coordinator.deleteGroups(['gone'])).to.deep.equal([{ groupId: 'gone', errorCode: E.NONE }]);
    const second = new GroupCoordinator({ store: h.store, config: TEST_CONFIG, scheduler: h.clock });
    await second.onBecomeLeader(second.partitionFor('gone'));
    expect(second.groupState('gone')).to.equal(undefined);
    expect((await second.describeGroups(['gone']))[0]).to.include({ state: 'Dead', errorCode: E.NONE });
    expect((await second.fetchOffsets({ groupId: 'gone', partitions: null })).partitions).to.deep.equal([]);
  });

  it('answers COORDINATOR_LOAD_IN_PROGRESS while loading and NOT_COORDINATOR for partitions it does not lead', async () => {
    const clock = new TestScheduler();
    h = { clock, store: new InMemoryOffsetsStore(), coordinator: undefined as never, restore: () => clock.restore() };
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const store = {
      append: async () => 0n,
      async *replay(): AsyncIterable<ReplayedRecord> {
        await gate;
        yield { key: encodeOffsetCommitKey('g', 't', 0), value: encodeOffsetCommitValue({ offset: 3n, leaderEpoch: -1, metadata: '', commitTimestamp: 1n, expireTimestamp: null }), batchOffset: 0n };
      },
    };
    const c = new GroupCoordinator({ store, config: TEST_CONFIG, scheduler: clock });
    const p = c.partitionFor('g');
    expect((await c.fetchOffsets({ groupId: 'g', partitions: null })).errorCode).to.equal(E.NOT_COORDINATOR);
    const loading = c.onBecomeLeader(p);
    expect((await c.fetchOffsets({ groupId: 'g', partitions: null })).errorCode).to.equal(E.COORDINATOR_LOAD_IN_PROGRESS);
    expect((await c.joinGroup(joinRequest('g'))).errorCode).to.equal(E.COORDINATOR_LOAD_IN_PROGRESS);
    expect((await c.heartbeat({ groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null })).errorCode).to.equal(E.NONE);
    expect((await c.listGroups()).errorCode).to.equal(E.COORDINATOR_LOAD_IN_PROGRESS);
    release();
    await loading;
    expect((await c.fetchOffsets({ groupId: 'g', partitions: null })).partitions.map((x) => x.offset)).to.deep.equal([3n]);
    expect(c.ownedPartitions()).to.deep.equal(new Map([[p, 'loaded']]));
    await c.onResign(p);
    expect((await c.fetchOffsets({ groupId: 'g', partitions: null })).errorCode).to.equal(E.NOT_COORDINATOR);
  });

  it('resigning answers parked JoinGroup and SyncGroup requests with NOT_COORDINATOR', async () => {
    h = await startHarness();
    const pendingJoin = h.coordinator.joinGroup(joinRequest('g', { clientId: 'a' }));
    await h.clock.tickAsync(1);
    await h.coordinator.onResign(h.coordinator.partitionFor('g'));
    expect((await pendingJoin).errorCode).to.equal(E.NOT_COORDINATOR);

    const joined = await formGroup(h, 'h', ['a', 'b']);
    const follower = joined.find((j) => j.memberId !== j.leader)!;
    const pendingSync = h.coordinator.syncGroup({ groupId: 'h', generationId: 1, memberId: follower.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] });
    await h.clock.tickAsync(1);
    await h.coordinator.onResign(h.coordinator.partitionFor('h'));
    expect((await pendingSync).errorCode).to.equal(E.NOT_COORDINATOR);
  });

  it('several groups rebalancing at once do not interfere', async () => {
    h = await startHarness();
    const groups = Array.from({ length: 8 }, (_, i) => `group-${i}`);
    let settled = 0;
    const forming = groups.map((g, i) =>
      Promise.all(Array.from({ length: 1 + (i % 3) }, (_, k) => h.coordinator.joinGroup(joinRequest(g, { clientId: `c${k}` })))).then((r) => (settled++, r)),
    );
    for (let i = 0; i < 5 && settled < groups.length; i++) await h.clock.tickAsync(3000);
    const formed = await Promise.all(forming);
    formed.forEach((joined, i) => {
      expect(joined.every((j) => j.errorCode === E.NONE && j.generationId === 1), groups[i]).to.equal(true);
      const leader = joined.find((j) => j.memberId === j.leader)!;
      expect(leader.members.map((m) => m.memberId).sort()).to.deep.equal(joined.map((j) => j.memberId).sort());
    });
    const synced = await Promise.all(groups.map((g, i) => syncAll(h, g, formed[i]!)));
    synced.forEach((s, i) => s.forEach((r, k) => expect(r.assignment.toString()).to.equal(`assign-${formed[i]![k]!.memberId}`)));
    // Rebalance half of them at the same time.
    const rejoins = groups.slice(0, 4).map((g, i) => formed[i]!.map((j) => h.coordinator.joinGroup(joinRequest(g, { memberId: j.memberId, clientId: j.memberId.split('-')[0]!, protocols: [{ name: 'range', metadata: Buffer.from('changed') }] }))));
    const results = await Promise.all(rejoins.map((r) => Promise.all(r)));
    results.forEach((r) => expect(r.every((j) => j.generationId === 2 && j.errorCode === E.NONE)).to.equal(true));
    groups.slice(4).forEach((g) => expect(h.coordinator.groupState(g)).to.equal('Stable'));
  });
});

describe('group > coordinator validation and admin', () => {
  let h: Harness;
  afterEach(() => h.restore());

  it('validates group id, session timeout, protocol type and protocols', async () => {
    h = await startHarness({ groupMaxSessionTimeoutMs: 60_000 });
    expect((await h.coordinator.joinGroup(joinRequest(''))).errorCode).to.equal(E.INVALID_GROUP_ID);
    expect((await h.coordinator.joinGroup(joinRequest('g', { sessionTimeoutMs: 999 }))).errorCode).to.equal(E.INVALID_SESSION_TIMEOUT);
    expect((await h.coordinator.joinGroup(joinRequest('g', { sessionTimeoutMs: 60_001 }))).errorCode).to.equal(E.INVALID_SESSION_TIMEOUT);
    expect((await h.coordinator.joinGroup(joinRequest('g', { protocols: [] }))).errorCode).to.equal(E.INCONSISTENT_GROUP_PROTOCOL);
    expect((await h.coordinator.joinGroup(joinRequest('g', { memberId: 'ghost' }))).errorCode).to.equal(E.UNKNOWN_MEMBER_ID);
    const joined = await formGroup(h, 'g', ['a']);
    await syncAll(h, 'g', joined);
    expect((await h.coordinator.joinGroup(joinRequest('g', { protocolType: 'connect' }))).errorCode).to.equal(E.INCONSISTENT_GROUP_PROTOCOL);
    expect((await h.coordinator.joinGroup(joinRequest('g', { protocols: [{ name: 'roundrobin', metadata: Buffer.alloc(0) }] }))).errorCode).to.equal(E.INCONSISTENT_GROUP_PROTOCOL);
  });

  it('chooses the protocol every member supports by vote', async () => {
    h = await startHarness();
    const meta = Buffer.alloc(0);
    const joins = [
      h.coordinator.joinGroup(joinRequest('g', { clientId: 'a', protocols: [{ name: 'range', metadata: meta }, { name: 'roundrobin', metadata: meta }] })),
      h.coordinator.joinGroup(joinRequest('g', { clientId: 'b', protocols: [{ name: 'sticky', metadata: meta }, { name: 'roundrobin', metadata: meta }, { name: 'range', metadata: meta }] })),
      h.coordinator.joinGroup(joinRequest('g', { clientId: 'c', protocols: [{ name: 'roundrobin', metadata: meta }, { name: 'range', metadata: meta }] })),
    ];
    await h.clock.tickAsync(12_000);
    const results = await Promise.all(joins);
    expect(results.map((r) => r.protocolName)).to.deep.equal(['roundrobin', 'roundrobin', 'roundrobin']);
  });

  it('enforces group.max.size', async () => {
    h = await startHarness({ groupMaxSize: 2 });
    const joins = ['a', 'b', 'c'].map((c) => h.coordinator.joinGroup(joinRequest('g', { clientId: c })));
    await h.clock.tickAsync(12_000);
    const results = await Promise.all(joins);
    expect(results.map((r) => r.errorCode)).to.deep.equal([E.NONE, E.NONE, E.GROUP_MAX_SIZE_REACHED]);
  });

  it('describes, lists and deletes groups', async () => {
    h = await startHarness();
    const joined = await formGroup(h, 'busy', ['a', 'b']);
    await syncAll(h, 'busy', joined);
    await h.coordinator.commitOffsets({ groupId: 'idle', generationId: -1, memberId: '', groupInstanceId: null, partitions: [{ topic: 't', partition: 0, offset: 1n, leaderEpoch: -1, metadata: null }] });

    const [busy, missing] = await h.coordinator.describeGroups(['busy', 'missing']);
    expect(busy).to.include({ errorCode: E.NONE, state: 'Stable', protocolType: 'consumer', protocolName: 'range' });
    expect(busy!.members.map((m) => m.clientId).sort()).to.deep.equal(['a', 'b']);
    expect(busy!.members.map((m) => m.metadata.toString()).sort()).to.deep.equal(['sub-a', 'sub-b']);
    expect(missing).to.deep.include({ errorCode: E.NONE, state: 'Dead', members: [] });

    const listed = await h.coordinator.listGroups();
    expect(listed.errorCode).to.equal(E.NONE);
    expect(listed.groups.map((g) => `${g.groupId}:${g.state}:${g.protocolType}`).sort()).to.deep.equal(['busy:Stable:consumer', 'idle:Empty:']);
    expect((await h.coordinator.listGroups(['Empty'])).groups.map((g) => g.groupId)).to.deep.equal(['idle']);

    const deleted = await h.coordinator.deleteGroups(['busy', 'idle', 'missing']);
    expect(deleted).to.deep.equal([
      { groupId: 'busy', errorCode: E.NON_EMPTY_GROUP },
      { groupId: 'idle', errorCode: E.NONE },
      { groupId: 'missing', errorCode: E.GROUP_ID_NOT_FOUND },
    ]);
    expect((await h.coordinator.fetchOffsets({ groupId: 'idle', partitions: null })).partitions).to.deep.equal([]);
    expect(h.store.records(h.coordinator.partitionFor('idle')).at(-1)!.value).to.equal(null);
    expect(h.coordinator.groupState('busy')).to.equal('Stable');
  });

  it('a failed assignment write answers SyncGroup with an error and rebalances', async () => {
    h = await startHarness();
    const joined = await formGroup(h, 'g', ['a', 'b']);
    h.store.failNextAppend = new OffsetsLogError('BRK_GROUP_OFFSETS_APPEND', 'no quorum', 'NOT_ENOUGH_REPLICAS');
    const synced = await syncAll(h, 'g', joined);
    expect(synced.map((s) => s.errorCode)).to.deep.equal([E.COORDINATOR_NOT_AVAILABLE, E.COORDINATOR_NOT_AVAILABLE]);
    expect(h.coordinator.groupState('g')).to.equal('PreparingRebalance');
  });
});

describe('group > error codes', () => {
  it('answers with the Kafka error numbers clients expect', () => {
    expect(E).to.include({
      NONE: 0, COORDINATOR_LOAD_IN_PROGRESS: 14, COORDINATOR_NOT_AVAILABLE: 15, NOT_COORDINATOR: 16, ILLEGAL_GENERATION: 22,
      INCONSISTENT_GROUP_PROTOCOL: 23, INVALID_GROUP_ID: 24, UNKNOWN_MEMBER_ID: 25, INVALID_SESSION_TIMEOUT: 26, REBALANCE_IN_PROGRESS: 27,
      NON_EMPTY_GROUP: 68, GROUP_ID_NOT_FOUND: 69, MEMBER_ID_REQUIRED: 79, GROUP_MAX_SIZE_REACHED: 81, FENCED_INSTANCE_ID: 82,
    });
  });
});

describe('group > coordinator edge cases', () => {
  let h: Harness;
  afterEach(() => h.restore());

  it('skips undecodable records when loading instead of failing the partition', async () => {
    h = await startHarness();
    const partition = h.coordinator.partitionFor('g');
    await h.store.append(partition, [
      { key: Buffer.from([0, 9, 1]), value: Buffer.from([1]) },
      { key: encodeOffsetCommitKey('g', 't', 0), value: Buffer.from([0, 3, 0]) },
      { key: encodeOffsetCommitKey('g', 't', 1), value: encodeOffsetCommitValue({ offset: 4n, leaderEpoch: -1, metadata: '', commitTimestamp: 0n, expireTimestamp: null }) },
    ]);
    const second = new GroupCoordinator({ store: h.store, config: TEST_CONFIG, scheduler: h.clock });
    await second.onBecomeLeader(partition);
    expect(second.ownedPartitions().get(partition)).to.equal('loaded');
    expect((await second.fetchOffsets({ groupId: 'g', partitions: null })).partitions.map((x) => `${x.partition}@${x.offset}`)).to.deep.equal(['1@4']);
  });

  it('commits during PreparingRebalance still count; a leader rejoining a Stable group starts a rebalance', async () => {
    h = await startHarness();
    const joined = await formGroup(h, 'g', ['a', 'b']);
    await syncAll(h, 'g', joined);
    const leader = joined.find((j) => j.memberId === j.leader)!;
    const follower = joined.find((j) => j.memberId !== j.leader)!;
    const rejoin = h.coordinator.joinGroup(joinRequest('g', { memberId: leader.memberId, clientId: leader.memberId.split('-')[0]! }));
    await h.clock.tickAsync(1);
    expect(h.coordinator.groupState('g')).to.equal('PreparingRebalance');
    const commit = await h.coordinator.commitOffsets({ groupId: 'g', generationId: 1, memberId: follower.memberId, groupInstanceId: null, partitions: [{ topic: 't', partition: 0, offset: 3n, leaderEpoch: -1, metadata: null }] });
    expect(commit.partitions[0]!.errorCode).to.equal(E.NONE);
    const followerRejoin = await h.coordinator.joinGroup(joinRequest('g', { memberId: follower.memberId, clientId: follower.memberId.split('-')[0]! }));
    expect(followerRejoin.generationId).to.equal(2);
    expect((await rejoin).generationId).to.equal(2);
  });

  it('a LeaveGroup for a pending member id (MEMBER_ID_REQUIRED) releases it', async () => {
    h = await startHarness({ groupInitialRebalanceDelayMs: 0 });
    const first = await h.coordinator.joinGroup(joinRequest('g', { requireKnownMemberId: true }));
    const left = await h.coordinator.leaveGroup({ groupId: 'g', members: [{ memberId: first.memberId, groupInstanceId: null }] });
    expect(left.members[0]!.errorCode).to.equal(E.NONE);
    expect((await h.coordinator.joinGroup(joinRequest('g', { memberId: first.memberId }))).errorCode).to.equal(E.UNKNOWN_MEMBER_ID);
  });

  it('after shutdown every request answers COORDINATOR_NOT_AVAILABLE', async () => {
    h = await startHarness();
    await h.coordinator.shutdown();
    expect((await h.coordinator.joinGroup(joinRequest('g'))).errorCode).to.equal(E.COORDINATOR_NOT_AVAILABLE);
    expect((await h.coordinator.listGroups()).errorCode).to.equal(E.COORDINATOR_NOT_AVAILABLE);
  });
});

describe('group > one operation at a time per group', () => {
  let h: Harness;
  afterEach(() => h.restore());

  it('requests of a group wait for its in-flight append; other groups do not', async () => {
    h = await startHarness();
    const joined = await formGroup(h, 'slow', ['a']);
    const other = await formGroup(h, 'fast', ['a']);
    await syncAll(h, 'fast', other);
    let release!: () => void;
    h.store.appendGate = new Promise((r) => (release = r));
    const order: string[] = [];
    const me = joined[0]!;
    const sync = syncAll(h, 'slow', joined).then(() => order.push('slow sync'));
    const commit = h.coordinator
      .commitOffsets({ groupId: 'slow', generationId: 1, memberId: me.memberId, groupInstanceId: null, partitions: [{ topic: 't', partition: 0, offset: 1n, leaderEpoch: -1, metadata: null }] })
      .then((r) => order.push(`slow commit ${r.partitions[0]!.errorCode}`));
    const otherHb = heartbeat(h, 'fast', other[0]!).then(() => order.push('fast heartbeat'));
    await otherHb;
    await h.clock.tickAsync(1);
    expect(order).to.deep.equal(['fast heartbeat']);
    h.store.appendGate = null;
    release();
    await Promise.all([sync, commit]);
    // The commit ran after the sync's append: it saw a Stable group (in CompletingRebalance it
    // would have been refused with REBALANCE_IN_PROGRESS).
    expect(order).to.include(`slow commit ${E.NONE}`).and.include('slow sync');
  });
});
