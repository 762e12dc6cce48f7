/**
 * The Samsa client's transactions against three broker processes (transaction state log and
 * consumer offsets at RF 3, data topics at RF 1 so each partition's leader differs): commit and
 * abort through producer.transaction(), read back by our read_committed consumer (aborted records
 * never, committed ones once, in order; read_uncommitted sees both, as the control); fencing of a
 * zombie by a second incarnation of the transactional id; and the consume-transform-produce
 * helper copying a topic exactly once through an abort it provokes.
 */
import { expect } from 'chai';
import { Admin, Consumer, Producer, consumeTransformProduce, stringSerde, type ConsumerRecord } from '../../../client/index.js';
import { startCluster, type TestCluster } from '../../helpers/cluster.js';
import { checkExactlyOnce, describeViolations, type InputRecord } from '../../helpers/history/index.js';
import { randomName } from '../../helpers/random.js';
import { waitFor } from '../../helpers/wait-for.js';

const PARTITIONS = 3;

describe('client: transactions against a live cluster of 3 broker processes', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  const closers: Array<() => Promise<unknown>> = [];

  before(async () => {
    cluster = await startCluster({
      size: 3,
      properties: {
        'offsets.topic.replication.factor': 3,
        'offsets.topic.num.partitions': 3,
        'transaction.state.log.replication.factor': 3,
        'transaction.state.log.num.partitions': 3,
        'transaction.state.log.min.isr': 2,
        'group.initial.rebalance.delay.ms': 0,
        'default.replication.factor': 1,
      },
    });
  });

  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
  });

  after(async () => {
    await cluster?.stop();
  });

  async function createTopic(prefix: string): Promise<string> {
    const topic = randomName(prefix);
    const admin = new Admin({ brokers: [cluster.bootstrap] });
    try {
      await admin.createTopics([{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }]);
    } finally {
      admin.close();
    }
    return topic;
  }

  function txProducer(transactionalId: string): Producer<string, string> {
    const p = new Producer<string, string>({ brokers: [cluster.bootstrap], transactionalId, lingerMs: 2, keySerializer: stringSerde.serialize, valueSerializer: stringSerde.serialize });
    closers.push(() => p.close({ timeoutMs: 2000 }));
    return p;
  }

  function consumer(extra: Partial<ConstructorParameters<typeof Consumer<string, string>>[0]> = {}): Consumer<string, string> {
    const c = new Consumer<string, string>({ brokers: [cluster.bootstrap], autoOffsetReset: 'earliest', keyDeserializer: stringSerde.deserialize, valueDeserializer: stringSerde.deserialize, ...extra });
    closers.push(() => c.close());
    return c;
  }

  /** Every record of the topic up to its end (read_committed stops at the LSO, which must reach it). */
  async function readAll(topic: string, isolationLevel: 'read_committed' | 'read_uncommitted', expected: number): Promise<Array<ConsumerRecord<string, string>>> {
    const c = consumer({ isolationLevel });
    c.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition })));
    const out: Array<ConsumerRecord<string, string>> = [];
    const deadline = Date.now() + 30_000;
    while (out.length < expected && Date.now() < deadline) out.push(...(await c.poll({ timeoutMs: 300, maxRecords: 10_000 })));
    // A little longer: nothing more may arrive (an aborted record would show up here).
    out.push(...(await c.poll({ timeoutMs: 500 })));
    await c.close();
    return out;
  }

  it('commit and abort: read_committed sees the committed records once, in order, never the aborted ones; read_uncommitted sees both', async () => {
    const topic = await createTopic('txc');
    const p = txProducer(randomName('tx'));
    const committed: string[] = [];
    for (let round = 0; round < 4; round++) {
      const txn = await p.transaction();
      const values = Array.from({ length: 30 }, (_, i) => `r${round}-${i}`);
      await Promise.all(values.map((value, i) => txn.send({ topic, partition: i % PARTITIONS, value })));
      if (round % 2 === 0) {
        await txn.commit();
        committed.push(...values);
      } else {
        await txn.abort();
      }
    }
    const rc = await readAll(topic, 'read_committed', committed.length);
    expect(rc.map((r) => r.value).sort()).to.deep.equal([...committed].sort());
    for (let part = 0; part < PARTITIONS; part++) {
      const inPart = rc.filter((r) => r.partition === part).map((r) => r.value);
      expect(inPart, `order in partition ${part}`).to.deep.equal(committed.filter((v) => Number(v.split('-')[1]) % PARTITIONS === part));
    }
    const ru = await readAll(topic, 'read_uncommitted', 120);
    expect(ru, 'read_uncommitted: aborted records are in the log').to.have.length(120);
  });

  it('a second incarnation of the transactional id fences the first: its commit fails (fatal) and none of its records is ever read_committed', async () => {
    const topic = await createTopic('txf');
    const id = randomName('tx');
    const zombie = txProducer(id);
    const old = await zombie.transaction();
    await old.send({ topic, partition: 0, value: 'zombie-1' });
    const fresh = txProducer(id);
    const txn = await fresh.transaction(); // bumps the epoch: the coordinator aborts the zombie's open transaction
    await txn.send({ topic, partition: 0, value: 'fresh-1' });
    await txn.commit();
    const err = await old.send({ topic, partition: 1, value: 'zombie-2' }).then(() => old.commit()).catch((e: unknown) => e);
    expect(err, 'the zombie fails').to.have.property('kafkaError').that.is.oneOf(['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH']);
    expect(zombie.transactionState).to.equal('FATAL_ERROR');
    const rc = await readAll(topic, 'read_committed', 1);
    expect(rc.map((r) => r.value)).to.deep.equal(['fresh-1']);
  });

  it('consumeTransformProduce copies a topic exactly once, in order per partition, through a transaction it aborts; the group offsets commit with the output', async () => {
    const input = await createTopic('eos-in');
    const output = await createTopic('eos-out');
    const groupId = randomName('eos');
    const count = 600;
    const source = new Producer<string, string>({ brokers: [cluster.bootstrap], lingerMs: 2 });
    closers.push(() => source.close({ timeoutMs: 2000 }));
    const metas = await source.sendBatch(Array.from({ length: count }, (_, i) => ({ topic: input, partition: i % PARTITIONS, value: `in-${i}` })));
    const inputs: InputRecord[] = metas.map((m, i) => ({ id: `in-${i}`, topic: input, partition: m.partition, offset: m.offset }));

    const c = consumer({ groupId, isolationLevel: 'read_committed', enableAutoCommit: false, maxPollRecords: 50 });
    c.subscribe([input]);
    const p = txProducer(randomName('eos-tx'));
    const stop = new AbortController();
    let failOnce = true;
    let aborts = 0;
    let copied = 0;
    const job = consumeTransformProduce({
      consumer: c,
      producer: p,
      signal: stop.signal,
      transform: (r) => {
        // Half way through, one transform fails after some of its records were sent: that transaction aborts.
        if (failOnce && copied >= count / 2 && r.offset % 7n === 3n) {
          failOnce = false;
          throw new Error('transform failed once');
        }
        return { topic: output, partition: r.partition, value: r.value };
      },
      onCommit: (records) => void (copied += records.length),
      onAbort: () => void aborts++,
    });
    await waitFor(() => copied >= count, `${count} records copied`, { timeoutMs: 60_000, intervalMs: 100 });
    stop.abort();
    await job;
    expect(aborts, 'one transaction aborted').to.equal(1);

    const out = await readAll(output, 'read_committed', count);
    const verdict = checkExactlyOnce(inputs, out.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.offset, id: r.value!, reader: 'rc', at: 0 })));
    expect(verdict.ok, describeViolations({ violations: verdict.violations } as never)).to.equal(true);
    // The group offsets land with the last transaction's markers, written after EndTxn answered.
    const tps = Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: input, partition }));
    let committedOffsets: Array<bigint | undefined> = [];
    await waitFor(
      async () => {
        committedOffsets = await c.committed(tps);
        return committedOffsets.every((o) => o === 200n);
      },
      `group offsets of ${input} at 200 each`,
      { timeoutMs: 15_000, intervalMs: 200 },
    ).catch((err: Error) => {
      throw new Error(`${err.message}; last seen ${committedOffsets.join(', ')}`);
    });
  });
});
