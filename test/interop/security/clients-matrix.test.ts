/**
 * Real clients over every secured listener of one broker process: kcat (librdkafka 2.0.2),
 * KafkaJS and kafka-python (2.0.2) each produce to, and read back from, SSL (mTLS, principal from
 * the certificate DN) and SASL_PLAINTEXT / SASL_SSL with PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512
 * (SCRAM credentials made with configs.sh and read by the broker from ZooKeeper).
 * What a user notices: each client's record is there, in order, read by the other clients.
 */
import { expect } from 'chai';
import { Kafka } from 'kafkajs';
import { randomName } from '../../helpers/random.js';
import { kcat } from '../kcat.js';
import { kafkaJsConfig, kafkaPython, MECHANISMS, startSecuredBroker, type Login, type SecuredBroker } from './secured-broker.js';

const LOGINS: Login[] = [
  { protocol: 'SSL', cert: 'client-alice.pem' },
  ...MECHANISMS.map((mechanism): Login => ({ protocol: 'SASL_PLAINTEXT', mechanism })),
  ...MECHANISMS.map((mechanism): Login => ({ protocol: 'SASL_SSL', mechanism })),
];

describe('security > real clients over SSL, SASL_PLAINTEXT and SASL_SSL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)', function () {
  this.timeout(120_000);
  let b: SecuredBroker;

  before(async function () {
    this.timeout(180_000);
    b = await startSecuredBroker('matrix');
  });

  after(async () => {
    await b?.stop();
  });

  for (const login of LOGINS) {
    const label = `${login.protocol}${login.mechanism === undefined ? ' (mTLS)' : ` ${login.mechanism}`}`;
    it(`${label}: kcat, KafkaJS and kafka-python produce; each reads all three back`, async () => {
      const topic = randomName('sec');
      const produced = await kcat([...b.kcatArgs(login), '-P', '-t', topic, '-p', '0'], 'from-kcat\n');
      expect(produced.code, produced.stderr).to.equal(0);

      const kafka = new Kafka(kafkaJsConfig(b, login, 'matrix-js'));
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic, messages: [{ value: 'from-kafkajs', partition: 0 }] });
      await producer.disconnect();

      const py = await kafkaPython(b, login, topic, 'from-python');
      expect(py.out).to.equal('from-kcat,from-kafkajs,from-python');

      const consumed = await kcat([...b.kcatArgs(login), '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e']);
      expect(consumed.code, consumed.stderr).to.equal(0);
      expect(consumed.stdout.trim().split('\n')).to.deep.equal(['from-kcat', 'from-kafkajs', 'from-python']);

      const admin = kafka.admin();
      await admin.connect();
      const offsets = await admin.fetchTopicOffsets(topic);
      await admin.disconnect();
      expect(offsets.map((o) => o.high)).to.deep.equal(['3']);
    });
  }
});
