/**
 * Who hears a LeaderAndIsr: the coordinators (groups, transactions) load a partition's state when
 * this broker becomes its leader and unload it when it stops leading. Kafka hands them only the
 * partitions whose role changed (ReplicaManager.makeLeaders/makeFollowers); a leader-epoch bump
 * of a partition already led (the controller shrinking the ISR after a broker died) must not
 * reload them: a reload answers NOT_COORDINATOR to requests in flight.
 */
import { expect } from 'chai';
import { silentLogger } from '../../../broker/index.js';
import { loadBrokerConfig } from '../../../broker/config/index.js';
import { ControlRequestHandler, MetadataCache, type LeaderAndIsrPartitionState } from '../../../broker/metadata/index.js';
import { systemScheduler as realScheduler } from '../../../common/index.js';
import { ReplicaManager, TopicConfigs } from '../../../broker/replica/index.js';
import { LogManager } from '../../../storage/index.js';
import { FakeZooKeeper } from '../../helpers/fake-coordination-store.js';
import { tmpDir } from '../../helpers/tmp.js';
import { partitionState } from './partition-state.js';

const state = (leader: number, leaderEpoch: number, isr: number[], isNew = false): LeaderAndIsrPartitionState =>
  partitionState({ topic: '__consumer_offsets', leader, leaderEpoch, isr, zkVersion: leaderEpoch, replicas: [1, 2, 3], isNew });

describe('replica > leadership listeners', () => {
  let logs: LogManager;
  let rm: ReplicaManager;
  let handler: ControlRequestHandler;
  const heard: string[] = [];
  const send = (s: LeaderAndIsrPartitionState) =>
    handler.handle('LeaderAndIsr', { controllerId: 9, controllerEpoch: 1, brokerEpoch: 5n, partitionStates: [s], liveLeaders: [] });

  beforeEach(async () => {
    heard.length = 0;
    const config = loadBrokerConfig({ overrides: ['broker.id=1', 'zookeeper.connect=127.0.0.1:2181'] });
    logs = await LogManager.start({ logDirs: [tmpDir('samsa-rm-listeners-')], logger: silentLogger() });
    const cache = new MetadataCache();
    rm = new ReplicaManager({ brokerId: 1, logManager: logs, topicConfigs: new TopicConfigs(new FakeZooKeeper().session(), config), metadataCache: cache, scheduler: realScheduler, logger: silentLogger() });
    handler = new ControlRequestHandler({ brokerId: 1, brokerEpoch: () => 5n, cache, logger: silentLogger(), listener: rm });
    rm.addLeadershipListener((topic, partition, isLeader) => heard.push(`${topic}-${partition} ${isLeader ? 'leader' : 'follower'}`));
  });

  afterEach(async () => {
    await rm.shutdown();
    await logs.shutdown();
  });

  it('hears becoming leader once; leader-epoch bumps of a partition it leads are silent; losing and regaining leadership are heard', async () => {
    await send(state(1, 1, [1, 2, 3], true));
    expect(heard).to.deep.equal(['__consumer_offsets-0 leader']);
    // The controller shrinks the ISR twice (brokers 3, then 2 died): new leader epochs, same leader.
    await send(state(1, 2, [1, 2]));
    await send(state(1, 3, [1]));
    expect(rm.getPartition('__consumer_offsets', 0)!.leaderEpoch).to.equal(3);
    expect(heard).to.deep.equal(['__consumer_offsets-0 leader']);
    // Leadership moves to broker 2, then comes back.
    await send(state(2, 4, [2, 1]));
    await send(state(1, 5, [1, 2]));
    expect(heard).to.deep.equal(['__consumer_offsets-0 leader', '__consumer_offsets-0 follower', '__consumer_offsets-0 leader']);
  });
});
