/**
 * Failover scenarios of replicated partitions (followers, ISR, acks=all waiting for followers,
 * controlled shutdown moving leadership). RF 3, min.insync.replicas 2 unless stated.
 */
import { expect } from 'chai';
import { describeViolations } from '../helpers/history/index.js';
import { faultyDiskAvailable } from '../helpers/faulty-disk.js';
import { waitFor } from '../helpers/wait-for.js';
import { Scenario, type FaultHandle } from './harness/scenario.js';

const RF3: number[][] = [
  [1, 2, 3],
  [2, 3, 1],
  [3, 1, 2],
];
const MIN_ISR_2 = { 'min.insync.replicas': '2' };

describe('failover > replicated partitions', function () {
  this.timeout(150_000);
  let s: Scenario | undefined;

  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  async function isr(sc: Scenario, partition: number): Promise<readonly number[]> {
    return (await sc.cluster.partitionState(sc.topic, partition)).isr;
  }

  it('leader kill -9: a follower from the ISR takes over within the session timeout, no acks=all record lost, the old leader rejoins the ISR', async () => {
    s = await Scenario.start({ name: 'leader-kill9-rf3', fault: 'kill -9 the leader of partition 0, restart it', assignment: RF3, topicConfigs: MIN_ISR_2, group: true });
    await s.warmup();
    const f = s.fault('kill -9 broker 1', [0]);
    await s.cluster.broker(1).kill9();
    const next = await waitFor(
      async () => {
        const st = await s!.cluster.partitionState(s!.topic, 0);
        return st.leader >= 0 && st.leader !== 1 ? st.leader : undefined;
      },
      'a new leader for partition 0',
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    f.heal();
    await s.recover(10);
    await s.cluster.restartBroker(1);
    await waitFor(async () => (await isr(s!, 0)).includes(1), 'broker 1 back in the ISR of partition 0', { timeoutMs: 30_000, intervalMs: 100 });
    const r = await s.finish();
    expect(r.verdict.ok, describeViolations(r.verdict)).to.equal(true);
    expect([2, 3]).to.include(next);
    expect(r.verdict.unavailability[0]!.ms, 'write gap on partition 0').to.be.below(8_000);
  });

  it('follower kill -9 and return: the ISR shrinks after replica.lag.time.max.ms, acks=all keeps working, the follower catches up and rejoins', async () => {
    s = await Scenario.start({ name: 'follower-kill9-rf3', fault: 'kill -9 a follower of partition 0, restart it', assignment: RF3, topicConfigs: MIN_ISR_2 });
    await s.warmup();
    const f = s.fault('kill -9 broker 2', [0]);
    await s.cluster.broker(2).kill9();
    await waitFor(async () => !(await isr(s!, 0)).includes(2), 'broker 2 out of the ISR of partition 0', { timeoutMs: 30_000, intervalMs: 100 });
    await s.waitAcks(20, Date.now(), 30_000, 'acks=all writes with a shrunk ISR');
    await s.cluster.restartBroker(2);
    f.heal();
    await waitFor(async () => (await isr(s!, 0)).includes(2), 'broker 2 back in the ISR of partition 0', { timeoutMs: 30_000, intervalMs: 100 });
    await s.recover();
    const r = await s.finish();
    expect(r.verdict.ok, describeViolations(r.verdict)).to.equal(true);
    expect(r.verdict.unavailability[0]!.ms, 'write gap: at most the ISR shrink delay').to.be.below(6_000);
  });

  it('rolling restart with controlled shutdown: leadership moves before each broker stops, short write gaps, nothing acknowledged lost', async () => {
    s = await Scenario.start({ name: 'rolling-restart-rf3', fault: 'SIGTERM + restart each broker in turn', assignment: RF3, topicConfigs: MIN_ISR_2, group: true });
    await s.warmup();
    for (const b of s.cluster.brokers) {
      const f = s.fault(`restart broker ${b.id}`);
      await b.terminate(30_000);
      const led = await Promise.all([0, 1, 2].map(async (p) => (await s!.cluster.partitionState(s!.topic, p)).leader));
      expect(led, `leaders after broker ${b.id}'s controlled shutdown`).to.not.include(b.id);
      await b.restart();
      f.heal();
      await s.cluster.waitHealthy();
      await waitFor(async () => (await Promise.all([0, 1, 2].map((p) => isr(s!, p)))).every((x) => x.length === 3), 'every ISR full again', { timeoutMs: 30_000, intervalMs: 100 });
      await s.recover(5);
    }
    // acks=1 records the followers had not fetched yet may go with a leadership move: counted, not fatal.
    const r = await s.finish();
    expect(r.verdict.ok, describeViolations(r.verdict)).to.equal(true);
    for (const u of r.verdict.unavailability) expect(u.ms, `write gap during ${u.fault}`).to.be.below(3_000);
  });

  it('full cluster crash and restart with RF 3: logs recover, leaders are elected from the ISR, nothing acknowledged lost', async () => {
    s = await Scenario.start({ name: 'full-crash-rf3', fault: 'kill -9 all 3 brokers, restart them all', assignment: RF3, topicConfigs: MIN_ISR_2 });
    await s.warmup();
    const f = s.fault('kill -9 every broker');
    await Promise.all(s.cluster.brokers.map((b) => b.kill9()));
    await Promise.all(s.cluster.brokers.map((b) => s!.cluster.restartBroker(b.id)));
    f.heal();
    await s.cluster.waitHealthy();
    await s.recover();
    const r = await s.finish();
    expect(r.verdict.ok, describeViolations(r.verdict)).to.equal(true);
  });

  it('disk full (ENOSPC) on a follower: its only log dir goes offline so it halts, it drops out of the ISR, the leader keeps acknowledging acks=all, nothing lost; after freeing the disk it restarts and catches up', async function () {
    const cap = await faultyDiskAvailable();
    if (!cap.available) {
      console.log(`      skipped: ${cap.reason}`);
      this.skip();
    }
    s = await Scenario.start({
      name: 'disk-full-follower',
      fault: 'fill the disk of a follower of partition 0, free it, restart the follower',
      cluster: { disks: { 2: { sizeMb: 48 } } },
      // Broker 2 only follows: what a full disk does to a leader is another scenario.
      assignment: [
        [1, 2, 3],
        [3, 1, 2],
      ],
      topicConfigs: MIN_ISR_2,
    });
    await s.warmup();
    const follower = s.cluster.broker(2);
    const f = s.fault('disk full on broker 2', [0]);
    follower.disk!.fill();
    await waitFor(() => !follower.isAlive(), 'broker 2 to halt (its only log dir failed)', { timeoutMs: 30_000, intervalMs: 50 });
    expect(follower.log()).to.include('halting the broker');
    await waitFor(async () => !(await isr(s!, 0)).includes(2), 'broker 2 out of the ISR of partition 0', { timeoutMs: 30_000, intervalMs: 100 });
    await s.waitAcks(20, Date.now(), 30_000, 'acks=all writes without the full follower');
    follower.disk!.free();
    await s.cluster.restartBroker(2);
    f.heal();
    await waitFor(async () => (await isr(s!, 0)).includes(2), 'broker 2 back in the ISR of partition 0', { timeoutMs: 45_000, intervalMs: 100 });
    await s.recover();
    const r = await s.finish();
    expect(r.verdict.ok, describeViolations(r.verdict)).to.equal(true);
    expect(r.verdict.unavailability[0]!.ms, 'write gap on partition 0').to.be.below(6_000);
  });

  /**
   * The classic unclean-election history: ISR shrinks to the leader alone (follower killed),
   * more acks=all writes land on the leader only (min ISR 1), the leader dies, the stale
   * follower comes back. Disabled: the partition waits for the old leader, nothing is lost.
   * Enabled: the stale follower leads at once and the writes it never had are lost, reported.
   */
  async function uncleanHistory(enabled: boolean): Promise<{ sc: Scenario; fault: FaultHandle }> {
    const sc = await Scenario.start({
      name: `unclean-election-${enabled ? 'enabled' : 'disabled'}`,
      fault: 'ISR shrinks to the leader, leader killed, stale follower restarted',
      assignment: [[1, 2]],
      topicConfigs: { 'min.insync.replicas': '1', 'unclean.leader.election.enable': String(enabled) },
      producers: [{ name: 'all-p0', acks: -1, partitions: [0] }],
    });
    s = sc;
    await sc.warmup();
    await sc.cluster.broker(2).kill9();
    await waitFor(async () => (await isr(sc, 0)).join() === '1', 'the ISR of partition 0 to shrink to [1]', { timeoutMs: 30_000, intervalMs: 100 });
    await sc.waitAcks(20, Date.now(), 30_000, 'writes only the leader has');
    const f = sc.fault('leader killed, stale follower back', [0]);
    await sc.cluster.broker(1).kill9();
    await sc.cluster.restartBroker(2);
    return { sc, fault: f };
  }

  it('unclean leader election disabled: the partition stays offline until the last ISR member returns, nothing acknowledged lost', async () => {
    const { sc, fault } = await uncleanHistory(false);
    // Offline for 5 s with broker 2 up and unclean election off: a deadline, the fault's duration.
    const until = Date.now() + 5_000;
    await waitFor(
      async () => {
        const st = await sc.cluster.partitionState(sc.topic, 0);
        if (st.leader === 2) throw new Error('broker 2 (not in the ISR) became leader with unclean election disabled');
        return Date.now() >= until;
      },
      'partition 0 to stay without broker 2 as leader for 5 s',
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    await sc.cluster.restartBroker(1);
    fault.heal();
    await sc.cluster.waitLeaders(sc.topic, 1);
    await sc.recover();
    const r = await sc.finish();
    expect(r.verdict.ok, describeViolations(r.verdict)).to.equal(true);
    expect(r.verdict.stats.lostAll).to.equal(0);
  });

  it('unclean leader election enabled: the stale follower leads, the acknowledged writes it lacked are lost and reported', async () => {
    const { sc, fault } = await uncleanHistory(true);
    await waitFor(async () => (await sc.cluster.partitionState(sc.topic, 0)).leader === 2, 'broker 2 elected uncleanly', { timeoutMs: 30_000, intervalMs: 100 });
    fault.heal();
    await sc.recover();
    await sc.cluster.restartBroker(1);
    const r = await sc.finish({ lossAllowed: true });
    expect(r.verdict.ok, describeViolations(r.verdict)).to.equal(true);
    expect(r.verdict.stats.lostAll, 'acks=all records lost to the unclean election (reported)').to.be.greaterThan(0);
    expect(sc.cluster.brokers.some((b) => b.log().includes('unclean leader election')), 'the unclean election in a state-change log').to.equal(true);
  });
});
