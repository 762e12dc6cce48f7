/**
 * Transactions with KafkaJS 2.2.4's transactional producer against three broker processes: the
 * coordinator of the transactional id (found with FindCoordinator key type 1) hands out the
 * producer id and epoch, records the partitions, writes COMMIT/ABORT markers to every partition
 * leader (over the inter-broker WriteTxnMarkers when the leader is another broker), and
 * sendOffsets commits group offsets that become visible only when the transaction commits.
 * Consumers with read_committed (KafkaJS readUncommitted: false, kcat -X isolation.level=
 * read_committed) stop at the last stable offset and drop the aborted transactions listed by Fetch.
 */
import { expect } from 'chai';
import { Kafka, logLevel } from 'kafkajs';
import { ApiKey, ErrorCode, iterateBatches, isControlBatch, isTransactional } from '../../protocol/index.js';
import { KafkaSocket } from '../helpers/kafka-socket.js';
import { randomName } from '../helpers/random.js';
import { waitFor } from '../helpers/wait-for.js';
import { createTopic, startGroupFixture, type GroupFixture } from './groups/fixtures.js';
import { kcat } from './kcat.js';

const PARTITIONS = 3;

describe('interop > transactions with KafkaJS on 3 broker processes', function () {
  this.timeout(120_000);
  let f: GroupFixture;

  before(async () => {
    f = await startGroupFixture({
      'transaction.state.log.num.partitions': 3,
      'transaction.state.log.replication.factor': 3,
      'transaction.state.log.min.isr': 2,
      'transaction.abort.timed.out.transaction.cleanup.interval.ms': 500,
    });
  });

  after(async () => {
    await f?.stop();
  });

  function transactionalProducer(transactionalId: string, transactionTimeout = 30_000) {
    const kafka = new Kafka({ clientId: 'samsa-txn-test', brokers: f.cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 100 } });
    return kafka.producer({ transactionalId, maxInFlightRequests: 1, idempotent: true, transactionTimeout, allowAutoTopicCreation: false });
  }

  /** One Fetch v4 of the partition from its leader with the given isolation level. */
  async function fetchRaw(topic: string, partition: number, isolationLevel: 0 | 1): Promise<{ records: Buffer; highWatermark: bigint; lastStableOffset: bigint; abortedTransactions: { producerId: bigint; firstOffset: bigint }[] }> {
    const leader = f.cluster.broker((await f.cluster.metadata(f.cluster.brokers[0]!.brokerId, [topic])).topics[0]!.leaders[partition]!);
    const sock = await KafkaSocket.connect(leader.host, leader.port);
    try {
      const r = await sock.request(ApiKey.Fetch, 4, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 1 << 20,
        isolationLevel,
        topics: [{ topic, partitions: [{ partition, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }],
      });
      const p = r.responses[0]!.partitions[0]!;
      expect(p.errorCode, `fetch ${topic}-${partition}`).to.equal(ErrorCode.NONE);
      return { records: p.records ?? Buffer.alloc(0), highWatermark: p.highWatermark, lastStableOffset: p.lastStableOffset ?? -1n, abortedTransactions: (p.abortedTransactions ?? []).map((a) => ({ producerId: a.producerId ?? -1n, firstOffset: a.firstOffset ?? -1n })) };
    } finally {
      sock.close();
    }
  }

  /** Every batch of the partition as the leader's log holds it (raw Fetch, read_uncommitted). */
  async function batches(topic: string, partition: number): Promise<{ control: boolean; transactional: boolean; producerId: bigint; baseOffset: bigint; count: number }[]> {
    const r = await fetchRaw(topic, partition, 0);
    return [...iterateBatches(r.records)].map(({ header: b }) => ({ control: isControlBatch(b.attributes), transactional: isTransactional(b.attributes), producerId: b.producerId, baseOffset: b.baseOffset, count: b.recordCount }));
  }

  it('commit and abort: markers on every partition, the LSO held by an open transaction, sendOffsets visible only after commit, read_committed (KafkaJS, kcat) never sees aborted records and sees committed ones once, in order', async () => {
    const topic = randomName('txn');
    const groupId = randomName('txn-group');
    await createTopic(f, topic, PARTITIONS);
    const producer = transactionalProducer(randomName('tx'));
    await producer.connect();
    try {
      const committed = await producer.transaction();
      for (let p = 0; p < PARTITIONS; p++) await committed.send({ topic, acks: -1, messages: [{ partition: p, value: `c-${p}` }] });
      await committed.sendOffsets({ consumerGroupId: groupId, topics: [{ topic, partitions: [{ partition: 0, offset: '1' }] }] });
      await committed.commit();

      const aborted = await producer.transaction();
      for (let p = 0; p < PARTITIONS; p++) await aborted.send({ topic, acks: -1, messages: [{ partition: p, value: `a-${p}` }] });
      await aborted.sendOffsets({ consumerGroupId: groupId, topics: [{ topic, partitions: [{ partition: 0, offset: '2' }] }] });
      // While it is open, read_committed stops at its first offset: the last stable offset.
      const open = await fetchRaw(topic, 0, 1);
      expect(open.lastStableOffset, 'LSO held at the open transaction').to.equal(2n);
      expect(open.highWatermark).to.equal(3n);
      expect([...iterateBatches(open.records)].length, 'read_committed returns only the committed batch and its marker').to.equal(2);
      await aborted.abort();

      const again = await producer.transaction();
      for (let p = 0; p < PARTITIONS; p++) await again.send({ topic, acks: -1, messages: [{ partition: p, value: `c2-${p}` }] });
      await again.commit();
    } finally {
      await producer.disconnect();
    }
    // Each partition: data, COMMIT, data, ABORT, data, COMMIT (markers are written after EndTxn is answered).
    for (let p = 0; p < PARTITIONS; p++) {
      await waitFor(async () => (await batches(topic, p)).length === 6, `6 batches in ${topic}-${p}`, { timeoutMs: 15_000, intervalMs: 100 });
      const got = await batches(topic, p);
      expect(got.map((b) => [b.control, b.transactional])).to.deep.equal([[false, true], [true, true], [false, true], [true, true], [false, true], [true, true]]);
      expect(new Set(got.map((b) => b.producerId)).size).to.equal(1);
      const committedView = await fetchRaw(topic, p, 1);
      expect(committedView.lastStableOffset).to.equal(6n);
      expect(committedView.abortedTransactions).to.deep.equal([{ producerId: got[0]!.producerId, firstOffset: 2n }]);
    }
    const offsets = await f.admin.fetchOffsets({ groupId, topics: [topic] });
    expect(offsets[0]!.partitions.find((x) => x.partition === 0)!.offset).to.equal('1');

    // KafkaJS read_committed: committed records once each, in order; the aborted ones never.
    const consumer = f.kafka.consumer({ groupId: randomName('rc'), readUncommitted: false });
    const seen: { partition: number; value: string }[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ partition, message }) => void seen.push({ partition, value: message.value!.toString() }) });
      await waitFor(() => seen.length >= 2 * PARTITIONS, `${2 * PARTITIONS} committed records consumed`, { timeoutMs: 30_000, intervalMs: 50 });
    } finally {
      await consumer.disconnect();
    }
    for (let p = 0; p < PARTITIONS; p++) expect(seen.filter((r) => r.partition === p).map((r) => r.value), `partition ${p}`).to.deep.equal([`c-${p}`, `c2-${p}`]);

    // kcat (librdkafka) read_committed sees the same; read_uncommitted also the aborted records.
    for (let p = 0; p < PARTITIONS; p++) {
      const rc = await kcat(['-b', f.cluster.bootstrap, '-C', '-t', topic, '-p', String(p), '-o', 'beginning', '-e', '-q', '-f', '%s\n', '-X', 'isolation.level=read_committed']);
      expect(rc.code, rc.stderr).to.equal(0);
      expect(rc.stdout.trim().split('\n'), `kcat read_committed p${p}`).to.deep.equal([`c-${p}`, `c2-${p}`]);
      const ru = await kcat(['-b', f.cluster.bootstrap, '-C', '-t', topic, '-p', String(p), '-o', 'beginning', '-e', '-q', '-f', '%s\n', '-X', 'isolation.level=read_uncommitted']);
      expect(ru.stdout.trim().split('\n'), `kcat read_uncommitted p${p}`).to.deep.equal([`c-${p}`, `a-${p}`, `c2-${p}`]);
    }
  });

  it('kcat (librdkafka) transactional produce: -X transactional.id commits, a read_committed consumer sees every record once', async () => {
    const topic = randomName('txn-kcat');
    await createTopic(f, topic, 1);
    const lines = Array.from({ length: 50 }, (_, i) => `k-${i}`);
    const produced = await kcat(['-b', f.cluster.bootstrap, '-P', '-t', topic, '-p', '0', '-X', `transactional.id=${randomName('kcat-tx')}`], lines.join('\n') + '\n');
    expect(produced.code, produced.stderr).to.equal(0);
    const got = await batches(topic, 0);
    expect(got.at(-1), 'the transaction ends with a COMMIT marker').to.deep.include({ control: true, transactional: true });
    const rc = await kcat(['-b', f.cluster.bootstrap, '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%s\n', '-X', 'isolation.level=read_committed']);
    expect(rc.code, rc.stderr).to.equal(0);
    expect(rc.stdout.trim().split('\n')).to.deep.equal(lines);
  });

  it('a second incarnation of a transactional id fences the first (PRODUCER_FENCED on its next write)', async () => {
    const topic = randomName('txn-fence');
    await createTopic(f, topic, 1);
    const id = randomName('tx-fence');
    const first = transactionalProducer(id);
    await first.connect();
    const open = await first.transaction();
    await open.send({ topic, acks: -1, messages: [{ partition: 0, value: 'zombie' }] });
    const second = transactionalProducer(id);
    await second.connect();
    try {
      const t = await second.transaction();
      await t.send({ topic, acks: -1, messages: [{ partition: 0, value: 'live' }] });
      await t.commit();
      const err = await open.commit().then(() => undefined, (e: unknown) => e as { type?: string });
      expect(err?.type, 'the fenced producer cannot commit').to.be.oneOf(['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH']);
    } finally {
      await first.disconnect().catch(() => undefined);
      await second.disconnect();
    }
    await waitFor(async () => (await batches(topic, 0)).filter((b) => b.control).length === 2, 'abort of the zombie and commit of the live one', { timeoutMs: 15_000, intervalMs: 100 });
  });
});
