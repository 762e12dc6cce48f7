/**
 * Transactional offset commits (TxnOffsetCommit, KIP-98/447) at the group coordinator: written
 * as the producer's transactional batch, invisible to OffsetFetch until the COMMIT marker reaches
 * the group's partition (UNSTABLE_OFFSET_COMMIT with require_stable meanwhile), dropped on ABORT,
 * and rebuilt the same way by a coordinator that replays the log with markers in it.
 */
import { expect } from 'chai';
import { ErrorCode as E } from '../../../protocol/index.js';
import { GroupCoordinator } from '../../../broker/group/index.js';
import { startHarness, TEST_CONFIG, type Harness } from './harness.js';

const PID = 42n;

describe('group > transactional offset commits', () => {
  let h: Harness;
  afterEach(() => h.restore());

  const txnCommit = (offset: bigint, producerId = PID) =>
    h.coordinator.commitTxnOffsets({ groupId: 'g', producerId, producerEpoch: 0, generationId: -1, memberId: '', groupInstanceId: null, partitions: [{ topic: 't', partition: 0, offset, leaderEpoch: -1, metadata: null }] });
  const fetch = async (requireStable: boolean) => (await h.coordinator.fetchOffsets({ groupId: 'g', partitions: [{ topic: 't', partition: 0 }], requireStable })).partitions[0]!;

  it('pending until COMMIT (UNSTABLE_OFFSET_COMMIT with require_stable), dropped on ABORT', async () => {
    h = await startHarness();
    const partition = h.coordinator.partitionFor('g');
    expect((await txnCommit(10n)).partitions[0]!.errorCode).to.equal(E.NONE);
    expect(h.store.records(partition).at(-1)!.producerId, 'written as the producer transactional batch').to.equal(PID);
    expect(await fetch(false)).to.deep.include({ offset: -1n, errorCode: E.NONE });
    expect(await fetch(true)).to.deep.include({ offset: -1n, errorCode: E.UNSTABLE_OFFSET_COMMIT });
    h.store.appendMarker(partition, PID, true);
    await h.coordinator.completeTransaction(PID, [partition], true);
    expect(await fetch(true)).to.deep.include({ offset: 10n, errorCode: E.NONE });

    await txnCommit(20n);
    h.store.appendMarker(partition, PID, false);
    await h.coordinator.completeTransaction(PID, [partition], false);
    expect(await fetch(true)).to.deep.include({ offset: 10n, errorCode: E.NONE });
  });

  it('a later transaction of the same producer replaces the offsets its earlier one committed', async () => {
    h = await startHarness();
    const partition = h.coordinator.partitionFor('g');
    for (const offset of [50n, 100n]) {
      await txnCommit(offset);
      h.store.appendMarker(partition, PID, true);
      await h.coordinator.completeTransaction(PID, [partition], true);
      expect(await fetch(false)).to.deep.include({ offset, errorCode: E.NONE });
    }
  });

  it('a coordinator replaying the log applies committed transactions, drops aborted ones and keeps open ones pending', async () => {
    h = await startHarness();
    const partition = h.coordinator.partitionFor('g');
    await txnCommit(10n);
    h.store.appendMarker(partition, PID, true);
    await txnCommit(20n);
    h.store.appendMarker(partition, PID, false);
    await txnCommit(30n, 43n); // still open

    const second = new GroupCoordinator({ store: h.store, config: TEST_CONFIG, scheduler: h.clock });
    await second.onBecomeLeader(partition);
    const fetched = await second.fetchOffsets({ groupId: 'g', partitions: [{ topic: 't', partition: 0 }], requireStable: true });
    expect(fetched.partitions[0]).to.deep.include({ errorCode: E.UNSTABLE_OFFSET_COMMIT });
    const stable = await second.fetchOffsets({ groupId: 'g', partitions: [{ topic: 't', partition: 0 }], requireStable: false });
    expect(stable.partitions[0], 'the committed 10 applied, the aborted 20 dropped').to.deep.include({ offset: 10n, errorCode: E.NONE });
    await second.completeTransaction(43n, [partition], true);
    const after = await second.fetchOffsets({ groupId: 'g', partitions: [{ topic: 't', partition: 0 }], requireStable: true });
    expect(after.partitions[0]).to.deep.include({ offset: 30n, errorCode: E.NONE });
    await second.shutdown();
  });
});
