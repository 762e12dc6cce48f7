/**
 * What a secured broker process refuses, seen by real clients (kcat/librdkafka, KafkaJS,
 * kafka-python): wrong passwords for PLAIN and both SCRAM mechanisms (SASL_AUTHENTICATION_FAILED
 * with the broker's reason), client certificates that are missing, untrusted or expired on an
 * ssl.client.auth=required listener, a broker certificate the client does not trust, and a
 * plaintext client on a TLS port. After all of it the broker still serves every listener.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { Kafka } from 'kafkajs';
import { randomName } from '../../helpers/random.js';
import { waitFor } from '../../helpers/wait-for.js';
import { kcat } from '../kcat.js';
import { kafkaJsConfig, kafkaPython, MECHANISMS, startSecuredBroker, type Login, type SecuredBroker } from './secured-broker.js';

/** The error a KafkaJS admin connection ends with (undefined if it connects). */
async function kafkaJsError(b: SecuredBroker, login: Login): Promise<Error | undefined> {
  const admin = new Kafka(kafkaJsConfig(b, login, 'refusals-js')).admin();
  const err = await admin.connect().then(() => undefined, (e: Error) => e);
  await admin.disconnect().catch(() => undefined);
  return err;
}

const tlsFailures = (b: SecuredBroker): number => b.log().split('\n').filter((l) => l.includes('TLS handshake failed')).length;

describe('security > refusals seen by real clients (wrong password, bad certificates, plaintext on TLS), the broker keeps serving', function () {
  this.timeout(120_000);
  let b: SecuredBroker;

  before(async function () {
    this.timeout(180_000);
    b = await startSecuredBroker('refusals');
  });

  after(async () => {
    await b?.stop();
  });

  it('a wrong password is refused with the broker\'s reason for PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 (kcat, KafkaJS, kafka-python)', async () => {
    // Every refusal waits out a client's metadata timeout: they run side by side, not one after another.
    const checks: Promise<void>[] = [];
    for (const mechanism of MECHANISMS) {
      for (const protocol of ['SASL_PLAINTEXT', 'SASL_SSL'] as const) {
        const wrong: Login = { protocol, mechanism, password: 'wrong' };
        checks.push((async () => {
          const k = await kcat([...b.kcatArgs(wrong), '-L', '-m', '5'], undefined, 30_000);
          expect(k.code, `kcat ${protocol} ${mechanism}`).to.not.equal(0);
          expect(k.stderr, `kcat ${protocol} ${mechanism}`).to.match(/Authentication failed/);
          const js = await kafkaJsError(b, wrong);
          expect(js?.name, `KafkaJS ${protocol} ${mechanism}`).to.equal('KafkaJSSASLAuthenticationError');
        })());
      }
      checks.push((async () => {
        const py = await kafkaPython(b, { protocol: 'SASL_PLAINTEXT', mechanism, password: 'wrong' }, randomName('refused'), 'x', 5_000);
        expect(py.ok, `kafka-python ${mechanism}: ${py.out}`).to.equal(false);
        // kafka-python 2.0.2 speaks SaslHandshake v0 (raw tokens): as Kafka, the broker can only close
        // the connection, so the client sees its reply cut off and never gets metadata.
        expect(py.log, `kafka-python ${mechanism}`).to.match(/Error receiving reply from server/);
        expect(py.out, `kafka-python ${mechanism}`).to.match(/^KafkaTimeoutError/);
      })());
    }
    await Promise.all(checks);
  });

  it('SSL with ssl.client.auth=required refuses no certificate, an untrusted one and an expired one (kcat, KafkaJS, kafka-python)', async () => {
    const before = tlsFailures(b);
    // Side by side: each refusal waits out a client's metadata timeout.
    const pyRun = kafkaPython(b, { protocol: 'SSL', cert: 'expired.pem' }, randomName('refused'), 'x', 5_000);
    await Promise.all([undefined, 'untrusted.pem', 'expired.pem'].map(async (cert) => {
      const login: Login = { protocol: 'SSL', ...(cert === undefined ? {} : { cert }) };
      const k = await kcat([...b.kcatArgs(login), '-L', '-m', '5'], undefined, 30_000);
      expect(k.code, `kcat with ${cert ?? 'no certificate'}`).to.not.equal(0);
      expect(await kafkaJsError(b, login), `KafkaJS with ${cert ?? 'no certificate'}`).to.be.instanceOf(Error);
    }));
    const py = await pyRun;
    expect(py.ok, py.out).to.equal(false);
    // Each refused handshake is logged with its reason by the broker.
    await waitFor(() => tlsFailures(b) >= before + 6, 'the refused TLS handshakes in the broker log', { timeoutMs: 10_000 });
    expect(b.log()).to.match(/"reason":"[^"]*certificate[^"]*"[^\n]*TLS handshake failed/i);
  });

  it('clients refuse a broker whose certificate their CA did not sign', async () => {
    for (const login of [{ protocol: 'SSL', cert: 'client-alice.pem' }, { protocol: 'SASL_SSL', mechanism: 'PLAIN' }] as Login[]) {
      const distrust: Login = { ...login, ca: join(b.certs, 'untrusted.pem') };
      const k = await kcat([...b.kcatArgs(distrust), '-L', '-m', '5'], undefined, 30_000);
      expect(k.code, login.protocol).to.not.equal(0);
      expect(k.stderr, login.protocol).to.match(/certificate verify failed/);
      expect(String(await kafkaJsError(b, distrust)), login.protocol).to.match(/self.signed|unable to (get|verify)|certificate/i);
    }
  });

  it('a plaintext client on an SSL or SASL_SSL port is refused; afterwards every listener still serves', async () => {
    const before = tlsFailures(b);
    for (const protocol of ['SSL', 'SASL_SSL'] as const) {
      const k = await kcat(['-b', `127.0.0.1:${b.port(protocol)}`, '-X', 'security.protocol=PLAINTEXT', '-L', '-m', '5'], undefined, 30_000);
      expect(k.code, protocol).to.not.equal(0);
      const plain = new Kafka({ ...kafkaJsConfig(b, { protocol: 'SASL_PLAINTEXT' }, 'plain-on-tls'), brokers: [`127.0.0.1:${b.port(protocol)}`] }).admin();
      const err = await plain.connect().then(() => undefined, (e: Error) => e);
      await plain.disconnect().catch(() => undefined);
      expect(err, protocol).to.be.instanceOf(Error);
    }
    await waitFor(() => tlsFailures(b) > before, 'the plaintext clients in the broker log as failed TLS handshakes', { timeoutMs: 10_000 });

    const topic = randomName('after');
    const logins: Login[] = [{ protocol: 'SSL', cert: 'client-alice.pem' }, ...MECHANISMS.flatMap((mechanism): Login[] => [{ protocol: 'SASL_PLAINTEXT', mechanism }, { protocol: 'SASL_SSL', mechanism }])];
    for (const login of logins) {
      const p = await kcat([...b.kcatArgs(login), '-P', '-t', topic, '-p', '0'], `${login.protocol}-${login.mechanism ?? 'mtls'}\n`);
      expect(p.code, `${login.protocol} ${login.mechanism ?? ''}: ${p.stderr}`).to.equal(0);
    }
    const c = await kcat(['-b', `127.0.0.1:${b.port('PLAINTEXT')}`, '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e']);
    expect(c.stdout.trim().split('\n')).to.have.length(logins.length);
    expect(b.cluster.brokers[0]!.isAlive()).to.equal(true);
  });
});
