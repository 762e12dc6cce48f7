/**
 * Controller and ZooKeeper-session faults on broker processes: the controller killed, the
 * controller paused past its session timeout and resumed (the zombie), and a leader's ZooKeeper
 * session expired through its black-holed ZooKeeper link. Invariants: one controller per epoch,
 * epochs only grow, the zombie steps down, nothing acknowledged is lost.
 */
import { expect } from 'chai';
import { describeViolations } from '../helpers/history/index.js';
import { waitFor } from '../helpers/wait-for.js';
import { Scenario } from './harness/scenario.js';

describe('failover > controller and ZooKeeper sessions', function () {
  this.timeout(120_000);
  let s: Scenario | undefined;

  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  async function newController(sc: Scenario, old: number): Promise<number> {
    return waitFor(
      async () => {
        const c = await sc.cluster.controllerId();
        return c >= 0 && c !== old ? c : undefined;
      },
      `a controller other than broker ${old}`,
      { timeoutMs: 30_000, intervalMs: 50 },
    );
  }

  it('controller kill -9: a new controller with a higher epoch takes over, one controller per epoch, nothing acknowledged lost', async () => {
    s = await Scenario.start({ name: 'controller-kill9', fault: 'kill -9 the controller, restart it', assignment: [[1], [2], [3]], group: true });
    await s.warmup();
    const old = await s.cluster.controllerId();
    const oldEpoch = await s.cluster.controllerEpoch();
    const others = [0, 1, 2].filter((p) => p !== old - 1);
    const own = s.fault(`kill -9 controller ${old} (its partition)`, [old - 1]);
    const rest = s.fault(`kill -9 controller ${old} (other partitions)`, others);
    const killedAt = Date.now();
    await s.cluster.broker(old).kill9();
    const next = await newController(s, old);
    const failoverMs = Date.now() - killedAt;
    expect(await s.cluster.controllerEpoch()).to.be.greaterThan(oldEpoch);
    rest.heal();
    await s.cluster.restartBroker(old);
    own.heal();
    await s.cluster.waitHealthy();
    await s.recover();
    const r = await s.finish({ leaderAcksDurable: true });
    console.log(`      controller ${old} → ${next} in ${failoverMs} ms (ZooKeeper session timeout 4000 ms)`);
    expect(r.verdict.ok, describeViolations(r.verdict)).to.equal(true);
    expect(r.verdict.stats.controllerEpochs).to.be.at.least(2);
  });

  it('zombie controller (SIGSTOP past the session timeout, then SIGCONT): a successor takes over, the zombie steps down and never acts in a later epoch', async () => {
    s = await Scenario.start({ name: 'zombie-controller', fault: 'SIGSTOP the controller until a successor exists, then SIGCONT', assignment: [[1], [2], [3]] });
    await s.warmup();
    const old = await s.cluster.controllerId();
    const oldEpoch = await s.cluster.controllerEpoch();
    const zombie = s.cluster.broker(old);
    const f = s.fault(`SIGSTOP controller ${old}`, [old - 1]);
    zombie.pause();
    const next = await newController(s, old);
    const newEpoch = await s.cluster.controllerEpoch();
    expect(newEpoch).to.be.greaterThan(oldEpoch);
    zombie.resume();
    f.heal();
    // The zombie notices its expired session, re-registers, and agrees on the new controller.
    await waitFor(
      async () => {
        if (!(await s!.cluster.brokerRegistered(old))) return false;
        for (const b of s!.cluster.brokers) if ((await s!.cluster.metadata(b.id)).controllerId !== next) return false;
        return true;
      },
      `broker ${old} back and every broker naming ${next} as controller`,
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    await s.cluster.waitLeaders(s.topic, 3);
    await s.recover();
    const r = await s.finish({ leaderAcksDurable: true });
    expect(r.verdict.ok, describeViolations(r.verdict)).to.equal(true);
    const zombieLater = r.history.controller.filter((a) => a.brokerId === old && a.controllerEpoch >= newEpoch);
    expect(zombieLater, 'actions by the zombie in the successor epoch or later').to.deep.equal([]);
    expect(await s.cluster.controllerId()).to.equal(next);
  });

  it("leader's ZooKeeper session expiry (its ZooKeeper link black-holed until the server expires it): the broker re-registers, leads again, nothing acknowledged lost", async () => {
    s = await Scenario.start({ name: 'leader-session-expiry', fault: "black-hole a leader's ZooKeeper link until its session expires, heal", assignment: [[1], [2], [3]] });
    await s.warmup();
    const controller = await s.cluster.controllerId();
    const victim = [1, 2, 3].find((id) => id !== controller)!;
    const b = s.cluster.broker(victim);
    const oldEpoch = (await s.cluster.partitionState(s.topic, victim - 1)).leaderEpoch;
    const f = s.fault(`session expiry of broker ${victim}`, [victim - 1]);
    b.blackholeZooKeeper();
    await waitFor(async () => !(await s!.cluster.brokerRegistered(victim)), `ZooKeeper to expire broker ${victim}'s session`, { timeoutMs: 30_000, intervalMs: 50 });
    b.healZooKeeper();
    await waitFor(async () => s!.cluster.brokerRegistered(victim), `broker ${victim} to re-register with a new session`, { timeoutMs: 30_000, intervalMs: 50 });
    f.heal();
    await s.cluster.waitLeaders(s.topic, 3);
    await s.recover();
    const r = await s.finish({ leaderAcksDurable: true });
    expect(r.verdict.ok, describeViolations(r.verdict)).to.equal(true);
    const st = await s.cluster.partitionState(s.topic, victim - 1);
    expect(st.leader).to.equal(victim);
    expect(st.leaderEpoch, 'leader epoch after the re-election').to.be.greaterThan(oldEpoch);
    expect(b.isAlive()).to.equal(true);
  });
});
