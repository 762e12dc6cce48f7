import { expect } from 'chai';
import { Producer, type ProducerOptions } from '../../../client/producer/producer.js';
import { KafkaClientError } from '../../../client/errors.js';
import { API } from '../../../client/wire.js';
import { ErrorCode, isTransactional } from '../../../protocol/index.js';
import { startFakeCluster, type FakeClusterState } from './fake-broker.js';

describe('client > transactional producer (against the fake broker test double)', () => {
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

  function producer(opts: Partial<ProducerOptions<string, string>> = {}): Producer<string, string> {
    const p = new Producer<string, string>({ brokers: cluster.bootstrap, clientId: 'tp', lingerMs: 2, retryBackoffMs: 10, transactionalId: 'tx-1', maxBlockMs: 5_000, ...opts });
    producers.push(p as Producer);
    return p;
  }

  const order = () => state.requests.map((r) => r.apiKey).filter((k) => ([API.AddPartitionsToTxn, API.Produce, API.AddOffsetsToTxn, API.TxnOffsetCommit, API.EndTxn] as number[]).includes(k));

  it('commit: partitions added before their first batch, transactional batches, offsets with the group metadata, EndTxn(commit)', async () => {
    const p = producer();
    const txn = await p.transaction();
    await Promise.all([txn.send({ topic: 't', partition: 0, value: 'a' }), txn.send({ topic: 't', partition: 1, value: 'b' })]);
    await txn.sendOffsets([{ topic: 'in', partition: 0, offset: 7n }], { groupId: 'g', generationId: 3, memberId: 'm-1', groupInstanceId: null });
    await txn.commit();
    expect(state.txn.ended).to.deep.equal([{ transactionalId: 'tx-1', committed: true, partitions: ['t-0', 't-1'], groups: ['g'] }]);
    expect(state.txn.offsetCommits).to.deep.equal([{ groupId: 'g', generationId: 3, memberId: 'm-1', offsets: ['in-0@7'] }]);
    expect(order()[0], 'AddPartitionsToTxn goes before any Produce').to.equal(API.AddPartitionsToTxn);
    for (const part of [0, 1]) expect(isTransactional(state.log('t', part)[0]!.attributes)).to.equal(true);
    expect(p.transactionState).to.equal('READY');
    // A second transaction on the same producer.
    const second = await p.transaction();
    await second.send({ topic: 't', partition: 2, value: 'c' });
    await second.abort();
    expect(state.txn.ended[1]).to.deep.include({ committed: false, partitions: ['t-2'] });
    expect(state.requests.filter((r) => r.apiKey === API.InitProducerId), 'one InitProducerId').to.have.length(1);
  });

  it('refuses sends outside a transaction and calls on an ended transaction (CLI_TXN_STATE)', async () => {
    const p = producer();
    const err = await p.send({ topic: 't', value: 'x' }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(KafkaClientError).with.property('code', 'CLI_TXN_STATE');
    const txn = await p.transaction();
    await txn.commit(); // nothing added: no EndTxn needed
    expect(state.txn.ended).to.have.length(0);
    const late = await txn.send({ topic: 't', value: 'y' }).catch((e: unknown) => e);
    expect(late).to.have.property('code', 'CLI_TXN_STATE');
    expect(state.log('t', 0).length + state.log('t', 1).length + state.log('t', 2).length).to.equal(0);
  });

  it('retries CONCURRENT_TRANSACTIONS and NOT_COORDINATOR (finding the coordinator again) until EndTxn succeeds', async () => {
    const p = producer();
    const txn = await p.transaction();
    await txn.send({ topic: 't', partition: 0, value: 'a' });
    state.txn.inject.set(API.EndTxn, [ErrorCode.CONCURRENT_TRANSACTIONS, ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS]);
    const finds = state.requests.filter((r) => r.apiKey === API.FindCoordinator).length;
    await txn.commit();
    expect(state.requests.filter((r) => r.apiKey === API.EndTxn)).to.have.length(4);
    expect(state.requests.filter((r) => r.apiKey === API.FindCoordinator).length, 'looked up again after NOT_COORDINATOR').to.equal(finds + 1);
    expect(state.txn.ended[0]).to.deep.include({ committed: true });
  });

  it('a second incarnation fences the first: its next send fails INVALID_PRODUCER_EPOCH, the producer is done (fatal), nothing of it commits', async () => {
    const zombie = producer();
    const old = await zombie.transaction();
    await old.send({ topic: 't', partition: 0, value: 'z1' });
    const fresh = producer();
    const txn = await fresh.transaction(); // InitProducerId bumps the epoch
    await txn.send({ topic: 't', partition: 0, value: 'n1' });
    await txn.commit();
    const err = await old.send({ topic: 't', partition: 0, value: 'z2' }).catch((e: unknown) => e);
    expect(err).to.have.property('kafkaError', 'INVALID_PRODUCER_EPOCH');
    expect(zombie.transactionState).to.equal('FATAL_ERROR');
    const commitErr = await old.commit().catch((e: unknown) => e);
    expect(commitErr).to.have.property('kafkaError', 'INVALID_PRODUCER_EPOCH');
    const again = await zombie.transaction().catch((e: unknown) => e);
    expect(again).to.be.instanceOf(KafkaClientError);
    expect(state.txn.ended).to.deep.equal([{ transactionalId: 'tx-1', committed: true, partitions: ['t-0'], groups: [] }]);
  });

  it('TxnOffsetCommit partition errors that are retriable (loading, moved, unknown partition) are retried until the offsets commit', async () => {
    const p = producer();
    const txn = await p.transaction();
    await txn.send({ topic: 't', partition: 0, value: 'a' });
    state.txn.inject.set(API.TxnOffsetCommit, [ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.NOT_COORDINATOR, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    const finds = state.requests.filter((r) => r.apiKey === API.FindCoordinator).length;
    await txn.sendOffsets([{ topic: 'in', partition: 0, offset: 5n }], { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null });
    await txn.commit();
    expect(state.requests.filter((r) => r.apiKey === API.TxnOffsetCommit)).to.have.length(4);
    // The group's coordinator is found once, and once more after NOT_COORDINATOR.
    expect(state.requests.filter((r) => r.apiKey === API.FindCoordinator).length - finds, 'group coordinator lookups').to.equal(2);
    expect(state.txn.offsetCommits).to.deep.equal([{ groupId: 'g', generationId: 1, memberId: 'm', offsets: ['in-0@5'] }]);
    expect(state.txn.ended[0]).to.deep.include({ committed: true, groups: ['g'] });
  });

  it('a failed TxnOffsetCommit (ILLEGAL_GENERATION: rebalanced away) makes the transaction abortable; abort() then works', async () => {
    const p = producer();
    const txn = await p.transaction();
    await txn.send({ topic: 't', partition: 0, value: 'a' });
    state.txn.inject.set(API.TxnOffsetCommit, [ErrorCode.ILLEGAL_GENERATION]);
    const err = await txn.sendOffsets([{ topic: 'in', partition: 0, offset: 1n }], { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null }).catch((e: unknown) => e);
    expect(err).to.have.property('code', 'CLI_TXN_ABORTABLE');
    expect((err as KafkaClientError).cause).to.have.property('kafkaError', 'ILLEGAL_GENERATION');
    expect(await txn.commit().catch((e: unknown) => e)).to.have.property('code', 'CLI_TXN_ABORTABLE');
    await txn.abort();
    expect(state.txn.ended).to.deep.equal([{ transactionalId: 'tx-1', committed: false, partitions: ['t-0'], groups: ['g'] }]);
    expect(p.transactionState).to.equal('READY');
  });

  it('abort() fails records not yet sent and never sends them', async () => {
    const p = producer({ lingerMs: 10_000, batchSize: 1 << 20 });
    const txn = await p.transaction();
    await p.cluster.refreshMetadata(['t']); // so the record is queued at once (the synchronous path)
    const pending = txn.send({ topic: 't', partition: 1, value: 'never' });
    await txn.abort();
    expect(await pending.catch((e: unknown) => e)).to.have.property('code', 'CLI_TXN_ABORTABLE');
    expect(state.log('t', 1)).to.have.length(0);
  });
});
