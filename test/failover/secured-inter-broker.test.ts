/**
 * Secured inter-broker traffic under failure. Fault: kill -9 of the leader of partition 0 while
 * acks=all producers run; the INTERNAL listener is SASL_SSL (TLS with the make-test-certs.sh
 * CA, brokers log in with SASL PLAIN as User:broker), so every controller request and replica
 * fetch goes through the TLS handshake and the msgpack SASL exchange, again after each restart.
 * Invariant: a follower from the ISR takes over, no acknowledged acks=all record is lost, and
 * the killed broker rejoins the ISR (its fetchers re-authenticate).
 */
import { expect } from 'chai';
import { describeViolations } from '../helpers/history/index.js';
import { securedInterBrokerProperties } from '../helpers/secured-inter-broker.js';
import { waitFor } from '../helpers/wait-for.js';
import { Scenario } from './harness/scenario.js';

const RF3: number[][] = [
  [1, 2, 3],
  [2, 3, 1],
  [3, 1, 2],
];

describe('failover > secured inter-broker listener (SASL_SSL, PLAIN)', function () {
  this.timeout(180_000);
  let s: Scenario | undefined;

  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  it('leader kill -9 with a SASL_SSL inter-broker listener: a follower takes over, nothing acknowledged lost, the old leader re-authenticates and rejoins the ISR', async () => {
    const properties = securedInterBrokerProperties();
    s = await Scenario.start({ name: 'secured-ib-leader-kill9', fault: 'kill -9 the leader of partition 0 (SASL_SSL inter-broker), restart it', assignment: RF3, topicConfigs: { 'min.insync.replicas': '2' }, cluster: { properties } });
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
    await waitFor(async () => (await s!.cluster.partitionState(s!.topic, 0)).isr.includes(1), 'broker 1 back in the ISR of partition 0', { timeoutMs: 30_000, intervalMs: 100 });
    const r = await s.finish();
    expect(r.verdict.ok, describeViolations(r.verdict)).to.equal(true);
    expect([2, 3]).to.include(next);
  });
});
