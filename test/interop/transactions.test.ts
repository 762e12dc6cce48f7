/**
 * Transactions with KafkaJS 2.2.4's transactional producer against three broker processes: the
 * coordinator of the transactional id (found with FindCoordinator key type 1) hands out the
 * producer id and epoch, records the partitions, writes COMMIT/ABORT markers to every partition
 * leader (over the inter-broker WriteTxnMarkers when the leader is another broker), and
 * sendOffsets commits group offsets that become visible only when the transaction commits.
 */
import { expect } from 'chai';
import { Kafka, logLevel } from 'kafkajs';
import { ApiKey, ErrorCode, iterateBatches, isControlBatch, isTransactional } from '../../protocol/index.js';
import { KafkaSocket } from '../helpers/kafka-socket.js';
import { randomName } from '../helpers/random.js';
import { waitFor } from '../helpers/wait-for.js';
import { createTopic, startGroupFixture, type GroupFixture } from './groups/fixtures.js';

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

  it('commit and abort: markers on every partition of the transaction, sendOffsets visible only after commit', async () => {
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
      await aborted.abort();
    } finally {
      await producer.disconnect();
    }
    // Each partition: data, COMMIT marker, data, ABORT marker (markers are written after EndTxn is answered).
    for (let p = 0; p < PARTITIONS; p++) {
      await waitFor(async () => (await batches(topic, p)).length === 4, `4 batches in ${topic}-${p}`, { timeoutMs: 15_000, intervalMs: 100 });
      const got = await batches(topic, p);
      expect(got.map((b) => [b.control, b.transactional])).to.deep.equal([[false, true], [true, true], [false, true], [true, true]]);
      expect(new Set(got.map((b) => b.producerId)).size).to.equal(1);
    }
    const offsets = await f.admin.fetchOffsets({ groupId, topics: [topic] });
    expect(offsets[0]!.partitions.find((x) => x.partition === 0)!.offset).to.equal('1');
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
