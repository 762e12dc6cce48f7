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

  it('a second incarnation fences the first: its next send fails INVALID_PRODUCER_EPOCH (abortable, KIP-360), its abort is refused (fatal), nothing of it commits, the new one is not fenced back', async () => {
    const zombie = producer();
    const old = await zombie.transaction();
    await old.send({ topic: 't', partition: 0, value: 'z1' });
    const fresh = producer();
    const txn = await fresh.transaction(); // InitProducerId bumps the epoch
    await txn.send({ topic: 't', partition: 0, value: 'n1' });
    await txn.commit();
    const err = await old.send({ topic: 't', partition: 0, value: 'z2' }).catch((e: unknown) => e);
    expect(err).to.have.property('kafkaError', 'INVALID_PRODUCER_EPOCH');
    expect(zombie.transactionState, 'a produce refused for its epoch is abortable with InitProducerId v3+').to.equal('ABORTABLE_ERROR');
    const commitErr = await old.commit().catch((e: unknown) => e);
    expect(commitErr).to.have.property('code', 'CLI_TXN_ABORTABLE');
    expect((commitErr as KafkaClientError).cause).to.have.property('kafkaError', 'INVALID_PRODUCER_EPOCH');
    const inits = state.requests.filter((r) => r.apiKey === API.InitProducerId).length;
    const abortErr = await old.abort().catch((e: unknown) => e);
    expect(abortErr, 'EndTxn at the old epoch: fenced').to.have.property('kafkaError', 'INVALID_PRODUCER_EPOCH');
    expect(zombie.transactionState).to.equal('FATAL_ERROR');
    expect(state.requests.filter((r) => r.apiKey === API.InitProducerId).length, 'the zombie never re-initializes').to.equal(inits);
    expect(await zombie.transaction().catch((e: unknown) => e)).to.be.instanceOf(KafkaClientError);
    const next = await fresh.transaction();
    await next.send({ topic: 't', partition: 0, value: 'n2' });
    await next.commit();
    expect(state.txn.ended.map((e) => e.committed)).to.deep.equal([true, true]);
    expect(state.values('t', 0)).to.deep.equal(['z1', 'n1', 'n2']);
  });

  it('before KIP-360 (coordinator with InitProducerId v0-2): INVALID_PRODUCER_EPOCH on a produce is fatal at once', async () => {
    await cluster.stop();
    cluster = await startFakeCluster(2, { advertise: new Map([[API.InitProducerId, [0, 2]]]) });
    state = cluster.state;
    state.addTopic('t', [1, 2, 1]);
    const zombie = producer();
    const old = await zombie.transaction();
    await old.send({ topic: 't', partition: 0, value: 'z1' });
    const fresh = producer();
    const txn = await fresh.transaction();
    await txn.send({ topic: 't', partition: 0, value: 'n1' });
    await txn.commit();
    const err = await old.send({ topic: 't', partition: 0, value: 'z2' }).catch((e: unknown) => e);
    expect(err).to.have.property('kafkaError', 'INVALID_PRODUCER_EPOCH');
    expect(zombie.transactionState).to.equal('FATAL_ERROR');
    expect(await old.commit().catch((e: unknown) => e)).to.have.property('kafkaError', 'INVALID_PRODUCER_EPOCH');
    expect(await old.abort().catch((e: unknown) => e)).to.have.property('kafkaError', 'INVALID_PRODUCER_EPOCH');
    expect(state.txn.ended).to.deep.equal([{ transactionalId: 'tx-1', committed: true, partitions: ['t-0'], groups: [] }]);
  });

  for (const refusal of ['UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH'] as const) {
    it(`KIP-360: a produce refused ${refusal} while this producer still owns the id is abortable; abort bumps the epoch (InitProducerId v4 with the current id/epoch) and the next transaction commits`, async () => {
      const p = producer();
      const first = await p.transaction();
      await first.send({ topic: 't', partition: 0, value: 'a' });
      const { producerId } = state.txn.byId.get('tx-1')!;
      let refuse = true;
      state.produceHook = (topic, partition) => (topic === 't' && partition === 0 && refuse ? ((refuse = false), ErrorCode[refusal]) : undefined);
      const err = await first.send({ topic: 't', partition: 0, value: 'lost' }).catch((e: unknown) => e);
      expect(err).to.have.property('kafkaError', refusal);
      expect(p.transactionState).to.equal('ABORTABLE_ERROR');
      await first.abort();
      expect(p.transactionState).to.equal('READY');
      const inits = state.requests.filter((r) => r.apiKey === API.InitProducerId);
      expect(inits.map((r) => r.apiVersion), 'init, then the bump after EndTxn(abort)').to.deep.equal([4, 4]);
      expect(state.txn.byId.get('tx-1'), 'same producer id, next epoch').to.deep.include({ producerId, epoch: 1, lastEpoch: 0 });
      const second = await p.transaction();
      await second.send({ topic: 't', partition: 0, value: 'b' });
      await second.commit();
      expect(state.txn.ended.map((e) => e.committed)).to.deep.equal([false, true]);
      const last = state.log('t', 0).at(-1)!;
      expect([last.producerId, last.baseSequence], 'sequences restart under the new epoch').to.deep.equal([producerId, 0]);
      expect(state.values('t', 0)).to.deep.equal(['a', 'b']);
    });
  }

  it('KIP-360: the epoch bump is checked: a producer whose id was taken over meanwhile gets PRODUCER_FENCED and does not fence the new incarnation', async () => {
    const zombie = producer();
    const old = await zombie.transaction();
    await old.send({ topic: 't', partition: 0, value: 'z1' });
    let refuse = true;
    state.produceHook = () => (refuse ? ((refuse = false), ErrorCode.UNKNOWN_PRODUCER_ID) : undefined);
    expect(await old.send({ topic: 't', partition: 0, value: 'z2' }).catch((e: unknown) => e)).to.have.property('kafkaError', 'UNKNOWN_PRODUCER_ID');
    // Its EndTxn(abort) is accepted (its epoch is still current), then a new incarnation takes the
    // id before the zombie's bump: an unchecked re-init (v0-2) would now fence the new one.
    const endTxn = state.txn.check.bind(state.txn);
    state.txn.check = (id, pid, epoch) => {
      const code = endTxn(id, pid, epoch);
      if (code === 0 && state.requests.at(-1)?.apiKey === API.EndTxn) state.txn.init(id);
      return code;
    };
    const err = await old.abort().catch((e: unknown) => e);
    state.txn.check = endTxn;
    expect(err).to.have.property('kafkaError', 'PRODUCER_FENCED');
    expect(zombie.transactionState).to.equal('FATAL_ERROR');
    expect(state.txn.byId.get('tx-1')!.epoch, 'the new incarnation keeps its epoch').to.equal(1);
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
