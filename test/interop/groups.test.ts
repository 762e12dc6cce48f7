/**
 * Consumer groups with real clients against three broker processes:
 * kcat -G (librdkafka), KafkaJS 2.2.4 and kafka-python members split a 6-partition topic,
 * rebalance cleanly when members join and leave, commit, and together consume every record
 * exactly once (unique values, counted across members). Several groups placed on the same
 * coordinator partition rebalance at the same time without interfering.
 */
import { expect } from 'chai';
import { partitionFor } from '../../broker/group/index.js';
import { randomName } from '../helpers/random.js';
import {
  committedOffsets,
  createTopic,
  expectExactlyOnce,
  expectPartitionOrder,
  OFFSETS_PARTITIONS,
  produceIds,
  startGroupFixture,
  waitCommittedToEnd,
  waitConsumed,
  type GroupFixture,
} from './groups/fixtures.js';
import { kafkajsMember, kcatMember, pythonMember, stopAll, waitForBalanced, type GroupMember } from './groups/members.js';

const PARTITIONS = 6;

describe('interop > groups with kcat, KafkaJS and kafka-python on 3 broker processes', function () {
  this.timeout(90_000);
  let f: GroupFixture;
  const members: GroupMember[] = [];

  before(async () => {
    f = await startGroupFixture();
  });

  afterEach(async () => {
    await stopAll(members.splice(0));
  });

  after(async () => {
    await f?.stop();
  });

  function track<T extends GroupMember>(m: T): T {
    members.push(m);
    return m;
  }

  it('kcat -G: two members split 6 partitions, a third joining and one leaving rebalance cleanly, every record once, commits resume a new member', async () => {
    const topic = randomName('grp-kcat');
    const groupId = randomName('kcat-group');
    await createTopic(f, topic, PARTITIONS);
    const opts = { bootstrap: f.cluster.bootstrap, groupId, topic };
    const a = track(kcatMember({ ...opts, name: 'kcat-a' }));
    const b = track(kcatMember({ ...opts, name: 'kcat-b' }));
    const two = await waitForBalanced([a, b], PARTITIONS);
    expect(two.map((s) => s.length)).to.deep.equal([3, 3]);

    const expected = await produceIds(f, topic, 'first', 600, PARTITIONS);
    await waitConsumed([a, b], expected);
    expect(a.records.length, 'kcat-a consumed').to.be.greaterThan(0);
    expect(b.records.length, 'kcat-b consumed').to.be.greaterThan(0);
    await waitCommittedToEnd(f, groupId, topic);

    const c = track(kcatMember({ ...opts, name: 'kcat-c' }));
    const three = await waitForBalanced([a, b, c], PARTITIONS);
    expect(three.map((s) => s.length)).to.deep.equal([2, 2, 2]);
    expected.push(...(await produceIds(f, topic, 'second', 600, PARTITIONS)));
    await waitConsumed([a, b, c], expected);
    expect(c.records.length, 'kcat-c consumed after joining').to.be.greaterThan(0);
    await waitCommittedToEnd(f, groupId, topic);

    await b.stop();
    const left = await waitForBalanced([a, c], PARTITIONS);
    expect(left.map((s) => s.length)).to.deep.equal([3, 3]);
    expected.push(...(await produceIds(f, topic, 'third', 600, PARTITIONS)));
    await waitConsumed([a, b, c], expected);
    await waitCommittedToEnd(f, groupId, topic);
    await a.stop();
    await c.stop();

    // A member of the same group starts from the committed offsets: only new records.
    const d = track(kcatMember({ ...opts, name: 'kcat-d' }));
    await waitForBalanced([d], PARTITIONS);
    expected.push(...(await produceIds(f, topic, 'fourth', 120, PARTITIONS)));
    await waitConsumed([a, b, c, d], expected);
    await waitCommittedToEnd(f, groupId, topic);
    expectExactlyOnce([a, b, c, d], expected);
    expectPartitionOrder([a, b, c, d]);
  });

  it('KafkaJS 2.2.4: consumer.run with eachMessage in a group of two, then three, commits; every record once', async () => {
    const topic = randomName('grp-kafkajs');
    const groupId = randomName('kafkajs-group');
    await createTopic(f, topic, PARTITIONS);
    const opts = { bootstrap: f.cluster.bootstrap, groupId, topic };
    const [a, b] = await Promise.all([kafkajsMember({ ...opts, name: 'kjs-a' }), kafkajsMember({ ...opts, name: 'kjs-b' })]).then((ms) => ms.map(track));
    await waitForBalanced([a!, b!], PARTITIONS);
    const expected = await produceIds(f, topic, 'first', 600, PARTITIONS);
    await waitConsumed([a!, b!], expected);
    await waitCommittedToEnd(f, groupId, topic);

    const c = track(await kafkajsMember({ ...opts, name: 'kjs-c' }));
    await waitForBalanced([a!, b!, c], PARTITIONS);
    expected.push(...(await produceIds(f, topic, 'second', 600, PARTITIONS)));
    await waitConsumed([a!, b!, c], expected);
    await waitCommittedToEnd(f, groupId, topic);
    await a!.stop();
    await waitForBalanced([b!, c], PARTITIONS);
    expected.push(...(await produceIds(f, topic, 'third', 300, PARTITIONS)));
    await waitConsumed([a!, b!, c], expected);
    await waitCommittedToEnd(f, groupId, topic);
    expectExactlyOnce([a!, b!, c], expected);
    expectPartitionOrder([a!, b!, c]);
  });

  it('KafkaJS 2.2.4: manual commitOffsets after each message; a restarted member resumes right after the last commit', async () => {
    const topic = randomName('grp-kafkajs-manual');
    const groupId = randomName('kafkajs-manual');
    await createTopic(f, topic, PARTITIONS);
    const opts = { bootstrap: f.cluster.bootstrap, groupId, topic, manualCommit: true };
    const a = track(await kafkajsMember({ ...opts, name: 'kjs-manual-a' }));
    await waitForBalanced([a], PARTITIONS);
    const expected = await produceIds(f, topic, 'first', 300, PARTITIONS);
    await waitConsumed([a], expected);
    await waitCommittedToEnd(f, groupId, topic);
    await a.stop();
    expected.push(...(await produceIds(f, topic, 'second', 300, PARTITIONS)));
    const b = track(await kafkajsMember({ ...opts, name: 'kjs-manual-b' }));
    await waitConsumed([a, b], expected);
    await waitCommittedToEnd(f, groupId, topic);
    expect(b.records.every((r) => r.value.startsWith('second-')), 'the restarted member reads only records after the commits').to.equal(true);
    expectExactlyOnce([a, b], expected);
  });

  it('kcat and kafka-python members share one group; a kcat member killed with SIGKILL is expired and its partitions move without a skipped record', async () => {
    const topic = randomName('grp-mixed');
    const groupId = randomName('mixed-group');
    await createTopic(f, topic, PARTITIONS);
    const opts = { bootstrap: f.cluster.bootstrap, groupId, topic };
    const k = track(kcatMember({ ...opts, name: 'mixed-kcat' }));
    const p = track(pythonMember({ ...opts, name: 'mixed-python' }));
    await waitForBalanced([k, p], PARTITIONS, 45_000);
    const expected = await produceIds(f, topic, 'first', 600, PARTITIONS);
    await waitConsumed([k, p], expected);
    await waitCommittedToEnd(f, groupId, topic);
    expectExactlyOnce([k, p], expected);

    // No LeaveGroup: the coordinator must expire the member after session.timeout.ms (6 s).
    await k.kill();
    expected.push(...(await produceIds(f, topic, 'second', 300, PARTITIONS)));
    await waitForBalanced([p], PARTITIONS, 30_000);
    await waitConsumed([k, p], expected, 30_000);
    await waitCommittedToEnd(f, groupId, topic);
    // Everything committed before the crash stays consumed once; nothing is skipped.
    expectExactlyOnce([k, p], expected);
  });

  it('kafka-python: KafkaConsumer(group_id=…) members split the partitions, rebalance on join and leave, commit; every record once', async () => {
    const topic = randomName('grp-python');
    const groupId = randomName('python-group');
    await createTopic(f, topic, PARTITIONS);
    const opts = { bootstrap: f.cluster.bootstrap, groupId, topic };
    const a = track(pythonMember({ ...opts, name: 'py-a' }));
    const b = track(pythonMember({ ...opts, name: 'py-b' }));
    await waitForBalanced([a, b], PARTITIONS, 45_000);
    const expected = await produceIds(f, topic, 'first', 600, PARTITIONS);
    await waitConsumed([a, b], expected);
    await waitCommittedToEnd(f, groupId, topic);

    const c = track(pythonMember({ ...opts, name: 'py-c' }));
    await waitForBalanced([a, b, c], PARTITIONS, 45_000);
    expected.push(...(await produceIds(f, topic, 'second', 300, PARTITIONS)));
    await waitConsumed([a, b, c], expected);
    await waitCommittedToEnd(f, groupId, topic);
    await c.stop();
    await waitForBalanced([a, b], PARTITIONS, 45_000);
    expected.push(...(await produceIds(f, topic, 'third', 300, PARTITIONS)));
    await waitConsumed([a, b, c], expected);
    await waitCommittedToEnd(f, groupId, topic);
    expectExactlyOnce([a, b, c], expected);
    expectPartitionOrder([a, b, c]);
  });

  it('several groups on the same coordinator rebalance at the same time without interfering', async () => {
    const topic = randomName('grp-many');
    await createTopic(f, topic, PARTITIONS);
    const expected = await produceIds(f, topic, 'shared', 600, PARTITIONS);
    // Group ids that land on one __consumer_offsets partition, so one broker coordinates them all.
    const target = partitionFor('many-groups-0', OFFSETS_PARTITIONS);
    const groupIds: string[] = [];
    for (let i = 0; groupIds.length < 4 && i < 10_000; i++) {
      const id = randomName('many-groups');
      if (partitionFor(id, OFFSETS_PARTITIONS) === target) groupIds.push(id);
    }
    expect(groupIds).to.have.length(4);
    const groups = groupIds.map((groupId, g) => {
      const opts = { bootstrap: f.cluster.bootstrap, groupId, topic };
      // Two kcat members per group, three in every other group.
      const ms = [kcatMember({ ...opts, name: `g${g}-a` }), kcatMember({ ...opts, name: `g${g}-b` })];
      if (g % 2 === 0) ms.push(kcatMember({ ...opts, name: `g${g}-c` }));
      ms.forEach(track);
      return { groupId, members: ms };
    });
    await Promise.all(groups.map((g) => waitForBalanced(g.members, PARTITIONS)));
    await Promise.all(groups.map((g) => waitConsumed(g.members, expected)));
    // A member of every group leaves at the same moment: all of them rebalance together.
    await Promise.all(groups.map((g) => g.members[0]!.stop()));
    await Promise.all(groups.map((g) => waitForBalanced(g.members.slice(1), PARTITIONS)));
    const more = await produceIds(f, topic, 'more', 300, PARTITIONS);
    expected.push(...more);
    await Promise.all(groups.map((g) => waitConsumed(g.members, expected)));
    for (const g of groups) {
      expectExactlyOnce(g.members, expected);
      await waitCommittedToEnd(f, g.groupId, topic);
    }
    // Each group's offsets are its own.
    const committed = await Promise.all(groups.map((g) => committedOffsets(f, g.groupId, topic)));
    for (const c of committed) expect([...c.values()].reduce((s, o) => s + o, 0)).to.equal(expected.length);
  });
});
