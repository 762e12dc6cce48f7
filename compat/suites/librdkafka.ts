/**
 * librdkafka's own test suite (tests/ of Debian's source package librdkafka): the test-runner
 * binary built against that source, run on the allowlisted tests (compat/librdkafka-allowlist.txt)
 * as its Makefile's `quick` target does (-E: no sockem; -L: no local tests), with
 * TEST_KAFKA_VERSION=2.8.0. The cluster is what its scenarios/*.json ask of trivup:
 * num_partitions 4, replication_factor 3, Kafka's default initial rebalance delay (3 s), auto
 * topic creation on (off for the `noautocreate` scenario, which gets a cluster of its own).
 * Tests that call Kafka's kafka-topics.sh get Samsa's topics tool through compat/kafka-bin
 * (KAFKA_PATH).
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDebianPackages } from '../apt.js';
import { parseAllowlist, parseRunResults, parseTestList, selectTests, type RdkafkaTest } from '../librdkafka-tests.js';
import { mustRun, runProcess } from '../process.js';
import { stripAnsi, type TestResult } from '../report.js';
import { buildJobs, type CompatContext, type CompatSuite, type WithCluster } from '../suite.js';

interface Prepared {
  tree: string;
  tests: RdkafkaTest[];
}

/** The source package's Build-Depends (debhelper aside) and a compiler. */
const PACKAGES = ['build-essential', 'pkg-config', 'python3', 'zlib1g-dev', 'libssl-dev', 'libsasl2-dev', 'libzstd-dev', 'liblz4-dev', 'rapidjson-dev', 'coreutils'];
export const ALLOWLIST_FILE = join(import.meta.dirname, '..', 'librdkafka-allowlist.txt');
const KAFKA_PATH = join(import.meta.dirname, '..', 'kafka-bin');
const BROKER_VERSION = '2.8.0';
const SCENARIOS: Record<string, Record<string, string | number | boolean>> = {
  default: { 'auto.create.topics.enable': true },
  noautocreate: { 'auto.create.topics.enable': false },
};
const RUN_TIMEOUT_MS = { fast: 10 * 60_000, full: 60 * 60_000 };

async function build(ctx: CompatContext, tree: string, version: string): Promise<void> {
  const marker = join(tree, '.samsa-built');
  if (existsSync(marker) && existsSync(join(tree, 'tests', 'test-runner'))) return;
  const logFile = join(ctx.logDir, 'build.log');
  const jobs = `-j${buildJobs()}`;
  const started = Date.now();
  ctx.log(`librdkafka: building librdkafka ${version} and tests/test-runner (a few CPU-minutes; log: ${logFile})`);
  // -O0 without debug symbols halves the build (about 2 CPU-minutes instead of 4): the tests check
  // the broker's protocol behaviour, not the client's speed.
  await mustRun('./configure', ['--disable-optimization', '--disable-debug-symbols'], { cwd: tree, timeoutMs: 600_000, logFile });
  await mustRun('make', [jobs, 'libs'], { cwd: tree, timeoutMs: 3_600_000, logFile });
  await mustRun('make', [jobs, '-C', 'tests', 'test-runner'], { cwd: tree, timeoutMs: 3_600_000, logFile });
  writeFileSync(marker, `${new Date().toISOString()} built in ${Math.round((Date.now() - started) / 1000)} s\n`);
  ctx.log(`librdkafka: built in ${Math.round((Date.now() - started) / 1000)} s`);
}

export const librdkafkaSuite: CompatSuite<Prepared> = {
  name: 'librdkafka',
  describe: "librdkafka's tests/ (Debian source package librdkafka), allowlisted in compat/librdkafka-allowlist.txt",
  // trivup's broker config (server.properties.template, scenarios/default.json) leaves
  // group.initial.rebalance.delay.ms at Kafka's 3000: tests such as 0102 and 0118 start two
  // consumers together and expect one first generation with both; with 0 the first forms a
  // generation alone and the second's join waits for the first application to poll.
  // The ACL authorizer, open where a resource has no ACL: 0081_admin's CreateAcls/DescribeAcls/
  // DeleteAcls sub-tests, and the deny ACLs that 0109, 0115 and 0119 add with kafka-acls.sh.
  brokerProperties: {
    'default.replication.factor': 3,
    'num.partitions': 4,
    'group.initial.rebalance.delay.ms': 3000,
    'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer',
    'allow.everyone.if.no.acl.found': true,
  },

  async prepare(ctx: CompatContext): Promise<Prepared> {
    await ensureDebianPackages(PACKAGES, 'the librdkafka compat suite', join(ctx.logDir, 'prepare.log'), ctx.log);
    const { tree, version } = await ctx.apt.sourceTree(ctx.cacheRoot, 'librdkafka');
    // The allowlist is checked before the long build, so a mismatch fails at once.
    const all = parseTestList(readFileSync(join(tree, 'tests', 'test.c'), 'utf8'));
    const tests = selectTests(all, parseAllowlist(readFileSync(ALLOWLIST_FILE, 'utf8'), ALLOWLIST_FILE), ctx.mode === 'fast');
    await build(ctx, tree, version);
    return { tree, tests };
  },

  async run(ctx: CompatContext, prepared: Prepared, withCluster: WithCluster): Promise<TestResult[]> {
    const results: TestResult[] = [];
    for (const [scenario, properties] of Object.entries(SCENARIOS)) {
      const tests = prepared.tests.filter((t) => t.scenario.split(',').includes(scenario));
      if (tests.length === 0) continue;
      ctx.log(`librdkafka: scenario ${scenario}: ${tests.length} tests`);
      results.push(...(await withCluster(properties, (cluster) => runScenario(ctx, prepared.tree, scenario, tests, cluster.bootstrap, cluster.zookeeperConnect))));
    }
    return results;
  },
};

async function runScenario(ctx: CompatContext, tree: string, scenario: string, tests: RdkafkaTest[], bootstrap: string, zookeeper: string): Promise<TestResult[]> {
  const testsDir = join(tree, 'tests');
  // Timeouts inside the tests are deadlines, not waits: a multiplier costs nothing when they pass,
  // and the shared 2-core machine is slower than librdkafka's CI.
  writeFileSync(join(testsDir, 'test.conf'), [`metadata.broker.list=${bootstrap}`, 'broker.address.family=v4', 'test.timeout.multiplier=3', ''].join('\n'));
  const reportFile = join(ctx.logDir, `report-${scenario}.json`);
  rmSync(reportFile, { force: true });
  const args = ['-oL', './test-runner', '-E', '-L', ...(ctx.mode === 'fast' ? ['-Q'] : []), '-p3', '-s', scenario];
  const timeoutMs = RUN_TIMEOUT_MS[ctx.mode];
  const logFile = join(ctx.logDir, `test-runner-${scenario}.log`);
  const r = await runProcess('stdbuf', args, {
    cwd: testsDir,
    env: {
      ...process.env,
      LD_LIBRARY_PATH: [join(tree, 'src'), join(tree, 'src-cpp')].join(':'),
      TESTS: [...new Set(tests.map((t) => t.number))].join(','),
      TEST_KAFKA_VERSION: BROKER_VERSION,
      TEST_REPORT: reportFile,
      KAFKA_PATH,
      BROKERS: bootstrap,
      ZK_ADDRESS: zookeeper,
      RDKAFKA_GITVER: 'debian-source',
    },
    timeoutMs,
    logFile,
    onOutput: (text) => {
      for (const m of stripAnsi(text).matchAll(/=== Test (\d{4}_\w+) (PASSED|FAILED) ===/g)) ctx.log(`librdkafka: ${m[1]} ${m[2]!.toLowerCase()}`);
    },
  });
  for (const f of readdirSync(testsDir)) if (/^stats_.*\.json$/.test(f)) rmSync(join(testsDir, f), { force: true });
  // The log file has the whole output (the in-memory copy is capped).
  const results = parseRunResults(tests, existsSync(reportFile) ? readFileSync(reportFile, 'utf8') : undefined, stripAnsi(readFileSync(logFile, 'utf8')));
  if (r.timedOut) {
    for (const res of results) {
      if (res.outcome === 'failed' && res.reason?.startsWith('no result')) res.reason = `the test runner was stopped after ${timeoutMs / 1000} s`;
    }
  }
  return results;
}
