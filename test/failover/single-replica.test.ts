/**
 * Failover scenarios that hold without replication: single-replica partitions (RF 1), broker
 * process crashes and restarts, the full cluster crash, a rolling restart, and a self-test that
 * the checker does catch lost acknowledged writes. Each states its fault and its invariant.
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CLEAN_SHUTDOWN_MARKER } from '../../storage/index.js';
import { describeViolations } from '../helpers/history/index.js';
import { Scenario } from './harness/scenario.js';

describe('failover > single-replica partitions', function () {
  this.timeout(120_000);
  let s: Scenario | undefined;

  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  it('leader kill -9, then restart: nothing acknowledged (acks=all or acks=1) is lost, order kept, the partition comes back', async () => {
    s = await Scenario.start({ name: 'leader-kill9-rf1', fault: 'kill -9 the leader of partition 0, restart it', assignment: [[1], [2], [3]], group: true });
    await s.warmup();
    const f = s.fault('kill -9 broker 1', [0]);
    await s.cluster.broker(1).kill9();
    await s.cluster.restartBroker(1);
    f.heal();
    await s.recover();
    const r = await s.finish({ leaderAcksDurable: true });
    expect(r.verdict.ok, describeViolations(r.verdict)).to.equal(true);
    expect(r.verdict.unavailability[0]!.recovered).to.equal(true);
  });

  it('full cluster crash (kill -9 every broker) and restart: logs recover from the unclean shutdown, nothing acknowledged lost', async () => {
    s = await Scenario.start({ name: 'full-crash', fault: 'kill -9 all 3 brokers, restart them all', assignment: [[1], [2], [3]] });
    await s.warmup();
    const f = s.fault('kill -9 every broker');
    await Promise.all(s.cluster.brokers.map((b) => b.kill9()));
    // The shutdown really was unclean: no partition directory carries the clean-shutdown marker.
    for (const b of s.cluster.brokers) {
      const dir = join(b.process.logDir, `${s.topic}-${b.id - 1}`);
      expect(existsSync(dir), dir).to.equal(true);
      expect(existsSync(join(dir, CLEAN_SHUTDOWN_MARKER)), `${dir} clean-shutdown marker`).to.equal(false);
    }
    await Promise.all(s.cluster.brokers.map((b) => s!.cluster.restartBroker(b.id)));
    f.heal();
    await s.cluster.waitHealthy();
    await s.recover();
    const r = await s.finish({ leaderAcksDurable: true });
    expect(r.verdict.ok, describeViolations(r.verdict)).to.equal(true);
  });

  it('rolling restart (SIGTERM, controlled shutdown, restart, one broker at a time): every broker stops cleanly, nothing acknowledged lost', async () => {
    s = await Scenario.start({ name: 'rolling-restart-rf1', fault: 'SIGTERM + restart each broker in turn', assignment: [[1], [2], [3]] });
    await s.warmup();
    for (const b of s.cluster.brokers) {
      const f = s.fault(`restart broker ${b.id}`, [b.id - 1]);
      const stopped = Date.now();
      await b.terminate(30_000);
      expect(Date.now() - stopped, `broker ${b.id} graceful stop time`).to.be.below(30_000);
      await b.restart();
      f.heal();
      await s.cluster.waitHealthy();
      await s.recover(5);
    }
    const r = await s.finish({ leaderAcksDurable: true });
    expect(r.verdict.ok, describeViolations(r.verdict)).to.equal(true);
    expect(r.verdict.unavailability.every((u) => u.recovered)).to.equal(true);
  });

  it('checker self-test: a leader that loses acknowledged writes (log wiped under kill -9) is reported as lost-acknowledged', async () => {
    s = await Scenario.start({ name: 'self-test-lost-writes', fault: 'kill -9 the leader of partition 0, wipe its log, restart', assignment: [[1], [2]] });
    await s.warmup();
    const f = s.fault('kill -9 + wipe broker 1', [0]);
    await s.cluster.broker(1).kill9();
    s.cluster.broker(1).wipe();
    await s.cluster.restartBroker(1);
    f.heal();
    await s.recover(5);
    const r = await s.finish({ leaderAcksDurable: true });
    expect(r.verdict.ok, 'the checker must fail this history').to.equal(false);
    expect(r.verdict.counts['lost-acknowledged'] ?? 0).to.be.greaterThan(0);
    expect(r.verdict.stats.lostAll).to.be.greaterThan(0);
  });
});
