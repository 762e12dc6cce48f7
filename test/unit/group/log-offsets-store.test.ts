import { expect } from 'chai';
import { ErrorCode, iterateBatches, iterateRecords } from '../../../protocol/index.js';
import {
  GroupCoordinator,
  GroupCoordinatorComponent,
  LogOffsetsStore,
  OFFSETS_TOPIC_NAME,
  decodeOffsetsKey,
} from '../../../broker/group/index.js';
import { formGroup, syncAll, TEST_CONFIG, type Harness } from './harness.js';
import { TestScheduler } from '../../helpers/test-scheduler.js';
import { MemoryOffsetsLog } from './memory-offsets-log.js';

const T = OFFSETS_TOPIC_NAME;

function coordinatorOn(log: MemoryOffsetsLog, clock: TestScheduler, loadBufferSize?: number): { coordinator: GroupCoordinator; store: LogOffsetsStore } {
  const store = new LogOffsetsStore({ log, now: () => clock.now(), ...(loadBufferSize === undefined ? {} : { loadBufferSize }) });
  let n = 0;
  const coordinator = new GroupCoordinator({ store, config: TEST_CONFIG, scheduler: clock, newMemberId: (p) => `${p}-${++n}` });
  return { coordinator, store };
}

async function leadAll(c: GroupCoordinator): Promise<void> {
  for (let p = 0; p < c.config.offsetsTopicNumPartitions; p++) await c.onBecomeLeader(p);
}

const commitReq = (groupId: string, offsets: Array<[number, bigint]>, metadata: string | null = 'meta') => ({
  groupId,
  generationId: -1,
  memberId: '',
  groupInstanceId: null,
  partitions: offsets.map(([partition, offset]) => ({ topic: 'orders', partition, offset, leaderEpoch: 4, metadata })),
});

describe('group > LogOffsetsStore (records in the replicated log)', () => {
  let clock: TestScheduler;
  beforeEach(() => (clock = new TestScheduler()));
  afterEach(() => clock.restore());

  it('one commit is one record batch with the offsets records as key/value; a fresh coordinator replays them', async () => {
    const log = new MemoryOffsetsLog();
    const first = coordinatorOn(log, clock);
    await leadAll(first.coordinator);
    const res = await first.coordinator.commitOffsets(commitReq('standalone', [[0, 10n], [1, 20n], [2, 30n]]));
    expect(res.partitions.map((p) => p.errorCode)).to.deep.equal([ErrorCode.NONE, ErrorCode.NONE, ErrorCode.NONE]);
    await first.coordinator.commitOffsets(commitReq('standalone', [[1, 21n]], null));

    const p = first.coordinator.partitionFor('standalone');
    expect(log.batchCount(T, p)).to.equal(2);
    const data = log.partitions.get(`${T}-${p}`)!.data;
    const batches = [...iterateBatches(data)];
    expect(batches.map((b) => [b.header.baseOffset, b.header.recordCount, b.header.magic])).to.deep.equal([
      [0n, 3, 2],
      [3n, 1, 2],
    ]);
    const keys = [...iterateRecords(data.subarray(batches[0]!.start, batches[0]!.end))].map((r) => decodeOffsetsKey(r.key!));
    expect(keys.map((k) => (k.type === 'offset' ? `${k.groupId}/${k.topic}-${k.partition}` : k.type))).to.deep.equal([
      'standalone/orders-0',
      'standalone/orders-1',
      'standalone/orders-2',
    ]);
    expect(batches[0]!.header.baseTimestamp).to.equal(BigInt(clock.now()));
    await first.coordinator.shutdown();

    const second = coordinatorOn(log, clock);
    await leadAll(second.coordinator);
    const fetched = await second.coordinator.fetchOffsets({ groupId: 'standalone', partitions: null });
    expect(fetched.errorCode).to.equal(ErrorCode.NONE);
    expect(fetched.partitions.map((o) => [o.partition, o.offset, o.leaderEpoch, o.metadata]).sort()).to.deep.equal([
      [0, 10n, 4, 'meta'],
      [1, 21n, 4, ''],
      [2, 30n, 4, 'meta'],
    ]);
    await second.coordinator.shutdown();
  });

  it('a Stable group and its offsets survive a coordinator failover; a deleted group stays deleted', async () => {
    const log = new MemoryOffsetsLog();
    const first = coordinatorOn(log, clock);
    await leadAll(first.coordinator);
    const h = { clock, coordinator: first.coordinator } as unknown as Harness;
    const joined = await formGroup(h, 'live', ['a', 'b']);
    await syncAll(h, 'live', joined);
    const commit = await first.coordinator.commitOffsets({ ...commitReq('live', [[0, 5n]]), generationId: joined[0]!.generationId, memberId: joined[0]!.memberId });
    expect(commit.partitions[0]!.errorCode).to.equal(ErrorCode.NONE);
    await first.coordinator.commitOffsets(commitReq('doomed', [[0, 1n]]));
    expect(await first.coordinator.deleteGroups(['doomed'])).to.deep.equal([{ groupId: 'doomed', errorCode: ErrorCode.NONE }]);
    await first.coordinator.shutdown();

    const second = coordinatorOn(log, clock);
    await leadAll(second.coordinator);
    const [described] = await second.coordinator.describeGroups(['live']);
    expect(described!.state).to.equal('Stable');
    expect(described!.members.map((m) => m.memberId).sort()).to.deep.equal(joined.map((j) => j.memberId).sort());
    expect(described!.members.map((m) => m.assignment.toString()).sort()).to.deep.equal(joined.map((j) => `assign-${j.memberId}`).sort());
    const offsets = await second.coordinator.fetchOffsets({ groupId: 'live', partitions: [{ topic: 'orders', partition: 0 }] });
    expect(offsets.partitions[0]!.offset).to.equal(5n);
    const hb = await second.coordinator.heartbeat({ groupId: 'live', generationId: joined[0]!.generationId, memberId: joined[0]!.memberId, groupInstanceId: null });
    expect(hb.errorCode).to.equal(ErrorCode.NONE);
    expect((await second.coordinator.fetchOffsets({ groupId: 'doomed', partitions: null })).partitions).to.deep.equal([]);
    expect(second.coordinator.groupState('doomed')).to.equal(undefined);
    await second.coordinator.shutdown();
  });

  it('loads in chunks of offsets.load.buffer.size, grows the read for a batch larger than it, and starts at the log start offset', async () => {
    const log = new MemoryOffsetsLog();
    const first = coordinatorOn(log, clock);
    await leadAll(first.coordinator);
    const p = first.coordinator.partitionFor('g');
    for (let i = 0; i < 20; i++) await first.coordinator.commitOffsets(commitReq('g', [[i % 4, BigInt(i)]]));
    // One big batch: many partitions with long metadata.
    const big = Array.from({ length: 40 }, (_, i) => [100 + i, 1000n + BigInt(i)] as [number, bigint]);
    await first.coordinator.commitOffsets(commitReq('g', big, 'x'.repeat(100)));
    await first.coordinator.shutdown();

    log.minOneBatch = false;
    const second = coordinatorOn(log, clock, 1024);
    await leadAll(second.coordinator);
    const reads = log.reads.filter((r) => r.partition === p);
    expect(reads.length).to.be.greaterThan(3);
    expect(Math.max(...reads.map((r) => r.maxBytes))).to.be.greaterThan(1024);
    const all = await second.coordinator.fetchOffsets({ groupId: 'g', partitions: null });
    const byPartition = new Map(all.partitions.map((o) => [o.partition, o.offset]));
    expect([0, 1, 2, 3].map((q) => byPartition.get(q))).to.deep.equal([16n, 17n, 18n, 19n]);
    expect(byPartition.get(139)).to.equal(1039n);
    await second.coordinator.shutdown();

    // Retention removed the first 18 commits: only what is after the log start is replayed.
    log.setLogStartOffset(T, p, 18n);
    const third = coordinatorOn(log, clock);
    await leadAll(third.coordinator);
    const after = await third.coordinator.fetchOffsets({ groupId: 'g', partitions: [0, 1, 2, 3].map((partition) => ({ topic: 'orders', partition })) });
    expect(after.partitions.map((o) => o.offset)).to.deep.equal([-1n, -1n, 18n, 19n]);
    await third.coordinator.shutdown();
  });

  it('maps log append errors as Kafka does and changes nothing in memory', async () => {
    const log = new MemoryOffsetsLog();
    const { coordinator } = coordinatorOn(log, clock);
    await leadAll(coordinator);
    const cases: Array<[number, number]> = [
      [ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.NOT_COORDINATOR],
      [ErrorCode.NOT_ENOUGH_REPLICAS, ErrorCode.COORDINATOR_NOT_AVAILABLE],
      [ErrorCode.REQUEST_TIMED_OUT, ErrorCode.COORDINATOR_NOT_AVAILABLE],
      [ErrorCode.MESSAGE_TOO_LARGE, ErrorCode.INVALID_COMMIT_OFFSET_SIZE],
    ];
    for (const [logError, expected] of cases) {
      log.nextAppendError = logError;
      const res = await coordinator.commitOffsets(commitReq('s', [[0, 99n]]));
      expect(res.partitions[0]!.errorCode, `log error ${logError}`).to.equal(expected);
    }
    const fetched = await coordinator.fetchOffsets({ groupId: 's', partitions: [{ topic: 'orders', partition: 0 }] });
    expect(fetched.partitions[0]!.offset).to.equal(-1n);
    await coordinator.shutdown();
  });
});

describe('group > GroupCoordinatorComponent', () => {
  let clock: TestScheduler;
  beforeEach(() => (clock = new TestScheduler()));
  afterEach(() => clock.restore());

  it('follows leadership changes of __consumer_offsets only, in order, and loads what the log holds', async () => {
    const log = new MemoryOffsetsLog();
    const component = new GroupCoordinatorComponent({ log, config: TEST_CONFIG, scheduler: clock });
    const c = component.coordinator;
    const p = c.partitionFor('grp');
    component.onLeadershipChange('some-topic', p, true);
    await component.settled();
    expect(c.ownedPartitions().size).to.equal(0);

    component.onLeadershipChange(T, p, true);
    await component.settled();
    expect(c.ownedPartitions().get(p)).to.equal('loaded');
    expect((await c.commitOffsets(commitReq('grp', [[0, 3n]]))).partitions[0]!.errorCode).to.equal(ErrorCode.NONE);

    // Lose and regain leadership in quick succession: the last word wins and the offsets reload.
    component.onLeadershipChange(T, p, false);
    component.onLeadershipChange(T, p, true);
    component.onLeadershipChange(T, p, false);
    await component.settled();
    expect((await c.fetchOffsets({ groupId: 'grp', partitions: null })).errorCode).to.equal(ErrorCode.NOT_COORDINATOR);
    component.onLeadershipChange(T, p, true);
    await component.settled();
    const fetched = await c.fetchOffsets({ groupId: 'grp', partitions: null });
    expect(fetched.partitions.map((o) => o.offset)).to.deep.equal([3n]);

    await component.shutdown();
    component.onLeadershipChange(T, p, true);
    expect((await c.fetchOffsets({ groupId: 'grp', partitions: null })).errorCode).to.equal(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  });
});
