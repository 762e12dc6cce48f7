/**
 * TLS and SCRAM on one in-process broker (real ZooKeeper, real TLS with certificates made by
 * scripts/make-test-certs.sh with Debian's openssl):
 * - an SSL listener with ssl.client.auth=required: kcat with a CA-signed client certificate
 *   works and its principal is the certificate DN through ssl.principal.mapping.rules; no
 *   certificate, an untrusted one, an expired one, and a plaintext client are refused, and the
 *   broker keeps serving;
 * - SCRAM credentials made with configs.sh (AlterUserScramCredentials → /config/users/<user> in
 *   Kafka's format → /config/changes → the broker's cache) let kcat (SCRAM-SHA-512), KafkaJS
 *   (SCRAM-SHA-256), kafka-python (SCRAM-SHA-512) and the Samsa client in over SASL_SSL; a wrong
 *   password and a deleted credential are refused.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { Admin, Producer } from '../../../client/index.js';
import { readEntityConfig } from '../../../coordination/index.js';
import type { RequestContext } from '../../../broker/request-context.js';
import { freePorts } from '../../helpers/ports.js';
import { randomName } from '../../helpers/random.js';
import { testZkConnect } from '../../helpers/shared-zookeeper.js';
import { tmpDir } from '../../helpers/tmp.js';
import { waitFor } from '../../helpers/wait-for.js';
import { REPO_ROOT } from '../../helpers/zookeeper.js';
import { kcat } from '../../interop/kcat.js';
import { startTestBroker, waitForController, type TestBroker } from '../broker/fixture.js';

const run = promisify(execFile);

describe('security > SSL (mTLS) and SASL_SSL with SCRAM (kcat, KafkaJS, kafka-python, Samsa client, configs.sh)', function () {
  this.timeout(90_000);
  let b: TestBroker;
  let sslPort: number;
  let saslSslPort: number;
  let certs: string;
  const principals = new Set<string>();

  before(async () => {
    certs = tmpDir('samsa-certs-');
    await run('bash', [join(REPO_ROOT, 'scripts', 'make-test-certs.sh'), certs]);
    [sslPort, saslSslPort] = (await freePorts(2)) as [number, number];
    b = await startTestBroker(1, testZkConnect('samsa-tls-scram'), {
      __extraListener: `SSL://127.0.0.1:${sslPort},SASL_SSL://127.0.0.1:${saslSslPort}`,
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': join(certs, 'broker.pem'),
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.location': join(certs, 'ca.pem'),
      'listener.name.ssl.ssl.client.auth': 'required',
      'ssl.principal.mapping.rules': 'RULE:^CN=([^,]*),OU=eng.*$/$1/L,DEFAULT',
      'sasl.enabled.mechanisms': 'SCRAM-SHA-256,SCRAM-SHA-512',
      'offsets.topic.replication.factor': 1,
      'offsets.topic.num.partitions': 2,
    });
    await waitForController([b]);
    // The authorizer hook sees every request's principal (S2's ACLs plug in here).
    b.broker.server.router.setAuthorizer({
      authorizeRequest: (ctx: RequestContext) => {
        principals.add(`${ctx.listenerName}:${ctx.principal}`);
        return 'ALLOWED';
      },
    });
  });

  after(async () => {
    await b?.stop();
  });

  const ssl = (cert: string | undefined): string[] => [
    '-X', 'security.protocol=SSL', '-X', `ssl.ca.location=${join(certs, 'ca.pem')}`,
    ...(cert === undefined ? [] : ['-X', `ssl.certificate.location=${join(certs, cert)}`, '-X', `ssl.key.location=${join(certs, cert)}`]),
  ];

  it('SSL with ssl.client.auth=required: a CA-signed certificate gets in as its mapped DN; none, untrusted, expired and plaintext are refused', async () => {
    const topic = randomName('tls');
    const bootstrap = `127.0.0.1:${sslPort}`;
    const produced = await kcat(['-b', bootstrap, ...ssl('client-alice.pem'), '-P', '-t', topic], 'over-tls\n');
    expect(produced.code, produced.stderr).to.equal(0);
    const consumed = await kcat(['-b', bootstrap, ...ssl('client-alice.pem'), '-C', '-t', topic, '-o', 'beginning', '-e']);
    expect(consumed.stdout.trim(), consumed.stderr).to.equal('over-tls');
    expect([...principals]).to.include('SSL:User:alice');

    const before = b.broker.server.socketServer.tlsFailures;
    for (const cert of [undefined, 'untrusted.pem', 'expired.pem']) {
      const refused = await kcat(['-b', bootstrap, ...ssl(cert), '-L', '-m', '5'], undefined, 30_000);
      expect(refused.code, `${cert}: ${refused.stdout}`).to.not.equal(0);
    }
    // A plaintext Kafka client on the TLS port: the handshake fails, the connection closes.
    const plain = netConnect({ host: '127.0.0.1', port: sslPort });
    plain.write(Buffer.from([0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 1, 0xff, 0xff]));
    await new Promise<void>((resolve) => plain.once('close', () => resolve()));
    await waitFor(() => b.broker.server.socketServer.tlsFailures >= before + 4, 'four refused TLS handshakes counted', { timeoutMs: 10_000 });
    const still = await kcat(['-b', bootstrap, ...ssl('client-alice.pem'), '-L', '-t', topic]);
    expect(still.code, still.stderr).to.equal(0);
  });

  it('SCRAM users made with configs.sh log in over SASL_SSL with kcat, KafkaJS, kafka-python and the Samsa client; a wrong password or a deleted credential is refused', async () => {
    const configs = (...args: string[]) => run(join(REPO_ROOT, 'scripts', 'configs.sh'), ['--bootstrap-server', `127.0.0.1:${b.port}`, ...args]);
    await configs('--entity-type', 'users', '--entity-name', 'alice', '--alter', '--add-config', 'SCRAM-SHA-256=[iterations=8192,password=alice-secret],SCRAM-SHA-512=[password=alice-secret]');
    const stored = await readEntityConfig(b.broker.session, 'users', 'alice');
    expect(stored['SCRAM-SHA-256']).to.match(/^salt=[^,]+,stored_key=[^,]+,server_key=[^,]+,iterations=8192$/);
    expect(stored['SCRAM-SHA-512']).to.match(/,iterations=4096$/);
    const described = await configs('--entity-type', 'users', '--describe');
    expect(described.stdout).to.contain("SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=4096");

    const topic = randomName('scram');
    const bootstrap = `127.0.0.1:${saslSslPort}`;
    const scram = (mechanism: string, password: string) => [
      '-X', 'security.protocol=SASL_SSL', '-X', `ssl.ca.location=${join(certs, 'ca.pem')}`, '-X', `sasl.mechanisms=${mechanism}`, '-X', 'sasl.username=alice', '-X', `sasl.password=${password}`,
    ];
    // The credential reaches the broker's cache through /config/changes: the first login may race it.
    await waitFor(async () => (await kcat(['-b', bootstrap, ...scram('SCRAM-SHA-512', 'alice-secret'), '-L', '-m', '5'], undefined, 20_000)).code === 0, 'kcat SCRAM-SHA-512 login', { timeoutMs: 30_000, intervalMs: 500 });
    const produced = await kcat(['-b', bootstrap, ...scram('SCRAM-SHA-512', 'alice-secret'), '-P', '-t', topic], 'from-kcat\n');
    expect(produced.code, produced.stderr).to.equal(0);
    const wrong = await kcat(['-b', bootstrap, ...scram('SCRAM-SHA-256', 'nope'), '-L', '-m', '5'], undefined, 30_000);
    expect(wrong.code).to.not.equal(0);
    expect(wrong.stderr).to.match(/Authentication failed/);

    const ca = readFileSync(join(certs, 'ca.pem'), 'utf8');
    const kafka = new Kafka({ brokers: [bootstrap], clientId: 'scram-js', logLevel: logLevel.NOTHING, ssl: { ca: [ca] }, sasl: { mechanism: 'scram-sha-256', username: 'alice', password: 'alice-secret' } });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'from-kafkajs' }] });
    await producer.disconnect();

    const py = [
      'from kafka import KafkaProducer',
      `p = KafkaProducer(bootstrap_servers='${bootstrap}', security_protocol='SASL_SSL', sasl_mechanism='SCRAM-SHA-512', sasl_plain_username='alice', sasl_plain_password='alice-secret', ssl_cafile='${join(certs, 'ca.pem')}', api_version=(2, 5, 0))`,
      `p.send('${topic}', b'from-kafka-python').get(timeout=30)`,
      'p.close()',
    ].join('\n');
    // Debian's python3-kafka (kafka-python 2.0.2) lives in the system python, not a pyenv one on PATH.
    await run('/usr/bin/python3', ['-c', py], { timeout: 60_000 });

    const samsa = new Producer({ brokers: [bootstrap], clientId: 'scram-samsa', ssl: { ca }, sasl: { mechanism: 'SCRAM-SHA-256', username: 'alice', password: 'alice-secret' } });
    await samsa.connect();
    await samsa.send({ topic, value: Buffer.from('from-samsa') });
    await samsa.close();

    const consumed = await kcat(['-b', bootstrap, ...scram('SCRAM-SHA-256', 'alice-secret'), '-C', '-t', topic, '-o', 'beginning', '-e']);
    expect(consumed.stdout.trim().split('\n')).to.deep.equal(['from-kcat', 'from-kafkajs', 'from-kafka-python', 'from-samsa']);
    expect([...principals]).to.include('SASL_SSL:User:alice');

    // Deleting SCRAM-SHA-512 reaches the broker without restart: that mechanism is refused next.
    await configs('--entity-type', 'users', '--entity-name', 'alice', '--alter', '--delete-config', 'SCRAM-SHA-512');
    await waitFor(async () => (await kcat(['-b', bootstrap, ...scram('SCRAM-SHA-512', 'alice-secret'), '-L', '-m', '5'], undefined, 20_000)).code !== 0, 'SCRAM-SHA-512 refused after deletion', { timeoutMs: 30_000, intervalMs: 500 });
    const admin = new Admin({ brokers: [bootstrap], ssl: { ca }, sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice', password: 'alice-secret' }, retries: 0 });
    const err = await admin.connect().then(() => undefined, (e: Error) => e);
    admin.close();
    expect(String(err)).to.match(/Authentication failed/);

    // --command-config: the CLI itself over SASL_SSL with SCRAM-SHA-256.
    const props = join(certs, 'client.properties');
    writeFileSync(props, [
      'security.protocol=SASL_SSL', 'sasl.mechanism=SCRAM-SHA-256',
      'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="alice-secret";',
      'ssl.truststore.type=PEM', `ssl.truststore.location=${join(certs, 'ca.pem')}`,
    ].join('\n'));
    const viaTls = await run(join(REPO_ROOT, 'scripts', 'configs.sh'), ['--bootstrap-server', bootstrap, '--command-config', props, '--entity-type', 'users', '--describe']);
    expect(viaTls.stdout).to.contain("user-principal 'alice' are SCRAM-SHA-256=iterations=8192");
  });
});
