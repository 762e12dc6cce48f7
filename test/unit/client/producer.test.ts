import { expect } from 'chai';
import { Producer, type ProducerOptions } from '../../../client/producer/producer.js';
import type { ProducerBatch } from '../../../client/producer/batch.js';
import { IdempotenceManager } from '../../../client/producer/idempotence.js';
import { murmur2Partitioner } from '../../../client/partitioners/partitioner.js';
import { KafkaClientError } from '../../../client/errors.js';
import { API } from '../../../client/wire.js';
import { waitFor } from '../../helpers/wait-for.js';
import { startFakeCluster, type FakeClusterState } from './fake-broker.js';

describe('client > Producer (against the fake broker test double)', () => {
  let cluster: Awaited<ReturnType<typeof startFakeCluster>>;
  let state: FakeClusterState;
  const producers: Producer[] = [];

  beforeEach(async () => {
    cluster = await startFakeCluster(2);
    state = cluster.state;
    state.addTopic('t', [1, 2, 1]);
  });

  afterEach(async () => {
    for (const p of producers.splice(0)) await p.close({ timeoutMs: 1000 });
    await cluster.stop();
  });

  function producer<K = unknown, V = unknown>(opts: Partial<ProducerOptions<K, V>> = {}): Producer<K, V> {
    const p = new Producer<K, V>({ brokers: cluster.bootstrap, clientId: 'p', lingerMs: 2, retryBackoffMs: 20, ...opts });
    producers.push(p as Producer);
    return p;
  }

  const produceRequests = () => state.requests.filter((r) => r.apiKey === API.Produce);

  it('send() resolves with the partition and offset; records land in order with producer id and sequences', async () => {
    const p = producer<string, string>();
    const metas = await Promise.all(['a', 'b', 'c'].map((v) => p.send({ topic: 't', partition: 0, value: v, headers: { h: 'x' } })));
    expect(metas.map((m) => [m.partition, m.offset])).to.deep.equal([[0, 0n], [0, 1n], [0, 2n]]);
    expect(state.values('t', 0)).to.deep.equal(['a', 'b', 'c']);
    const batch = state.log('t', 0)[0]!;
    expect(batch.producerId >= 1000n).to.equal(true);
    expect(batch.baseSequence).to.equal(0);
    expect(batch.records[0]!.headers[0]).to.deep.include({ key: 'h' });
    expect(state.requests.filter((r) => r.apiKey === API.InitProducerId)).to.have.length(1);
    expect(produceRequests(), 'one batch, one request').to.have.length(1);
  });

  it('sendBatch(): 2,000 keyed records in few requests; keys keep their partition; offsets consecutive', async () => {
    const p = producer<string, string>({ partitioner: murmur2Partitioner(), lingerMs: 20 });
    const records = Array.from({ length: 2000 }, (_, i) => ({ topic: 't', key: `k${i % 17}`, value: `v${i}` }));
    const metas = await p.sendBatch(records);
    expect(metas).to.have.length(2000);
    const byKey = new Map<string, number>();
    metas.forEach((m, i) => {
      const k = records[i]!.key;
      if (byKey.has(k)) expect(m.partition).to.equal(byKey.get(k));
      byKey.set(k, m.partition);
    });
    for (let part = 0; part < 3; part++) {
      const offs = metas.filter((m) => m.partition === part).map((m) => m.offset);
      expect(offs).to.deep.equal(offs.map((_, i) => BigInt(i)));
      expect(state.values('t', part)).to.deep.equal(records.filter((_, i) => metas[i]!.partition === part).map((r) => r.value));
    }
    expect(produceRequests().length).to.be.lessThan(40);
  });

  it('keyless records stick to a partition per batch (sticky partitioning)', async () => {
    const p = producer<string, string>({ batchSize: 2000, lingerMs: 50 });
    const metas = await p.sendBatch(Array.from({ length: 200 }, (_, i) => ({ topic: 't', value: `v${i}` })));
    // consecutive records share a partition in runs, not round-robin
    let switches = 0;
    for (let i = 1; i < metas.length; i++) if (metas[i]!.partition !== metas[i - 1]!.partition) switches++;
    expect(switches).to.be.greaterThan(0).and.lessThan(30);
  });

  it('follows a leader move: NOT_LEADER_OR_FOLLOWER → metadata refresh → resend to the new leader', async () => {
    const p = producer<string, string>();
    await p.send({ topic: 't', partition: 0, value: 'before' });
    state.addTopic('t', [2, 2, 1]);
    const m = await p.send({ topic: 't', partition: 0, value: 'after' });
    expect(m.offset).to.equal(1n);
    expect(state.values('t', 0)).to.deep.equal(['before', 'after']);
    const nodes = produceRequests().map((r) => r.nodeId);
    expect(nodes[0]).to.equal(1);
    expect(nodes[nodes.length - 1]).to.equal(2);
    expect(state.requests.filter((r) => r.apiKey === API.Metadata).length).to.be.greaterThan(1);
  });

  it('retries retriable errors and delivers once', async () => {
    let failures = 2;
    state.produceHook = () => (failures-- > 0 ? 19 /* NOT_ENOUGH_REPLICAS */ : undefined);
    const p = producer<string, string>();
    const m = await p.send({ topic: 't', partition: 1, value: 'x' });
    expect(m.offset).to.equal(0n);
    expect(state.values('t', 1)).to.deep.equal(['x']);
    expect(produceRequests()).to.have.length(3);
  });

  it('idempotence: a retry of a batch that was in fact written is not written twice', async () => {
    let lies = 1;
    state.afterAppendHook = () => (lies-- > 0 ? 7 /* REQUEST_TIMED_OUT */ : undefined);
    const p = producer<string, string>();
    await p.send({ topic: 't', partition: 0, value: 'once' });
    expect(state.values('t', 0)).to.deep.equal(['once']);
    expect(produceRequests()).to.have.length(2);
  });

  it('idempotence: with 5 requests in flight, a failed early batch is retried in order', async () => {
    let failFirst = true;
    state.produceHook = (topic, partition) => {
      if (partition === 0 && failFirst) {
        failFirst = false;
        return 19;
      }
      return undefined;
    };
    const p = producer<string, string>({ batchSize: 300, lingerMs: 0, maxInFlightRequestsPerConnection: 5 });
    const values = Array.from({ length: 60 }, (_, i) => `value-${String(i).padStart(3, '0')}`);
    const metas = await Promise.all(values.map((v) => p.send({ topic: 't', partition: 0, value: v })));
    expect(state.values('t', 0)).to.deep.equal(values);
    expect(metas.map((m) => m.offset)).to.deep.equal(values.map((_, i) => BigInt(i)));
  });

  it('idempotence: a batch that fails for good takes every later batch of its partition with it (in flight or queued), so nothing is written after the hole', async () => {
    const p = producer<string, string>({ batchSize: 300, lingerMs: 0, maxInFlightRequestsPerConnection: 5 });
    await p.send({ topic: 't', partition: 0, value: 'before' });
    let failFirst = true;
    // Kafka's answer to an unexpected failure (e.g. a leader in the middle of a change): not retriable.
    state.produceHook = (_t, partition) => (partition === 0 && failFirst ? ((failFirst = false), -1) : undefined);
    const values = Array.from({ length: 60 }, (_, i) => `value-${String(i).padStart(3, '0')}`);
    const outcomes = await Promise.all(values.map((v) => p.send({ topic: 't', partition: 0, value: v }).then(() => 'written', (e: KafkaClientError) => e.kafkaError)));
    expect(produceRequests().length, 'several batches were in flight').to.be.greaterThan(3);
    expect(state.values('t', 0), 'nothing after the failed batch').to.deep.equal(['before']);
    expect(new Set(outcomes), 'every record of the failed batch and after it is rejected with its error').to.deep.equal(new Set(['UNKNOWN_SERVER_ERROR']));
    // The application resends from its first failure: in order, under the next epoch.
    await Promise.all(values.map((v) => p.send({ topic: 't', partition: 0, value: v })));
    expect(state.values('t', 0)).to.deep.equal(['before', ...values]);
  });

  /**
   * t-0 is led by node 1, t-1 by node 2. c1 goes to t-1 and its answer is held, then says
   * NOT_LEADER_OR_FOLLOWER (written: a leader that replicated it and died; not written: one that
   * died first). Meanwhile t-0 answers OUT_OF_ORDER_SEQUENCE_NUMBER with nothing earlier
   * unacknowledged, so the producer bumps its epoch (KIP-360); then c2 is sent to t-1.
   */
  async function epochBumpWhileInFlight(c1Written: boolean): Promise<string[]> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let holdOnce = true;
    let failOnce = true;
    state.produceAnswerGate = (_t, partition) => (partition === 1 && holdOnce ? ((holdOnce = false), held) : undefined);
    const notLeader = (_t: string, partition: number) => (partition === 1 && failOnce ? ((failOnce = false), 6) : undefined);
    if (c1Written) state.afterAppendHook = notLeader;
    else state.produceHook = notLeader;
    const p = producer<string, string>({ lingerMs: 0 });
    const c1 = p.send({ topic: 't', partition: 1, value: 'c1' });
    await waitFor(() => state.requests.some((r) => r.apiKey === API.Produce && r.nodeId === 2), 'c1 sent to node 2');
    let outOfOrderOnce = true;
    state.produceHook = (_t, partition) => (partition === 0 && outOfOrderOnce ? ((outOfOrderOnce = false), 45) : undefined);
    await p.send({ topic: 't', partition: 0, value: 'x' });
    expect(state.requests.filter((r) => r.apiKey === API.InitProducerId), 'no new producer id').to.have.length(1);
    const [x] = state.log('t', 0);
    expect([x!.producerEpoch, x!.baseSequence], 'x under the next epoch, from sequence 0').to.deep.equal([1, 0]);
    const c2 = p.send({ topic: 't', partition: 1, value: 'c2' });
    release();
    await Promise.all([c1, c2]);
    const log = state.log('t', 1);
    expect(log.every((b) => b.producerId === x!.producerId), 'one producer id throughout').to.equal(true);
    expect(log.at(-1)!.producerEpoch).to.equal(1);
    return state.values('t', 1);
  }

  it('idempotence (KIP-360): an unexplained OUT_OF_ORDER_SEQUENCE bumps the epoch of the same producer id; a later batch does not overtake an earlier one still in flight under the old epoch', async () => {
    expect(await epochBumpWhileInFlight(false)).to.deep.equal(['c1', 'c2']);
  });

  it('idempotence (KIP-360): a retry of a batch sent under the old epoch keeps its stamp, so the broker that has it does not write it twice', async () => {
    expect(await epochBumpWhileInFlight(true)).to.deep.equal(['c1', 'c2']);
  });

  it('idempotence (KIP-360): UNKNOWN_PRODUCER_ID bumps the epoch and the batch is written once, from sequence 0', async () => {
    const p = producer<string, string>();
    await p.send({ topic: 't', partition: 2, value: 'a' });
    let unknownOnce = true;
    state.produceHook = () => (unknownOnce ? ((unknownOnce = false), 59) : undefined);
    await p.send({ topic: 't', partition: 2, value: 'b' });
    expect(state.values('t', 2)).to.deep.equal(['a', 'b']);
    const [a, b] = state.log('t', 2);
    expect([b!.producerId, b!.producerEpoch, b!.baseSequence]).to.deep.equal([a!.producerId, 1, 0]);
    expect(state.requests.filter((r) => r.apiKey === API.InitProducerId)).to.have.length(1);
  });

  it('idempotence (KIP-360): a sent batch given up at its delivery timeout bumps the epoch; later records go on under the same producer id', async () => {
    const p = producer<string, string>({ deliveryTimeoutMs: 400, requestTimeoutMs: 300 });
    await p.send({ topic: 't', partition: 0, value: 'a' });
    state.produceHook = () => 19; // NOT_ENOUGH_REPLICAS until the batch is given up
    const err = await p.send({ topic: 't', partition: 0, value: 'lost' }).then(() => null, (e: unknown) => e);
    expect(err).to.include({ code: 'CLI_DELIVERY_TIMEOUT' });
    state.produceHook = undefined;
    await p.send({ topic: 't', partition: 0, value: 'b' });
    await p.send({ topic: 't', partition: 1, value: 'c' });
    expect(state.values('t', 0)).to.deep.equal(['a', 'b']);
    const [a, b] = state.log('t', 0);
    const [c] = state.log('t', 1);
    expect([b!.producerId, b!.producerEpoch, b!.baseSequence], 't-0 goes on at the next epoch, sequence 0').to.deep.equal([a!.producerId, 1, 0]);
    expect([c!.producerId, c!.producerEpoch, c!.baseSequence], 'so does every other partition').to.deep.equal([a!.producerId, 1, 0]);
    expect(state.requests.filter((r) => r.apiKey === API.InitProducerId)).to.have.length(1);
  });

  it('a non-retriable broker error rejects with the Kafka error name', async () => {
    state.produceHook = () => 10; // MESSAGE_TOO_LARGE
    const p = producer<string, string>();
    const err = await p.send({ topic: 't', partition: 2, value: 'x' }).then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(KafkaClientError);
    expect(err).to.include({ code: 'CLI_BROKER_ERROR', kafkaError: 'MESSAGE_TOO_LARGE', kafkaCode: 10, retriable: false });
  });

  it('gives up after deliveryTimeoutMs with CLI_DELIVERY_TIMEOUT', async () => {
    state.produceHook = () => 19;
    const p = producer<string, string>({ deliveryTimeoutMs: 300, requestTimeoutMs: 200 });
    const started = Date.now();
    const err = await p.send({ topic: 't', partition: 0, value: 'x' }).then(() => null, (e: unknown) => e);
    expect(err).to.include({ code: 'CLI_DELIVERY_TIMEOUT' });
    expect(Date.now() - started).to.be.within(250, 3000);
  });

  it('an unknown topic (no auto-create) fails after maxBlockMs with UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const p = producer<string, string>({ maxBlockMs: 200 });
    const err = await p.send({ topic: 'missing', value: 'x' }).then(() => null, (e: unknown) => e);
    expect(err).to.include({ kafkaError: 'UNKNOWN_TOPIC_OR_PARTITION' });
  });

  it('auto-creates topics through Metadata when the broker allows it', async () => {
    state.autoCreatePartitions = 2;
    const p = producer<string, string>();
    const m = await p.send({ topic: 'fresh', key: 'k', value: 'x' });
    expect(m.topic).to.equal('fresh');
    expect(state.values('fresh', m.partition)).to.deep.equal(['x']);
  });

  it('acks=0 resolves without offsets; the records still arrive', async () => {
    const p = producer<string, string>({ acks: 0, idempotent: false });
    const m = await p.send({ topic: 't', partition: 1, value: 'fire' });
    expect(m.offset).to.equal(-1n);
    await waitFor(() => state.values('t', 1).length === 1, 'the acks=0 record to arrive');
  });

  it('gzip compression round-trips through the batch codec', async () => {
    const p = producer<string, string>({ compression: 'gzip' });
    await p.sendBatch(Array.from({ length: 50 }, (_, i) => ({ topic: 't', partition: 0, value: `compressible ${i} `.repeat(10) })));
    const batch = state.log('t', 0)[0]!;
    expect(batch.attributes & 7).to.equal(1);
    expect(state.values('t', 0)).to.have.length(50);
  });

  it('produce() + flush(): callbacks fire and flush waits for all of them', async () => {
    const p = producer<string, string>({ lingerMs: 10_000 });
    await p.connect();
    await p.cluster.refreshMetadata(['t']);
    const got: bigint[] = [];
    for (let i = 0; i < 100; i++) p.produce({ topic: 't', partition: 1, value: `v${i}` }, (err, m) => got.push(err === null ? m!.offset : -99n));
    await p.flush();
    expect(got).to.deep.equal(Array.from({ length: 100 }, (_, i) => BigInt(i)));
  });

  it('close() delivers what is buffered, then refuses new records with CLI_CLOSED', async () => {
    const p = producer<string, string>({ lingerMs: 10_000 });
    await p.connect();
    await p.cluster.refreshMetadata(['t']);
    const pending = p.send({ topic: 't', partition: 2, value: 'buffered' });
    await p.close();
    expect((await pending).offset).to.equal(0n);
    expect(state.values('t', 2)).to.deep.equal(['buffered']);
    const err = await p.send({ topic: 't', value: 'late' }).then(() => null, (e: unknown) => e);
    expect(err).to.include({ code: 'CLI_CLOSED' });
  });

  it('rejects an invalid idempotence configuration', () => {
    expect(() => producer({ acks: 1 })).to.throw().with.property('code', 'CLI_INVALID_CONFIG');
  });

  it('default idempotence is dropped (reported) when the cluster lacks InitProducerId; explicit idempotence fails', async () => {
    const old = await startFakeCluster(1, { omit: [API.InitProducerId] });
    try {
      old.state.addTopic('t', [1]);
      const reported: string[] = [];
      const p = new Producer<string, string>({ brokers: old.bootstrap, lingerMs: 1, onError: (e) => reported.push(e.code) });
      producers.push(p as Producer);
      expect((await p.send({ topic: 't', value: 'x' })).offset).to.equal(0n);
      expect(old.state.log('t', 0)[0]!.producerId).to.equal(-1n);
      expect(reported).to.deep.equal(['CLI_UNSUPPORTED_VERSION']);
      const strict = new Producer<string, string>({ brokers: old.bootstrap, lingerMs: 1, idempotent: true });
      producers.push(strict as Producer);
      const err = await strict.send({ topic: 't', value: 'y' }).then(() => null, (e: unknown) => e);
      expect(err).to.include({ code: 'CLI_UNSUPPORTED_VERSION' });
    } finally {
      for (const p of producers.splice(0)) await p.close({ timeoutMs: 500 });
      await old.stop();
    }
  });
});

describe('client > IdempotenceManager (KIP-360 epoch bump)', () => {
  it('bumps the epoch of the same producer id and restarts sequences; an exhausted epoch (32767) takes a new producer id instead', () => {
    const idem = new IdempotenceManager();
    idem.use(7n, 0);
    const batch = { topic: 't', partition: 0, recordCount: 3 } as ProducerBatch;
    idem.assign(batch);
    idem.assign(batch);
    expect(batch.baseSequence).to.equal(3);
    idem.bumpEpoch();
    idem.assign(batch);
    expect([idem.producerId, idem.producerEpoch, batch.baseSequence]).to.deep.equal([7n, 1, 0]);
    idem.use(7n, 32766);
    idem.bumpEpoch();
    expect([idem.producerId, idem.producerEpoch]).to.deep.equal([7n, 32767]);
    idem.bumpEpoch();
    expect(idem.hasProducerId, 'the next send asks InitProducerId for a new id').to.equal(false);
  });
});
