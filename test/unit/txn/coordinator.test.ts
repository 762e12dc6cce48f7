/**
 * The transaction coordinator's decisions, state machine and log format, on the in-memory
 * offsets store (the fake of the replicated `__transaction_state` log) and a fake clock; the
 * marker channel's sends are recorded and answered by the test.
 */
import { expect } from 'chai';
import { ErrorCode as E } from '../../../protocol/index.js';
import { InMemoryOffsetsStore } from '../../../broker/group/index.js';
import {
  decodeTxnLogKey,
  decodeTxnLogValue,
  encodeTxnLogKey,
  encodeTxnLogValue,
  TransactionMetadata,
  TxnCoordinator,
  TxnCoordinatorError,
  TxnMarkerChannel,
  TxnStateManager,
  type TxnCoordinatorConfig,
  type TxnMarkerRequestEntry,
  type TxnMarkerResultEntry,
} from '../../../broker/txn/index.js';
import { TestScheduler } from '../../helpers/test-scheduler.js';

const LEADER = 2;

interface Sent {
  brokerId: number;
  entries: readonly TxnMarkerRequestEntry[];
}

function setup(opts: { numPartitions?: number; config?: Partial<TxnCoordinatorConfig> } = {}) {
  const scheduler = new TestScheduler();
  const store = new InMemoryOffsetsStore();
  const numPartitions = opts.numPartitions ?? 1;
  const sm = new TxnStateManager({ store, numPartitions, transactionalIdExpirationMs: opts.config?.transactionalIdExpirationMs ?? 604800000, now: () => scheduler.now() });
  const sent: Sent[] = [];
  /** Per call, what the leader answers for each partition (NONE when not scripted). */
  const scripted: number[] = [];
  const markers = new TxnMarkerChannel({
    stateManager: sm,
    scheduler,
    leaderFor: (topic) => (topic === 'gone' ? undefined : LEADER),
    send: async (brokerId, entries): Promise<TxnMarkerResultEntry[]> => {
      sent.push({ brokerId, entries });
      const code = scripted.shift() ?? E.NONE;
      return entries.map((e) => ({ producerId: e.producerId, partitions: e.partitions.map((p) => ({ ...p, errorCode: code })) }));
    },
    retryBackoffMs: 100,
    retryBackoffMaxMs: 100,
  });
  let nextPid = 1000n;
  const coordinator = new TxnCoordinator({
    stateManager: sm,
    markers,
    producerIds: { generateProducerId: async () => nextPid++ },
    scheduler,
    config: { abortTimedOutTransactionsIntervalMs: 1000, ...opts.config },
  });
  return { scheduler, store, sm, markers, coordinator, sent, scripted, numPartitions };
}

type Setup = ReturnType<typeof setup>;

async function loaded(numPartitions = 1, config?: Partial<TxnCoordinatorConfig>): Promise<Setup> {
  const s = setup({ numPartitions, ...(config === undefined ? {} : { config }) });
  for (let p = 0; p < numPartitions; p++) await s.coordinator.onElection(p, 5);
  s.coordinator.startup();
  return s;
}

function states(s: Setup): string[] {
  return s.store.records(0).map((r) => (r.value === null ? 'tombstone' : decodeTxnLogValue(r.value).state));
}

describe('txn > __transaction_state codec (Kafka TransactionLog key/value v0)', () => {
  it('writes the key as {int16 version 0, string id}', () => {
    expect(encodeTxnLogKey('tx').toString('hex')).to.equal('0000' + '0002' + '7478');
    expect(decodeTxnLogKey(Buffer.from('000000027478', 'hex'))).to.equal('tx');
  });

  it('writes the value field by field as Kafka, partitions grouped by topic, null for Empty', () => {
    const ongoing = encodeTxnLogValue({
      producerId: 5n, lastProducerId: 5n, producerEpoch: 3, lastProducerEpoch: -1, txnTimeoutMs: 60000, state: 'Ongoing',
      partitions: [{ topic: 'a', partition: 0 }, { topic: 'a', partition: 2 }], txnStartTimestamp: 7, txnLastUpdateTimestamp: 9,
    });
    const hex = [
      '0000', // version
      '0000000000000005', // producer id
      '0003', // epoch
      '0000ea60', // timeout 60000
      '01', // Ongoing
      '00000001', '0001', '61', '00000002', '00000000', '00000002', // [{a, [0, 2]}]
      '0000000000000009', // last update
      '0000000000000007', // start
    ].join('');
    expect(ongoing.toString('hex')).to.equal(hex);
    expect(decodeTxnLogValue(ongoing)).to.deep.equal({
      producerId: 5n, producerEpoch: 3, txnTimeoutMs: 60000, state: 'Ongoing', partitions: [{ topic: 'a', partition: 0 }, { topic: 'a', partition: 2 }], txnLastUpdateTimestamp: 9, txnStartTimestamp: 7,
    });
    const empty = encodeTxnLogValue({ producerId: 5n, lastProducerId: 5n, producerEpoch: 0, lastProducerEpoch: -1, txnTimeoutMs: 1, state: 'Empty', partitions: [], txnStartTimestamp: -1, txnLastUpdateTimestamp: 1 });
    expect(empty.subarray(2 + 8 + 2 + 4 + 1, 2 + 8 + 2 + 4 + 1 + 4).toString('hex')).to.equal('ffffffff');
  });

  it('refuses an unknown record version or state with BRK_TXN_CODEC', () => {
    expect(() => decodeTxnLogKey(Buffer.from('000100027478', 'hex'))).to.throw(TxnCoordinatorError).with.property('code', 'BRK_TXN_CODEC');
    const bad = encodeTxnLogValue({ producerId: 5n, lastProducerId: 5n, producerEpoch: 0, lastProducerEpoch: -1, txnTimeoutMs: 1, state: 'Empty', partitions: [], txnStartTimestamp: -1, txnLastUpdateTimestamp: 1 });
    bad.writeInt8(42, 2 + 8 + 2 + 4);
    expect(() => decodeTxnLogValue(bad)).to.throw(TxnCoordinatorError).with.property('code', 'BRK_TXN_CODEC');
    expect(() => decodeTxnLogValue(Buffer.from('0000', 'hex'))).to.throw(TxnCoordinatorError);
  });
});

describe('txn > state machine (TransactionMetadata)', () => {
  it('refuses transitions Kafka does not allow, and a second prepare while one is pending', () => {
    const m = new TransactionMetadata({ transactionalId: 't', producerId: 1n, producerEpoch: 0, txnTimeoutMs: 1000, state: 'Empty', txnLastUpdateTimestamp: 0 });
    expect(() => m.prepareAbortOrCommit('PrepareCommit', 1)).to.throw(TxnCoordinatorError).with.property('code', 'BRK_TXN_ILLEGAL_STATE');
    const t = m.prepareAddPartitions([{ topic: 'a', partition: 0 }], 1);
    expect(() => m.prepareAddPartitions([{ topic: 'a', partition: 1 }], 1)).to.throw(TxnCoordinatorError);
    m.completeTransitionTo(t);
    expect(m.state).to.equal('Ongoing');
    expect(m.txnStartTimestamp).to.equal(1);
    const c = m.prepareAbortOrCommit('PrepareCommit', 2);
    m.completeTransitionTo(c);
    const done = m.prepareComplete(3);
    m.completeTransitionTo(done);
    expect(m.state).to.equal('CompleteCommit');
    expect(m.partitions.size).to.equal(0);
  });
});

describe('txn > coordinator', () => {
  let s: Setup | undefined;
  afterEach(async () => {
    await s?.coordinator.shutdown();
    s?.scheduler.restore();
    s = undefined;
  });

  it('InitProducerId: a new id gets a producer id at epoch 0, each restart bumps the epoch', async () => {
    s = await loaded();
    const first = await s.coordinator.initProducerId('tx', 60000);
    expect(first).to.deep.equal({ errorCode: E.NONE, producerId: 1000n, producerEpoch: 0 });
    const second = await s.coordinator.initProducerId('tx', 60000);
    expect(second).to.deep.equal({ errorCode: E.NONE, producerId: 1000n, producerEpoch: 1 });
    expect(states(s)).to.deep.equal(['Empty', 'Empty']);
    expect((await s.coordinator.initProducerId('tx', 10 ** 9)).errorCode).to.equal(E.INVALID_TRANSACTION_TIMEOUT);
    expect((await s.coordinator.initProducerId('', 1000)).errorCode).to.equal(E.INVALID_REQUEST);
  });

  it('answers NOT_COORDINATOR for ids of partitions it does not lead, COORDINATOR_LOAD_IN_PROGRESS while loading', async () => {
    s = setup();
    expect((await s.coordinator.initProducerId('tx', 1000)).errorCode).to.equal(E.NOT_COORDINATOR);
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const replay = s.store.replay.bind(s.store);
    s.store.replay = async function* (partition: number) {
      await gate;
      yield* replay(partition);
    };
    const loading = s.coordinator.onElection(0, 1);
    expect((await s.coordinator.initProducerId('tx', 1000)).errorCode).to.equal(E.COORDINATOR_LOAD_IN_PROGRESS);
    release();
    await loading;
    expect((await s.coordinator.initProducerId('tx', 1000)).errorCode).to.equal(E.NONE);
  });

  it('commit: partitions added, PrepareCommit answered, markers sent to the leaders, then CompleteCommit', async () => {
    s = await loaded();
    const { producerId, producerEpoch } = await s.coordinator.initProducerId('tx', 60000);
    expect(await s.coordinator.addPartitions('tx', producerId, producerEpoch, [{ topic: 'a', partition: 0 }, { topic: 'b', partition: 1 }])).to.equal(E.NONE);
    // Adding a partition already in the transaction writes nothing.
    expect(await s.coordinator.addPartitions('tx', producerId, producerEpoch, [{ topic: 'a', partition: 0 }])).to.equal(E.NONE);
    expect(await s.coordinator.endTxn('tx', producerId, producerEpoch, true)).to.equal(E.NONE);
    await s.markers.settled();
    expect(s.sent).to.have.length(1);
    expect(s.sent[0]!.brokerId).to.equal(LEADER);
    expect(s.sent[0]!.entries).to.deep.equal([{ producerId, producerEpoch, commit: true, coordinatorEpoch: 5, partitions: [{ topic: 'a', partition: 0 }, { topic: 'b', partition: 1 }] }]);
    expect(states(s)).to.deep.equal(['Empty', 'Ongoing', 'PrepareCommit', 'CompleteCommit']);
    expect(s.coordinator.describe('tx')).to.deep.include({ state: 'CompleteCommit', producerEpoch: 0, partitions: [] });
    // A retried EndTxn(commit) after completion is answered NONE; an abort of it is INVALID_TXN_STATE.
    expect(await s.coordinator.endTxn('tx', producerId, producerEpoch, true)).to.equal(E.NONE);
    expect(await s.coordinator.endTxn('tx', producerId, producerEpoch, false)).to.equal(E.INVALID_TXN_STATE);
  });

  it('a new incarnation fences the ongoing one: its transaction is aborted at a bumped epoch, the old epoch is PRODUCER_FENCED', async () => {
    s = await loaded();
    const old = await s.coordinator.initProducerId('tx', 60000);
    expect(await s.coordinator.addPartitions('tx', old.producerId, old.producerEpoch, [{ topic: 'a', partition: 0 }])).to.equal(E.NONE);
    // The new incarnation: CONCURRENT_TRANSACTIONS while the abort completes (the client retries).
    expect((await s.coordinator.initProducerId('tx', 60000)).errorCode).to.equal(E.CONCURRENT_TRANSACTIONS);
    await s.markers.settled();
    expect(s.sent.map((x) => x.entries[0])).to.deep.equal([{ producerId: old.producerId, producerEpoch: 1, commit: false, coordinatorEpoch: 5, partitions: [{ topic: 'a', partition: 0 }] }]);
    const fresh = await s.coordinator.initProducerId('tx', 60000);
    expect(fresh).to.deep.equal({ errorCode: E.NONE, producerId: old.producerId, producerEpoch: 2 });
    expect(await s.coordinator.addPartitions('tx', old.producerId, old.producerEpoch, [{ topic: 'a', partition: 0 }])).to.equal(E.PRODUCER_FENCED);
    expect(await s.coordinator.endTxn('tx', old.producerId, old.producerEpoch, true)).to.equal(E.PRODUCER_FENCED);
    expect(await s.coordinator.addPartitions('tx', 999n, 2, [{ topic: 'a', partition: 0 }])).to.equal(E.INVALID_PRODUCER_ID_MAPPING);
    expect(states(s)).to.deep.equal(['Empty', 'Ongoing', 'PrepareAbort', 'CompleteAbort', 'Empty']);
  });

  it('aborts a transaction past its timeout with a bumped epoch (the zombie is fenced)', async () => {
    s = await loaded();
    const p = await s.coordinator.initProducerId('tx', 5000);
    expect(await s.coordinator.addPartitions('tx', p.producerId, p.producerEpoch, [{ topic: 'a', partition: 0 }])).to.equal(E.NONE);
    await s.scheduler.tickAsync(3000);
    expect(s.sent).to.have.length(0);
    await s.scheduler.tickAsync(3000);
    await s.markers.settled();
    expect(s.sent.map((x) => x.entries[0])).to.deep.equal([{ producerId: p.producerId, producerEpoch: 1, commit: false, coordinatorEpoch: 5, partitions: [{ topic: 'a', partition: 0 }] }]);
    expect(s.coordinator.describe('tx')).to.deep.include({ state: 'CompleteAbort', producerEpoch: 1 });
    expect(await s.coordinator.endTxn('tx', p.producerId, p.producerEpoch, true)).to.equal(E.PRODUCER_FENCED);
  });

  it('transaction.abort.timed.out.transaction.cleanup.interval.ms: an expired transaction is aborted at the next run of the interval, not before', async () => {
    s = await loaded(1, { abortTimedOutTransactionsIntervalMs: 4000 });
    const p = await s.coordinator.initProducerId('tx', 1000);
    await s.coordinator.addPartitions('tx', p.producerId, p.producerEpoch, [{ topic: 'a', partition: 0 }]);
    await s.scheduler.tickAsync(3900);
    await s.markers.settled();
    expect(s.coordinator.describe('tx').state, 'past its timeout, before the interval ran').to.equal('Ongoing');
    await s.scheduler.tickAsync(100);
    await s.markers.settled();
    expect(s.coordinator.describe('tx')).to.deep.include({ state: 'CompleteAbort', producerEpoch: p.producerEpoch + 1 });
  });

  it('transactional.id.expiration.ms: an idle id is tombstoned by the removal interval once idle that long, an id in a transaction is kept, and the id starts over with a new producer id', async () => {
    s = await loaded(1, { transactionalIdExpirationMs: 10_000, removeExpiredTransactionalIdsIntervalMs: 2000, abortTimedOutTransactionsIntervalMs: 60_000 });
    const idle = await s.coordinator.initProducerId('idle', 60_000);
    const busy = await s.coordinator.initProducerId('busy', 60_000);
    await s.scheduler.tickAsync(1000);
    expect(await s.coordinator.addPartitions('busy', busy.producerId, busy.producerEpoch, [{ topic: 'a', partition: 0 }])).to.equal(E.NONE);
    await s.scheduler.tickAsync(8500);
    expect(s.coordinator.describe('idle').state, 'idle 9.5 s of 10').to.equal('Empty');
    await s.scheduler.tickAsync(500);
    expect(s.coordinator.describe('idle').errorCode, 'removed by the run at 10 s').to.equal(E.TRANSACTIONAL_ID_NOT_FOUND);
    expect(states(s).at(-1)).to.equal('tombstone');
    await s.scheduler.tickAsync(4000);
    expect(s.coordinator.describe('busy').state, 'an ongoing transaction never expires its id').to.equal('Ongoing');
    const again = await s.coordinator.initProducerId('idle', 60_000);
    expect(again.errorCode).to.equal(E.NONE);
    expect(again.producerId).to.not.equal(idle.producerId);
    expect(again.producerEpoch).to.equal(0);
  });

  it('retries markers the leader could not write until it does, and only then completes', async () => {
    s = await loaded();
    const p = await s.coordinator.initProducerId('tx', 60000);
    await s.coordinator.addPartitions('tx', p.producerId, p.producerEpoch, [{ topic: 'a', partition: 0 }, { topic: 'gone', partition: 0 }]);
    s.scripted.push(E.NOT_LEADER_OR_FOLLOWER, E.NOT_ENOUGH_REPLICAS);
    expect(await s.coordinator.endTxn('tx', p.producerId, p.producerEpoch, false)).to.equal(E.NONE);
    await s.scheduler.tickAsync(0);
    expect(s.coordinator.describe('tx').state).to.equal('PrepareAbort');
    // AddPartitions for the next transaction waits for the markers.
    expect(await s.coordinator.addPartitions('tx', p.producerId, p.producerEpoch, [{ topic: 'a', partition: 0 }])).to.equal(E.CONCURRENT_TRANSACTIONS);
    await s.scheduler.tickAsync(500);
    await s.markers.settled();
    // Three sends for the one live partition; the deleted topic's partition is skipped.
    expect(s.sent).to.have.length(3);
    expect(s.sent.every((x) => x.entries[0]!.partitions.length === 1 && x.entries[0]!.partitions[0]!.topic === 'a')).to.equal(true);
    expect(s.coordinator.describe('tx').state).to.equal('CompleteAbort');
  });

  it('a new coordinator replays the log: ids, epochs and a transaction left in PrepareCommit, whose markers it sends again', async () => {
    s = await loaded();
    const p = await s.coordinator.initProducerId('tx', 60000);
    await s.coordinator.addPartitions('tx', p.producerId, p.producerEpoch, [{ topic: 'a', partition: 3 }]);
    s.scripted.push(E.NOT_LEADER_OR_FOLLOWER);
    await s.coordinator.endTxn('tx', p.producerId, p.producerEpoch, true);
    await s.scheduler.tickAsync(0);
    // Leadership moves before the markers got through.
    s.coordinator.onResignation(0);
    await s.markers.settled();
    expect(states(s)).to.deep.equal(['Empty', 'Ongoing', 'PrepareCommit']);
    expect((await s.coordinator.initProducerId('tx', 60000)).errorCode).to.equal(E.NOT_COORDINATOR);

    const next = setup();
    next.store.logs.set(0, s.store.records(0));
    await next.coordinator.onElection(0, 6);
    next.coordinator.startup();
    await next.markers.settled();
    expect(next.sent.map((x) => x.entries[0])).to.deep.equal([{ producerId: p.producerId, producerEpoch: 0, commit: true, coordinatorEpoch: 6, partitions: [{ topic: 'a', partition: 3 }] }]);
    expect(next.coordinator.describe('tx')).to.deep.include({ state: 'CompleteCommit', producerId: p.producerId, producerEpoch: 0 });
    expect(await next.coordinator.initProducerId('tx', 60000)).to.deep.equal({ errorCode: E.NONE, producerId: p.producerId, producerEpoch: 1 });
    await next.coordinator.shutdown();
    next.scheduler.restore();
  });

  it('lists and describes transactions; unknown ids are TRANSACTIONAL_ID_NOT_FOUND', async () => {
    s = await loaded();
    const p = await s.coordinator.initProducerId('tx', 60000);
    await s.coordinator.addPartitions('tx', p.producerId, p.producerEpoch, [{ topic: 'a', partition: 0 }]);
    await s.coordinator.initProducerId('idle', 60000);
    expect(s.coordinator.list(['Ongoing'], []).transactions).to.deep.equal([{ transactionalId: 'tx', producerId: p.producerId, state: 'Ongoing' }]);
    expect(s.coordinator.list(['Nope'], []).unknownStateFilters).to.deep.equal(['Nope']);
    expect(s.coordinator.list([], []).transactions.map((t) => t.transactionalId)).to.deep.equal(['idle', 'tx']);
    expect(s.coordinator.describe('missing').errorCode).to.equal(E.TRANSACTIONAL_ID_NOT_FOUND);
  });
});
