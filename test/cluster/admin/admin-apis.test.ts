/**
 * The Kafka 2.8 cluster-admin APIs against 3 broker processes (real ZooKeeper, sockets, files):
 * raw requests at each advertised version, and KafkaJS's admin client where it has the call.
 * Faults: a broker stopped (preferred leader unavailable, then back for a preferred election)
 * and a broker frozen with SIGSTOP so a reassignment stays in progress long enough to be listed
 * and cancelled. Invariants: elections change only what the user asked, as Kafka answers; a
 * cancelled reassignment leaves the original replicas.
 */
import { expect } from 'chai';
import { resolve } from 'node:path';
import { Kafka, logLevel, type Admin as KafkaJsAdmin } from 'kafkajs';
import { partitionFor } from '../../../broker/group/index.js';
import { Admin, Consumer, Producer, stringSerde } from '../../../client/index.js';
import { ApiKey, ErrorCode } from '../../../protocol/index.js';
import { startCluster, type TestCluster } from '../../helpers/cluster.js';
import { KafkaSocket } from '../../helpers/kafka-socket.js';
import { randomName } from '../../helpers/random.js';
import { waitFor } from '../../helpers/wait-for.js';

const INT32_MIN = -2147483648;

describe('cluster > admin APIs (DescribeCluster, ElectLeaders, reassignments, log dirs, producers, features, OffsetDelete)', function () {
  this.timeout(180_000);
  let cluster: TestCluster;
  let kafka: Kafka;
  let admin: KafkaJsAdmin;

  before(async () => {
    cluster = await startCluster({
      size: 3,
      properties: {
        'auto.leader.rebalance.enable': false,
        'offsets.topic.num.partitions': 3,
        'group.initial.rebalance.delay.ms': 0,
        // Room for the SIGSTOP of the reassignment test without a session expiry.
        'zookeeper.session.timeout.ms': 15_000,
      },
    });
    kafka = new Kafka({ clientId: 'samsa-admin-apis', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 8 } });
    admin = kafka.admin();
    await admin.connect();
  });

  after(async () => {
    await admin?.disconnect();
    for (const b of cluster?.brokers ?? []) if (b.isAlive()) b.signal('SIGCONT');
    await cluster?.stop();
  });

  async function ask<K extends number>(brokerId: number, apiKey: K, version: number, body: Parameters<KafkaSocket['request']>[2] & object, timeoutMs = 15_000) {
    const b = cluster.broker(brokerId);
    const sock = await KafkaSocket.connect(b.host, b.port);
    try {
      return await sock.request(apiKey, version, body as never, timeoutMs);
    } finally {
      sock.close();
    }
  }

  async function controllerId(): Promise<number> {
    return (await cluster.metadata()).controllerId;
  }

  async function createTopic(topic: string, assignment: number[][]): Promise<void> {
    await admin.createTopics({ topics: [{ topic, replicaAssignment: assignment.map((replicas, partition) => ({ partition, replicas })) }], waitForLeaders: true });
    await waitFor(async () => {
      for (const b of cluster.brokers) {
        const m = await cluster.metadata(b.brokerId, [topic]);
        if (m.topics[0]?.leaders.length !== assignment.length || m.topics[0].leaders.some((l) => l < 0)) return false;
      }
      return true;
    }, `${topic} led on every broker's metadata`);
  }

  async function leaderOf(topic: string, partition: number, brokerId = cluster.brokers[0]!.brokerId): Promise<number> {
    return (await cluster.metadata(brokerId, [topic])).topics[0]?.leaders[partition] ?? -1;
  }

  it('ApiVersions advertises the new admin APIs at Kafka 2.8 ranges; v3 has empty feature fields', async () => {
    const r = await ask(1, ApiKey.ApiVersions, 3, { clientSoftwareName: 'samsa-test', clientSoftwareVersion: '0.0.1' });
    const ranges = Object.fromEntries(r.apiKeys.map((k) => [k.apiKey, [k.minVersion, k.maxVersion]]));
    expect(ranges[ApiKey.DescribeCluster]).to.deep.equal([0, 0]);
    expect(ranges[ApiKey.ElectLeaders]).to.deep.equal([0, 2]);
    expect(ranges[ApiKey.AlterPartitionReassignments]).to.deep.equal([0, 0]);
    expect(ranges[ApiKey.ListPartitionReassignments]).to.deep.equal([0, 0]);
    expect(ranges[ApiKey.DescribeLogDirs]).to.deep.equal([0, 2]);
    expect(ranges[ApiKey.DescribeProducers]).to.deep.equal([0, 0]);
    expect(ranges[ApiKey.UpdateFeatures]).to.deep.equal([0, 0]);
    expect(ranges[ApiKey.OffsetDelete]).to.deep.equal([0, 0]);
    expect(r.supportedFeatures).to.deep.equal([]);
    expect(r.finalizedFeatures).to.deep.equal([]);
  });

  it('DescribeCluster: the 3 brokers on the client listener, the controller, the cluster id; operations only when asked', async () => {
    const meta = await cluster.metadata();
    const plain = await ask(2, ApiKey.DescribeCluster, 0, { includeClusterAuthorizedOperations: false });
    expect(plain.errorCode).to.equal(ErrorCode.NONE);
    expect(plain.brokers.map((b) => b.brokerId).sort()).to.deep.equal([1, 2, 3]);
    for (const b of plain.brokers) expect(b.port).to.equal(cluster.broker(b.brokerId).port);
    expect(plain.controllerId).to.equal(meta.controllerId);
    expect(plain.clusterId).to.match(/^[A-Za-z0-9_-]{22}$/);
    expect(plain.clusterAuthorizedOperations).to.equal(INT32_MIN);
    const asked = await ask(3, ApiKey.DescribeCluster, 0, { includeClusterAuthorizedOperations: true });
    expect(asked.clusterId).to.equal(plain.clusterId);
    // Allow-all: every CLUSTER operation (CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE).
    expect(asked.clusterAuthorizedOperations).to.equal(0b1111110100000);
  });

  it('UpdateFeatures: NOT_CONTROLLER off the controller, else "feature versioning disabled" as Kafka 2.8 without features', async () => {
    const controller = await controllerId();
    const other = cluster.brokers.find((b) => b.brokerId !== controller)!.brokerId;
    const body = { timeoutMs: 5_000, featureUpdates: [{ feature: 'x', maxVersionLevel: 1, allowDowngrade: false }] };
    expect((await ask(other, ApiKey.UpdateFeatures, 0, body)).errorCode).to.equal(ErrorCode.NOT_CONTROLLER);
    const r = await ask(controller, ApiKey.UpdateFeatures, 0, body);
    expect(r.errorCode).to.equal(ErrorCode.INVALID_REQUEST);
    expect(r.errorMessage).to.equal('Feature versioning system is disabled.');
    expect(r.results).to.deep.equal([]);
  });

  it('ElectLeaders: not needed, preferred leader down, unclean not needed, then a real preferred election after the broker returns', async () => {
    const topic = randomName('elect');
    await createTopic(topic, [[2, 1], [3, 1]]);
    const controller = await controllerId();
    const other = cluster.brokers.find((b) => b.brokerId !== controller)!.brokerId;
    const tps = [{ topic, partitions: [0, 1] }];

    const notCtl = await ask(other, ApiKey.ElectLeaders, 1, { electionType: 0, topicPartitions: tps, timeoutMs: 5_000 });
    expect(notCtl.replicaElectionResults[0]!.partitionResult.map((p) => p.errorCode)).to.deep.equal([ErrorCode.NOT_CONTROLLER, ErrorCode.NOT_CONTROLLER]);

    const v0 = await ask(controller, ApiKey.ElectLeaders, 0, { topicPartitions: [...tps, { topic: 'no-such-topic', partitions: [0] }], timeoutMs: 5_000 });
    const codes = (r: typeof v0) => Object.fromEntries(r.replicaElectionResults.flatMap((t) => t.partitionResult.map((p) => [`${t.topic}-${p.partitionId}`, p.errorCode])));
    expect(codes(v0)).to.deep.equal({ [`${topic}-0`]: ErrorCode.ELECTION_NOT_NEEDED, [`${topic}-1`]: ErrorCode.ELECTION_NOT_NEEDED, 'no-such-topic-0': ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });

    // Broker 2 (preferred for partition 0) goes away: partition 0 moves to broker 1.
    const preferred = cluster.broker(2);
    expect((await preferred.stop()).code).to.equal(0);
    await waitFor(async () => (await leaderOf(topic, 0, controller === 2 ? 1 : controller)) === 1, 'partition 0 led by broker 1');
    const ctl = await controllerId();
    const down = await ask(ctl, ApiKey.ElectLeaders, 2, { electionType: 0, topicPartitions: [{ topic, partitions: [0] }], timeoutMs: 5_000 });
    expect(codes(down)).to.deep.equal({ [`${topic}-0`]: ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE });
    expect(down.replicaElectionResults[0]!.partitionResult[0]!.errorMessage).to.match(/Failed to elect leader/);
    // Unclean with a live leader: nothing to do, and the leader stays.
    const unclean = await ask(ctl, ApiKey.ElectLeaders, 2, { electionType: 1, topicPartitions: [{ topic, partitions: [0] }], timeoutMs: 5_000 });
    expect(codes(unclean)).to.deep.equal({ [`${topic}-0`]: ErrorCode.ELECTION_NOT_NEEDED });
    expect(await leaderOf(topic, 0, ctl)).to.equal(1);

    const restarted = await preferred.start();
    expect(restarted.code, `broker 2 restart: ${restarted.stderr}\n${preferred.log().slice(-3000)}`).to.equal(0);
    await waitFor(async () => (await cluster.metadata(1)).brokers.length === 3, 'broker 2 back');
    const ctl2 = await controllerId();
    // Every partition (null): the ones already preferred-led are left out of the answer.
    await waitFor(
      async () => {
        const all = await ask(ctl2, ApiKey.ElectLeaders, 2, { electionType: 0, topicPartitions: null, timeoutMs: 10_000 });
        const mine = codes(all);
        return mine[`${topic}-0`] === ErrorCode.NONE && !(`${topic}-1` in mine);
      },
      'a preferred election of every partition elects broker 2 for partition 0 once it is back in the ISR',
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    // The answer waited for the controller's own metadata; the other brokers follow by UpdateMetadata.
    expect(await leaderOf(topic, 0, ctl2)).to.equal(2);
    await waitFor(async () => {
      for (const b of cluster.brokers) if ((await leaderOf(topic, 0, b.brokerId)) !== 2) return false;
      return true;
    }, 'every broker sees broker 2 leading partition 0');
  });

  it('Alter/ListPartitionReassignments: KafkaJS starts one (target broker frozen), lists it with adding/removing, a null target cancels it', async () => {
    const topic = randomName('reassign');
    const controller = await controllerId();
    // The frozen target must not be the controller: the controller answers the requests.
    const [x, y] = cluster.brokers.map((b) => b.brokerId).filter((id) => id !== controller) as [number, number];
    const original = [controller, x];
    const target = [controller, y];
    const adding = [y];
    const removing = [x];
    await createTopic(topic, [original]);
    const other = x;
    expect((await ask(other, ApiKey.ListPartitionReassignments, 0, { timeoutMs: 5_000, topics: null })).errorCode).to.equal(ErrorCode.NOT_CONTROLLER);
    expect((await ask(other, ApiKey.AlterPartitionReassignments, 0, { timeoutMs: 5_000, topics: [] })).errorCode).to.equal(ErrorCode.NOT_CONTROLLER);
    const freeze = cluster.broker(y);
    freeze.signal('SIGSTOP');
    try {
      await admin.alterPartitionReassignments({ topics: [{ topic, partitionAssignment: [{ partition: 0, replicas: target }] }] });
      const listed = await admin.listPartitionReassignments({ topics: [{ topic, partitions: [0] }] });
      expect(listed.topics).to.have.length(1);
      // KafkaJS 2.2.4 decodes `name` and `partition` although its typings say `topic` and `partitionIndex`.
      const t = listed.topics[0] as unknown as { name: string; partitions: { partition: number; replicas: number[]; addingReplicas: number[]; removingReplicas: number[] }[] };
      expect(t.name).to.equal(topic);
      const p = t.partitions[0]!;
      expect(p.partition).to.equal(0);
      expect([...p.replicas].sort()).to.deep.equal([...new Set([...target, ...original])].sort());
      expect(p.addingReplicas).to.deep.equal(adding);
      expect(p.removingReplicas).to.deep.equal(removing);

      const again = await ask(controller, ApiKey.AlterPartitionReassignments, 0, { timeoutMs: 5_000, topics: [{ name: topic, partitions: [{ partitionIndex: 0, replicas: original }] }] });
      expect(again.responses[0]!.partitions[0]!.errorCode).to.equal(ErrorCode.REASSIGNMENT_IN_PROGRESS);
      const cancel = await ask(controller, ApiKey.AlterPartitionReassignments, 0, { timeoutMs: 5_000, topics: [{ name: topic, partitions: [{ partitionIndex: 0, replicas: null }] }] });
      expect(cancel.errorCode).to.equal(ErrorCode.NONE);
      expect(cancel.responses[0]!.partitions[0]!.errorCode).to.equal(ErrorCode.NONE);
      const after = await ask(controller, ApiKey.ListPartitionReassignments, 0, { timeoutMs: 5_000, topics: null });
      expect(after.topics.filter((t) => t.name === topic)).to.deep.equal([]);
      const twice = await ask(controller, ApiKey.AlterPartitionReassignments, 0, { timeoutMs: 5_000, topics: [{ name: topic, partitions: [{ partitionIndex: 0, replicas: null }] }] });
      expect(twice.responses[0]!.partitions[0]!.errorCode).to.equal(ErrorCode.NO_REASSIGNMENT_IN_PROGRESS);
    } finally {
      freeze.signal('SIGCONT');
    }
    const sock = await KafkaSocket.connect(cluster.broker(controller).host, cluster.broker(controller).port);
    try {
      await waitFor(async () => {
        const m = await sock.request(ApiKey.Metadata, 8, { topics: [{ name: topic }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
        return JSON.stringify(m.topics[0]?.partitions[0]?.replicaNodes) === JSON.stringify(original);
      }, 'the original replicas back in the metadata');
    } finally {
      sock.close();
    }
  });

  it('DescribeLogDirs (v0, v2) and DescribeProducers: sizes, lag and the idempotent producer of the partition', async () => {
    const topic = randomName('dirs');
    await createTopic(topic, [[1, 2, 3]]);
    const producer = new Producer<string, string>({ brokers: [cluster.bootstrap], acks: -1, keySerializer: stringSerde.serialize, valueSerializer: stringSerde.serialize });
    try {
      for (let i = 0; i < 3; i++) await producer.send({ topic, partition: 0, key: `k${i}`, value: `v${i}` });
    } finally {
      await producer.close();
    }
    for (const v of [0, 2]) {
      const r = await ask(2, ApiKey.DescribeLogDirs, v, { topics: [{ topic, partitions: [0, 7] }] });
      expect(r.results).to.have.length(1);
      const dir = r.results[0]!;
      expect(dir.errorCode).to.equal(ErrorCode.NONE);
      expect(dir.logDir).to.equal(resolve(cluster.broker(2).logDir));
      expect(dir.topics.map((t) => t.name)).to.deep.equal([topic]);
      const p = dir.topics[0]!.partitions;
      expect(p).to.have.length(1);
      expect(p[0]!.partitionIndex).to.equal(0);
      expect(p[0]!.partitionSize > 0n).to.equal(true);
      expect(p[0]!.offsetLag).to.equal(0n);
      expect(p[0]!.isFutureKey).to.equal(false);
    }
    const all = await ask(1, ApiKey.DescribeLogDirs, 1, { topics: null });
    expect(all.results[0]!.topics.map((t) => t.name)).to.include(topic);

    const leader = await leaderOf(topic, 0);
    const described = await ask(leader, ApiKey.DescribeProducers, 0, { topics: [{ name: topic, partitionIndexes: [0, 5] }, { name: 'no-such-topic', partitionIndexes: [0] }] });
    const [mine, unknown] = described.topics;
    expect(mine!.partitions[0]!.errorCode).to.equal(ErrorCode.NONE);
    const producers = mine!.partitions[0]!.activeProducers;
    expect(producers).to.have.length(1);
    expect(producers[0]!.producerId >= 0n).to.equal(true);
    expect(producers[0]!.producerEpoch).to.equal(0);
    expect(producers[0]!.lastSequence).to.equal(2);
    expect(producers[0]!.lastTimestamp > 0n).to.equal(true);
    expect(producers[0]!.coordinatorEpoch).to.equal(-1);
    expect(producers[0]!.currentTxnStartOffset).to.equal(-1n);
    expect(mine!.partitions[1]!.errorCode).to.equal(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(unknown!.partitions[0]!.errorCode).to.equal(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('OffsetDelete: GROUP_SUBSCRIBED_TO_TOPIC for a topic the live group consumes, deletes the others; an Empty group loses them all and dies', async () => {
    const consumed = randomName('od-consumed');
    const gone = randomName('od-gone');
    await createTopic(consumed, [[1, 2, 3]]);
    await createTopic(gone, [[2, 3, 1]]);
    const group = randomName('od-group');
    const samsa = new Admin({ brokers: [cluster.bootstrap] });
    const consumer = new Consumer<string, string>({ brokers: [cluster.bootstrap], groupId: group, autoOffsetReset: 'earliest', keyDeserializer: stringSerde.deserialize, valueDeserializer: stringSerde.deserialize });
    try {
      await samsa.connect();
      const coordinator = await waitFor(async () => {
        const r = await ask(1, ApiKey.FindCoordinator, 0, { key: group });
        return r.errorCode === ErrorCode.NONE ? r.nodeId : undefined;
      }, 'the group coordinator (the first FindCoordinator creates __consumer_offsets)', { timeoutMs: 30_000, intervalMs: 200 });
      await samsa.alterGroupOffsets(group, [{ topic: consumed, partition: 0, offset: 0n }, { topic: gone, partition: 0, offset: 0n }]);
      const other = cluster.brokers.find((b) => b.brokerId !== coordinator)!.brokerId;
      const body = { groupId: group, topics: [{ name: consumed, partitions: [{ partitionIndex: 0 }] }, { name: gone, partitions: [{ partitionIndex: 0 }] }, { name: 'no-such-topic', partitions: [{ partitionIndex: 0 }] }] };
      expect((await ask(other, ApiKey.OffsetDelete, 0, body)).errorCode).to.equal(ErrorCode.NOT_COORDINATOR);
      // A group nobody uses, placed on the same coordinator.
      let nobody = randomName('nobody');
      while (partitionFor(nobody, 3) !== partitionFor(group, 3)) nobody = randomName('nobody');
      expect((await ask(coordinator, ApiKey.OffsetDelete, 0, { ...body, groupId: nobody })).errorCode).to.equal(ErrorCode.GROUP_ID_NOT_FOUND);

      consumer.subscribe([consumed]);
      await waitFor(async () => {
        await consumer.poll({ timeoutMs: 200 });
        const d = await ask(coordinator, ApiKey.DescribeGroups, 0, { groups: [group], includeAuthorizedOperations: false });
        return d.groups[0]?.groupState === 'Stable';
      }, 'the consumer in a Stable group', { timeoutMs: 30_000 });
      const r = await ask(coordinator, ApiKey.OffsetDelete, 0, body);
      expect(r.errorCode).to.equal(ErrorCode.NONE);
      const codes = Object.fromEntries(r.topics.map((t) => [t.name, t.partitions[0]!.errorCode]));
      expect(codes).to.deep.equal({ [consumed]: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC, [gone]: ErrorCode.NONE, 'no-such-topic': ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
      expect((await samsa.listGroupOffsets(group)).map((o) => o.topic)).to.deep.equal([consumed]);

      await consumer.close();
      await waitFor(async () => {
        const d = await ask(coordinator, ApiKey.DescribeGroups, 0, { groups: [group], includeAuthorizedOperations: false });
        return d.groups[0]?.groupState === 'Empty';
      }, 'the group Empty once its member left');
      const empty = await ask(coordinator, ApiKey.OffsetDelete, 0, { groupId: group, topics: [{ name: consumed, partitions: [{ partitionIndex: 0 }] }] });
      expect(empty.topics[0]!.partitions[0]!.errorCode).to.equal(ErrorCode.NONE);
      expect(await samsa.listGroupOffsets(group)).to.deep.equal([]);
      const d = await ask(coordinator, ApiKey.DescribeGroups, 0, { groups: [group], includeAuthorizedOperations: false });
      expect(d.groups[0]!.groupState).to.equal('Dead');
    } finally {
      await consumer.close().catch(() => undefined);
      samsa.close();
    }
  });
});
