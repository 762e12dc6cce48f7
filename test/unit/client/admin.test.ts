import { expect } from 'chai';
import { Admin } from '../../../client/admin/admin.js';
import { API } from '../../../client/wire.js';
import { Consumer } from '../../../client/consumer/consumer.js';
import { startFakeCluster, type FakeClusterState } from './fake-broker.js';

describe('client > Admin (against the fake broker test double)', () => {
  let cluster: Awaited<ReturnType<typeof startFakeCluster>>;
  let state: FakeClusterState;
  let admin: Admin;

  beforeEach(async () => {
    cluster = await startFakeCluster(2);
    state = cluster.state;
    state.controllerId = 2;
    admin = new Admin({ brokers: [cluster.bootstrap[0]!], retryBackoffMs: 10 });
    await admin.connect();
  });

  afterEach(async () => {
    admin.close();
    await cluster.stop();
  });

  it('describeCluster names the brokers and the controller', async () => {
    const d = await admin.describeCluster();
    expect(d.controllerId).to.equal(2);
    expect(d.brokers.map((b) => b.nodeId).sort()).to.deep.equal([1, 2]);
    expect(d.clusterId).to.equal('fake-cluster');
  });

  it('createTopics goes to the controller, waits for leaders, and reports existing topics', async () => {
    expect(await admin.createTopics([{ topic: 'a', numPartitions: 3 }, { topic: 'b' }])).to.equal(true);
    expect(state.requests.filter((r) => r.apiKey === API.CreateTopics).map((r) => r.nodeId)).to.deep.equal([2]);
    expect(await admin.listTopics()).to.deep.equal(['a', 'b']);
    const [meta] = await admin.fetchTopicMetadata(['a']);
    expect(meta!.partitions).to.have.length(3);
    expect(await admin.createTopics([{ topic: 'a', numPartitions: 3 }])).to.equal(false);
  });

  it('NOT_CONTROLLER: refreshes metadata and retries at the new controller', async () => {
    await admin.describeCluster();
    state.controllerId = 1; // moved; node 2 now answers NOT_CONTROLLER
    const done = admin.createTopics([{ topic: 'moved', numPartitions: 1 }]);
    expect(await done).to.equal(true);
    expect(state.requests.filter((r) => r.apiKey === API.CreateTopics).map((r) => r.nodeId)).to.deep.equal([2, 1]);
  });

  it('createPartitions grows a topic; deleteTopics removes it; errors carry Kafka names', async () => {
    await admin.createTopics([{ topic: 'g', numPartitions: 1 }]);
    await admin.createPartitions([{ topic: 'g', count: 4 }]);
    expect((await admin.fetchTopicMetadata(['g']))[0]!.partitions).to.have.length(4);
    const shrink = await admin.createPartitions([{ topic: 'g', count: 2 }]).then(() => null, (e: unknown) => e);
    expect(shrink).to.include({ kafkaError: 'INVALID_PARTITIONS', retriable: false });
    await admin.deleteTopics(['g']);
    const gone = await admin.fetchTopicMetadata(['g']).then(() => null, (e: unknown) => e);
    expect(gone).to.include({ kafkaError: 'UNKNOWN_TOPIC_OR_PARTITION' });
  });

  it('lists, describes and deletes consumer groups at their coordinator', async () => {
    state.addTopic('t', [1, 2]);
    state.coordinatorId = 2;
    const c = new Consumer({ brokers: cluster.bootstrap, groupId: 'billing', heartbeatIntervalMs: 50, fetchMaxWaitMs: 20 });
    c.subscribe(['t']);
    for (let i = 0; i < 100 && c.assignment().length < 2; i++) await c.poll({ timeoutMs: 20 });
    expect(await admin.listGroups()).to.deep.equal([{ groupId: 'billing', protocolType: 'consumer', coordinator: 2 }]);
    const [d] = await admin.describeGroups(['billing']);
    expect(d).to.deep.include({ groupId: 'billing', state: 'Stable', protocol: 'range' });
    expect(d!.members).to.have.length(1);
    expect(d!.members[0]!.subscribedTopics).to.deep.equal(['t']);
    expect(d!.members[0]!.assignment).to.deep.equal([{ topic: 't', partitions: [0, 1] }]);
    const busy = await admin.deleteGroups(['billing']).then(() => null, (e: unknown) => e);
    expect(busy).to.include({ kafkaError: 'NON_EMPTY_GROUP' });
    await c.close();
    await admin.deleteGroups(['billing']);
    expect(await admin.listGroups()).to.deep.equal([]);
  });
});
