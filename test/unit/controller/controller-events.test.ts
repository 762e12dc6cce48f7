import { expect } from 'chai';
import { TopicAdmin } from '../../../broker/admin/index.js';
import type { ControllerError } from '../../../broker/controller/index.js';
import {
  encodeIsrChangeNotification,
  encodePartitionState,
  encodePreferredReplicaElection,
  partitionStatePath,
} from '../../../coordination/index.js';
import { FakeZooKeeper, type FakeCoordinationStore } from '../../helpers/fake-coordination-store.js';
import { waitFor } from '../../helpers/wait-for.js';
import { ControllerHarness, type HarnessBroker } from '../../cluster/controller/harness.js';

const state = (zk: FakeZooKeeper, t: string, p: number) =>
  JSON.parse(zk.text(partitionStatePath(t, p))!) as { leader: number; leader_epoch: number; isr: number[]; controller_epoch: number };

describe('controller > events on a fake ZooKeeper', () => {
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

  it('adding partitions to a topic brings the new ones online', async () => {
    await admin.createTopic({ name: 'grow', numPartitions: 2, replicationFactor: 2 });
    await waitFor(() => h.allCachesAgree('grow', 2), 'initial partitions');
    await admin.createPartitions('grow', 5);
    await waitFor(() => h.allCachesAgree('grow', 5), 'all five partitions led everywhere');
    expect(state(zk, 'grow', 4).leader_epoch).to.equal(0);
  });

  it('a preferred-replica election request moves leadership back and the request node is removed', async () => {
    await admin.createTopic({ name: 'pref', assignment: new Map([[0, [2, 3]]]) });
    await waitFor(() => h.allCachesAgree('pref', 1), 'led');
    // Make broker 3 the leader behind the preferred replica's back (as after a failover).
    const s = zk.stat(partitionStatePath('pref', 0))!;
    await zk.session().setData(partitionStatePath('pref', 0), encodePartitionState({ leader: 3, leaderEpoch: 1, isr: [2, 3], controllerEpoch: 1 }), s.version);
    await zk.session().create('/isr_change_notification/isr_change_', encodeIsrChangeNotification([{ topic: 'pref', partition: 0 }]), 'persistent_sequential');
    await waitFor(() => [...h.brokers.values()].every((b) => b.cache.leaderFor('pref', 0) === 3), 'ISR change notification refreshed every cache');
    await waitFor(() => zk.paths('/isr_change_notification').length === 1, 'notification deleted');
    await zk.session().create('/admin/preferred_replica_election', encodePreferredReplicaElection([{ topic: 'pref', partition: 0 }]));
    await waitFor(() => state(zk, 'pref', 0).leader === 2 && zk.stat('/admin/preferred_replica_election') === undefined, 'preferred leader elected');
    expect(state(zk, 'pref', 0).leader_epoch).to.equal(2);
    await waitFor(() => [...h.brokers.values()].every((b) => b.cache.leaderFor('pref', 0) === 2), 'caches updated');
  });

  it('ElectLeaders API: preferred answers ELECTION_NOT_NEEDED when already preferred', async () => {
    await admin.createTopic({ name: 'e', assignment: new Map([[0, [1, 2]]]) });
    await waitFor(() => h.allCachesAgree('e', 1), 'led');
    const r = await controller.controller.electLeaders([{ topic: 'e', partition: 0 }, { topic: 'nope', partition: 0 }], 'preferred');
    expect(Object.fromEntries(r)).to.deep.equal({ 'e-0': 'ELECTION_NOT_NEEDED', 'nope-0': 'UNKNOWN_TOPIC_OR_PARTITION' });
    const other = [...h.brokers.values()].find((b) => b !== controller)!;
    const err = await other.controller.electLeaders([], 'preferred').catch((e: ControllerError) => e.kafkaError);
    expect(err).to.equal('NOT_CONTROLLER');
  });

  it('controlled shutdown moves leadership away and shrinks the ISR; a stale broker epoch is refused', async () => {
    await admin.createTopic({ name: 'cs', numPartitions: 3, replicationFactor: 3 });
    await waitFor(() => h.allCachesAgree('cs', 3), 'led');
    const target = [...h.brokers.values()].find((b) => b !== controller)!;
    const stale = await controller.controller.controlledShutdown(target.id, target.epoch - 1n).catch((e: ControllerError) => e.kafkaError);
    expect(stale).to.equal('STALE_BROKER_EPOCH');
    const remaining = await controller.controller.controlledShutdown(target.id, target.epoch);
    expect(remaining).to.deep.equal([]);
    for (let p = 0; p < 3; p++) {
      expect(state(zk, 'cs', p).leader).to.not.equal(target.id);
      expect(state(zk, 'cs', p).isr).to.not.include(target.id);
    }
    await waitFor(() => target.stopReplica.some((s) => s.topic === 'cs' && !s.deletePartition), 'StopReplica(delete=false) to the stopping broker');
  });

  it('AlterIsr: a broker in controlled shutdown may not rejoin the ISR it just left (KIP-841)', async () => {
    // It still fetches the partitions it stopped leading; back in their ISR it would hold their
    // HW (and every acks=all write) from the moment it stops fetching until its death is noticed.
    await admin.createTopic({ name: 'csr', assignment: new Map([[0, [1, 2, 3]]]) });
    await waitFor(() => h.allCachesAgree('csr', 1), 'led');
    const target = [...h.brokers.values()].find((b) => b !== controller)!;
    expect(await controller.controller.controlledShutdown(target.id, target.epoch)).to.deep.equal([]);
    const s0 = state(zk, 'csr', 0);
    expect(s0.isr).to.not.include(target.id);
    const leader = h.brokers.get(s0.leader)!;
    const version = zk.stat(partitionStatePath('csr', 0))!.version;
    const [r] = await controller.controller.alterIsr(leader.id, leader.epoch, [{ topic: 'csr', partition: 0, leaderEpoch: s0.leader_epoch, newIsr: [...s0.isr, target.id], currentIsrVersion: version }]);
    expect(r).to.deep.include({ errorCode: 'INELIGIBLE_REPLICA', isr: s0.isr, currentIsrVersion: version });
    expect(state(zk, 'csr', 0).isr).to.deep.equal(s0.isr);
  });

  it('controlled shutdown of the last ISR member: the partition stays with it, goes offline when it dies, returns with it (as Kafka)', async () => {
    // Replicas off the controller, so that killing the leader keeps the controller's view.
    await admin.createTopic({ name: 'last', assignment: new Map([[0, [1, 2, 3].filter((id) => id !== controller.id)]]) });
    await waitFor(() => h.allCachesAgree('last', 1), 'led');
    const s0 = state(zk, 'last', 0);
    const leader = h.brokers.get(s0.leader)!;
    // The ISR shrank to the leader alone (its follower lagged).
    const [shrunk] = await controller.controller.alterIsr(leader.id, leader.epoch, [{ topic: 'last', partition: 0, leaderEpoch: s0.leader_epoch, newIsr: [leader.id], currentIsrVersion: zk.stat(partitionStatePath('last', 0))!.version }]);
    expect(shrunk!.errorCode).to.equal('NONE');
    // No other ISR member to take over: nothing moves, the partition is reported as remaining.
    expect(await controller.controller.controlledShutdown(leader.id, leader.epoch)).to.deep.equal([{ topic: 'last', partition: 0 }]);
    expect(state(zk, 'last', 0)).to.deep.include({ leader: leader.id, isr: [leader.id] });
    await h.killBroker(leader.id);
    await waitFor(() => state(zk, 'last', 0).leader === -1, 'offline: no clean leader, unclean election disabled');
    expect(state(zk, 'last', 0).isr).to.deep.equal([leader.id]);
    await h.startBroker(leader.id);
    await waitFor(() => state(zk, 'last', 0).leader === leader.id, 'back online with its only in-sync replica');
  });

  it('a bounced broker (new epoch, same id) is treated as failed then started', async () => {
    await admin.createTopic({ name: 'b', numPartitions: 3, replicationFactor: 3 });
    await waitFor(() => h.allCachesAgree('b', 3), 'led');
    const target = [...h.brokers.values()].find((b) => b !== controller)!;
    const before = target.epoch;
    await (target.handle.store as FakeCoordinationStore).expire();
    await waitFor(() => controller.controller.current?.ctx.brokerEpoch(target.id) === target.epoch && target.epoch !== before, 'controller saw the new epoch');
    for (let p = 0; p < 3; p++) expect(state(zk, 'b', p).leader).to.not.equal(target.id);
    await waitFor(() => target.cache.updateCount > 0 && target.cache.leaderFor('b', 0) >= 0, 'bounced broker has metadata');
  });

  it('AlterIsr: the leader puts a returning replica back in the ISR; fenced by epochs and versions', async () => {
    await admin.createTopic({ name: 'ai', assignment: new Map([[0, [1, 2, 3]]]) });
    await waitFor(() => h.allCachesAgree('ai', 1), 'led');
    const c = controller.controller;
    const leaderId = state(zk, 'ai', 0).leader;
    const dropped = [1, 2, 3].find((id) => id !== leaderId && id !== controller.id) ?? [1, 2, 3].find((id) => id !== leaderId)!;
    await h.killBroker(dropped);
    await waitFor(() => !state(zk, 'ai', 0).isr.includes(dropped), 'ISR shrunk');
    await h.startBroker(dropped);
    await waitFor(() => c.current?.ctx.isLive(dropped) === true, 'back');
    const s0 = state(zk, 'ai', 0);
    const version = zk.stat(partitionStatePath('ai', 0))!.version;
    const leader = h.brokers.get(s0.leader)!;
    const req = { topic: 'ai', partition: 0, leaderEpoch: s0.leader_epoch, newIsr: [...s0.isr, dropped], currentIsrVersion: version };
    const codes = async (brokerId: number, epoch: bigint, r: typeof req) => (await c.alterIsr(brokerId, epoch, [r]))[0]!.errorCode;
    expect(await c.alterIsr(leader.id, leader.epoch - 1n, [req]).catch((e: ControllerError) => e.kafkaError)).to.equal('STALE_BROKER_EPOCH');
    expect(await codes(leader.id, leader.epoch, { ...req, leaderEpoch: req.leaderEpoch - 1 })).to.equal('FENCED_LEADER_EPOCH');
    expect(await codes(leader.id, leader.epoch, { ...req, currentIsrVersion: version - 1 })).to.equal('INVALID_UPDATE_VERSION');
    const follower = h.brokers.get(s0.isr.find((r) => r !== s0.leader)!)!;
    expect(await codes(follower.id, follower.epoch, req)).to.equal('NOT_LEADER_OR_FOLLOWER');
    const [ok] = await c.alterIsr(leader.id, leader.epoch, [req]);
    expect(ok).to.deep.include({ errorCode: 'NONE', leaderEpoch: s0.leader_epoch, currentIsrVersion: version + 1 });
    expect(state(zk, 'ai', 0).isr).to.deep.equal(req.newIsr);
    expect(state(zk, 'ai', 0).leader_epoch).to.equal(s0.leader_epoch);
    await waitFor(() => [...h.brokers.values()].every((b) => b.cache.getPartition('ai', 0)?.isr.length === 3), 'every cache sees the new ISR');
  });

  it('a watch-driven event that fails on connection loss is retried, so the controller does not go deaf', async () => {
    await admin.createTopic({ name: 'r', numPartitions: 2, replicationFactor: 3 });
    await waitFor(() => h.allCachesAgree('r', 2), 'led');
    const store = controller.handle.store as FakeCoordinationStore;
    store.partitioned = true;
    const victim = [...h.brokers.values()].find((b) => b !== controller)!;
    await h.killBroker(victim.id);
    await waitFor(() => zk.stat(`/brokers/ids/${victim.id}`) === undefined, 'victim gone');
    store.partitioned = false;
    await waitFor(() => h.allCachesAgree('r', 2, (leader) => leader !== victim.id), 'controller caught up after the retry', { timeoutMs: 5000 });
  });

  it('zombie on a fake ZooKeeper: partitioned controller cannot write after a successor exists', async () => {
    const store = controller.handle.store as FakeCoordinationStore;
    store.partitioned = true;
    const old = controller.controller.controllerEpoch;
    const mark = zk.writeLog.length;
    // The server expires the partitioned session: its ephemerals vanish and others re-elect.
    await store.expire().catch(() => undefined);
    const successor = await waitFor(() => h.controllers().find((b) => b !== controller), 'successor');
    expect(successor.controller.controllerEpoch).to.equal(old + 1);
    store.partitioned = false;
    await waitFor(() => !controller.controller.isActive, 'zombie resigned');
    const writes = zk.writeLog.slice(mark).filter((w) => w.sessionId === store.sessionId && (w.path.startsWith('/brokers/topics') || w.path.startsWith('/controller')));
    expect(writes).to.deep.equal([]);
  });
});
