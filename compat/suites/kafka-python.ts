/**
 * kafka-python's integration tests (test/test_*integration*.py, test_consumer_group.py and
 * test_producer.py of Debian's source package python-kafka), run by Debian's pytest from the
 * source tree (so the client under test is that source's `kafka` package) with our pytest plugin
 * (compat/kafka-python/samsa_kafka_python.py) handing out the Samsa brokers in place of their
 * spawned Kafka. Their fixture gives Kafka one broker, num.partitions=4 (the factory's default)
 * and default.replication.factor=1; KAFKA_VERSION is 2.5.0, the newest their fixtures know.
 * Like their servers/2.5.0/resources/kafka.properties, the brokers run the ACL authorizer with
 * allow.everyone.if.no.acl.found=true; test_sasl_integration.py's brokers get, besides PLAINTEXT,
 * a SASL_PLAINTEXT listener with PLAIN (their JAAS user alice) and SCRAM-SHA-256/512 (alice's
 * credentials in ZooKeeper, made as their fixture makes them, with the configs tool).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Admin, type SaslMechanismName } from '../../client/index.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import { REPO_ROOT } from '../../test/helpers/zookeeper.js';
import { ensureDebianPackages } from '../apt.js';
import type { CompatCluster } from '../cluster.js';
import { mustRun, runProcess } from '../process.js';
import { stripAnsi, type Outcome, type TestResult } from '../report.js';
import { firstLines, type CompatContext, type CompatSuite, type WithCluster } from '../suite.js';

interface Prepared {
  tree: string;
}

/** pytest and its mock plugins (their conftest uses `mocker`), the client, and the codecs test_producer parametrizes. */
const PACKAGES = ['python3-pytest', 'python3-mock', 'python3-pytest-mock', 'python3-kafka', 'python3-lz4', 'python3-snappy', 'python3-zstandard'];
const PLUGIN_DIR = join(import.meta.dirname, '..', 'kafka-python');
const KAFKA_VERSION = '2.5.0';
const NUM_PARTITIONS = 4;
const PYTHON = '/usr/bin/python3';
/** Their fixture's SASL user (KafkaFixture.broker_user, broker_password). */
const SASL_USER = 'alice';
const SASL_PASSWORD = 'alice-secret';
const SASL_LISTENER = 'SASL_PLAINTEXT';
const SCRAM_MECHANISMS: SaslMechanismName[] = ['SCRAM-SHA-256', 'SCRAM-SHA-512'];

const FULL = [
  'test/test_admin_integration.py',
  'test/test_consumer_group.py',
  'test/test_consumer_integration.py',
  'test/test_producer.py',
  'test/test_sasl_integration.py',
];

/**
 * A minute or so: produce with every codec, a consumer, a consumer group, commits, the admin view
 * of a group, the ACL APIs, and the SASL_PLAINTEXT listener with PLAIN and with SCRAM.
 */
export const KAFKA_PYTHON_FAST = [
  'test/test_producer.py::test_end_to_end',
  'test/test_consumer_integration.py::test_kafka_consumer',
  'test/test_consumer_integration.py::test_kafka_consumer__offset_commit_resume',
  'test/test_consumer_group.py::test_group',
  'test/test_admin_integration.py::test_describe_consumer_group_exists',
  'test/test_admin_integration.py::test_create_describe_delete_acls',
  'test/test_sasl_integration.py::test_client[PLAIN]',
  'test/test_sasl_integration.py::test_produce_and_consume[SCRAM-SHA-512]',
];

const RUN_TIMEOUT_MS = 30 * 60_000;

interface PluginRow {
  name: string;
  outcome: Outcome;
  seconds: number;
  reason: string;
}

export const kafkaPythonSuite: CompatSuite<Prepared> = {
  name: 'kafka-python',
  describe: "kafka-python's integration tests (Debian source package python-kafka) with a pytest plugin of ours",
  // Their fixture numbers brokers from 0, and tests look broker 0 up by id.
  firstBrokerId: 0,
  brokerProperties: {
    'default.replication.factor': 1,
    'num.partitions': NUM_PARTITIONS,
    'offsets.topic.num.partitions': 2,
    'offsets.topic.replication.factor': 1,
    'authorizer.class.name': 'kafka.security.auth.SimpleAclAuthorizer',
    'allow.everyone.if.no.acl.found': true,
    'sasl.enabled.mechanisms': ['PLAIN', ...SCRAM_MECHANISMS].join(','),
    // Their kafka_server_jaas.conf for PLAIN: alice is the only user.
    'listener.name.sasl_plaintext.plain.sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required username="${SASL_USER}" password="${SASL_PASSWORD}" user_${SASL_USER}="${SASL_PASSWORD}";`,
  },
  extraListeners: [SASL_LISTENER],

  async prepare(ctx: CompatContext): Promise<Prepared> {
    await ensureDebianPackages(PACKAGES, 'the kafka-python compat suite', join(ctx.logDir, 'prepare.log'), ctx.log);
    const { tree } = await ctx.apt.sourceTree(ctx.cacheRoot, 'python-kafka');
    return { tree };
  },

  run(ctx: CompatContext, prepared: Prepared, withCluster: WithCluster): Promise<TestResult[]> {
    return withCluster({}, async (cluster) => {
      await addScramUser(ctx, cluster);
      return runPytest(ctx, prepared, cluster);
    });
  },
};

/**
 * alice's SCRAM credentials, as their fixture adds them (kafka-configs.sh --alter --add-config
 * 'SCRAM-SHA-256=[password=...]'), then, as their fixture waits for the broker to have read them
 * from ZooKeeper, until every broker's SASL listener logs alice in with both mechanisms.
 */
async function addScramUser(ctx: CompatContext, cluster: CompatCluster): Promise<void> {
  await mustRun('bash', [
    join(REPO_ROOT, 'scripts', 'configs.sh'), '--bootstrap-server', cluster.bootstrap, '--entity-type', 'users', '--entity-name', SASL_USER,
    '--alter', '--add-config', SCRAM_MECHANISMS.map((m) => `${m}=[password=${SASL_PASSWORD}]`).join(','),
  ], { timeoutMs: 60_000, logFile: join(ctx.logDir, 'scram-user.log') });
  for (const b of cluster.cluster.brokers) {
    for (const mechanism of SCRAM_MECHANISMS) {
      const address = `${b.host}:${b.listenerPort(SASL_LISTENER)}`;
      await waitFor(
        async () => {
          const admin = new Admin({ brokers: [address], clientId: 'samsa-compat', retries: 0, sasl: { mechanism, username: SASL_USER, password: SASL_PASSWORD } });
          try {
            await admin.describeCluster();
            return true;
          } finally {
            admin.close();
          }
        },
        `${SASL_USER} logs in with ${mechanism} at broker ${b.brokerId} (${address})`,
        { timeoutMs: 30_000, intervalMs: 300 },
      );
    }
  }
  ctx.log(`kafka-python: ${SASL_USER} logs in with ${SCRAM_MECHANISMS.join(' and ')} on every broker's ${SASL_LISTENER} listener`);
}

async function runPytest(ctx: CompatContext, prepared: Prepared, cluster: CompatCluster): Promise<TestResult[]> {
  const resultsFile = join(ctx.logDir, 'results.jsonl');
  rmSync(resultsFile, { force: true });
  const selection = ctx.mode === 'fast' ? KAFKA_PYTHON_FAST : FULL;
  const logFile = join(ctx.logDir, 'pytest.log');
  const r = await runProcess(PYTHON, [
    '-m', 'pytest', '-p', 'samsa_kafka_python', '-p', 'no:cacheprovider', '-o', 'addopts=', '-rfEs', '-v', ...selection,
  ], {
    cwd: prepared.tree,
    env: {
      ...process.env,
      PYTHONPATH: [PLUGIN_DIR, prepared.tree].join(':'),
      PYTHONDONTWRITEBYTECODE: '1',
      KAFKA_VERSION,
      SAMSA_BROKERS: cluster.cluster.brokers.map((b) => `${b.brokerId}@${b.host}:${b.port}`).join(','),
      SAMSA_SASL_BROKERS: cluster.cluster.brokers.map((b) => `${b.brokerId}@${b.host}:${b.listenerPort(SASL_LISTENER)}`).join(','),
      SAMSA_ZOOKEEPER: cluster.zookeeperConnect,
      SAMSA_NUM_PARTITIONS: String(NUM_PARTITIONS),
      SAMSA_COMPAT_RESULTS: resultsFile,
    },
    timeoutMs: RUN_TIMEOUT_MS,
    logFile,
    onOutput: (text) => {
      for (const line of stripAnsi(text).split('\n')) {
        const m = /^(test\/\S+) (PASSED|FAILED|ERROR|SKIPPED)/.exec(line);
        if (m !== null) ctx.log(`kafka-python: ${m[1]} ${m[2]!.toLowerCase()}`);
      }
    },
  });
  if (!existsSync(resultsFile)) {
    const why = r.timedOut ? `timed out after ${RUN_TIMEOUT_MS / 1000} s` : `exit ${r.code ?? r.signal}`;
    return [{ name: 'pytest', outcome: 'failed', seconds: r.ms / 1000, reason: `pytest ${why} before reporting: ${firstLines(stripAnsi(r.output).split('\n').slice(-8).join('\n'), 8)} (log: ${logFile})` }];
  }
  const rows = readFileSync(resultsFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as PluginRow);
  return rows.map((row) => ({
    name: row.name.replace(/^test\//, ''),
    outcome: row.outcome,
    seconds: row.seconds,
    ...(row.outcome === 'passed' ? {} : { reason: firstLines(row.reason, 3) }),
  }));
}
