/**
 * The marker channel when a partition's leader moves while markers are in flight to it: the
 * old leader never answers (frozen), and the metadata names a new leader. The markers must go to
 * the new leader at that metadata change, not when the stuck request times out.
 */
import { expect } from 'chai';
import { ErrorCode as E } from '../../../protocol/index.js';
import { InMemoryOffsetsStore } from '../../../broker/group/index.js';
import { TxnCoordinator, TxnMarkerChannel, TxnStateManager, type TxnMarkerRequestEntry, type TxnMarkerResultEntry } from '../../../broker/txn/index.js';
import { TestScheduler } from '../../helpers/test-scheduler.js';

function setup(opts: { watch: boolean }) {
  const scheduler = new TestScheduler();
  const sm = new TxnStateManager({ store: new InMemoryOffsetsStore(), numPartitions: 1, transactionalIdExpirationMs: 604800000, now: () => scheduler.now() });
  const leaders = new Map<string, number>([['a', 2], ['b', 3]]);
  const sent: { brokerId: number; entries: readonly TxnMarkerRequestEntry[] }[] = [];
  const frozen = new Set<number>([2]);
  let waiters: (() => void)[] = [];
  const markers = new TxnMarkerChannel({
    stateManager: sm,
    scheduler,
    leaderFor: (topic) => leaders.get(topic),
    send: (brokerId, entries): Promise<TxnMarkerResultEntry[]> => {
      sent.push({ brokerId, entries });
      // A frozen broker answers nothing, ever (the request timeout is the transport's, not simulated).
      if (frozen.has(brokerId)) return new Promise(() => undefined);
      return Promise.resolve(entries.map((e) => ({ producerId: e.producerId, partitions: e.partitions.map((p) => ({ ...p, errorCode: E.NONE })) })));
    },
    ...(opts.watch
      ? {
          metadataChanged: (signal: AbortSignal) =>
            new Promise<void>((resolve) => {
              waiters.push(resolve);
              signal.addEventListener('abort', () => {
                waiters = waiters.filter((w) => w !== resolve);
                resolve();
              }, { once: true });
            }),
        }
      : {}),
    retryBackoffMs: 100,
    retryBackoffMaxMs: 100,
  });
  const coordinator = new TxnCoordinator({ stateManager: sm, markers, producerIds: { generateProducerId: async () => 1000n }, scheduler, config: { abortTimedOutTransactionsIntervalMs: 60_000 } });
  /** An UpdateMetadata applied: every watcher wakes. */
  const metadataUpdate = (): void => {
    const woken = waiters;
    waiters = [];
    woken.forEach((w) => w());
  };
  return { scheduler, markers, coordinator, leaders, sent, metadataUpdate, watchers: () => waiters.length };
}

describe('txn > markers re-routed when a leader moves under an in-flight request', () => {
  it('a request stuck at a frozen leader is given up at the metadata change naming a new leader; the markers go there at once and the transaction completes', async () => {
    const s = setup({ watch: true });
    await s.coordinator.onElection(0, 5);
    s.coordinator.startup();
    const { producerId, producerEpoch } = await s.coordinator.initProducerId('tx', 60_000);
    await s.coordinator.addPartitions('tx', producerId, producerEpoch, [{ topic: 'a', partition: 0 }, { topic: 'b', partition: 0 }]);
    expect(await s.coordinator.endTxn('tx', producerId, producerEpoch, true)).to.equal(E.NONE);
    await s.scheduler.tickAsync(0);
    expect(s.sent.map((x) => x.brokerId).sort()).to.deep.equal([2, 3]);
    // Broker 3 answered; broker 2 is frozen: the transaction waits on it, whatever the clock says.
    await s.scheduler.tickAsync(60_000);
    expect(s.coordinator.describe('tx').state).to.equal('PrepareCommit');
    expect(s.sent).to.have.length(2);
    // A metadata change that leaves broker 2 leading 'a' changes nothing.
    s.metadataUpdate();
    await s.scheduler.tickAsync(0);
    expect(s.sent).to.have.length(2);
    expect(s.watchers(), 'still watching the in-flight request').to.equal(1);
    // The controller elects broker 1: the markers for 'a' go there with no backoff and no timeout.
    s.leaders.set('a', 1);
    s.metadataUpdate();
    await s.scheduler.tickAsync(0);
    await s.markers.settled();
    expect(s.sent.slice(2)).to.deep.equal([{ brokerId: 1, entries: [{ producerId, producerEpoch, commit: true, coordinatorEpoch: 5, partitions: [{ topic: 'a', partition: 0 }] }] }]);
    expect(s.coordinator.describe('tx').state).to.equal('CompleteCommit');
    expect(s.watchers(), 'no watch left behind').to.equal(0);
  });

  it('without a metadata watch the stuck request holds the transaction (the request timeout is the only way out)', async () => {
    const s = setup({ watch: false });
    await s.coordinator.onElection(0, 5);
    s.coordinator.startup();
    const { producerId, producerEpoch } = await s.coordinator.initProducerId('tx', 60_000);
    await s.coordinator.addPartitions('tx', producerId, producerEpoch, [{ topic: 'a', partition: 0 }]);
    expect(await s.coordinator.endTxn('tx', producerId, producerEpoch, true)).to.equal(E.NONE);
    s.leaders.set('a', 1);
    await s.scheduler.tickAsync(60_000);
    expect(s.sent.map((x) => x.brokerId)).to.deep.equal([2]);
    expect(s.coordinator.describe('tx').state).to.equal('PrepareCommit');
  });

  it('shutdown does not wait for a request stuck at a frozen leader', async () => {
    const s = setup({ watch: true });
    await s.coordinator.onElection(0, 5);
    s.coordinator.startup();
    const { producerId, producerEpoch } = await s.coordinator.initProducerId('tx', 60_000);
    await s.coordinator.addPartitions('tx', producerId, producerEpoch, [{ topic: 'a', partition: 0 }]);
    expect(await s.coordinator.endTxn('tx', producerId, producerEpoch, false)).to.equal(E.NONE);
    await s.scheduler.tickAsync(0);
    expect(s.sent).to.have.length(1);
    await s.markers.shutdown();
    expect(s.markers.pendingTransactionalIds).to.deep.equal([]);
    expect(s.coordinator.describe('tx').state, 'left prepared for the next coordinator').to.equal('PrepareAbort');
  });
});
