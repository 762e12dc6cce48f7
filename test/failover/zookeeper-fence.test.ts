/**
 * The ZooKeeper fence under a running workload (broker processes, KafkaJS clients): a replicated
 * leader whose ZooKeeper link alone goes silent keeps reaching its clients and the other brokers.
 *
 * Fault: the leader's ZooKeeper proxy black-holed until the server expires its session and the
 * controller elects a new leader, then healed.
 * Invariants: no acknowledged record lost, acks=1 included (the fenced leader stops taking writes
 * before its session can expire, and its followers keep copying it until the controller moves
 * them); no offset read as two records; the clients write through the new leader within the
 * session timeout + 2 s of the cut; the old leader re-registers and rejoins the ISR.
 */
import { expect } from 'chai';
import { describeViolations } from '../helpers/history/index.js';
import { waitFor } from '../helpers/wait-for.js';
import { FAILOVER_DEFAULTS } from './harness/failover-cluster.js';
import { Scenario } from './harness/scenario.js';

const SESSION_TIMEOUT_MS = Number(FAILOVER_DEFAULTS['zookeeper.session.timeout.ms']);

describe('failover > ZooKeeper fence', function () {
  this.timeout(150_000);
  let s: Scenario | undefined;

  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  it("replicated leader's ZooKeeper link black-holed: it stops leading before its session expires, clients write through the new leader within the session timeout + 2 s, nothing acknowledged lost (acks=1 included)", async () => {
    s = await Scenario.start({
      name: 'leader-zk-blackhole-rf3',
      fault: "black-hole a replicated leader's ZooKeeper link until a new leader takes writes, heal",
      assignment: [
        [1, 2, 3],
        [2, 3, 1],
        [3, 1, 2],
      ],
      topicConfigs: { 'min.insync.replicas': '2' },
    });
    await s.warmup();
    const controller = await s.cluster.controllerId();
    // A leader that is not the controller: the controller's own expiry is another scenario.
    const victim = [1, 2, 3].find((id) => id !== controller)!;
    const partition = victim - 1;
    const b = s.cluster.broker(victim);
    const f = s.fault(`black-hole broker ${victim}'s ZooKeeper link`, [partition]);
    const cutAt = Date.now();
    b.blackholeZooKeeper();
    const electedAt = await waitFor(
      async () => {
        const st = await s!.cluster.partitionState(s!.topic, partition);
        return st.leader >= 0 && st.leader !== victim ? Date.now() : undefined;
      },
      `a new leader for partition ${partition}`,
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    await s.waitAcks(5, electedAt, 30_000, 'writes through the new leader');
    b.healZooKeeper();
    f.heal();
    await waitFor(async () => s!.cluster.brokerRegistered(victim), `broker ${victim} to re-register`, { timeoutMs: 30_000, intervalMs: 100 });
    await waitFor(async () => (await s!.cluster.partitionState(s!.topic, partition)).isr.includes(victim), `broker ${victim} back in the ISR`, { timeoutMs: 30_000, intervalMs: 100 });
    await s.recover();
    const r = await s.finish({ leaderAcksDurable: true });
    expect(r.verdict.ok, describeViolations(r.verdict)).to.equal(true);
    // The fenced leader takes no write once the new one exists, so the first write acknowledged
    // after the election went through the new leader.
    const firstThroughNew = Math.min(...r.history.produced.filter((p) => p.partition === partition && p.outcome === 'acked' && p.answeredAt >= electedAt).map((p) => p.answeredAt));
    const moveMs = firstThroughNew - cutAt;
    console.log(`      elected ${electedAt - cutAt} ms after the cut, first write through the new leader after ${moveMs} ms (session timeout ${SESSION_TIMEOUT_MS} ms)`);
    expect(moveMs, 'clients write through the new leader within the session timeout + 2 s').to.be.at.most(SESSION_TIMEOUT_MS + 2_000);
  });
});
