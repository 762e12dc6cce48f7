/**
 * SASL_PLAINTEXT with PLAIN on one in-process broker (real ZooKeeper, real sockets): kcat
 * (librdkafka) and KafkaJS authenticate with users of the listener's JAAS config, produce and
 * consume; a wrong password is refused with SASL_AUTHENTICATION_FAILED and its reason, and the
 * broker keeps serving; nothing but ApiVersions/SaslHandshake/SaslAuthenticate is served before
 * authentication.
 */
import { expect } from 'chai';
import { Kafka, logLevel } from 'kafkajs';
import { ApiKey, encodePlainToken, ErrorCode } from '../../../protocol/index.js';
import { KafkaSocket } from '../../helpers/kafka-socket.js';
import { freePorts } from '../../helpers/ports.js';
import { randomName } from '../../helpers/random.js';
import { testZkConnect } from '../../helpers/shared-zookeeper.js';
import { kcat } from '../../interop/kcat.js';
import { startTestBroker, waitForController, type TestBroker } from '../broker/fixture.js';

const JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_alice="alice-secret";';

describe('security > SASL_PLAINTEXT with PLAIN (kcat, KafkaJS, raw frames)', function () {
  this.timeout(60_000);
  let b: TestBroker;
  let saslPort: number;

  before(async () => {
    saslPort = (await freePorts(1))[0]!;
    b = await startTestBroker(1, testZkConnect('samsa-sasl-plain'), {
      // The fixture's PLAINTEXT and INTERNAL listeners plus a SASL one (added through the override below).
      'sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': JAAS,
      'auto.create.topics.enable': true,
      'offsets.topic.replication.factor': 1,
      'offsets.topic.num.partitions': 2,
      __extraListener: `SASL_PLAINTEXT://127.0.0.1:${saslPort}`,
    });
    await waitForController([b]);
  });

  after(async () => {
    await b?.stop();
  });

  const sasl = (user: string, password: string): string[] => [
    '-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanisms=PLAIN', '-X', `sasl.username=${user}`, '-X', `sasl.password=${password}`,
  ];

  it('kcat produces and consumes as alice; a wrong password fails with the broker\'s reason and the broker keeps serving', async () => {
    const topic = randomName('sasl');
    const bootstrap = `127.0.0.1:${saslPort}`;
    const produced = await kcat(['-b', bootstrap, ...sasl('alice', 'alice-secret'), '-P', '-t', topic, '-K:'], 'k1:v1\nk2:v2\n');
    expect(produced.code, produced.stderr).to.equal(0);
    const consumed = await kcat(['-b', bootstrap, ...sasl('alice', 'alice-secret'), '-C', '-t', topic, '-o', 'beginning', '-e', '-f', '%k=%s\\n']);
    expect(consumed.code, consumed.stderr).to.equal(0);
    expect(consumed.stdout.trim().split('\n')).to.deep.equal(['k1=v1', 'k2=v2']);

    const refused = await kcat(['-b', bootstrap, ...sasl('alice', 'wrong'), '-L', '-m', '5'], undefined, 30_000);
    expect(refused.code).to.not.equal(0);
    expect(refused.stderr).to.match(/Authentication failed: Invalid username or password/);

    const again = await kcat(['-b', bootstrap, ...sasl('admin', 'admin-secret'), '-L', '-t', topic]);
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout).to.contain(`topic "${topic}" with 1 partitions`);
    const metrics = await b.broker.metrics.metrics();
    expect(metrics).to.match(/kafka_server_socket_server_metrics_authentication_total\{[^}]*listener="SASL_PLAINTEXT",result="failure"[^}]*\} [1-9]/);
    expect(metrics).to.match(/kafka_server_socket_server_metrics_authentication_total\{[^}]*listener="SASL_PLAINTEXT",result="success"[^}]*\} [1-9]/);
  });

  it('KafkaJS (SaslHandshake v1 + SaslAuthenticate) produces and consumes; a wrong password is a KafkaJSSASLAuthenticationError', async () => {
    const topic = randomName('sasljs');
    const kafka = new Kafka({ brokers: [`127.0.0.1:${saslPort}`], clientId: 'sasl-test', logLevel: logLevel.NOTHING, sasl: { mechanism: 'plain', username: 'alice', password: 'alice-secret' } });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'one' }, { value: 'two' }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: randomName('g') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${seen.join(',')} consumed`)), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(message.value!.toString());
          if (seen.length === 2) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
    expect(seen).to.deep.equal(['one', 'two']);

    const bad = new Kafka({ brokers: [`127.0.0.1:${saslPort}`], clientId: 'sasl-bad', logLevel: logLevel.NOTHING, retry: { retries: 0 }, sasl: { mechanism: 'plain', username: 'alice', password: 'nope' } });
    const badAdmin = bad.admin();
    const err = await badAdmin.connect().then(() => undefined, (e: Error) => e);
    expect(err?.name).to.equal('KafkaJSSASLAuthenticationError');
    expect(err?.message).to.contain('Invalid username or password');
  });

  it('closes a connection that sends Metadata before authenticating; SaslHandshake v0 then a raw PLAIN token works', async () => {
    const early = await KafkaSocket.connect('127.0.0.1', saslPort);
    const versions = await early.apiVersions(3);
    expect(versions.apiKeys.map((k) => k.apiKey)).to.include.members([ApiKey.SaslHandshake, ApiKey.SaslAuthenticate]);
    early.writeRaw(Buffer.from([0, 0, 0, 12, 0, 3, 0, 1, 0, 0, 0, 9, 0xff, 0xff, 0xff, 0xff]));
    await early.waitClosed();

    const raw = await KafkaSocket.connect('127.0.0.1', saslPort);
    const hs = await raw.request(ApiKey.SaslHandshake, 0, { mechanism: 'PLAIN' });
    expect(hs.errorCode).to.equal(ErrorCode.NONE);
    expect(hs.mechanisms).to.deep.equal(['PLAIN']);
    const token = encodePlainToken('alice', 'alice-secret');
    const framed = Buffer.alloc(4 + token.length);
    framed.writeInt32BE(token.length, 0);
    token.copy(framed, 4);
    raw.writeRaw(framed);
    expect((await raw.nextFrame()).length).to.equal(0);
    const md = await raw.request(ApiKey.Metadata, 1, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    expect(md.brokers.map((x) => x.port)).to.deep.equal([saslPort]);
    raw.close();

    // On the PLAINTEXT listener the SASL APIs answer ILLEGAL_SASL_STATE (Kafka's answer).
    const plain = await b.connect();
    expect((await plain.request(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' })).errorCode).to.equal(ErrorCode.ILLEGAL_SASL_STATE);
    plain.close();
  });
});
