import { expect } from 'chai';
import { TopicAdmin } from '../../../broker/admin/index.js';
import { assignmentOf, encodeTopicAssignment, partitionStatePath, topicPath } from '../../../coordination/index.js';
import { FakeZooKeeper, type FakeCoordinationStore } from '../../helpers/fake-coordination-store.js';
import { waitFor } from '../../helpers/wait-for.js';
import { ControllerHarness } from '../../cluster/controller/harness.js';

describe('controller > on a fake ZooKeeper', () => {
  let zk: FakeZooKeeper;
  let h: ControllerHarness;
  const sessions = new Map<number, FakeCoordinationStore>();

  async function start(ids: number[], unclean = false): Promise<void> {
    h = new ControllerHarness({
      uncleanLeaderElectionEnable: unclean,
      openStore: async () => {
        const s = zk.session();
        return { store: s, close: () => s.close() };
      },
    });
    for (const id of ids) {
      const b = await h.startBroker(id);
      sessions.set(id, b.handle.store as FakeCoordinationStore);
    }
    await waitFor(() => h.controllers().length === 1 && [...h.brokers.values()].every((b) => b.controller.activeControllerId !== -1), 'one controller');
  }

  const admin = (): TopicAdmin => new TopicAdmin(zk.session(), { assignmentSeed: { startIndex: 0, replicaShift: 0 } });

  beforeEach(() => {
    zk = new FakeZooKeeper();
    sessions.clear();
  });

  afterEach(async () => {
    await h?.stopAll();
  });

  it('elects exactly one controller with epoch 1 and every broker agrees', async () => {
    await start([1, 2, 3]);
    const [c] = h.controllers();
    expect(c!.controller.controllerEpoch).to.equal(1);
    expect(zk.text('/controller_epoch')).to.equal('1');
    for (const b of h.brokers.values()) expect(b.controller.activeControllerId).to.equal(c!.id);
  });

  it('gives topics written without a topic id (older brokers and tools) one, at failover and on creation, and every broker learns it', async () => {
    const legacy = (replicas: number[]) => encodeTopicAssignment(assignmentOf(new Map([[0, replicas]])));
    const s = zk.session();
    for (const path of ['/brokers', '/brokers/topics']) await s.create(path, null);
    await s.create(topicPath('old'), legacy([1, 2]));
    await start([1, 2]);
    const oldId = await waitFor(() => zk.topicId('old'), 'the controller wrote a topic id at failover');
    expect(oldId).to.match(/^[A-Za-z0-9_-]{22}$/);
    await zk.session().create(topicPath('new'), legacy([2, 1]));
    const newId = await waitFor(() => zk.topicId('new'), 'the controller wrote a topic id for the new topic');
    expect(newId).to.not.equal(oldId);
    await waitFor(() => [...h.brokers.values()].every((b) => b.cache.topicId('old') === oldId && b.cache.topicId('new') === newId), 'every metadata cache has both ids');
    expect(JSON.parse(zk.text(topicPath('new'))!)).to.deep.include({ version: 3, partitions: { '0': [2, 1] } });
    // A new controller keeps the ids it finds.
    const first = h.controllers()[0]!;
    await h.stopBroker(first.id);
    await waitFor(() => h.controllers().find((b) => b.id !== first.id), 'a new controller');
    await h.startBroker(first.id);
    await waitFor(() => h.brokers.get(first.id)?.cache.topicId('old') === oldId, 'the restarted broker learns the same id');
    expect([zk.topicId('old'), zk.topicId('new')]).to.deep.equal([oldId, newId]);
  });

  it('creates a topic: leaders and ISR written in Kafka JSON and pushed to every broker', async () => {
    await start([1, 2, 3]);
    await admin().createTopic({ name: 'orders', numPartitions: 3, replicationFactor: 3 });
    await waitFor(() => h.allCachesAgree('orders', 3), 'all brokers know leaders of orders');
    expect(zk.text(topicPath('orders'))).to.equal(`{"version":3,"topic_id":"${zk.topicId('orders')}","partitions":{"0":[1,2,3],"1":[2,3,1],"2":[3,1,2]},"adding_replicas":{},"removing_replicas":{}}`);
    expect(zk.text(partitionStatePath('orders', 1))).to.equal('{"controller_epoch":1,"leader":2,"version":1,"leader_epoch":0,"isr":[2,3,1]}');
    const b2 = h.brokers.get(2)!;
    expect(b2.leaderAndIsr.filter((s) => s.topic === 'orders').map((s) => s.partition).sort()).to.deep.equal([0, 1, 2]);
    expect(b2.leaderAndIsr.every((s) => s.isNew)).to.equal(true);
  });

  it('moves leadership to another ISR member when the leader broker dies, and fences nothing else', async () => {
    await start([1, 2, 3]);
    await admin().createTopic({ name: 't', numPartitions: 3, replicationFactor: 3 });
    await waitFor(() => h.allCachesAgree('t', 3), 'leaders known');
    const controllerId = h.controllers()[0]!.id;
    const victim = [1, 2, 3].find((id) => id !== controllerId)!;
    await h.killBroker(victim);
    await waitFor(() => h.allCachesAgree('t', 3, (leader) => leader !== victim), 'leadership moved off the dead broker');
    for (let p = 0; p < 3; p++) {
      const state = JSON.parse(zk.text(partitionStatePath('t', p))!) as { isr: number[]; leader_epoch: number };
      expect(state.isr).to.not.include(victim);
      expect(state.leader_epoch).to.equal(1);
    }
  });

  it('a dead broker\'s partitions are elected and told first, the other partitions\' ISR shrinks after (Kafka\'s onReplicasBecomeOffline order)', async () => {
    await start([1, 2, 3]);
    await admin().createTopic({ name: 't', numPartitions: 6, replicationFactor: 3 });
    await waitFor(() => h.allCachesAgree('t', 6), 'leaders known');
    const controllerId = h.controllers()[0]!.id;
    const victim = [1, 2, 3].find((id) => id !== controllerId)!;
    const survivor = h.brokers.get(controllerId)!;
    const ledByVictim = [0, 1, 2, 3, 4, 5].filter((p) => JSON.parse(zk.text(partitionStatePath('t', p))!).leader === victim).sort();
    expect(ledByVictim).to.have.length(2);
    const seen = survivor.leaderAndIsr.length;
    await h.killBroker(victim);
    await waitFor(() => survivor.leaderAndIsr.length >= seen + 6, 'all six partitions told after the death');
    const after = survivor.leaderAndIsr.slice(seen).filter((s) => s.topic === 't');
    expect(after.slice(0, 2).map((s) => s.partition).sort()).to.deep.equal(ledByVictim);
    expect(after.slice(0, 2).every((s) => s.leader !== victim)).to.equal(true);
    expect(after.slice(2).map((s) => s.partition).sort()).to.deep.equal([0, 1, 2, 3, 4, 5].filter((p) => !ledByVictim.includes(p)));
    for (const st of after) expect(st.isr).to.not.include(victim);
  });

  it('the controller dying moves control to another broker with a higher epoch', async () => {
    await start([1, 2, 3]);
    const old = h.controllers()[0]!;
    await h.killBroker(old.id);
    await waitFor(() => h.controllers().length === 1 && h.controllers()[0]!.id !== old.id, 'a new controller');
    expect(h.controllers()[0]!.controller.controllerEpoch).to.equal(2);
    expect(zk.text('/controller_epoch')).to.equal('2');
  });

  it('deletes a topic: StopReplica(delete) to every replica, then every znode is gone', async () => {
    await start([1, 2, 3]);
    await admin().createTopic({ name: 'gone', numPartitions: 2, replicationFactor: 2, configs: { 'retention.ms': '1000' } });
    await waitFor(() => h.allCachesAgree('gone', 2), 'leaders known');
    await admin().deleteTopic('gone');
    await waitFor(() => zk.paths('/brokers/topics/gone').length === 0 && zk.stat('/config/topics/gone') === undefined && zk.stat('/admin/delete_topics/gone') === undefined, 'znodes removed');
    const stops = [...h.brokers.values()].flatMap((b) => b.stopReplica.filter((s) => s.topic === 'gone'));
    expect(stops).to.have.length(4);
    expect(stops.every((s) => s.deletePartition && s.leaderEpoch === -2)).to.equal(true);
    await waitFor(() => [...h.brokers.values()].every((b) => !b.cache.hasTopic('gone')), 'caches forget the topic');
  });

  it('keeps a partition offline when its last ISR member dies, unless unclean election is enabled for the topic', async () => {
    await start([1, 2, 3]);
    await admin().createTopic({ name: 'u', assignment: new Map([[0, [1, 2]]]) });
    await waitFor(() => h.allCachesAgree('u', 1), 'leader known');
    await h.killBroker(2);
    await waitFor(() => JSON.parse(zk.text(partitionStatePath('u', 0))!).isr.length === 1, 'ISR shrunk to the leader');
    await h.startBroker(2);
    await h.killBroker(1);
    await waitFor(() => JSON.parse(zk.text(partitionStatePath('u', 0))!).leader === -1, 'partition offline');
    expect(JSON.parse(zk.text(partitionStatePath('u', 0))!).isr).to.deep.equal([1]);
    await admin().alterTopicConfig('u', { 'unclean.leader.election.enable': 'true' });
    await waitFor(() => JSON.parse(zk.text(partitionStatePath('u', 0))!).leader === 2, 'unclean leader elected');
    expect(JSON.parse(zk.text(partitionStatePath('u', 0))!).isr).to.deep.equal([2]);
  });

  it('refuses a duplicate broker id', async () => {
    await start([1]);
    const other = new ControllerHarness({ openStore: async () => { const s = zk.session(); return { store: s, close: () => s.close() }; } });
    let error: unknown;
    try {
      await other.startBroker(1);
    } catch (err) {
      error = err;
    }
    expect((error as { code?: string }).code).to.equal('CRD_DUPLICATE_BROKER');
  });

  it('a broker whose session expires re-registers with a new broker epoch and rejoins', async () => {
    await start([1, 2, 3]);
    const follower = [...h.brokers.values()].find((b) => !b.controller.isActive)!;
    const before = follower.epoch;
    await sessions.get(follower.id)!.expire();
    await waitFor(() => follower.epoch > before && zk.stat(`/brokers/ids/${follower.id}`) !== undefined, 're-registration');
    expect(zk.stat(`/brokers/ids/${follower.id}`)!.czxid).to.equal(follower.epoch);
  });
});
