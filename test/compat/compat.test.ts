/**
 * The public client test suites' fast subsets, each through `npm run compat` (scripts/compat.sh)
 * exactly as a developer runs it: the runner fetches the Debian source package (cached under
 * data/compat/), builds what it needs, starts its own ZooKeeper and three broker processes, runs
 * the tests and stops them. Every test of each subset must pass; the JSON line names the failures.
 * kcat's suite is small enough to run whole (--full).
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { runProcess } from '../../compat/process.js';
import { REPO_ROOT } from '../helpers/zookeeper.js';

const COMPAT = join(REPO_ROOT, 'scripts', 'compat.sh');
// A fresh machine builds librdkafka first (about 2 CPU-minutes); stay under the suite's mocha timeout.
const RUN_TIMEOUT_MS = 25 * 60_000;

interface Summary {
  suite: string;
  mode: string;
  passed: number;
  failed: number;
  skipped: number;
  failures: { name: string; reason: string }[];
}

async function compat(args: string[]): Promise<{ code: number | null; summary: Summary; output: string }> {
  const r = await runProcess('bash', [COMPAT, ...args], { timeoutMs: RUN_TIMEOUT_MS, cwd: REPO_ROOT });
  const last = r.output.trim().split('\n').reverse().find((l) => l.startsWith('{"suite"'));
  if (last === undefined) throw new Error(`compat ${args.join(' ')} printed no JSON line (exit ${r.code}${r.timedOut ? ', timed out' : ''}):\n${r.output.slice(-4000)}`);
  return { code: r.code, summary: JSON.parse(last) as Summary, output: r.output };
}

describe('compat > public Kafka client test suites against Samsa', () => {
  const cases: { suite: string; mode: '--fast' | '--full'; atLeast: number }[] = [
    { suite: 'kcat', mode: '--full', atLeast: 3 },
    { suite: 'kafka-python', mode: '--fast', atLeast: 11 },
    { suite: 'librdkafka', mode: '--fast', atLeast: 15 },
  ];
  for (const { suite, mode, atLeast } of cases) {
    it(`${suite} ${mode.slice(2)}: every test passes`, async () => {
      const { code, summary, output } = await compat([suite, mode, '--json']);
      expect(summary.failures, `${suite} failures (log: data/compat/logs/${suite})`).to.deep.equal([]);
      expect(summary).to.include({ suite, mode: mode.slice(2), failed: 0 });
      expect(summary.passed, output.slice(-3000)).to.be.at.least(atLeast);
      expect(code).to.equal(0);
    });
  }

  it('a wrong command line prints the usage with the suites and exits 2', async () => {
    const r = await runProcess('bash', [COMPAT, 'no-such-suite', '--fast'], { timeoutMs: 120_000, cwd: REPO_ROOT });
    expect(r.code).to.equal(2);
    expect(r.output).to.contain('unknown compat suite "no-such-suite"').and.contain('usage: npm run compat -- <suite> [--fast|--full] [--json]');
    for (const s of ['librdkafka', 'kcat', 'kafka-python']) expect(r.output).to.match(new RegExp(`^  ${s} `, 'm'));
  });
});
