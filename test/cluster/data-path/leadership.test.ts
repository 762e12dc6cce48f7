/**
 * Three in-process brokers: the data path around leadership. RF 2 topics: the follower copies
 * what the leader appends, acks=-1 completes when it has; min.insync.replicas above the ISR
 * refuses with nothing written; a stopped leader's partition moves and the old leader's clients
 * are redirected.
 */
import { expect } from 'chai';
import { ApiKey, ErrorCode } from '../../../protocol/index.js';
import type { KafkaSocket } from '../../helpers/kafka-socket.js';
import { randomName } from '../../helpers/random.js';
import { testZkConnect } from '../../helpers/shared-zookeeper.js';
import { waitFor } from '../../helpers/wait-for.js';
import { batch, fetch, produce, startTestBroker, type TestBroker, waitForController, waitForLeadership } from '../../integration/broker/fixture.js';

describe('data path > leadership across three in-process brokers', function () {
  this.timeout(60_000);
  let brokers: TestBroker[];
  const sockets: KafkaSocket[] = [];
  let controllerId: number;

  const byId = (id: number): TestBroker => brokers.find((b) => b.id === id)!;
  async function sockTo(id: number): Promise<KafkaSocket> {
    const s = await byId(id).connect();
    sockets.push(s);
    return s;
  }

  async function createAssigned(name: string, replicas: number[], configs: Record<string, string> = {}): Promise<void> {
    const ctl = await sockTo(controllerId);
    const r = await ctl.request(ApiKey.CreateTopics, 4, {
      topics: [{ name, numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: replicas }], configs: Object.entries(configs).map(([k, v]) => ({ name: k, value: v })) }],
      timeoutMs: 10_000,
      validateOnly: false,
    });
    expect(r.topics[0]!.errorCode).to.equal(ErrorCode.NONE);
    await waitForLeadership(byId(replicas[0]!), name, 0);
  }

  before(async () => {
    const zk = testZkConnect('samsa-lead');
    brokers = await Promise.all([1, 2, 3].map((id) => startTestBroker(id, zk)));
    controllerId = await waitForController(brokers);
  });

  after(async () => {
    for (const s of sockets) s.close();
    await Promise.all((brokers ?? []).map((b) => b.stop()));
  });

  it('RF 2: the follower replicates, acks=-1 completes once it has the batch, min.insync.replicas 3 refuses with nothing written', async () => {
    const topic = randomName('rf2');
    const replicas = [brokers.find((b) => b.id !== controllerId)!.id, controllerId];
    await createAssigned(topic, replicas);
    const s = await sockTo(replicas[0]!);
    expect(await produce(s, topic, 0, batch(['a']), 1)).to.include({ errorCode: ErrorCode.NONE, baseOffset: 0n });
    expect(await produce(s, topic, 0, batch(['b']), -1, 5_000)).to.include({ errorCode: ErrorCode.NONE, baseOffset: 1n });
    const f = await fetch(s, topic, 0, 0n);
    expect(f.highWatermark).to.equal(2n);
    const follower = byId(replicas[1]!).broker.replicaManager.getPartition(topic, 0)!;
    await waitFor(() => follower.log.logEndOffset === 2n && follower.log.highWatermark === 2n, 'the follower to hold both records and the HW');

    const strict = randomName('minisr');
    await createAssigned(strict, replicas, { 'min.insync.replicas': '3' });
    const refused = await produce(s, strict, 0, batch(['c']), -1);
    expect(refused.errorCode).to.equal(ErrorCode.NOT_ENOUGH_REPLICAS);
    expect(byId(replicas[0]!).broker.replicaManager.getPartition(strict, 0)!.log.logEndOffset).to.equal(0n);
  });

  it('when the leader broker stops, the partition moves to the surviving replica and clients are redirected', async () => {
    const victim = brokers.find((b) => b.id !== controllerId)!;
    const survivor = controllerId;
    const topic = randomName('move');
    await createAssigned(topic, [victim.id, survivor]);
    await victim.stop();
    await waitForLeadership(byId(survivor), topic, 0);
    const s = await sockTo(survivor);
    expect((await produce(s, topic, 0, batch(['after']), 1)).errorCode).to.equal(ErrorCode.NONE);
    await waitFor(() => {
      const mp = byId(survivor).broker.metadataCache.getPartition(topic, 0);
      return mp?.leader === survivor && mp.offlineReplicas.includes(victim.id);
    }, 'metadata to name the survivor and the stopped replica offline');
    const m = await s.request(ApiKey.Metadata, 8, { topics: [{ name: topic }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    expect(m.topics[0]!.partitions[0]!.leaderId).to.equal(survivor);
    expect(m.topics[0]!.partitions[0]!.offlineReplicas).to.deep.equal([victim.id]);
  });
});
