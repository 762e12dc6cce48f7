/**
 * A broker that restarts while no controller watches (its death falls between two controllers)
 * must not keep the ISR membership of its previous life: it may have come back with an empty
 * disk. The new controller compares each live ISR member's registration (czxid) with the zxid of
 * the partition state's last write (mzxid).
 */
import { expect } from 'chai';
import { TopicAdmin } from '../../../broker/admin/index.js';
import { partitionStatePath } from '../../../coordination/index.js';
import { FakeZooKeeper, type FakeCoordinationStore } from '../../helpers/fake-coordination-store.js';
import { waitFor } from '../../helpers/wait-for.js';
import { ControllerHarness } from '../../cluster/controller/harness.js';

const state = (zk: FakeZooKeeper, t: string, p: number) =>
  JSON.parse(zk.text(partitionStatePath(t, p))!) as { leader: number; leader_epoch: number; isr: number[] };

describe('controller > replicas that restarted unseen', () => {
  let zk: FakeZooKeeper;
  let h: ControllerHarness;

  beforeEach(() => {
    zk = new FakeZooKeeper();
    h = new ControllerHarness({ openStore: async () => { const s = zk.session(); return { store: s, close: () => s.close() }; } });
  });

  afterEach(() => h.stopAll());

  for (const role of ['follower', 'leader'] as const) {
    it(`a ${role} that restarted while the controller was cut off leaves the ISR at the next failover; the partition keeps a caught-up leader`, async () => {
      for (const id of [1, 2, 3]) await h.startBroker(id);
      const c = await waitFor(() => (h.controllers().length === 1 ? h.controllers()[0] : undefined), 'a controller');
      const others = [1, 2, 3].filter((id) => id !== c.id);
      const restarted = others[0]!;
      const assignment = role === 'leader' ? [restarted, others[1]!, c.id] : [others[1]!, restarted, c.id];
      await new TopicAdmin(zk.session()).createTopic({ name: 'w', assignment: new Map([[0, assignment]]) });
      await waitFor(() => h.allCachesAgree('w', 1), 'led');
      expect(state(zk, 'w', 0).isr).to.have.length(3);
      expect(state(zk, 'w', 0).leader).to.equal(assignment[0]);

      // The controller is cut off from ZooKeeper: it cannot see the broker die and come back.
      const controllerStore = c.handle.store as FakeCoordinationStore;
      controllerStore.partitioned = true;
      await h.killBroker(restarted);
      await h.startBroker(restarted);
      // Its session expires; another broker takes over and reads the ISR written before the restart.
      await controllerStore.expire();
      const next = await waitFor(() => h.controllers().find((x) => x.id !== c.id), 'a new controller');
      controllerStore.partitioned = false;

      await waitFor(() => !state(zk, 'w', 0).isr.includes(restarted), `broker ${restarted} out of the ISR written before its restart`);
      const s = state(zk, 'w', 0);
      expect(s.leader).to.not.equal(restarted);
      expect(s.isr).to.include(s.leader);
      expect(next.controller.current).to.not.equal(undefined);
    });
  }

  it('the controller that led a partition bounces (session expired, re-registered) while its only ISR peer restarted unseen: the next controller keeps the leader and bumps its epoch, so the new incarnation applies it', async () => {
    for (const id of [1, 2, 3]) await h.startBroker(id);
    const c = await waitFor(() => (h.controllers().length === 1 ? h.controllers()[0] : undefined), 'a controller');
    const peer = [1, 2, 3].find((id) => id !== c.id)!;
    await new TopicAdmin(zk.session()).createTopic({ name: 'b', assignment: new Map([[0, [c.id, peer]]]) });
    await waitFor(() => h.allCachesAgree('b', 1), 'led');
    const before = state(zk, 'b', 0);
    expect(before.leader).to.equal(c.id);
    // The controller is cut off: the peer restarts unseen, then the controller's own session expires.
    const controllerStore = c.handle.store as FakeCoordinationStore;
    controllerStore.partitioned = true;
    await h.killBroker(peer);
    await h.startBroker(peer);
    await controllerStore.expire();
    controllerStore.partitioned = false;
    await waitFor(() => h.controllers().length === 1 && h.controllers()[0]!.id !== c.id && h.controllers()[0]!.controller.current !== undefined, 'a new controller');
    // Both ISR members registered after the ISR was written; the third broker holds no replica.
    await waitFor(() => state(zk, 'b', 0).leader_epoch > before.leader_epoch, 'the leader epoch bumped for the new registration');
    const after = state(zk, 'b', 0);
    expect(after.leader).to.equal(c.id);
    expect(after.isr).to.have.members(before.isr);
  });

  it('when every live ISR member restarted since the ISR was written (a whole-cluster restart), the ISR is kept (no better-informed choice) and the leader epoch bumped for the new registrations', async () => {
    for (const id of [1, 2, 3]) await h.startBroker(id);
    await waitFor(() => h.controllers().length === 1, 'a controller');
    await new TopicAdmin(zk.session()).createTopic({ name: 'all', assignment: new Map([[0, [1, 2, 3]]]) });
    await waitFor(() => h.allCachesAgree('all', 1), 'led');
    const before = state(zk, 'all', 0);
    // Every session expires at once (a ZooKeeper outage longer than the session timeout).
    await Promise.all([...h.brokers.values()].map((b) => (b.handle.store as FakeCoordinationStore).expire()));
    await waitFor(() => h.controllers().length === 1 && h.controllers()[0]!.controller.current !== undefined, 'a controller again');
    await waitFor(() => h.allCachesAgree('all', 1), 'led again');
    const after = state(zk, 'all', 0);
    expect(after.isr.length).to.be.greaterThanOrEqual(1);
    expect(after.leader).to.be.oneOf(before.isr);
    // The leader's new incarnation must get a LeaderAndIsr it applies (a newer epoch): a broker
    // whose session expired stays fenced as leader until it does (found by the failover soak).
    expect(after.leader_epoch).to.be.greaterThan(before.leader_epoch);
  });
});
