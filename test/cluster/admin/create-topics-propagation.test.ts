/**
 * CreateTopics and CreatePartitions answer only once every live broker knows the new partitions
 * (3 broker processes, real ZooKeeper). librdkafka's tests 0067 and 0069 create a topic (or
 * partitions) through the controller and at once send ListOffsets to the leader named by another
 * broker's Metadata; a leader that had not yet processed its LeaderAndIsr answered
 * UNKNOWN_TOPIC_OR_PARTITION. Fault: none, the race is the controller's own cache being updated
 * before the other brokers'. Invariant: right after a successful answer, every broker's
 * Metadata leads every new partition and each leader serves ListOffsets for it.
 */
import { expect } from 'chai';
import { ApiKey, ErrorCode } from '../../../protocol/index.js';
import { startCluster, type TestCluster } from '../../helpers/cluster.js';
import { KafkaSocket } from '../../helpers/kafka-socket.js';
import { randomName } from '../../helpers/random.js';

const LATEST = -1n;

describe('cluster > CreateTopics/CreatePartitions answer once every broker knows the partitions', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  const sockets = new Map<number, KafkaSocket>();

  before(async () => {
    cluster = await startCluster({ size: 3, properties: { 'auto.leader.rebalance.enable': false } });
    for (const b of cluster.brokers) sockets.set(b.brokerId, await KafkaSocket.connect(b.host, b.port));
  });

  after(async () => {
    for (const s of sockets.values()) s.close();
    await cluster?.stop();
  });

  const sock = (id: number): KafkaSocket => sockets.get(id)!;

  /** Every broker's Metadata names a leader for each partition, and that leader answers ListOffsets. */
  async function expectKnownEverywhere(topic: string, partitions: number): Promise<void> {
    for (const b of cluster.brokers) {
      const m = await sock(b.brokerId).request(ApiKey.Metadata, 8, { topics: [{ name: topic }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
      const t = m.topics[0]!;
      expect(t.errorCode, `broker ${b.brokerId}'s Metadata of ${topic}`).to.equal(ErrorCode.NONE);
      expect(t.partitions.length, `broker ${b.brokerId}'s partitions of ${topic}`).to.equal(partitions);
      for (const p of t.partitions) {
        expect(p.leaderId, `leader of ${topic}-${p.partitionIndex} at broker ${b.brokerId}`).to.be.at.least(0);
        const r = await sock(p.leaderId).request(ApiKey.ListOffsets, 5, {
          replicaId: -1, isolationLevel: 0, topics: [{ name: topic, partitions: [{ partitionIndex: p.partitionIndex, currentLeaderEpoch: -1, timestamp: LATEST }] }],
        });
        expect(r.topics[0]!.partitions[0]!.errorCode, `ListOffsets ${topic}-${p.partitionIndex} at its leader ${p.leaderId}`).to.equal(ErrorCode.NONE);
      }
    }
  }

  it('ListOffsets at the leader and every Metadata succeed right after the answer', async () => {
    const m = await cluster.metadata();
    const controller = m.controllerId;
    const others = cluster.brokers.map((b) => b.brokerId).filter((id) => id !== controller);
    // Leaders on the brokers that are not the controller: the controller's own cache is updated first.
    for (let i = 0; i < 6; i++) {
      const topic = randomName('propagate');
      const created = await sock(controller).request(ApiKey.CreateTopics, 5, {
        topics: [{ name: topic, numPartitions: -1, replicationFactor: -1, assignments: others.map((id, partitionIndex) => ({ partitionIndex, brokerIds: [id] })), configs: [] }],
        timeoutMs: 15_000,
        validateOnly: false,
      }, 20_000);
      expect(created.topics[0]!.errorCode, `CreateTopics ${topic}`).to.equal(ErrorCode.NONE);
      await expectKnownEverywhere(topic, others.length);

      const grown = await sock(controller).request(ApiKey.CreatePartitions, 2, {
        topics: [{ name: topic, count: others.length * 2, assignments: others.map((id) => ({ brokerIds: [id] })) }],
        timeoutMs: 15_000,
        validateOnly: false,
      }, 20_000);
      expect(grown.results[0]!.errorCode, `CreatePartitions ${topic}`).to.equal(ErrorCode.NONE);
      await expectKnownEverywhere(topic, others.length * 2);
    }
  });
});
