/**
 * The controller's side of a log directory failure (KafkaController.processLogDirEventNotification
 * and the LeaderAndIsr answers): on a fake ZooKeeper, with brokers whose "replica manager"
 * answers KAFKA_STORAGE_ERROR for the partitions a test marks offline.
 */
import { expect } from 'chai';
import { TopicAdmin } from '../../../broker/admin/index.js';
import { LOG_DIR_EVENT_NOTIFICATION_PATH, partitionStatePath, propagateLogDirEvent } from '../../../coordination/index.js';
import { FakeZooKeeper, type FakeCoordinationStore } from '../../helpers/fake-coordination-store.js';
import { waitFor } from '../../helpers/wait-for.js';
import { ControllerHarness, type HarnessBroker } from '../../cluster/controller/harness.js';

const state = (zk: FakeZooKeeper, t: string, p: number) =>
  JSON.parse(zk.text(partitionStatePath(t, p))!) as { leader: number; leader_epoch: number; isr: number[]; controller_epoch: number };

describe('controller > log directory failure', () => {
  let zk: FakeZooKeeper;
  let h: ControllerHarness;
  let controller: HarnessBroker;
  let admin: TopicAdmin;

  beforeEach(async () => {
    zk = new FakeZooKeeper();
    h = new ControllerHarness({ openStore: async () => { const s = zk.session(); return { store: s, close: () => s.close() }; } });
    for (const id of [1, 2, 3]) await h.startBroker(id);
    controller = await waitFor(() => (h.controllers().length === 1 ? h.controllers()[0] : undefined), 'a controller');
    admin = new TopicAdmin(zk.session(), { assignmentSeed: { startIndex: 0, replicaShift: 0 } });
  });

  afterEach(() => h.stopAll());

  it('a notification makes the controller ask the broker; replicas answering KAFKA_STORAGE_ERROR lose leadership and ISR membership, and no election picks them', async () => {
    const failing = [1, 2, 3].find((id) => id !== controller.id)!;
    const others = [1, 2, 3].filter((id) => id !== failing);
    // p0 led by the failing broker, p1 followed by it, p2 led by it but in a healthy directory.
    await admin.createTopic({ name: 'd', assignment: new Map([[0, [failing, ...others]], [1, [...others, failing]], [2, [failing, ...others]]]) });
    await waitFor(() => h.allCachesAgree('d', 3), 'led');
    const before = [0, 1, 2].map((p) => state(zk, 'd', p));
    expect(before[0]!.leader).to.equal(failing);

    const b = h.brokers.get(failing)!;
    b.offlineReplicas.add('d-0');
    b.offlineReplicas.add('d-1');
    await propagateLogDirEvent(zk.session(), failing);

    await waitFor(() => state(zk, 'd', 0).leader !== failing && !state(zk, 'd', 1).isr.includes(failing), 'offline replicas moved away');
    const after = [0, 1, 2].map((p) => state(zk, 'd', p));
    expect(others).to.include(after[0]!.leader);
    expect(after[0]!.isr).to.not.include(failing);
    expect(after[0]!.leader_epoch).to.equal(before[0]!.leader_epoch + 1);
    expect(after[1]!.leader_epoch).to.equal(before[1]!.leader_epoch + 1);
    // The replica in the healthy directory keeps leading.
    expect(after[2]).to.deep.include({ leader: failing, leader_epoch: before[2]!.leader_epoch });
    await waitFor(() => zk.paths(LOG_DIR_EVENT_NOTIFICATION_PATH).length === 1, 'notification deleted (only the parent is left)');
    const ctx = controller.controller.current!.ctx;
    expect([...(ctx.replicasOnOfflineDirs.get(failing) ?? [])].sort()).to.deep.equal(['d-0', 'd-1']);
    // Every cache is told the replica is offline.
    await waitFor(() => [...h.brokers.values()].every((x) => x.cache.getPartition('d', 0)?.offlineReplicas.includes(failing) === true), 'offlineReplicas in UpdateMetadata');

    // Preferred election: the preferred replica is in a failed directory, so nothing moves.
    const r = await controller.controller.electLeaders([{ topic: 'd', partition: 0 }], 'preferred');
    // KafkaController.electLeaders: a failed PREFERRED election is PREFERRED_LEADER_NOT_AVAILABLE.
    expect(r.get('d-0')).to.equal('PREFERRED_LEADER_NOT_AVAILABLE');
    // AlterIsr may not put it back either.
    const s0 = state(zk, 'd', 0);
    const leader = h.brokers.get(s0.leader)!;
    const version = zk.stat(partitionStatePath('d', 0))!.version;
    const [ai] = await controller.controller.alterIsr(leader.id, leader.epoch, [{ topic: 'd', partition: 0, leaderEpoch: s0.leader_epoch, newIsr: [...s0.isr, failing], currentIsrVersion: version }]);
    expect(ai!.errorCode).to.equal('INELIGIBLE_REPLICA');
    // A controlled shutdown of the new leader cannot hand p0 back to the offline replica either.
    const remaining = await controller.controller.controlledShutdown(leader.id, leader.epoch);
    const led = state(zk, 'd', 0).leader;
    expect(led === failing, `p0 led by the offline replica after a controlled shutdown (remaining ${JSON.stringify(remaining)})`).to.equal(false);
  });

  it('a restart (new broker epoch) forgets the failed directory: the broker serves those replicas again', async () => {
    const failing = [1, 2, 3].find((id) => id !== controller.id)!;
    await admin.createTopic({ name: 'r', assignment: new Map([[0, [failing, ...[1, 2, 3].filter((x) => x !== failing)]]]) });
    await waitFor(() => h.allCachesAgree('r', 1), 'led');
    const b = h.brokers.get(failing)!;
    b.offlineReplicas.add('r-0');
    await propagateLogDirEvent(zk.session(), failing);
    await waitFor(() => controller.controller.current!.ctx.replicasOnOfflineDirs.has(failing), 'marked offline');
    // The disk was replaced and the broker restarted (its session expires, it registers again).
    b.offlineReplicas.clear();
    await (b.handle.store as FakeCoordinationStore).expire();
    await waitFor(() => controller.controller.current?.ctx.brokerEpoch(failing) === b.epoch && !controller.controller.current.ctx.replicasOnOfflineDirs.has(failing), 'forgotten after the bounce');
  });

  it('a failover (new controller) learns offline replicas from the LeaderAndIsr answers, even without a notification', async () => {
    const failing = [1, 2, 3].find((id) => id !== controller.id)!;
    await admin.createTopic({ name: 'f', assignment: new Map([[0, [failing, ...[1, 2, 3].filter((x) => x !== failing)]]]) });
    await waitFor(() => h.allCachesAgree('f', 1), 'led');
    h.brokers.get(failing)!.offlineReplicas.add('f-0');
    await h.stopBroker(controller.id);
    const next = await waitFor(() => (h.controllers().length === 1 ? h.controllers()[0] : undefined), 'a new controller');
    await waitFor(() => next.controller.current?.ctx.replicasOnOfflineDirs.get(failing)?.has('f-0') === true, 'offline replica known to the new controller');
    await waitFor(() => state(zk, 'f', 0).leader !== failing && state(zk, 'f', 0).leader >= 0, 'leadership moved off the failed directory');
  });
});
