/**
 * A parked acks=all write across LeaderAndIsr, over a real LogManager: when the controller bumps
 * the leader epoch while this broker stays leader (it shrinks the ISR after a broker died), the
 * write waits on and succeeds once the high watermark passes it, as Kafka's DelayedProduce; only
 * a lost leadership fails it (NOT_LEADER_OR_FOLLOWER), even if regained before it is looked at.
 * The transaction coordinator's CompleteCommit is such a write: failed by the bump, nothing
 * completed the transaction and its producer saw CONCURRENT_TRANSACTIONS until it gave up.
 */
import { expect } from 'chai';
import { silentLogger } from '../../../broker/index.js';
import { loadBrokerConfig } from '../../../broker/config/index.js';
import { ControlRequestHandler, MetadataCache, type LeaderAndIsrPartitionState } from '../../../broker/metadata/index.js';
import { systemScheduler as realScheduler } from '../../../common/index.js';
import { appendRecords, ReplicaManager, TopicConfigs } from '../../../broker/replica/index.js';
import { ErrorCode } from '../../../protocol/index.js';
import { LogManager } from '../../../storage/index.js';
import { FakeZooKeeper } from '../../helpers/fake-coordination-store.js';
import { tmpDir } from '../../helpers/tmp.js';
import { waitFor } from '../../helpers/wait-for.js';
import { batch } from '../storage/helpers.js';
import { partitionState } from './partition-state.js';

const state = (leader: number, leaderEpoch: number, isr: number[]): LeaderAndIsrPartitionState =>
  partitionState({ leader, leaderEpoch, isr, zkVersion: leaderEpoch, isNew: leaderEpoch === 1 });

describe('replica > a parked acks=all write across a leader epoch bump', () => {
  let logs: LogManager;
  let rm: ReplicaManager;
  let handler: ControlRequestHandler;
  const leaderAndIsr = (s: LeaderAndIsrPartitionState): Promise<unknown> =>
    handler.handle('LeaderAndIsr', { controllerId: 9, controllerEpoch: 1, brokerEpoch: 5n, partitionStates: [s], liveLeaders: [] });

  beforeEach(async () => {
    const config = loadBrokerConfig({ overrides: ['broker.id=1', 'zookeeper.connect=127.0.0.1:2181'] });
    logs = await LogManager.start({ logDirs: [tmpDir('samsa-rm-bump-')], logger: silentLogger() });
    const cache = new MetadataCache();
    rm = new ReplicaManager({ brokerId: 1, logManager: logs, topicConfigs: new TopicConfigs(new FakeZooKeeper().session(), config), metadataCache: cache, scheduler: realScheduler, logger: silentLogger() });
    handler = new ControlRequestHandler({ brokerId: 1, brokerEpoch: () => 5n, cache, logger: silentLogger(), listener: rm });
    // Leader with follower 2 in the ISR, which never fetches: acks=all parks.
    await leaderAndIsr(state(1, 1, [1, 2]));
  });

  afterEach(async () => {
    await rm.shutdown();
    await logs.shutdown();
  });

  it('succeeds when the ISR shrinks to the leader under a new epoch (still the leader)', async () => {
    const log = rm.getPartition('t', 0)!.log;
    const parked = appendRecords(rm, [{ topic: 't', partition: 0, records: batch({ count: 3 }) }], { acks: -1, timeoutMs: 10_000 });
    await waitFor(() => log.logEndOffset === 3n, 'appended, waiting for the follower');
    await leaderAndIsr(state(1, 2, [1]));
    const [answer] = await parked;
    expect(answer!.errorCode).to.equal(ErrorCode.NONE);
    expect(log.highWatermark).to.equal(3n);
  });

  it('fails with NOT_LEADER_OR_FOLLOWER when leadership was lost in between', async () => {
    const log = rm.getPartition('t', 0)!.log;
    const parked = appendRecords(rm, [{ topic: 't', partition: 0, records: batch({ count: 3 }) }], { acks: -1, timeoutMs: 10_000 });
    await waitFor(() => log.logEndOffset === 3n, 'appended, waiting for the follower');
    await leaderAndIsr(state(2, 2, [2]));
    await leaderAndIsr(state(1, 3, [1]));
    const [answer] = await parked;
    expect(answer!.errorCode).to.equal(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });
});
