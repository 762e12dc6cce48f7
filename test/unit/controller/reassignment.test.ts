import { expect } from 'chai';
import { TopicAdmin } from '../../../broker/admin/index.js';
import { encodeReassignPartitions, partitionStatePath } from '../../../coordination/index.js';
import { FakeZooKeeper } from '../../helpers/fake-coordination-store.js';
import { waitFor } from '../../helpers/wait-for.js';
import { ControllerHarness, type HarnessBroker } from '../../cluster/controller/harness.js';

const state = (zk: FakeZooKeeper, t: string, p: number) =>
  JSON.parse(zk.text(partitionStatePath(t, p))!) as { leader: number; leader_epoch: number; isr: number[] };

describe('controller > partition reassignment on a fake ZooKeeper', () => {
  let zk: FakeZooKeeper;
  /** Read once at creation: every rewrite of the topic znode must keep it. */
  let mvId: string;
  let h: ControllerHarness;

  const active = (): Promise<HarnessBroker> => waitFor(() => (h.controllers().length === 1 ? h.controllers()[0] : undefined), 'a controller');

  /** Plays the leader's part: asks the controller to add every live replica to the ISR. */
  async function leaderExpandsIsr(c: HarnessBroker, topic: string, partition: number, add: number): Promise<string> {
    const s = state(zk, topic, partition);
    const leader = h.brokers.get(s.leader)!;
    const version = zk.stat(partitionStatePath(topic, partition))!.version;
    const [r] = await c.controller.alterIsr(leader.id, leader.epoch, [{ topic, partition, leaderEpoch: s.leader_epoch, newIsr: [...s.isr, add], currentIsrVersion: version }]);
    return r!.errorCode;
  }

  beforeEach(async () => {
    zk = new FakeZooKeeper();
    h = new ControllerHarness({ openStore: async () => { const s = zk.session(); return { store: s, close: () => s.close() }; } });
    for (const id of [1, 2, 3]) await h.startBroker(id);
    await new TopicAdmin(zk.session()).createTopic({ name: 'mv', assignment: new Map([[0, [1, 2]]]) });
    await waitFor(() => h.allCachesAgree('mv', 1), 'led');
    mvId = zk.topicId('mv')!;
    expect(mvId).to.match(/^[A-Za-z0-9_-]{22}$/);
  });

  afterEach(() => h.stopAll());

  it('records RS with adding/removing, waits for the ISR, then moves leadership and deletes removed replicas', async () => {
    const c = await active();
    const epoch0 = state(zk, 'mv', 0).leader_epoch;
    const r = await c.controller.reassignPartitions([{ topic: 'mv', partition: 0, replicas: [2, 3] }, { topic: 'nope', partition: 0, replicas: [1] }]);
    expect(Object.fromEntries(r)).to.deep.equal({ 'mv-0': 'NONE', 'nope-0': 'UNKNOWN_TOPIC_OR_PARTITION' });
    expect(zk.text('/brokers/topics/mv')).to.equal(`{"version":3,"topic_id":"${mvId}","partitions":{"0":[2,3,1]},"adding_replicas":{"0":[3]},"removing_replicas":{"0":[1]}}`);
    expect(state(zk, 'mv', 0).leader_epoch).to.equal(epoch0 + 1);
    await waitFor(() => h.brokers.get(3)!.leaderAndIsr.some((s) => s.topic === 'mv'), 'the new replica was told');
    expect(await c.controller.listPartitionReassignments()).to.deep.equal([{ topic: 'mv', partition: 0, replicas: [2, 3, 1], addingReplicas: [3], removingReplicas: [1] }]);
    expect(Object.fromEntries(await c.controller.reassignPartitions([{ topic: 'mv', partition: 0, replicas: [3, 2] }]))).to.deep.equal({ 'mv-0': 'REASSIGNMENT_IN_PROGRESS' });

    expect(await leaderExpandsIsr(c, 'mv', 0, 3)).to.equal('NONE');
    await waitFor(() => zk.text('/brokers/topics/mv') === `{"version":3,"topic_id":"${mvId}","partitions":{"0":[2,3]},"adding_replicas":{},"removing_replicas":{}}`, 'reassignment completed');
    expect(state(zk, 'mv', 0)).to.deep.include({ leader: 2, isr: [2, 3], leader_epoch: epoch0 + 2 });
    await waitFor(() => h.brokers.get(1)!.stopReplica.some((s) => s.topic === 'mv' && s.deletePartition), 'removed replica deleted');
    await waitFor(() => [...h.brokers.values()].every((b) => b.cache.getPartition('mv', 0)?.replicas.join() === '2,3'), 'caches see the new replicas');
    expect(await c.controller.listPartitionReassignments()).to.deep.equal([]);
  });

  it('the legacy /admin/reassign_partitions node starts it and is deleted when done', async () => {
    const c = await active();
    await zk.session().create('/admin/reassign_partitions', encodeReassignPartitions([{ topic: 'mv', partition: 0, replicas: [1, 3] }]));
    await waitFor(() => zk.text('/brokers/topics/mv')!.includes('"adding_replicas":{"0":[3]}'), 'started from the znode');
    expect(await leaderExpandsIsr(c, 'mv', 0, 3)).to.equal('NONE');
    await waitFor(() => zk.stat('/admin/reassign_partitions') === undefined, 'admin node removed');
    expect(zk.text('/brokers/topics/mv')).to.equal(`{"version":3,"topic_id":"${mvId}","partitions":{"0":[1,3]},"adding_replicas":{},"removing_replicas":{}}`);
    expect(state(zk, 'mv', 0).leader).to.equal(1);
  });

  it('a null target cancels: back to the original replicas, the added one stopped and deleted (KIP-455)', async () => {
    const c = await active();
    const epoch0 = state(zk, 'mv', 0).leader_epoch;
    expect(Object.fromEntries(await c.controller.reassignPartitions([{ topic: 'mv', partition: 0, replicas: null }]))).to.deep.equal({ 'mv-0': 'NO_REASSIGNMENT_IN_PROGRESS' });
    await zk.session().create('/admin/reassign_partitions', encodeReassignPartitions([{ topic: 'mv', partition: 0, replicas: [2, 3] }]));
    await waitFor(() => zk.text('/brokers/topics/mv')!.includes('"adding_replicas":{"0":[3]}'), 'started from the znode');

    const r = await c.controller.reassignPartitions([{ topic: 'mv', partition: 0, replicas: null }, { topic: 'nope', partition: 0, replicas: null }]);
    expect(Object.fromEntries(r)).to.deep.equal({ 'mv-0': 'NONE', 'nope-0': 'UNKNOWN_TOPIC_OR_PARTITION' });
    expect(zk.text('/brokers/topics/mv')).to.equal(`{"version":3,"topic_id":"${mvId}","partitions":{"0":[1,2]},"adding_replicas":{},"removing_replicas":{}}`);
    expect(state(zk, 'mv', 0)).to.deep.include({ leader: 1, isr: [1, 2], leader_epoch: epoch0 + 2 });
    expect(zk.stat('/admin/reassign_partitions'), 'the legacy request is dropped too').to.equal(undefined);
    expect(await c.controller.listPartitionReassignments()).to.deep.equal([]);
    await waitFor(() => h.brokers.get(3)!.stopReplica.some((s) => s.topic === 'mv' && s.deletePartition), 'the added replica deleted');
    await waitFor(() => [...h.brokers.values()].every((b) => b.cache.getPartition('mv', 0)?.replicas.join() === '1,2'), 'caches see the original replicas');
    // Nothing left to complete: an ISR change later does not resurrect the target.
    await c.controller.idle();
    expect(zk.text('/brokers/topics/mv')).to.equal(`{"version":3,"topic_id":"${mvId}","partitions":{"0":[1,2]},"adding_replicas":{},"removing_replicas":{}}`);
  });

  it('a new controller resumes a reassignment from the topic znode', async () => {
    const c = await active();
    await c.controller.reassignPartitions([{ topic: 'mv', partition: 0, replicas: [2, 3] }]);
    await h.stopBroker(c.id);
    const next = await waitFor(() => h.controllers().find((b) => b.id !== c.id), 'new controller');
    await next.controller.idle();
    expect((await next.controller.listPartitionReassignments()).map((r) => r.addingReplicas)).to.deep.equal([[3]]);
    const s = state(zk, 'mv', 0);
    if (!s.isr.includes(3)) expect(await leaderExpandsIsr(next, 'mv', 0, 3)).to.equal('NONE');
    await waitFor(() => zk.text('/brokers/topics/mv') === `{"version":3,"topic_id":"${mvId}","partitions":{"0":[2,3]},"adding_replicas":{},"removing_replicas":{}}`, 'completed by the new controller');
  });
});

describe('controller > automatic preferred leader rebalance', () => {
  it('moves leadership back to the preferred replica once it is in the ISR', async () => {
    const zk = new FakeZooKeeper();
    const h = new ControllerHarness({
      leaderImbalanceCheckIntervalMs: 50,
      openStore: async () => { const s = zk.session(); return { store: s, close: () => s.close() }; },
    });
    try {
      for (const id of [1, 2]) await h.startBroker(id);
      const c = await waitFor(() => (h.controllers().length === 1 ? h.controllers()[0] : undefined), 'a controller');
      await new TopicAdmin(zk.session()).createTopic({ name: 'rb', assignment: new Map([[0, [1, 2]], [1, [2, 1]]]) });
      await waitFor(() => h.allCachesAgree('rb', 2), 'led');
      // Leadership of rb-0 moves off broker 1 (controlled shutdown), which then stays up (its
      // shutdown abandoned) and is put back in the ISR: a shutting-down broker may not rejoin.
      const b1 = h.brokers.get(1)!;
      await c.controller.controlledShutdown(1, b1.epoch);
      expect(state(zk, 'rb', 0).leader).to.equal(2);
      c.controller.current!.ctx.shuttingDown.delete(1);
      const s = state(zk, 'rb', 0);
      const [r] = await c.controller.alterIsr(2, h.brokers.get(2)!.epoch, [{ topic: 'rb', partition: 0, leaderEpoch: s.leader_epoch, newIsr: [2, 1], currentIsrVersion: zk.stat(partitionStatePath('rb', 0))!.version }]);
      expect(r!.errorCode).to.equal('NONE');
      await waitFor(() => state(zk, 'rb', 0).leader === 1, 'preferred leader restored by the periodic check');
      expect(c.controller.metrics().preferredReplicaImbalanceCount).to.equal(0);
    } finally {
      await h.stopAll();
    }
  });
});
