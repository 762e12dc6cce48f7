/**
 * The rest of the group surface as real clients use it: KafkaJS admin listGroups /
 * describeGroups / deleteGroups on a live and then an empty group, librdkafka static membership
 * (group.instance.id: a restarted member takes its partitions back without a rebalance) and
 * librdkafka's cooperative-sticky incremental rebalancing.
 */
import { expect } from 'chai';
import { randomName } from '../helpers/random.js';
import { waitFor } from '../helpers/wait-for.js';
import { committedOffsets, createTopic, expectExactlyOnce, produceIds, startGroupFixture, waitCommittedToEnd, waitConsumed, type GroupFixture } from './groups/fixtures.js';
import { kcatMember, stopAll, waitForBalanced, type GroupMember } from './groups/members.js';

const PARTITIONS = 6;

describe('interop > groups admin, static membership and cooperative rebalancing with KafkaJS and kcat', function () {
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

  it('KafkaJS admin lists and describes a live group, refuses to delete it, deletes it once empty', async () => {
    const topic = randomName('grp-admin');
    const groupId = randomName('admin-group');
    await createTopic(f, topic, PARTITIONS);
    const opts = { bootstrap: f.cluster.bootstrap, groupId, topic };
    const a = track(kcatMember({ ...opts, name: 'admin-a' }));
    const b = track(kcatMember({ ...opts, name: 'admin-b' }));
    await waitForBalanced([a, b], PARTITIONS);
    const expected = await produceIds(f, topic, 'x', 120, PARTITIONS);
    await waitConsumed([a, b], expected);
    await waitCommittedToEnd(f, groupId, topic);

    const listed = await f.admin.listGroups();
    expect(listed.groups.find((g) => g.groupId === groupId)?.protocolType).to.equal('consumer');
    const described = await f.admin.describeGroups([groupId]);
    const g = described.groups[0]!;
    expect(g.state).to.equal('Stable');
    expect(g.protocolType).to.equal('consumer');
    expect(['range', 'roundrobin']).to.include(g.protocol);
    expect(g.members.map((m) => m.clientId).sort()).to.deep.equal(['admin-a', 'admin-b']);
    for (const m of g.members) expect(m.memberAssignment.length, `assignment bytes of ${m.clientId}`).to.be.greaterThan(0);

    const refused = await f.admin.deleteGroups([groupId]).then(
      () => null,
      (err: Error & { groups?: { errorCode: number }[] }) => err,
    );
    expect(refused, 'deleting a live group fails').to.not.equal(null);

    await a.stop();
    await b.stop();
    await waitFor(async () => (await f.admin.describeGroups([groupId])).groups[0]!.state === 'Empty', `${groupId} to be Empty`, { timeoutMs: 15_000, intervalMs: 100 });
    const deleted = await f.admin.deleteGroups([groupId]);
    expect(deleted[0]!.errorCode).to.equal(0);
    const after = await committedOffsets(f, groupId, topic);
    expect([...after.values()].every((o) => o === -1), `offsets gone after delete: ${JSON.stringify([...after])}`).to.equal(true);
    expect((await f.admin.listGroups()).groups.some((x) => x.groupId === groupId)).to.equal(false);
  });

  it('librdkafka static membership: a restarted member with the same group.instance.id gets its partitions back without a rebalance', async () => {
    const topic = randomName('grp-static');
    const groupId = randomName('static-group');
    await createTopic(f, topic, PARTITIONS);
    const opts = { bootstrap: f.cluster.bootstrap, groupId, topic };
    const a = track(kcatMember({ ...opts, name: 'static-a', properties: { 'group.instance.id': 'instance-a', 'session.timeout.ms': 30_000 } }));
    const b = track(kcatMember({ ...opts, name: 'static-b', properties: { 'group.instance.id': 'instance-b', 'session.timeout.ms': 30_000 } }));
    const before = await waitForBalanced([a, b], PARTITIONS);
    const expected = await produceIds(f, topic, 'first', 300, PARTITIONS);
    await waitConsumed([a, b], expected);
    await waitCommittedToEnd(f, groupId, topic);
    const generation = (await f.admin.describeGroups([groupId])).groups[0]!;
    expect(generation.members).to.have.length(2);

    // A static member does not send LeaveGroup on close: the group keeps its slot.
    await b.stop();
    const b2 = track(kcatMember({ ...opts, name: 'static-b2', properties: { 'group.instance.id': 'instance-b', 'session.timeout.ms': 30_000 } }));
    const again = await waitForBalanced([a, b2], PARTITIONS);
    expect(again[1], 'the returning static member gets the same partitions').to.deep.equal(before[1]);
    expect(a.assignments(), 'the other member was not rebalanced').to.equal(1);
    expected.push(...(await produceIds(f, topic, 'second', 300, PARTITIONS)));
    await waitConsumed([a, b, b2], expected);
    await waitCommittedToEnd(f, groupId, topic);
    expectExactlyOnce([a, b, b2], expected);
  });

  it('librdkafka cooperative-sticky: members joining and leaving move only the partitions they must, every record once', async () => {
    const topic = randomName('grp-coop');
    const groupId = randomName('coop-group');
    await createTopic(f, topic, PARTITIONS);
    const opts = { bootstrap: f.cluster.bootstrap, groupId, topic, properties: { 'partition.assignment.strategy': 'cooperative-sticky' } };
    const a = track(kcatMember({ ...opts, name: 'coop-a' }));
    await waitForBalanced([a], PARTITIONS);
    const expected = await produceIds(f, topic, 'first', 300, PARTITIONS);
    await waitConsumed([a], expected);
    await waitCommittedToEnd(f, groupId, topic);
    const b = track(kcatMember({ ...opts, name: 'coop-b' }));
    const [a2, b2] = await waitForBalanced([a, b], PARTITIONS);
    const c = track(kcatMember({ ...opts, name: 'coop-c' }));
    const [a3, b3, c3] = await waitForBalanced([a, b, c], PARTITIONS);
    // Sticky: the newcomer's partitions come out of the others' sets; nobody swaps.
    expect(a2!.filter((p) => !a3!.includes(p)).length + b2!.filter((p) => !b3!.includes(p)).length, 'partitions moved').to.equal(c3!.length);
    expect(a3!.every((p) => a2!.includes(p)) && b3!.every((p) => b2!.includes(p)), 'kept partitions are a subset').to.equal(true);
    expected.push(...(await produceIds(f, topic, 'second', 300, PARTITIONS)));
    await waitConsumed([a, b, c], expected);
    await waitCommittedToEnd(f, groupId, topic);
    await b.stop();
    const [a4, c4] = await waitForBalanced([a, c], PARTITIONS);
    expect(a3!.every((p) => a4!.includes(p)) && c3!.every((p) => c4!.includes(p)), 'the remaining members keep what they had').to.equal(true);
    expected.push(...(await produceIds(f, topic, 'third', 300, PARTITIONS)));
    await waitConsumed([a, b, c], expected);
    await waitCommittedToEnd(f, groupId, topic);
    expectExactlyOnce([a, b, c], expected);
  });
});
