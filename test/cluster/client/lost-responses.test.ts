/**
 * Exactly-once writes under lost responses: one broker process advertises a lossy proxy as its
 * client address, so every client connection goes through it. The proxy loses some Produce
 * responses after the broker wrote the batch and cuts the connection; the client retries. With
 * idempotence every record is in the log exactly once, in order; without it (the control) the
 * same faults leave duplicates, which shows the faults really happen after the write.
 */
import { expect } from 'chai';
import { appendFileSync } from 'node:fs';
import { Admin, Consumer, Producer, type RecordMetadata } from '../../../client/index.js';
import { BrokerProcess } from '../../helpers/broker-process.js';
import { randomName } from '../../helpers/random.js';
import { testZkConnect } from '../../helpers/shared-zookeeper.js';
import { waitFor } from '../../helpers/wait-for.js';
import { startLossyProxy, type LossyProxy } from './lossy-proxy.js';

const RECORDS = 3000;
const PARTITIONS = 2;

interface Stored {
  partition: number;
  offset: bigint;
  value: string;
}

describe('client: exactly-once writes under lost Produce responses (one broker behind a lossy proxy)', function () {
  this.timeout(90_000);
  let broker: BrokerProcess;
  let proxy: LossyProxy;
  let bootstrap: string;

  before(async () => {
    let brokerPort = 0;
    proxy = await startLossyProxy({ targetHost: '127.0.0.1', targetPort: () => brokerPort });
    broker = await BrokerProcess.create({
      brokerId: 1,
      zookeeperConnect: testZkConnect('samsa-client-lossy'),
      properties: { 'offsets.topic.replication.factor': 1, 'zookeeper.session.timeout.ms': 6000 },
    });
    brokerPort = broker.port;
    appendFileSync(broker.configFile, `advertised.listeners=PLAINTEXT://127.0.0.1:${proxy.port},INTERNAL://127.0.0.1:${broker.interBrokerPort}\n`);
    const started = await broker.start();
    if (started.code !== 0) throw new Error(`broker did not start: ${started.stderr}`);
    bootstrap = `127.0.0.1:${proxy.port}`;
    const admin = new Admin({ brokers: [bootstrap] });
    try {
      await waitFor(async () => (await admin.describeCluster()).controllerId === 1, 'the broker to be the controller', { timeoutMs: 30_000, intervalMs: 100 });
    } finally {
      admin.close();
    }
  });

  after(async () => {
    await proxy?.close();
    if (broker?.isAlive()) await broker.stop();
  });

  async function createTopic(): Promise<string> {
    const topic = randomName('lossy');
    const admin = new Admin({ brokers: [bootstrap] });
    try {
      await admin.createTopics([{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }]);
    } finally {
      admin.close();
    }
    return topic;
  }

  /** Every record of the topic, read through the proxy (which loses nothing but Produce responses). */
  async function readAll(topic: string, atLeast: number): Promise<Stored[]> {
    const consumer = new Consumer<Buffer, string>({ brokers: [bootstrap], valueDeserializer: (b) => (b === null ? null : b.toString()) });
    const out: Stored[] = [];
    try {
      const tps = Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition }));
      consumer.assign(tps);
      consumer.seekToEnd();
      const ends: bigint[] = [];
      for (const tp of tps) ends.push(await consumer.position(tp));
      consumer.seekToBeginning();
      const total = ends.reduce((a, b) => a + Number(b), 0);
      expect(total).to.be.at.least(atLeast);
      const deadline = Date.now() + 30_000;
      while (out.length < total && Date.now() < deadline) {
        for (const r of await consumer.poll({ timeoutMs: 500, maxRecords: 10_000 })) out.push({ partition: r.partition, offset: r.offset, value: r.value! });
      }
      expect(out.length, `records read from ${topic}`).to.equal(total);
    } finally {
      await consumer.close();
    }
    return out;
  }

  async function produceThroughFaults(topic: string, idempotent: boolean): Promise<RecordMetadata[]> {
    const start = proxy.produceResponses;
    // Lose every 4th Produce response for the first 40 of them.
    proxy.setDropPolicy((n) => n - start <= 40 && (n - start) % 4 === 0);
    const producer = new Producer<string, string>({
      brokers: [bootstrap],
      idempotent,
      acks: 'all',
      batchSize: 2048,
      lingerMs: 2,
      retryBackoffMs: 20,
      requestTimeoutMs: 10_000,
      maxInFlightRequestsPerConnection: 5,
    });
    try {
      const records = Array.from({ length: RECORDS }, (_, i) => ({ topic, partition: i % PARTITIONS, value: `v-${i}` }));
      const metas: RecordMetadata[] = [];
      // Several sendBatch calls in a row keep batches in flight while connections are cut.
      for (let i = 0; i < RECORDS; i += 500) metas.push(...(await producer.sendBatch(records.slice(i, i + 500))));
      return metas;
    } finally {
      proxy.setDropPolicy(undefined);
      await producer.close();
    }
  }

  it('an idempotent producer writes every record exactly once, in order, and reports its real offsets', async () => {
    const topic = await createTopic();
    const droppedBefore = proxy.dropped;
    const metas = await produceThroughFaults(topic, true);
    expect(proxy.dropped - droppedBefore, 'Produce responses lost').to.be.at.least(5);

    const stored = await readAll(topic, RECORDS);
    expect(stored).to.have.length(RECORDS);
    for (let p = 0; p < PARTITIONS; p++) {
      const values = stored.filter((s) => s.partition === p).map((s) => s.value);
      const expected = Array.from({ length: RECORDS / PARTITIONS }, (_, k) => `v-${k * PARTITIONS + p}`);
      expect(values, `partition ${p} in order, no gap, no duplicate`).to.deep.equal(expected);
    }
    // The acknowledged offset of each record is where it really is (a retried duplicate is
    // answered with the original batch's offset).
    const where = new Map(stored.map((s) => [s.value, s]));
    metas.forEach((m, i) => {
      const s = where.get(`v-${i}`)!;
      expect(m.partition).to.equal(s.partition);
      expect(m.offset, `offset of v-${i}`).to.equal(s.offset);
    });
  });

  it('control: without idempotence the same lost responses leave duplicates in the log', async () => {
    const topic = await createTopic();
    const droppedBefore = proxy.dropped;
    await produceThroughFaults(topic, false);
    expect(proxy.dropped - droppedBefore).to.be.at.least(5);
    const stored = await readAll(topic, RECORDS);
    expect(new Set(stored.map((s) => s.value)).size, 'every record at least once').to.equal(RECORDS);
    expect(stored.length, 'records written twice').to.be.greaterThan(RECORDS);
  });
});
