/**
 * Entry point of `npm run compat -- <suite> [--fast|--full] [--json]`: prepares the suite
 * (Debian source package, dependencies, build; cached under data/compat/), starts its own
 * ZooKeeper and three brokers, runs the tests, stops everything it started, then prints a table
 * (test, result, seconds, reason) and one final JSON line. Exit 0 when nothing failed.
 */
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PrivateApt } from './apt.js';
import { startCompatCluster, type CompatCluster } from './cluster.js';
import { formatTable, summarize, type TestResult } from './report.js';
import type { CompatContext, CompatMode, WithCluster } from './suite.js';
import { findSuite, SUITES } from './suites/index.js';
import { REPO_ROOT } from '../test/helpers/zookeeper.js';

export const CACHE_ROOT = join(REPO_ROOT, 'data', 'compat');

function usage(): string {
  return [
    'usage: npm run compat -- <suite> [--fast|--full] [--json]',
    '  --full   every allowlisted test (default)',
    '  --fast   the small subset that `npm test -- compat` runs',
    '  --json   readable lines on stderr; stdout carries only the final JSON line',
    'suites:',
    ...SUITES.map((s) => `  ${s.name.padEnd(13)} ${s.describe}`),
  ].join('\n');
}

const running = new Set<CompatCluster>();

async function stopAll(): Promise<void> {
  await Promise.all([...running].map((c) => c.stop().catch(() => undefined)));
  running.clear();
}

async function main(argv: string[]): Promise<number> {
  const positional = argv.filter((a) => !a.startsWith('--'));
  const flags = argv.filter((a) => a.startsWith('--'));
  const bad = flags.filter((f) => !['--fast', '--full', '--json', '--help'].includes(f));
  if (flags.includes('--help')) {
    console.log(usage());
    return 0;
  }
  const suite = positional.length === 1 ? findSuite(positional[0]!) : undefined;
  if (suite === undefined || bad.length > 0 || (flags.includes('--fast') && flags.includes('--full'))) {
    if (positional[0] !== undefined && suite === undefined) console.error(`unknown compat suite "${positional[0]}"`);
    if (bad.length > 0) console.error(`unknown option ${bad.join(' ')}`);
    console.error(usage());
    return 2;
  }
  const json = flags.includes('--json');
  const mode: CompatMode = flags.includes('--fast') ? 'fast' : 'full';
  const log = (line: string): void => (json ? console.error(line) : console.log(line));
  const logDir = join(CACHE_ROOT, 'logs', suite.name);
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  const ctx: CompatContext = { cacheRoot: CACHE_ROOT, logDir, mode, log, apt: new PrivateApt(CACHE_ROOT, join(logDir, 'apt.log'), log) };

  const started = Date.now();
  let results: TestResult[];
  try {
    const prepared = await suite.prepare(ctx);
    ctx.log(`${suite.name}: prepared in ${Math.round((Date.now() - started) / 1000)} s`);
    let clusters = 0;
    const withCluster: WithCluster = async (extra, fn) => {
      const t0 = Date.now();
      const cluster = await startCompatCluster({ ...suite.brokerProperties, ...extra }, suite.firstBrokerId, suite.extraListeners);
      running.add(cluster);
      const n = ++clusters;
      ctx.log(`${suite.name}: cluster ${n} (ZooKeeper ${cluster.zookeeperConnect}, brokers ${cluster.bootstrap}) up in ${Math.round((Date.now() - t0) / 1000)} s`);
      try {
        return await fn(cluster);
      } finally {
        // Broker logs outlive the temporary cluster directories, for the failure reasons.
        for (const b of cluster.cluster.brokers) {
          if (existsSync(b.outFile)) copyFileSync(b.outFile, join(logDir, `cluster-${n}-broker-${b.brokerId}.out`));
        }
        running.delete(cluster);
        await cluster.stop();
      }
    };
    results = await suite.run(ctx, prepared, withCluster);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log(`${suite.name}: ${message}`);
    results = [{ name: 'compat-runner', outcome: 'failed', seconds: (Date.now() - started) / 1000, reason: message.split('\n')[0]! }];
  } finally {
    await stopAll();
  }
  const summary = summarize(suite.name, mode, results, (Date.now() - started) / 1000);
  log('');
  log(formatTable(results));
  log(`${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped (${suite.name}, ${mode}, ${summary.seconds} s; logs in ${logDir})`);
  console.log(JSON.stringify(summary));
  return summary.failed === 0 && summary.passed > 0 ? 0 : 1;
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    console.error(`compat: ${sig}: stopping the clusters this run started`);
    void stopAll().finally(() => process.exit(130));
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    void stopAll().finally(() => process.exit(1));
  },
);
