import { expect } from 'chai';
import { encodeSubscription, ErrorCode as E } from '../../../protocol/index.js';
import { OffsetsLogError, subscribedTopicsOf, type OffsetCommitPartition } from '../../../broker/group/index.js';
import { formGroup, startHarness, syncAll, type Harness } from './harness.js';

const p = (topic: string, partition: number, offset: bigint, metadata: string | null = null): OffsetCommitPartition => ({ topic, partition, offset, leaderEpoch: 3, metadata });

describe('group > offsets', () => {
  let h: Harness;
  afterEach(() => h.restore());

  it('commit and fetch round-trip offsets, leader epochs and metadata strings; fetch all when partitions is null', async () => {
    h = await startHarness();
    const joined = await formGroup(h, 'g', ['a']);
    await syncAll(h, 'g', joined);
    const me = joined[0]!;
    const committed = await h.coordinator.commitOffsets({ groupId: 'g', generationId: 1, memberId: me.memberId, groupInstanceId: null, partitions: [p('t', 0, 42n, 'checkpoint ✓'), p('t', 1, 7n), p('u', 0, 0n, '')] });
    expect(committed.partitions.map((x) => x.errorCode)).to.deep.equal([E.NONE, E.NONE, E.NONE]);

    const some = await h.coordinator.fetchOffsets({ groupId: 'g', partitions: [{ topic: 't', partition: 0 }, { topic: 't', partition: 9 }] });
    expect(some).to.deep.equal({
      errorCode: E.NONE,
      partitions: [
        { topic: 't', partition: 0, offset: 42n, leaderEpoch: 3, metadata: 'checkpoint ✓', errorCode: E.NONE },
        { topic: 't', partition: 9, offset: -1n, leaderEpoch: -1, metadata: '', errorCode: E.NONE },
      ],
    });
    const all = await h.coordinator.fetchOffsets({ groupId: 'g', partitions: null });
    expect(all.partitions.map((x) => `${x.topic}-${x.partition}@${x.offset}:${x.metadata}`).sort()).to.deep.equal(['t-0@42:checkpoint ✓', 't-1@7:', 'u-0@0:']);
    const none = await h.coordinator.fetchOffsets({ groupId: 'nobody', partitions: null });
    expect(none).to.deep.equal({ errorCode: E.NONE, partitions: [] });
  });

  it('rejects commits from a wrong generation, an unknown member, or during CompletingRebalance', async () => {
    h = await startHarness();
    const joined = await formGroup(h, 'g', ['a', 'b']);
    const me = joined[0]!;
    const commit = (generationId: number, memberId = me.memberId) => h.coordinator.commitOffsets({ groupId: 'g', generationId, memberId, groupInstanceId: null, partitions: [p('t', 0, 1n)] });
    expect((await commit(1)).partitions[0]!.errorCode).to.equal(E.REBALANCE_IN_PROGRESS);
    await syncAll(h, 'g', joined);
    expect((await commit(0)).partitions[0]!.errorCode).to.equal(E.ILLEGAL_GENERATION);
    expect((await commit(2)).partitions[0]!.errorCode).to.equal(E.ILLEGAL_GENERATION);
    expect((await commit(1, 'stranger')).partitions[0]!.errorCode).to.equal(E.UNKNOWN_MEMBER_ID);
    expect((await commit(1)).partitions[0]!.errorCode).to.equal(E.NONE);
    // A group unknown here refuses generation >= 0 commits.
    const unknown = await h.coordinator.commitOffsets({ groupId: 'other', generationId: 3, memberId: 'm', groupInstanceId: null, partitions: [p('t', 0, 1n)] });
    expect(unknown.partitions[0]!.errorCode).to.equal(E.ILLEGAL_GENERATION);
  });

  it('a standalone consumer (generation -1) stores offsets without joining; oversized metadata is refused per partition', async () => {
    h = await startHarness();
    const big = 'x'.repeat(h.coordinator.config.offsetMetadataMaxBytes + 1);
    const res = await h.coordinator.commitOffsets({ groupId: 'solo', generationId: -1, memberId: '', groupInstanceId: null, partitions: [p('t', 0, 5n, 'ok'), p('t', 1, 6n, big)] });
    expect(res.partitions).to.deep.equal([
      { topic: 't', partition: 0, errorCode: E.NONE },
      { topic: 't', partition: 1, errorCode: E.OFFSET_METADATA_TOO_LARGE },
    ]);
    const fetched = await h.coordinator.fetchOffsets({ groupId: 'solo', partitions: null });
    expect(fetched.partitions.map((x) => x.offset)).to.deep.equal([5n]);
    expect(h.coordinator.groupState('solo')).to.equal('Empty');
  });

  it('a failed or timed-out append answers a retriable error and changes nothing', async () => {
    h = await startHarness({ offsetsCommitTimeoutMs: 5000 });
    const commit = () => h.coordinator.commitOffsets({ groupId: 'solo', generationId: -1, memberId: '', groupInstanceId: null, partitions: [p('t', 0, 9n)] });
    h.store.failNextAppend = new OffsetsLogError('BRK_GROUP_OFFSETS_APPEND', 'not leader', 'NOT_LEADER_OR_FOLLOWER');
    expect((await commit()).partitions[0]!.errorCode).to.equal(E.NOT_COORDINATOR);
    h.store.failNextAppend = new OffsetsLogError('BRK_GROUP_OFFSETS_APPEND', 'isr too small', 'NOT_ENOUGH_REPLICAS');
    expect((await commit()).partitions[0]!.errorCode).to.equal(E.COORDINATOR_NOT_AVAILABLE);
    let release!: () => void;
    h.store.appendGate = new Promise((r) => (release = r));
    const slow = commit();
    await h.clock.tickAsync(5000);
    expect((await slow).partitions[0]!.errorCode).to.equal(E.COORDINATOR_NOT_AVAILABLE);
    h.store.appendGate = null;
    release();
    const fetched = await h.coordinator.fetchOffsets({ groupId: 'solo', partitions: [{ topic: 't', partition: 0 }] });
    expect(fetched.partitions[0]!.offset).to.equal(-1n);
  });

  it('expires the offsets of a group empty for offsets.retention, then the group itself', async () => {
    const minute = 60_000;
    h = await startHarness({ offsetsRetentionMs: 20 * minute, offsetsRetentionCheckIntervalMs: 5 * minute });
    const joined = await formGroup(h, 'g', ['a'], { sessionTimeoutMs: 30 * minute });
    await syncAll(h, 'g', joined);
    const me = joined[0]!;
    await h.coordinator.commitOffsets({ groupId: 'g', generationId: 1, memberId: me.memberId, groupInstanceId: null, partitions: [p('t', 0, 11n)] });
    // A group with members keeps its offsets however old they are.
    await h.clock.tickAsync(25 * minute);
    expect(h.coordinator.groupState('g')).to.equal('Stable');
    expect((await h.coordinator.fetchOffsets({ groupId: 'g', partitions: null })).partitions).to.have.length(1);

    await h.coordinator.leaveGroup({ groupId: 'g', members: [{ memberId: me.memberId, groupInstanceId: null }] });
    expect(h.coordinator.groupState('g')).to.equal('Empty');
    const emptySince = h.clock.now();
    await h.clock.tickAsync(15 * minute);
    expect((await h.coordinator.fetchOffsets({ groupId: 'g', partitions: null })).partitions).to.have.length(1);
    // The periodic check (every 5 min) drops them once the group has been empty for the retention.
    await h.clock.tickAsync(10 * minute);
    expect(h.clock.now() - emptySince).to.be.at.least(20 * minute);
    expect((await h.coordinator.fetchOffsets({ groupId: 'g', partitions: null })).partitions).to.deep.equal([]);
    expect(h.coordinator.groupState('g')).to.equal(undefined);
    // Tombstones for the offset and then the group were written.
    const log = h.store.records(h.coordinator.partitionFor('g'));
    expect(log.slice(-2).map((r) => [r.key.readInt16BE(0), r.value])).to.deep.equal([[1, null], [2, null]]);
  });

  it('expires, in a live consumer group, only offsets of topics no member subscribes to', async () => {
    const minute = 60_000;
    h = await startHarness({ offsetsRetentionMs: 20 * minute });
    const subscription = (topics: string[]): Buffer => encodeSubscription({ topics }, 0);
    expect(subscribedTopicsOf(subscription(['orders', 'payments']))).to.deep.equal(['orders', 'payments']);
    expect(subscribedTopicsOf(Buffer.from('garbage'))).to.equal(null);
    const joined = await formGroup(h, 'g', ['a'], { sessionTimeoutMs: 30 * minute, protocols: [{ name: 'range', metadata: subscription(['orders']) }] });
    await syncAll(h, 'g', joined);
    const me = joined[0]!;
    await h.coordinator.commitOffsets({ groupId: 'g', generationId: 1, memberId: me.memberId, groupInstanceId: null, partitions: [p('orders', 0, 1n), p('legacy', 0, 2n)] });
    await h.clock.tickAsync(20 * minute);
    expect(await h.coordinator.runOffsetExpiry()).to.equal(1);
    const left = await h.coordinator.fetchOffsets({ groupId: 'g', partitions: null });
    expect(left.partitions.map((x) => x.topic)).to.deep.equal(['orders']);
    expect(h.coordinator.groupState('g')).to.equal('Stable');
  });

  it('honours an explicit retention time from OffsetCommit v2–v4', async () => {
    h = await startHarness({ offsetsRetentionMs: 7 * 24 * 3600_000 });
    await h.coordinator.commitOffsets({ groupId: 'solo', generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: 60_000n, partitions: [p('t', 0, 1n)] });
    await h.clock.tickAsync(59_999);
    expect(await h.coordinator.runOffsetExpiry()).to.equal(0);
    await h.clock.tickAsync(1);
    expect(await h.coordinator.runOffsetExpiry()).to.equal(1);
  });
});
