/**
 * ZooKeeper faults under a running cluster: the ZooKeeper leader of a 3-node ensemble killed,
 * and the whole (single-node) ZooKeeper down for longer than a session timeout. Invariants: no
 * acknowledged record is lost; an ensemble that keeps a quorum keeps the brokers serving; a
 * whole-ZooKeeper outage makes every leader fence itself once its session may be lost (it
 * cannot tell a dead ZooKeeper from being cut off alone: broker/replica/README.md), causes no
 * leader or controller change, and writes resume on the same sessions when ZooKeeper is back.
 */
import { expect } from 'chai';
import { describeViolations } from '../helpers/history/index.js';
import { waitFor } from '../helpers/wait-for.js';
import { Scenario } from './harness/scenario.js';

describe('failover > ZooKeeper faults', function () {
  this.timeout(150_000);
  let s: Scenario | undefined;

  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  it('ZooKeeper leader kill -9 in a 3-node ensemble: the ensemble elects a new leader, brokers keep serving, nothing acknowledged lost', async () => {
    s = await Scenario.start({
      name: 'zk-leader-kill9',
      fault: 'kill -9 the ZooKeeper leader of a 3-node ensemble, restart it',
      cluster: { zookeeper: 'ensemble' },
      assignment: [[1], [2], [3]],
    });
    await s.warmup();
    const nodes = s.cluster.zookeeperNodes;
    const modes = await Promise.all(nodes.map((n) => n.mode()));
    const leader = nodes[modes.indexOf('leader')];
    expect(leader, `a ZooKeeper leader among ${modes.join(',')}`).to.not.equal(undefined);
    const f = s.fault(`kill -9 ZooKeeper leader ${leader!.connectString}`);
    await s.cluster.stopZooKeeperNode(leader!);
    const rest = nodes.filter((n) => n !== leader);
    await waitFor(async () => (await Promise.all(rest.map((n) => n.mode()))).includes('leader'), 'a new ZooKeeper leader', { timeoutMs: 30_000, intervalMs: 100 });
    await s.cluster.startZooKeeperNode(leader!);
    await leader!.waitServing(30_000);
    f.heal();
    await s.cluster.waitHealthy();
    await s.recover();
    const r = await s.finish({ leaderAcksDurable: true });
    expect(r.verdict.ok, describeViolations(r.verdict)).to.equal(true);
  });

  it('whole ZooKeeper down for 6 s (longer than the 4 s session timeout): leaders fence themselves, no elections, writes resume on the same sessions after', async () => {
    s = await Scenario.start({
      name: 'zk-down',
      fault: 'kill -9 the only ZooKeeper server for 6 s, restart it',
      cluster: { zookeeper: 'single' },
      assignment: [[1], [2], [3]],
    });
    await s.warmup();
    const zk = s.cluster.zookeeperNodes[0]!;
    const controller = await s.cluster.controllerId();
    const epoch = await s.cluster.controllerEpoch();
    const leaderEpochs = await Promise.all([0, 1, 2].map(async (p) => (await s!.cluster.partitionState(s!.topic, p)).leaderEpoch));
    const f = s.fault('ZooKeeper down');
    await s.cluster.stopZooKeeperNode(zk);
    const downAt = Date.now();
    // The fault lasts 6 s: a deadline, not synchronisation. Writes flow until the fence engages
    // (4 s session timeout minus the 0.8 s margin after the last answer).
    const before = s.workload.acked();
    await waitFor(() => Date.now() - downAt >= 6_000, 'the outage to last 6 s', { timeoutMs: 10_000, intervalMs: 100 });
    const duringOutage = s.workload.acked() - before;
    // Every broker is fenced by now: Metadata is answered by closing the connection, so a
    // client asks another broker instead of trusting a leader that may have been replaced.
    for (const b of s.cluster.brokers) {
      const refused = await s.cluster.metadata(b.id, [s.topic]).then(() => 'answered', (err: Error) => err.message);
      expect(refused, `broker ${b.id} late in the outage`).to.match(/connection closed/);
    }
    const fencedAcks = s.workload.acked();
    await waitFor(() => Date.now() - downAt >= 6_500, 'half a second more of the outage', { timeoutMs: 10_000, intervalMs: 100 });
    expect(s.workload.acked(), 'no write acknowledged while every leader is fenced').to.equal(fencedAcks);
    await s.cluster.startZooKeeperNode(zk);
    const backAt = Date.now();
    f.heal();
    await s.waitAcks(1, backAt, 4_000, 'writes on the resumed sessions within the session timeout');
    await s.cluster.waitHealthy();
    await s.recover();
    const r = await s.finish({ leaderAcksDurable: true });
    console.log(`      ${duringOutage} writes acknowledged while ZooKeeper was down (before the fence)`);
    expect(r.verdict.ok, describeViolations(r.verdict)).to.equal(true);
    expect(duringOutage, 'writes acknowledged during the outage, before the fence').to.be.greaterThan(0);
    expect(await s.cluster.controllerId(), 'controller after the outage').to.equal(controller);
    expect(await s.cluster.controllerEpoch(), 'controller epoch after the outage').to.equal(epoch);
    const after = await Promise.all([0, 1, 2].map(async (p) => (await s!.cluster.partitionState(s!.topic, p)).leaderEpoch));
    expect(after, 'leader epochs after the outage').to.deep.equal(leaderEpochs);
  });

  // Found by this suite (soak seed 42): after its ZooKeeper session resumed on a new client
  // object, the controller missed later broker deaths and registrations (its watches died with the
  // old object), so a restarted broker never got metadata. Fixed by ActiveController.resync().
  it('ZooKeeper down for 6 s, then a broker kill -9 and restart: the controller still follows broker changes after the outage', async () => {
    s = await Scenario.start({
      name: 'zk-down-then-broker-restart',
      fault: 'ZooKeeper down 6 s; later kill -9 + restart a non-controller broker',
      cluster: { zookeeper: 'single' },
      assignment: [[1], [2], [3]],
    });
    await s.warmup();
    const zk = s.cluster.zookeeperNodes[0]!;
    const outage = s.fault('ZooKeeper down');
    await s.cluster.stopZooKeeperNode(zk);
    const downAt = Date.now();
    await waitFor(() => Date.now() - downAt >= 6_000, 'the outage to last 6 s', { timeoutMs: 10_000, intervalMs: 100 });
    await s.cluster.startZooKeeperNode(zk);
    outage.heal();
    await s.cluster.waitHealthy();
    const controller = await s.cluster.controllerId();
    const victim = [1, 2, 3].find((id) => id !== controller)!;
    const f = s.fault(`kill -9 broker ${victim} after the outage`, [victim - 1]);
    await s.cluster.broker(victim).kill9();
    await s.cluster.restartBroker(victim);
    f.heal();
    // The restarted broker only learns the cluster from the controller's UpdateMetadata.
    await s.cluster.waitHealthy();
    await s.cluster.waitLeaders(s.topic, 3);
    await s.recover();
    const r = await s.finish({ leaderAcksDurable: true });
    expect(r.verdict.ok, describeViolations(r.verdict)).to.equal(true);
  });
});
