import { expect } from 'chai';
import { ApiKey, ErrorCode } from '../../../protocol/index.js';
import { TopicAdminError } from '../../../broker/admin/index.js';
import { CoordinationError } from '../../../coordination/index.js';
import { OFFSETS_TOPIC_NAME, OffsetsLogError, offsetsTopicEnsurer, type OffsetsTopicSpec } from '../../../broker/group/index.js';
import { groupApiHandlers } from '../../../broker/handlers/group-apis.js';
import { HandlerRegistry } from '../../../broker/handlers/index.js';
import { BROKER_ID, OTHER_BROKER_ID, fillMetadata, startWireHarness, type WireHarness } from './wire-harness.js';

describe('group-apis > FindCoordinator', () => {
  let h: WireHarness;
  afterEach(() => h.restore());

  it('names the leader of the group\'s offsets partition with its endpoint on the client\'s listener (v0, v1, v2)', async () => {
    // Partition p is led by broker 1 when p is even, by broker 2 when odd.
    h = await startWireHarness({ offsetsLeaders: [BROKER_ID, OTHER_BROKER_ID, BROKER_ID, OTHER_BROKER_ID] });
    const groups = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const onTwo = groups.find((g) => h.coordinator.partitionFor(g) % 2 === 1)!;
    const onOne = groups.find((g) => h.coordinator.partitionFor(g) % 2 === 0)!;

    expect(await h.call(ApiKey.FindCoordinator, 2, { key: onTwo, keyType: 0 })).to.deep.equal({
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      nodeId: OTHER_BROKER_ID,
      host: 'broker2.example',
      port: 9092,
    });
    expect(await h.call(ApiKey.FindCoordinator, 0, { key: onOne })).to.deep.include({ errorCode: ErrorCode.NONE, nodeId: BROKER_ID, host: 'broker1.example', port: 9091 });
    const internal = await h.call(ApiKey.FindCoordinator, 1, { key: onOne, keyType: 0 }, { listener: 'INTERNAL' });
    expect(internal).to.deep.include({ errorCode: ErrorCode.NONE, nodeId: BROKER_ID, host: '10.0.0.1', port: 19091 });
    expect(h.ensureCalls).to.equal(0);
  });

  it('COORDINATOR_NOT_AVAILABLE while the partition has no live leader or the leader lacks the listener; transactions are not served yet', async () => {
    h = await startWireHarness({ offsetsLeaders: [-1, OTHER_BROKER_ID, -1, OTHER_BROKER_ID] });
    const groups = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const leaderless = groups.find((g) => h.coordinator.partitionFor(g) % 2 === 0)!;
    const onTwo = groups.find((g) => h.coordinator.partitionFor(g) % 2 === 1)!;
    const cna = { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, nodeId: -1, host: '', port: -1 };
    expect(await h.call(ApiKey.FindCoordinator, 2, { key: leaderless, keyType: 0 })).to.deep.include(cna);
    expect(await h.call(ApiKey.FindCoordinator, 2, { key: onTwo, keyType: 0 }, { listener: 'NO_SUCH_LISTENER' })).to.deep.include(cna);
    const txn = await h.call(ApiKey.FindCoordinator, 1, { key: 'txn-id', keyType: 1 });
    expect(txn).to.deep.include(cna);
    expect(txn.errorMessage).to.be.a('string');
    expect((await h.call(ApiKey.FindCoordinator, 2, { key: 'x', keyType: 7 })).errorCode).to.equal(ErrorCode.INVALID_REQUEST);
    // Broker 2 dies: its partitions have no live leader until the controller moves them.
    fillMetadata(h.metadata, [-1, OTHER_BROKER_ID, -1, OTHER_BROKER_ID], [BROKER_ID]);
    expect(await h.call(ApiKey.FindCoordinator, 2, { key: onTwo, keyType: 0 })).to.deep.include(cna);
  });

  it('creates the offsets topic on first use and answers COORDINATOR_NOT_AVAILABLE until it has leaders', async () => {
    h = await startWireHarness({ offsetsLeaders: null });
    const first = await h.call(ApiKey.FindCoordinator, 2, { key: 'g', keyType: 0 });
    expect(first.errorCode).to.equal(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect(h.ensureCalls).to.equal(1);
    h.ensureImpl = () => Promise.reject(new OffsetsLogError('BRK_GROUP_OFFSETS_TOPIC_UNAVAILABLE', 'too few brokers'));
    expect((await h.call(ApiKey.FindCoordinator, 0, { key: 'g' })).errorCode).to.equal(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect(h.ensureCalls).to.equal(2);
    // The controller created the partitions and elected leaders.
    fillMetadata(h.metadata, [BROKER_ID, BROKER_ID, BROKER_ID, BROKER_ID]);
    expect(await h.call(ApiKey.FindCoordinator, 2, { key: 'g', keyType: 0 })).to.deep.include({ errorCode: ErrorCode.NONE, nodeId: BROKER_ID });
    expect(h.ensureCalls).to.equal(2);
  });

  it("registers every group API with minimum version 0 (librdkafka feature gates) up to Kafka 2.8's maximum, TxnOffsetCommit included", async () => {
    h = await startWireHarness();
    const registry = new HandlerRegistry();
    for (const handler of groupApiHandlers({ brokerId: 1, coordinator: h.coordinator, metadata: h.metadata, ensureOffsetsTopic: async () => {} })) registry.register(handler);
    expect(registry.advertised().map((r) => [r.apiKey, r.minVersion, r.maxVersion])).to.deep.equal([
      [ApiKey.OffsetCommit, 0, 8],
      [ApiKey.OffsetFetch, 0, 7],
      [ApiKey.FindCoordinator, 0, 3],
      [ApiKey.JoinGroup, 0, 7],
      [ApiKey.Heartbeat, 0, 4],
      [ApiKey.LeaveGroup, 0, 4],
      [ApiKey.SyncGroup, 0, 5],
      [ApiKey.DescribeGroups, 0, 5],
      [ApiKey.ListGroups, 0, 4],
      [ApiKey.TxnOffsetCommit, 0, 3],
      [ApiKey.DeleteGroups, 0, 2],
      [ApiKey.OffsetDelete, 0, 0],
    ]);
  });
});

describe('group-apis > offsetsTopicEnsurer', () => {
  function setup(alive: number, exists = false) {
    const created: OffsetsTopicSpec[] = [];
    const state = { exists, alive, fail: null as unknown };
    const ensure = offsetsTopicEnsurer({
      numPartitions: 50,
      replicationFactor: 3,
      segmentBytes: 1048576,
      topicExists: () => state.exists,
      liveBrokerCount: () => state.alive,
      createTopic: async (spec) => {
        created.push(spec);
        if (state.fail !== null) throw state.fail;
      },
    });
    return { ensure, created, state };
  }

  it('refuses while fewer brokers are alive than offsets.topic.replication.factor, as Kafka does', async () => {
    const { ensure, created } = setup(2);
    const err = await ensure().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(OffsetsLogError);
    expect((err as OffsetsLogError).code).to.equal('BRK_GROUP_OFFSETS_TOPIC_UNAVAILABLE');
    expect((err as OffsetsLogError).message).to.contain("'offsets.topic.replication.factor'");
    expect(created).to.deep.equal([]);
  });

  it('creates a compacted topic once for concurrent callers; "already exists" is success; nothing to do once known', async () => {
    const { ensure, created, state } = setup(3);
    await Promise.all([ensure(), ensure(), ensure()]);
    expect(created).to.deep.equal([
      { name: OFFSETS_TOPIC_NAME, numPartitions: 50, replicationFactor: 3, configs: { 'cleanup.policy': 'compact', 'compression.type': 'producer', 'segment.bytes': '1048576' } },
    ]);
    state.fail = new TopicAdminError('BRK_TOPIC_ALREADY_EXISTS', 'exists');
    await ensure();
    state.fail = new CoordinationError('CRD_CONNECTION_LOSS', 'zk down');
    await ensure().then(
      () => expect.fail('should reject'),
      (e: Error) => expect(e.message).to.equal('zk down'),
    );
    state.exists = true;
    await ensure();
    expect(created).to.have.length(3);
  });
});

