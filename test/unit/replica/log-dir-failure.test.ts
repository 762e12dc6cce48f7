/**
 * The replica manager when a log directory fails (Kafka's ReplicaManager.handleLogDirFailure),
 * over a real LogManager on temp dirs: the failure is a real filesystem error (the partition
 * directory removed under the broker, then a roll). Parked acks=all produces answer
 * KAFKA_STORAGE_ERROR, never success; produce, fetch and LeaderAndIsr for the replica answer it
 * too; replicas in the other directory keep serving.
 */
import { expect } from 'chai';
import { rmSync } from 'node:fs';
import { silentLogger } from '../../../broker/index.js';
import { loadBrokerConfig } from '../../../broker/config/index.js';
import { ControlRequestHandler, MetadataCache, type LeaderAndIsrPartitionState, type LeaderAndIsrResponse } from '../../../broker/metadata/index.js';
import { systemScheduler as realScheduler } from '../../../common/index.js';
import { appendRecords, fetchRecords, ReplicaManager, TopicConfigs } from '../../../broker/replica/index.js';
import { ErrorCode } from '../../../protocol/index.js';
import { LogManager, type LogDirFailure } from '../../../storage/index.js';
import { FakeZooKeeper } from '../../helpers/fake-coordination-store.js';
import { tmpDir } from '../../helpers/tmp.js';
import { waitFor } from '../../helpers/wait-for.js';
import { batch } from '../storage/helpers.js';
import { partitionState } from './partition-state.js';

const state = (partition: number, isr: number[], leaderEpoch = 1): LeaderAndIsrPartitionState => partitionState({ partition, isr, leaderEpoch, isNew: true });

describe('replica > log directory failure', () => {
  let logs: LogManager;
  let rm: ReplicaManager;
  let handler: ControlRequestHandler;
  const failures: LogDirFailure[] = [];

  beforeEach(async () => {
    failures.length = 0;
    const config = loadBrokerConfig({ overrides: ['broker.id=1', 'zookeeper.connect=127.0.0.1:2181'] });
    const topicConfigs = new TopicConfigs(new FakeZooKeeper().session(), config);
    logs = await LogManager.start({
      logDirs: [tmpDir('samsa-rm-ldf1-'), tmpDir('samsa-rm-ldf2-')],
      logger: silentLogger(),
      onLogDirFailure: (f) => {
        failures.push(f);
        void rm.handleLogDirFailure(f.logDir, f.partitions);
      },
    });
    const cache = new MetadataCache();
    rm = new ReplicaManager({ brokerId: 1, logManager: logs, topicConfigs, metadataCache: cache, scheduler: realScheduler, logger: silentLogger() });
    handler = new ControlRequestHandler({ brokerId: 1, brokerEpoch: () => 5n, cache, logger: silentLogger(), listener: rm });
    // Leader of p0 and p1 with follower 2 in the ISR, which never fetches: acks=all parks.
    await handler.handle('LeaderAndIsr', { controllerId: 9, controllerEpoch: 1, brokerEpoch: 5n, partitionStates: [state(0, [1, 2]), state(1, [1, 2])], liveLeaders: [] });
  });

  afterEach(async () => {
    await rm.shutdown();
    await logs.shutdown();
  });

  it('a parked acks=all produce answers KAFKA_STORAGE_ERROR, and so does everything else for the failed replica; the other directory keeps serving', async () => {
    const failedLog = rm.getPartition('t', 0)!.log;
    const otherLog = rm.getPartition('t', 1)!.log;
    expect(logs.logDirOf('t', 0)).to.not.equal(logs.logDirOf('t', 1));

    const parked = appendRecords(rm, [{ topic: 't', partition: 0, records: batch({ count: 2 }) }], { acks: -1, timeoutMs: 10_000 });
    await waitFor(() => failedLog.logEndOffset === 2n, 'appended, waiting for the follower');
    // The disk under p0's directory fails: a roll cannot create its segment.
    rmSync(failedLog.dir, { recursive: true, force: true });
    await failedLog.forceRoll().catch(() => undefined);
    const [answer] = await parked;
    expect(answer!.errorCode).to.equal(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(failures).to.have.length(1);
    expect(failures[0]!.partitions).to.deep.equal([{ topic: 't', partition: 0 }]);
    await waitFor(() => rm.isReplicaOffline('t', 0), 'p0 offline in the replica manager');

    const [produced] = await appendRecords(rm, [{ topic: 't', partition: 0, records: batch() }], { acks: 1, timeoutMs: 1_000 });
    expect(produced!.errorCode).to.equal(ErrorCode.KAFKA_STORAGE_ERROR);
    const [fetched] = await fetchRecords(rm, { maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, partitions: [{ topic: 't', partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1 }] });
    expect(fetched!.errorCode).to.equal(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(rm.offlineReplicaCount()).to.equal(1);

    // LeaderAndIsr answers KAFKA_STORAGE_ERROR for it even at an unchanged epoch (the controller asks
    // exactly that way after a notification); a newer epoch does not bring it back either.
    const laiSame = (await handler.handle('LeaderAndIsr', { controllerId: 9, controllerEpoch: 1, brokerEpoch: 5n, partitionStates: [state(0, [1, 2]), state(1, [1, 2])], liveLeaders: [] })) as LeaderAndIsrResponse;
    expect(laiSame.partitionErrors.map((e) => [e.partition, e.errorCode])).to.deep.equal([[0, 'KAFKA_STORAGE_ERROR'], [1, 'STALE_CONTROLLER_EPOCH']]);
    const laiNew = (await handler.handle('LeaderAndIsr', { controllerId: 9, controllerEpoch: 2, brokerEpoch: 5n, partitionStates: [state(0, [1], 2)], liveLeaders: [] })) as LeaderAndIsrResponse;
    expect(laiNew.partitionErrors[0]!.errorCode).to.equal('KAFKA_STORAGE_ERROR');

    // p1, in the healthy directory: an acks=1 produce is appended and answered.
    const [ok] = await appendRecords(rm, [{ topic: 't', partition: 1, records: batch() }], { acks: 1, timeoutMs: 1_000 });
    expect(ok!.errorCode).to.equal(ErrorCode.NONE);
    expect(otherLog.logEndOffset).to.equal(1n);
  });
});
