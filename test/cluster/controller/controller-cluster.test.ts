import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TopicAdmin } from '../../../broker/admin/index.js';
import { ZkSession } from '../../../coordination/index.js';
import { testZkConnect } from '../../helpers/shared-zookeeper.js';
import { waitFor } from '../../helpers/wait-for.js';
import { REPO_ROOT } from '../../helpers/zookeeper.js';
import { ControllerHarness, type HarnessBroker } from './harness.js';

const SESSION_TIMEOUT_MS = 2000;

describe('controller > cluster of in-process brokers on a real ZooKeeper', function () {
  this.timeout(60_000);
  let connect: string;
  let h: ControllerHarness;
  const extra: ZkSession[] = [];

  async function session(): Promise<ZkSession> {
    const s = new ZkSession({ connect, sessionTimeoutMs: SESSION_TIMEOUT_MS, requestTimeoutMs: 15_000 });
    await s.start();
    return s;
  }

  beforeEach(() => {
    connect = testZkConnect('samsa-ctrl');
    h = new ControllerHarness({
      openStore: async () => {
        const s = await session();
        return { store: s, close: () => s.close() };
      },
    });
  });

  afterEach(async () => {
    await h.stopAll();
    for (const s of extra.splice(0)) await s.close();
  });

  async function admin(): Promise<TopicAdmin> {
    const s = await session();
    extra.push(s);
    return new TopicAdmin(s, { assignmentSeed: { startIndex: 0, replicaShift: 0 } });
  }

  async function epochInZk(): Promise<number> {
    const s = await session();
    extra.push(s);
    return Number((await s.getData('/controller_epoch')).data!.toString());
  }

  const oneController = async (): Promise<HarnessBroker> =>
    waitFor(() => {
      const cs = h.controllers();
      return cs.length === 1 && [...h.brokers.values()].every((b) => b.controller.activeControllerId === cs[0]!.id) ? cs[0] : undefined;
    }, 'exactly one controller that every broker knows');

  it('exactly one controller; the epoch grows on every move and survives every broker being down', async () => {
    for (const id of [1, 2, 3]) await h.startBroker(id);
    const first = await oneController();
    const e1 = first.controller.controllerEpoch;
    expect(await epochInZk()).to.equal(e1);
    await h.stopBroker(first.id);
    const second = await oneController();
    expect(second.controller.controllerEpoch).to.equal(e1 + 1);
    await h.stopBroker(second.id);
    const last = await oneController();
    expect(last.controller.controllerEpoch).to.equal(e1 + 2);
    await h.stopAll();
    expect(await epochInZk()).to.equal(e1 + 2);
    await h.startBroker(7);
    const fresh = await oneController();
    expect(fresh.controller.controllerEpoch).to.equal(e1 + 3);
  });

  it('a crashed controller (session left to expire) is replaced within the session timeout plus one second', async () => {
    for (const id of [1, 2, 3]) await h.startBroker(id);
    const old = await oneController();
    const crashedAt = Date.now();
    (old.handle.store as ZkSession).abandonForTest();
    h.brokers.delete(old.id);
    h.transport.unregister(old.id);
    const next = await waitFor(() => h.controllers().find((b) => b.id !== old.id), 'a new controller', { timeoutMs: 15_000 });
    const took = Date.now() - crashedAt;
    await old.controller.shutdown();
    expect(took).to.be.below(SESSION_TIMEOUT_MS + 1000);
    expect(next.controller.controllerEpoch).to.equal(old.controller.epochsHeld.at(-1)! + 1);
  });

  it('creates a topic with Kafka JSON, pushes leaders, moves leadership when a leader dies, deletes everything', async () => {
    for (const id of [1, 2, 3]) await h.startBroker(id);
    const c = await oneController();
    const a = await admin();
    await a.createTopic({ name: 'orders', numPartitions: 3, replicationFactor: 3, configs: { 'cleanup.policy': 'compact' } });
    await waitFor(() => h.allCachesAgree('orders', 3), 'leaders known everywhere');
    const zk = await session();
    extra.push(zk);
    const fixture = (name: string): string => readFileSync(join(REPO_ROOT, 'test/fixtures/zk', name), 'utf8').trim();
    // Kafka 2.8's layout: version 3 with the topic id (KIP-516); the rest as the version-2 fixture.
    const topicNode = JSON.parse((await zk.getData('/brokers/topics/orders')).data!.toString()) as Record<string, unknown>;
    expect(topicNode['topic_id']).to.match(/^[A-Za-z0-9_-]{22}$/);
    const { topic_id: _id, ...rest } = topicNode;
    expect(rest).to.deep.equal({ ...(JSON.parse(fixture('topic-orders.json')) as object), version: 3 });
    expect((await zk.getData('/config/topics/orders')).data!.toString()).to.equal(fixture('config-topic-orders.json'));
    const state0 = JSON.parse((await zk.getData('/brokers/topics/orders/partitions/0/state')).data!.toString()) as { leader: number };
    expect(state0.leader).to.equal(1);

    const victim = [1, 2, 3].find((id) => id !== c.id)!;
    await h.killBroker(victim);
    await waitFor(() => h.allCachesAgree('orders', 3, (leader) => leader !== victim), 'leadership moved off the dead broker');

    // Deletion waits while a replica's broker is down (Kafka: "ineligible"), then completes.
    await a.deleteTopic('orders');
    await waitFor(async () => (await zk.exists('/admin/delete_topics/orders')) !== null, 'marked for deletion');
    await c.controller.idle();
    expect(await zk.exists('/brokers/topics/orders')).to.not.equal(null);
    await h.startBroker(victim);
    await waitFor(async () => (await zk.exists('/brokers/topics/orders')) === null && (await zk.exists('/admin/delete_topics/orders')) === null, 'topic znodes deleted');
    expect(await zk.exists('/config/topics/orders')).to.equal(null);
    const stops = [...h.brokers.values()].flatMap((b) => b.stopReplica.filter((s) => s.topic === 'orders' && s.deletePartition));
    expect(stops.length).to.equal(9);
  });

  it('a broker whose session expires re-registers with a new broker epoch and gets metadata again', async () => {
    for (const id of [1, 2, 3]) await h.startBroker(id);
    const c = await oneController();
    const b = [...h.brokers.values()].find((x) => x.id !== c.id)!;
    const before = b.epoch;
    const updatesBefore = b.cache.updateCount;
    (b.handle.store as ZkSession).freezeForTest();
    await waitFor(() => !c.controller.current?.ctx.isLive(b.id), 'controller sees the broker gone', { timeoutMs: 15_000 });
    (b.handle.store as ZkSession).thawForTest();
    await waitFor(() => b.epoch > before, 're-registered with a new broker epoch', { timeoutMs: 15_000 });
    await waitFor(() => c.controller.current?.ctx.brokerEpoch(b.id) === b.epoch && b.cache.updateCount > updatesBefore, 'controller knows the new epoch and sent metadata');
  });

  it('reassignment through AlterIsr moves a partition to new replicas', async () => {
    for (const id of [1, 2, 3]) await h.startBroker(id);
    const c = await oneController();
    const a = await admin();
    await a.createTopic({ name: 'mv', assignment: new Map([[0, [1, 2]]]) });
    await waitFor(() => h.allCachesAgree('mv', 1), 'led');
    expect(Object.fromEntries(await c.controller.reassignPartitions([{ topic: 'mv', partition: 0, replicas: [3, 2] }]))).to.deep.equal({ 'mv-0': 'NONE' });
    const zk = await session();
    extra.push(zk);
    const node = await zk.getData('/brokers/topics/mv/partitions/0/state');
    const st = JSON.parse(node.data!.toString()) as { leader: number; leader_epoch: number; isr: number[] };
    const leader = h.brokers.get(st.leader)!;
    const [r] = await c.controller.alterIsr(leader.id, leader.epoch, [{ topic: 'mv', partition: 0, leaderEpoch: st.leader_epoch, newIsr: [...st.isr, 3], currentIsrVersion: node.stat.version }]);
    expect(r!.errorCode).to.equal('NONE');
    const topicNode = async (): Promise<Record<string, unknown>> => JSON.parse((await zk.getData('/brokers/topics/mv')).data!.toString()) as Record<string, unknown>;
    const idBefore = (await topicNode())['topic_id'];
    await waitFor(async () => JSON.stringify((await topicNode())['partitions']) === '{"0":[3,2]}', 'reassignment done');
    // Finished: nothing adding or removing, and the rewrite kept the topic id.
    expect(await topicNode()).to.deep.include({ version: 3, topic_id: idBefore, adding_replicas: {}, removing_replicas: {} });
    await waitFor(() => [...h.brokers.values()].every((b) => b.cache.leaderFor('mv', 0) === 3), 'new preferred leader known everywhere');
  });

  it('a controller whose session resumes on a new client object (watches lost) still follows broker deaths and restarts', async () => {
    for (const id of [1, 2, 3]) await h.startBroker(id);
    const c = await oneController();
    const a = await admin();
    await a.createTopic({ name: 'resume', numPartitions: 3, replicationFactor: 3 });
    await waitFor(() => h.allCachesAgree('resume', 3), 'leaders known');
    const zs = c.handle.store as ZkSession;
    const sessionBefore = zs.sessionId;
    const epochBefore = c.controller.controllerEpoch;
    // Dropped without closeSession and resumed at once: same session, new client, no watches.
    zs.freezeForTest();
    zs.thawForTest();
    await waitFor(() => zs.connected, 'the session resumed', { timeoutMs: 15_000 });
    expect(zs.sessionId).to.equal(sessionBefore);
    await c.controller.idle();
    expect(c.controller.controllerEpoch).to.equal(epochBefore);
    const victim = [1, 2, 3].find((id) => id !== c.id)!;
    await h.killBroker(victim);
    await waitFor(() => c.controller.current?.ctx.isLive(victim) === false, 'controller sees the dead broker', { timeoutMs: 15_000 });
    const back = await h.startBroker(victim);
    await waitFor(() => c.controller.current?.ctx.brokerEpoch(victim) === back.epoch && h.allCachesAgree('resume', 3), 'the restarted broker gets cluster metadata', { timeoutMs: 15_000 });
  });

  it('zombie controller: fenced in ZooKeeper, refused by every broker, steps down', async () => {
    for (const id of [1, 2, 3]) await h.startBroker(id);
    const zombie = await oneController();
    const oldEpoch = zombie.controller.controllerEpoch;
    const a = await admin();
    await a.createTopic({ name: 'z', numPartitions: 3, replicationFactor: 3 });
    await waitFor(() => h.allCachesAgree('z', 3), 'leaders known');
    const others = [...h.brokers.values()].filter((b) => b.id !== zombie.id);

    (zombie.handle.store as ZkSession).freezeForTest();
    const successor = await waitFor(() => others.find((b) => b.controller.isActive), 'a new controller', { timeoutMs: 15_000 });
    const newEpoch = successor.controller.controllerEpoch;
    expect(newEpoch).to.be.above(oldEpoch);
    await waitFor(() => others.every((b) => b.handler.controllerEpoch === newEpoch), 'every live broker has seen the new epoch');
    await waitFor(() => successor.controller.current !== undefined && h.controllers().length === 2, 'successor settled');

    const zk = await session();
    extra.push(zk);
    const snapshot = async (): Promise<string[]> =>
      Promise.all([0, 1, 2].map(async (p) => {
        const n = await zk.getData(`/brokers/topics/z/partitions/${p}/state`);
        return `${n.stat.version}:${n.data!.toString()}`;
      }));
    const statesBefore = await snapshot();

    // The zombie still believes it controls: it pushes metadata and tries a ZooKeeper write.
    await zombie.controller.resendMetadata();
    await waitFor(
      () => others.every((b) => h.observed.some((o) => o.broker === b.id && o.controllerEpoch === oldEpoch && !o.accepted && o.api === 'UpdateMetadata')),
      'every broker refused the zombie\'s UpdateMetadata',
    );
    const victim = others.find((b) => b.id !== successor.id)!;
    const shutdown = zombie.controller.controlledShutdown(victim.id, victim.epoch).then(
      () => 'resolved',
      (err: { kafkaError?: string }) => err.kafkaError,
    );
    (zombie.handle.store as ZkSession).thawForTest();
    expect(await shutdown).to.equal('NOT_CONTROLLER');
    await waitFor(() => !zombie.controller.isActive && zombie.controller.activeControllerId === successor.id, 'zombie stepped down');
    await waitFor(() => successor.controller.current?.ctx.isLive(zombie.id) === true, 'zombie broker re-registered');

    expect(await snapshot()).to.deep.equal(statesBefore);
    expect(await epochInZk()).to.equal(newEpoch);
    // Nothing from the old epoch was applied by a broker after the new epoch existed there.
    const firstNew = Math.min(...h.observed.filter((o) => o.controllerEpoch === newEpoch).map((o) => o.at));
    const lateOld = h.observed.filter((o) => o.broker !== zombie.id && o.controllerEpoch === oldEpoch && o.at >= firstNew);
    expect(lateOld.length).to.be.above(0);
    expect(lateOld.filter((o) => o.accepted)).to.deep.equal([]);
    expect(h.observed.filter((o) => o.controllerEpoch < o.highestEpochBefore && o.accepted)).to.deep.equal([]);
  });
});
