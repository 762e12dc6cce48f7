/**
 * Replication between in-process brokers where the exact logs matter: a divergent suffix written
 * by a leader that later lost to an unclean election is truncated at the new leader's epoch
 * boundary when the old leader comes back as a follower; partitions added to a replicated topic
 * get followers that copy them.
 */
import { expect } from 'chai';
import { ApiKey, ErrorCode, iterateBatches, iterateRecords } from '../../../protocol/index.js';
import type { PartitionLog } from '../../../storage/index.js';
import type { KafkaSocket } from '../../helpers/kafka-socket.js';
import { randomName } from '../../helpers/random.js';
import { testZkConnect } from '../../helpers/shared-zookeeper.js';
import { waitFor } from '../../helpers/wait-for.js';
import { batch, produce, startTestBroker, type TestBroker, waitForController, waitForLeadership } from './fixture.js';

async function values(log: PartitionLog): Promise<string[]> {
  const r = await log.read(0n, 10 * 1024 * 1024, { maxOffset: log.logEndOffset });
  const out: string[] = [];
  for (const b of iterateBatches(r.records)) for (const rec of iterateRecords(r.records.subarray(b.start, b.end))) out.push(rec.value?.toString() ?? '');
  return out;
}

describe('broker > replication between in-process brokers', function () {
  this.timeout(90_000);
  let brokers: TestBroker[];
  let controllerId: number;
  const sockets: KafkaSocket[] = [];
  const byId = (id: number): TestBroker => brokers.find((b) => b.id === id)!;
  async function sockTo(id: number): Promise<KafkaSocket> {
    const s = await byId(id).connect();
    sockets.push(s);
    return s;
  }

  before(async () => {
    const zk = testZkConnect('samsa-repl');
    const overrides = { 'replica.lag.time.max.ms': 3_000, 'replica.fetch.backoff.ms': 100, 'controlled.shutdown.max.retries': 1, 'auto.leader.rebalance.enable': false };
    brokers = await Promise.all([1, 2, 3].map((id) => startTestBroker(id, zk, overrides)));
    controllerId = await waitForController(brokers);
  });

  after(async () => {
    for (const s of sockets) s.close();
    await Promise.all((brokers ?? []).map((b) => b.stop()));
  });

  it('an old leader coming back truncates the suffix it wrote alone, at the new leader\'s epoch boundary', async () => {
    const [a, b] = brokers.filter((x) => x.id !== controllerId).map((x) => x.id) as [number, number];
    const topic = randomName('diverge');
    const ctl = await sockTo(controllerId);
    const created = await ctl.request(ApiKey.CreateTopics, 4, {
      topics: [{ name: topic, numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [a, b] }], configs: [{ name: 'unclean.leader.election.enable', value: 'true' }] }],
      timeoutMs: 10_000,
      validateOnly: false,
    });
    expect(created.topics[0]!.errorCode).to.equal(ErrorCode.NONE);
    await waitForLeadership(byId(a), topic, 0);
    const sa = await sockTo(a);
    for (const v of ['c0', 'c1']) expect((await produce(sa, topic, 0, batch([v]), -1)).errorCode).to.equal(ErrorCode.NONE);
    await waitFor(() => byId(b).broker.replicaManager.getPartition(topic, 0)?.log.logEndOffset === 2n, 'the follower to copy both records');

    await byId(b).stop();
    await waitFor(() => byId(a).broker.replicaManager.getPartition(topic, 0)?.isr.join() === String(a), 'the stopped follower to leave the ISR');
    for (const v of ['x2', 'x3']) expect((await produce(sa, topic, 0, batch([v]), 1)).errorCode).to.equal(ErrorCode.NONE);
    await byId(a).stop();

    await byId(b).restart();
    await waitForLeadership(byId(b), topic, 0, 20_000);
    const sb = await sockTo(b);
    expect(await produce(sb, topic, 0, batch(['y2']), 1)).to.include({ errorCode: ErrorCode.NONE, baseOffset: 2n });

    await byId(a).restart();
    const follower = (): PartitionLog | undefined => byId(a).broker.replicaManager.getPartition(topic, 0)?.log;
    await waitFor(() => follower()?.logEndOffset === 3n && byId(a).broker.replicaManager.getPartition(topic, 0)?.role === 'follower', 'the old leader to follow and catch up', { timeoutMs: 20_000 });
    expect(await values(follower()!)).to.deep.equal(['c0', 'c1', 'y2']);
    expect(await values(byId(b).broker.replicaManager.getPartition(topic, 0)!.log)).to.deep.equal(['c0', 'c1', 'y2']);
    await waitFor(() => byId(b).broker.replicaManager.getPartition(topic, 0)?.isr.length === 2, 'the old leader to rejoin the ISR', { timeoutMs: 10_000 });
  });

  it('partitions added to a replicated topic are led and copied', async () => {
    const topic = randomName('grow');
    const ctl = await sockTo(controllerId);
    const created = await ctl.request(ApiKey.CreateTopics, 4, {
      topics: [{ name: topic, numPartitions: 1, replicationFactor: 2, assignments: [], configs: [] }],
      timeoutMs: 10_000,
      validateOnly: false,
    });
    expect(created.topics[0]!.errorCode).to.equal(ErrorCode.NONE);
    const grown = await ctl.request(ApiKey.CreatePartitions, 1, { topics: [{ name: topic, count: 3, assignments: null }], timeoutMs: 10_000, validateOnly: false });
    expect(grown.results[0]!.errorCode).to.equal(ErrorCode.NONE);
    for (let p = 0; p < 3; p++) {
      let leader = -1;
      await waitFor(() => {
        const mp = byId(controllerId).broker.metadataCache.getPartition(topic, p);
        leader = mp?.leader ?? -1;
        return leader >= 0 && mp!.isr.length === 2;
      }, `partition ${p} led with two in-sync replicas`);
      await waitForLeadership(byId(leader), topic, p);
      const s = await sockTo(leader);
      expect((await produce(s, topic, p, batch([`p${p}`]), -1)).errorCode).to.equal(ErrorCode.NONE);
      const mp = byId(controllerId).broker.metadataCache.getPartition(topic, p)!;
      const follower = mp.replicas.find((r) => r !== leader)!;
      await waitFor(() => byId(follower).broker.replicaManager.getPartition(topic, p)?.log.logEndOffset === 1n, `partition ${p} copied to broker ${follower}`);
    }
  });
});
