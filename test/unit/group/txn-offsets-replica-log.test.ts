/**
 * Transactional offset commits through the broker's real produce path (replicaOffsetsLog over a
 * ReplicaManager on a real LogManager): the coordinator writes each TxnOffsetCommit as a
 * transactional batch of the producer with baseSequence 0, so the log must take it as a
 * coordinator append (Kafka's AppendOrigin.Coordinator), never as a client retry of the
 * producer's previous TxnOffsetCommit. Issue 16: the second transaction's offsets were answered
 * as a duplicate of the first, never written, and OffsetFetch stayed at the first commit.
 */
import { expect } from 'chai';
import { silentLogger } from '../../../broker/index.js';
import { loadBrokerConfig } from '../../../broker/config/index.js';
import { GroupCoordinator, LogOffsetsStore, OFFSETS_TOPIC_NAME, replicaOffsetsLog } from '../../../broker/group/index.js';
import { ControlRequestHandler, MetadataCache } from '../../../broker/metadata/index.js';
import { ReplicaManager, TopicConfigs, writeTxnMarkers } from '../../../broker/replica/index.js';
import { systemScheduler } from '../../../common/index.js';
import { ErrorCode as E } from '../../../protocol/index.js';
import { LogManager } from '../../../storage/index.js';
import { FakeZooKeeper } from '../../helpers/fake-coordination-store.js';
import { tmpDir } from '../../helpers/tmp.js';
import { TEST_CONFIG } from './harness.js';

const PID = 7n;
const EPOCH = 0;

describe('group > transactional offset commits over the replica log', () => {
  let logs: LogManager;
  let rm: ReplicaManager;
  let coordinator: GroupCoordinator;
  let partition: number;

  beforeEach(async () => {
    const config = loadBrokerConfig({ overrides: ['broker.id=1', 'zookeeper.connect=127.0.0.1:2181'] });
    logs = await LogManager.start({ logDirs: [tmpDir('samsa-txn-offsets-')], logger: silentLogger() });
    const cache = new MetadataCache();
    rm = new ReplicaManager({ brokerId: 1, logManager: logs, topicConfigs: new TopicConfigs(new FakeZooKeeper().session(), config), metadataCache: cache, scheduler: systemScheduler, logger: silentLogger() });
    const handler = new ControlRequestHandler({ brokerId: 1, brokerEpoch: () => 5n, cache, logger: silentLogger(), listener: rm });
    const store = new LogOffsetsStore({ log: replicaOffsetsLog(rm) });
    coordinator = new GroupCoordinator({ store, config: TEST_CONFIG, scheduler: systemScheduler });
    partition = coordinator.partitionFor('g');
    const leader = { topic: OFFSETS_TOPIC_NAME, partition, controllerEpoch: 1, leader: 1, leaderEpoch: 1, isr: [1], zkVersion: 0, replicas: [1], addingReplicas: [], removingReplicas: [], isNew: true };
    await handler.handle('LeaderAndIsr', { controllerId: 9, controllerEpoch: 1, brokerEpoch: 5n, partitionStates: [leader], liveLeaders: [] });
    await coordinator.onBecomeLeader(partition);
  });

  afterEach(async () => {
    await coordinator.shutdown();
    await rm.shutdown();
    await logs.shutdown();
  });

  const txnCommit = (offsets: Array<[number, bigint]>) =>
    coordinator.commitTxnOffsets({
      groupId: 'g',
      producerId: PID,
      producerEpoch: EPOCH,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      partitions: offsets.map(([p, offset]) => ({ topic: 't', partition: p, offset, leaderEpoch: -1, metadata: null })),
    });
  const endTxn = async (commit: boolean) => {
    const [outcome] = await writeTxnMarkers(rm, [{ producerId: PID, producerEpoch: EPOCH, commit, coordinatorEpoch: 0, partitions: [{ topic: OFFSETS_TOPIC_NAME, partition }] }], { timeoutMs: 5000 });
    expect(outcome!.partitions[0]!.errorCode, 'marker written').to.equal(E.NONE);
    await coordinator.completeTransaction(PID, [partition], commit);
  };
  const committed = async () =>
    (await coordinator.fetchOffsets({ groupId: 'g', partitions: [0, 1, 2].map((p) => ({ topic: 't', partition: p })), requireStable: true })).partitions.map((p) => [p.offset, p.errorCode]);

  it('each COMMIT of the same producer moves the committed offsets, across transactions of the same shape', async () => {
    for (const offset of [50n, 100n, 150n]) {
      const res = await txnCommit([[0, offset], [1, offset], [2, offset]]);
      expect(res.partitions.map((p) => p.errorCode)).to.deep.equal([E.NONE, E.NONE, E.NONE]);
      await endTxn(true);
      expect(await committed(), `after the commit of ${offset}`).to.deep.equal([[offset, E.NONE], [offset, E.NONE], [offset, E.NONE]]);
    }
    // An aborted transaction in between leaves the last committed offsets, and the next commit still lands.
    await txnCommit([[0, 175n], [1, 175n], [2, 175n]]);
    await endTxn(false);
    expect(await committed()).to.deep.equal([[150n, E.NONE], [150n, E.NONE], [150n, E.NONE]]);
    await txnCommit([[0, 200n], [1, 200n], [2, 200n]]);
    await endTxn(true);
    expect(await committed()).to.deep.equal([[200n, E.NONE], [200n, E.NONE], [200n, E.NONE]]);

    // A coordinator loading the partition afresh sees the same: every transaction was written.
    const reloaded = new GroupCoordinator({ store: new LogOffsetsStore({ log: replicaOffsetsLog(rm) }), config: TEST_CONFIG, scheduler: systemScheduler });
    await reloaded.onBecomeLeader(partition);
    const fetched = await reloaded.fetchOffsets({ groupId: 'g', partitions: [{ topic: 't', partition: 0 }], requireStable: true });
    expect(fetched.partitions[0]).to.deep.include({ offset: 200n, errorCode: E.NONE });
    await reloaded.shutdown();
  });
});
