/**
 * Exactly-once writes under lost responses: one broker process advertises a lossy proxy as its
 * client address, so every client connection goes through it. The proxy loses some Produce
 * responses after the broker wrote the batch and cuts the connection; the client retries. With
 * idempotence every record is in the log exactly once, in order; without it (the control) the
 * same faults leave duplicates, which shows the faults really happen after the write.
 *
 * KIP-360 (idempotent producer). Fault: every Produce answer is lost until a batch passes its
 * delivery timeout and is given up. Invariant: the producer goes on under the same producer id at
 * the next epoch from sequence 0, and the broker takes it (no new producer id, nothing refused).
 */
import { expect } from 'chai';
import { ApiKey, ErrorCode, decodeRecordBatch, iterateBatches } from '../../../protocol/index.js';
import { appendFileSync } from 'node:fs';
import { Admin, Consumer, Producer, type RecordMetadata } from '../../../client/index.js';
import { BrokerProcess } from '../../helpers/broker-process.js';
import { KafkaSocket } from '../../helpers/kafka-socket.js';
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

  /** Producer id, epoch, base sequence and values of every batch of a partition (Fetch v4 straight to the broker). */
  async function stamps(topic: string, partition: number): Promise<Array<{ producerId: bigint; producerEpoch: number; baseSequence: number; values: string[] }>> {
    const sock = await KafkaSocket.connect(broker.host, broker.port);
    try {
      const r = await sock.request(ApiKey.Fetch, 4, {
        replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0,
        topics: [{ topic, partitions: [{ partition, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }],
      });
      const p = r.responses[0]!.partitions[0]!;
      expect(p.errorCode).to.equal(ErrorCode.NONE);
      return [...iterateBatches(p.records!)].map(({ header: h, start }) => ({
        producerId: h.producerId,
        producerEpoch: h.producerEpoch,
        baseSequence: h.baseSequence,
        values: decodeRecordBatch(p.records!, start).records.map((rec) => rec.value!.toString()),
      }));
    } finally {
      sock.close();
    }
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

  it('KIP-360: a batch given up while its answers are lost bumps the epoch of the same producer id; the broker takes the next epoch from sequence 0 on every partition', async () => {
    const topic = await createTopic();
    const producer = new Producer<string, string>({ brokers: [bootstrap], acks: 'all', lingerMs: 0, retryBackoffMs: 50, requestTimeoutMs: 500, deliveryTimeoutMs: 1500 });
    try {
      await producer.send({ topic, partition: 0, value: 'before' });
      proxy.setDropPolicy(() => true);
      const err = await producer.send({ topic, partition: 0, value: 'given-up' }).then(() => undefined, (e: unknown) => e);
      expect(err, 'the send is given up').to.include({ code: 'CLI_DELIVERY_TIMEOUT' });
      proxy.setDropPolicy(undefined);
      await producer.send({ topic, partition: 0, value: 'after-0' });
      await producer.send({ topic, partition: 1, value: 'after-1' });
    } finally {
      proxy.setDropPolicy(undefined);
      await producer.close();
    }
    const p0 = await stamps(topic, 0);
    const p1 = await stamps(topic, 1);
    const pid = p0[0]!.producerId;
    // The given-up batch was written (only its answers were lost): once, under the old epoch.
    expect(p0.map((b) => [b.values.join(), b.producerId, b.producerEpoch, b.baseSequence])).to.deep.equal([
      ['before', pid, 0, 0],
      ['given-up', pid, 0, 1],
      ['after-0', pid, 1, 0],
    ]);
    expect(p1.map((b) => [b.values.join(), b.producerId, b.producerEpoch, b.baseSequence])).to.deep.equal([['after-1', pid, 1, 0]]);
  });
});
