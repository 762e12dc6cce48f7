/**
 * One broker PROCESS with every security protocol on its own listener, for the real-client
 * security tests: SSL (ssl.client.auth=required, principal = certificate DN through
 * ssl.principal.mapping.rules), SASL_PLAINTEXT and SASL_SSL with PLAIN (JAAS users) and
 * SCRAM-SHA-256/512 (credentials made with configs.sh, stored in ZooKeeper). Certificates come
 * from scripts/make-test-certs.sh (Debian's openssl) in a temp directory. The PLAINTEXT listener
 * stays for setup (configs.sh) and as the "broker still serves" probe.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { logLevel, type KafkaConfig } from 'kafkajs';
import { startCluster, type TestCluster } from '../../helpers/cluster.js';
import { tmpDir } from '../../helpers/tmp.js';
import { waitFor } from '../../helpers/wait-for.js';
import { REPO_ROOT } from '../../helpers/zookeeper.js';
import { kcat } from '../kcat.js';

const run = promisify(execFile);

export type Protocol = 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
export type Mechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
export const MECHANISMS: readonly Mechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];

/** alice's password for every mechanism (PLAIN from the JAAS config, SCRAM from configs.sh). */
export const PASSWORD = 'alice-secret';

const JAAS = `org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="${PASSWORD}";`;

/** How a client reaches one listener: protocol, optional SASL mechanism and credentials, optional client certificate. */
export interface Login {
  protocol: Protocol;
  mechanism?: Mechanism;
  password?: string;
  /** A PEM (key + certificate) from make-test-certs.sh for SSL listeners (mTLS). */
  cert?: string;
  /** CA file the client trusts (default the test CA). */
  ca?: string;
}

export interface SecuredBroker {
  cluster: TestCluster;
  certs: string;
  port(protocol: Protocol | 'PLAINTEXT'): number;
  /** kcat -X options for a login. */
  kcatArgs(login: Login): string[];
  /** The broker's process log (broker.out). */
  log(): string;
  stop(): Promise<void>;
}

export async function startSecuredBroker(name: string): Promise<SecuredBroker> {
  const certs = tmpDir(`samsa-${name}-certs-`);
  await run('bash', [join(REPO_ROOT, 'scripts', 'make-test-certs.sh'), certs]);
  const cluster = await startCluster({
    size: 1,
    extraListeners: ['SSL', 'SASL_PLAINTEXT', 'SASL_SSL'],
    properties: {
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': join(certs, 'broker.pem'),
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.location': join(certs, 'ca.pem'),
      'listener.name.ssl.ssl.client.auth': 'required',
      'ssl.principal.mapping.rules': 'RULE:^CN=([^,]*),OU=eng.*$/$1/L,DEFAULT',
      'sasl.enabled.mechanisms': MECHANISMS.join(','),
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': JAAS,
      'listener.name.sasl_ssl.plain.sasl.jaas.config': JAAS,
      'auto.create.topics.enable': true,
      'offsets.topic.replication.factor': 1,
      'offsets.topic.num.partitions': 2,
    },
  });
  const broker = cluster.brokers[0]!;
  const port = (protocol: Protocol | 'PLAINTEXT') => (protocol === 'PLAINTEXT' ? broker.port : broker.listenerPort(protocol));
  const kcatArgs = (l: Login): string[] => [
    '-b', `127.0.0.1:${port(l.protocol)}`, '-X', `security.protocol=${l.protocol}`,
    ...(l.protocol === 'SASL_PLAINTEXT' ? [] : ['-X', `ssl.ca.location=${l.ca ?? join(certs, 'ca.pem')}`]),
    ...(l.cert === undefined ? [] : ['-X', `ssl.certificate.location=${join(certs, l.cert)}`, '-X', `ssl.key.location=${join(certs, l.cert)}`]),
    ...(l.mechanism === undefined ? [] : ['-X', `sasl.mechanisms=${l.mechanism}`, '-X', 'sasl.username=alice', '-X', `sasl.password=${l.password ?? PASSWORD}`]),
  ];
  try {
    await run(join(REPO_ROOT, 'scripts', 'configs.sh'), [
      '--bootstrap-server', `127.0.0.1:${broker.port}`, '--entity-type', 'users', '--entity-name', 'alice',
      '--alter', '--add-config', `SCRAM-SHA-256=[password=${PASSWORD}],SCRAM-SHA-512=[iterations=8192,password=${PASSWORD}]`,
    ]);
    // The credentials reach the broker's cache through /config/changes: wait until both log in.
    for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
      await waitFor(
        async () => (await kcat([...kcatArgs({ protocol: 'SASL_PLAINTEXT', mechanism }), '-L', '-m', '5'], undefined, 20_000)).code === 0,
        `alice logs in with ${mechanism}`,
        { timeoutMs: 30_000, intervalMs: 300 },
      );
    }
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return { cluster, certs, port, kcatArgs, log: () => broker.log(), stop: () => cluster.stop() };
}

export interface PythonResult {
  ok: boolean;
  /** The last line printed: the consumed values joined by ',' or the exception `Class: message`. */
  out: string;
  /** kafka-python's own error log (why a connection failed). */
  log: string;
}

/**
 * kafka-python (Debian's python3-kafka 2.0.2, in the system python): produce `value` to `topic`,
 * then read the topic from the beginning. Failures are caught and printed, not thrown.
 */
export async function kafkaPython(b: SecuredBroker, login: Login, topic: string, value: string, maxBlockMs = 15_000): Promise<PythonResult> {
  const opts = [
    `bootstrap_servers='127.0.0.1:${b.port(login.protocol)}'`, `security_protocol='${login.protocol}'`, 'api_version=(2, 5, 0)',
    ...(login.protocol === 'SASL_PLAINTEXT' ? [] : [`ssl_cafile='${login.ca ?? join(b.certs, 'ca.pem')}'`]),
    ...(login.cert === undefined ? [] : [`ssl_certfile='${join(b.certs, login.cert)}'`, `ssl_keyfile='${join(b.certs, login.cert)}'`]),
    ...(login.mechanism === undefined ? [] : [`sasl_mechanism='${login.mechanism}'`, "sasl_plain_username='alice'", `sasl_plain_password='${login.password ?? PASSWORD}'`]),
  ].join(', ');
  const py = [
    'import logging, sys',
    'logging.basicConfig(level=logging.ERROR)',
    'from kafka import KafkaProducer, KafkaConsumer, TopicPartition',
    'try:',
    `    p = KafkaProducer(${opts}, max_block_ms=${maxBlockMs})`,
    `    p.send('${topic}', b'${value}').get(timeout=30)`,
    '    p.close()',
    `    c = KafkaConsumer(${opts}, group_id=None, auto_offset_reset='earliest', consumer_timeout_ms=3000)`,
    `    c.assign([TopicPartition('${topic}', 0)])`,
    '    seen = [m.value.decode() for m in c]',
    '    c.close()',
    "    print(','.join(seen))",
    'except Exception as e:',
    "    print(type(e).__name__ + ': ' + str(e))",
    '    sys.exit(3)',
  ].join('\n');
  try {
    const { stdout, stderr } = await run('/usr/bin/python3', ['-c', py], { timeout: 90_000 });
    return { ok: true, out: stdout.trim().split('\n').pop() ?? '', log: stderr };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    return { ok: false, out: (e.stdout ?? '').trim().split('\n').pop() || e.message, log: e.stderr ?? '' };
  }
}

/** KafkaJS connection options for a login (its own lower-case mechanism names). */
export function kafkaJsConfig(b: SecuredBroker, login: Login, clientId: string): KafkaConfig {
  const pem = login.cert === undefined ? undefined : readFileSync(join(b.certs, login.cert), 'utf8');
  const tls = login.protocol !== 'SASL_PLAINTEXT';
  return {
    brokers: [`127.0.0.1:${b.port(login.protocol)}`],
    clientId,
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 10_000,
    ...(tls ? { ssl: { ca: [readFileSync(login.ca ?? join(b.certs, 'ca.pem'), 'utf8')], ...(pem === undefined ? {} : { cert: pem, key: pem }) } } : {}),
    ...(login.mechanism === undefined
      ? {}
      : { sasl: { mechanism: login.mechanism.toLowerCase() as 'plain', username: 'alice', password: login.password ?? PASSWORD } }),
  };
}
