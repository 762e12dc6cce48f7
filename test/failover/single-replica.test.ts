/**
 * Failover scenarios that hold without replication: single-replica partitions, broker process
 * crashes and restarts, and the full cluster crash. Each states its fault and its invariant.
 */
import { expect } from 'chai';
import { describeViolations } from '../helpers/history/index.js';
import { Scenario } from './harness/scenario.js';

describe('failover > single-replica partitions', function () {
  this.timeout(120_000);
  let s: Scenario | undefined;

  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  it('leader kill -9 and restart: nothing acknowledged (acks=all or acks=1) is lost, order kept, the partition comes back', async () => {
    s = await Scenario.start({ name: 'leader-kill9-rf1', fault: 'kill -9 the leader of partition 0, restart it', assignment: [[1], [2], [3]] });
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
});
