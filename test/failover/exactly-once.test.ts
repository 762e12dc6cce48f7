/**
 * Exactly-once under faults (issue 16): a consume-transform-produce job (Samsa client) copies a
 * topic of uniquely numbered records while a broker dies. CI runs the representative case —
 * kill -9 of the output partition's leader, the one that holds the transaction's data and markers;
 * `npm run bench -- eos-failover` runs every target (input leader, output leader, transaction
 * coordinator) × signal (kill -9, SIGTERM). See harness/eos-pipeline.ts.
 */
import { expect } from 'chai';
import { describeViolations } from '../helpers/history/index.js';
import { runEosPipeline } from './harness/eos-pipeline.js';

describe('failover > exactly-once consume-transform-produce', function () {
  this.timeout(240_000);

  it('kill -9 of the output leader mid-copy: read_committed output holds every input record exactly once, in order per partition', async () => {
    const r = await runEosPipeline('output-leader', 'kill9', { log: (l) => console.log(l) });
    console.log(`      ${r.line}`);
    expect(r.verdict.ok, describeViolations({ violations: r.verdict.violations } as never)).to.equal(true);
    expect(r.transactions).to.be.greaterThan(0);
  });
});
