/**
 * Broker epoch on replica fetches, against a real leader: after a follower restarts (new
 * registration, new czxid), a ReplicaFetch still carrying its previous broker epoch — an old
 * incarnation of the same broker id — is refused with STALE_BROKER_EPOCH on every partition and
 * changes nothing the leader knows about the follower; the current incarnation is served and
 * rejoins the ISR once it caught up.
 */
import { expect } from 'chai';
import { silentLogger } from '../../../broker/index.js';
import { InterBrokerClient } from '../../../broker/network/index.js';
import { REPLICA_FETCH_API, type ReplicaFetchRequest, type ReplicaFetchResponse } from '../../../broker/replica/index.js';
import { ApiKey, ErrorCode } from '../../../protocol/index.js';
import type { KafkaSocket } from '../../helpers/kafka-socket.js';
import { randomName } from '../../helpers/random.js';
import { testZkConnect } from '../../helpers/shared-zookeeper.js';
import { waitFor } from '../../helpers/wait-for.js';
import { batch, produce, startTestBroker, type TestBroker, waitForController, waitForLeadership } from './fixture.js';

describe('broker > broker epoch on replica fetches', function () {
  this.timeout(60_000);
  let brokers: TestBroker[];
  let client: InterBrokerClient;
  const sockets: KafkaSocket[] = [];

  before(async () => {
    const zk = testZkConnect('samsa-bepoch');
    const overrides = { 'replica.lag.time.max.ms': 3_000, 'replica.fetch.backoff.ms': 100, 'controlled.shutdown.max.retries': 1, 'auto.leader.rebalance.enable': false };
    brokers = await Promise.all([1, 2].map((id) => startTestBroker(id, zk, overrides)));
    client = new InterBrokerClient({ logger: silentLogger(), requestTimeoutMs: 5_000, reconnectBackoffMs: 20, reconnectBackoffMaxMs: 200 });
  });

  after(async () => {
    for (const s of sockets) s.close();
    await client?.close();
    await Promise.all((brokers ?? []).map((b) => b.stop()));
  });

  it('a leader refuses a fetch from the follower\'s previous incarnation and serves the current one', async () => {
    const controllerId = await waitForController(brokers);
    // The leader is the controller, so the follower's restart never moves the controller.
    const leader = brokers.find((b) => b.id === controllerId)!;
    const follower = brokers.find((b) => b.id !== controllerId)!;
    const topic = randomName('bepoch');
    const ctl = await leader.connect();
    sockets.push(ctl);
    const created = await ctl.request(ApiKey.CreateTopics, 4, {
      topics: [{ name: topic, numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [leader.id, follower.id] }], configs: [] }],
      timeoutMs: 10_000,
      validateOnly: false,
    });
    expect(created.topics[0]!.errorCode).to.equal(ErrorCode.NONE);
    await waitForLeadership(leader, topic, 0);
    expect((await produce(ctl, topic, 0, batch(['a', 'b']), -1)).errorCode).to.equal(ErrorCode.NONE);

    const oldEpoch = follower.broker.controller.brokerEpoch;
    await follower.restart();
    const newEpoch = follower.broker.controller.brokerEpoch;
    expect(newEpoch > oldEpoch, `new registration ${newEpoch} after ${oldEpoch}`).to.equal(true);
    await waitFor(() => leader.broker.metadataCache.brokerEpoch(follower.id) === newEpoch, 'the leader to learn the follower\'s new broker epoch from UpdateMetadata', { timeoutMs: 15_000 });
    await waitFor(() => leader.broker.replicaManager.getPartition(topic, 0)?.isr.length === 2, 'the restarted follower back in the ISR', { timeoutMs: 20_000 });

    const p = leader.broker.replicaManager.getPartition(topic, 0)!;
    const before = { ...p.replicaStates.get(follower.id)! };
    const endpoint = { id: leader.id, host: '127.0.0.1', port: leader.interPort };
    const fetchAs = (brokerEpoch: bigint): Promise<ReplicaFetchResponse> => {
      const req: ReplicaFetchRequest = {
        replicaId: follower.id,
        brokerEpoch,
        maxWaitMs: 0,
        minBytes: 1,
        maxBytes: 1 << 20,
        partitions: [{ topic, partition: 0, currentLeaderEpoch: p.leaderEpoch, fetchOffset: 0n, logStartOffset: 0n, partitionMaxBytes: 1 << 20 }],
      };
      return client.send(endpoint, REPLICA_FETCH_API, req) as Promise<ReplicaFetchResponse>;
    };

    const stale = await fetchAs(oldEpoch);
    expect(stale.partitions.map((r) => r.errorCode)).to.deep.equal([ErrorCode.STALE_BROKER_EPOCH]);
    expect(stale.partitions[0]!.records.length, 'no data for an old incarnation').to.equal(0);
    const after = p.replicaStates.get(follower.id)!;
    expect(after.logEndOffset, 'the refused fetch (offset 0) did not move the follower\'s known log end').to.equal(before.logEndOffset);
    expect(after.brokerEpoch).to.equal(newEpoch);

    const current = await fetchAs(newEpoch);
    expect(current.partitions.map((r) => r.errorCode)).to.deep.equal([ErrorCode.NONE]);
    expect(current.partitions[0]!.records.length).to.be.greaterThan(0);
  });
});
