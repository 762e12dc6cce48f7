/**
 * kcat's own tests (tests/NNNN-*.sh of Debian's source package kafkacat), against kcat built
 * from that source with Debian's librdkafka-dev. Each script reads the cluster from $BROKERS
 * and runs `../kcat`; its README asks for auto topic creation with at least 3 partitions.
 * kcat picks producer mode when stdin is not a terminal, and the scripts call it without -C
 * expecting a consumer (they are meant for `make run` in a terminal), so each script runs under
 * script(1), which gives it a pseudo-terminal.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDebianPackages } from '../apt.js';
import { mustRun, runProcess } from '../process.js';
import { stripAnsi, type TestResult } from '../report.js';
import { buildJobs, firstLines, type CompatContext, type CompatSuite, type WithCluster } from '../suite.js';

interface Prepared {
  testsDir: string;
  scripts: string[];
}

/** librdkafka-dev/libyajl-dev: kcat's Build-Depends without libavro-dev (Avro needs a schema registry, which the suite only uses when SR_URL is set). jq: tests/0002. bsdutils: script(1). */
const PACKAGES = ['build-essential', 'pkg-config', 'librdkafka-dev', 'libyajl-dev', 'zlib1g-dev', 'jq', 'bsdutils'];
const SCRIPT_TIMEOUT_MS = 180_000;

export const kcatSuite: CompatSuite<Prepared> = {
  name: 'kcat',
  describe: "kcat's tests/*.sh (Debian source package kafkacat), kcat built from it",
  brokerProperties: { 'default.replication.factor': 1 },

  async prepare(ctx: CompatContext): Promise<Prepared> {
    const logFile = join(ctx.logDir, 'prepare.log');
    await ensureDebianPackages(PACKAGES, 'the kcat compat suite', logFile, ctx.log);
    const { tree, version } = await ctx.apt.sourceTree(ctx.cacheRoot, 'kcat');
    const marker = join(tree, '.samsa-built');
    if (!existsSync(marker) || !existsSync(join(tree, 'kcat'))) {
      ctx.log(`kcat: building kcat ${version}`);
      await mustRun('./configure', ['--enable-json', '--disable-avro', '--no-download'], { cwd: tree, timeoutMs: 600_000, logFile });
      await mustRun('make', [`-j${buildJobs()}`], { cwd: tree, timeoutMs: 900_000, logFile });
      writeFileSync(marker, `${new Date().toISOString()}\n`);
    }
    const testsDir = join(tree, 'tests');
    const scripts = readdirSync(testsDir).filter((f) => /^\d{4}-.*\.sh$/.test(f)).sort();
    if (scripts.length === 0) throw new Error(`no tests/NNNN-*.sh in ${tree}`);
    return { testsDir, scripts };
  },

  run(ctx: CompatContext, prepared: Prepared, withCluster: WithCluster): Promise<TestResult[]> {
    return withCluster({}, (cluster) => runScripts(ctx, prepared, cluster.bootstrap));
  },
};

async function runScripts(ctx: CompatContext, prepared: Prepared, bootstrap: string): Promise<TestResult[]> {
  const results: TestResult[] = [];
  for (const script of prepared.scripts) {
    const logFile = join(ctx.logDir, `${script}.log`);
    const r = await runProcess('script', ['-qec', `bash ./${script}`, '/dev/null'], {
      cwd: prepared.testsDir,
      env: { ...process.env, BROKERS: bootstrap, TERM: 'dumb' },
      timeoutMs: SCRIPT_TIMEOUT_MS,
      logFile,
    });
    const out = stripAnsi(r.output);
    const skipped = /TEST SKIPPED: ?(.*)/.exec(out);
    const seconds = r.ms / 1000;
    const name = script.replace(/\.sh$/, '');
    if (r.code === 0 && skipped !== null) results.push({ name, outcome: 'skipped', seconds, reason: skipped[1]!.trim() });
    else if (r.code === 0) results.push({ name, outcome: 'passed', seconds });
    else {
      const said = /TEST FAILED: ?(.*)|^(FAIL: .*)/m.exec(out);
      const why = r.timedOut ? `timed out after ${SCRIPT_TIMEOUT_MS / 1000} s` : `exit ${r.code ?? r.signal}`;
      results.push({ name, outcome: 'failed', seconds, reason: `${why}: ${said !== null ? (said[1] ?? said[2])!.trim() : firstLines(out.split('\n').slice(-6).join('\n'), 6)} (log: ${logFile})` });
    }
    ctx.log(`kcat: ${name} ${results.at(-1)!.outcome} in ${seconds.toFixed(1)} s`);
  }
  return results;
}
