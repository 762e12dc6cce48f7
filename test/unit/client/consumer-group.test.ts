import { expect } from 'chai';
import { Consumer, type ConsumerOptions, type RebalanceListener } from '../../../client/consumer/consumer.js';
import { Producer } from '../../../client/producer/producer.js';
import { stringSerde } from '../../../client/serializers.js';
import { roundRobinAssignor } from '../../../client/consumer/assignors/round-robin.js';
import { cooperativeStickyAssignor } from '../../../client/consumer/assignors/cooperative-sticky.js';
import type { TopicPartition } from '../../../client/consumer/fetcher.js';
import { API } from '../../../client/wire.js';
import { startFakeCluster, type FakeClusterState } from './fake-broker.js';

type C = Consumer<string, string>;

describe('client > Consumer groups (against the fake broker + fake group coordinator test doubles)', () => {
  let cluster: Awaited<ReturnType<typeof startFakeCluster>>;
  let state: FakeClusterState;
  const open: C[] = [];

  beforeEach(async () => {
    cluster = await startFakeCluster(2);
    state = cluster.state;
    state.coordinatorId = 2;
    state.addTopic('t', [1, 2, 1, 2]);
    const p = new Producer<string, string>({ brokers: cluster.bootstrap, lingerMs: 1 });
    await p.sendBatch(Array.from({ length: 40 }, (_, i) => ({ topic: 't', partition: i % 4, value: `v${i}` })));
    await p.close();
  });

  afterEach(async () => {
    for (const c of open.splice(0)) await c.close();
    await cluster.stop();
  });

  function consumer(opts: Partial<ConsumerOptions<string, string>> = {}): C {
    const c = new Consumer<string, string>({
      brokers: cluster.bootstrap,
      groupId: 'g',
      autoOffsetReset: 'earliest',
      heartbeatIntervalMs: 30,
      rebalanceTimeoutMs: 3000,
      fetchMaxWaitMs: 20,
      retryBackoffMs: 20,
      valueDeserializer: stringSerde.deserialize,
      ...opts,
    });
    open.push(c);
    return c;
  }

  /**
   * Each consumer polls in its own loop (as separate applications would) until `done()` holds
   * or the round budget is spent; returns what each one got.
   */
  async function pollUntil(consumers: C[], done: (got: string[][]) => boolean, rounds = 300): Promise<string[][]> {
    const got: string[][] = consumers.map(() => []);
    let finished = false;
    await Promise.all(
      consumers.map(async (c, j) => {
        for (let i = 0; i < rounds && !finished; i++) {
          const rs = await c.poll({ timeoutMs: 30 });
          got[j]!.push(...rs.map((r) => r.value!));
          if (done(got)) finished = true;
        }
      }),
    );
    expect(finished, 'condition not reached within the poll budget').to.equal(true);
    return got;
  }

  const sorted = (tps: TopicPartition[]) => tps.map((tp) => tp.partition).sort();

  it('one member gets every partition, reads from the beginning, and commits', async () => {
    const c = consumer();
    c.subscribe(['t']);
    const [got] = await pollUntil([c], (g) => g[0]!.length >= 40);
    expect(new Set(got).size).to.equal(40);
    expect(sorted(c.assignment())).to.deep.equal([0, 1, 2, 3]);
    expect(c.groupMetadata()).to.include({ generationId: 1 });
    const joins = state.requests.filter((r) => r.apiKey === API.JoinGroup);
    expect(joins.map((r) => r.nodeId)).to.deep.equal([2, 2]); // MEMBER_ID_REQUIRED, then the real join
    await c.commitSync();
    expect(await c.committed([{ topic: 't', partition: 0 }, { topic: 't', partition: 3 }])).to.deep.equal([10n, 10n]);
  });

  it('a restarted member continues from the committed offsets', async () => {
    const a = consumer();
    a.subscribe(['t']);
    await pollUntil([a], (g) => g[0]!.length >= 40);
    await a.close(); // auto commit on close, then LeaveGroup
    expect(state.leaves).to.have.length(1);
    expect(state.groups.committed('g', 't', 1)).to.equal(10n);
    const p = new Producer<string, string>({ brokers: cluster.bootstrap, lingerMs: 1 });
    await p.send({ topic: 't', partition: 1, value: 'new' });
    await p.close();
    const b = consumer();
    b.subscribe(['t']);
    const [got] = await pollUntil([b], (g) => g[0]!.length >= 1);
    expect(got).to.deep.equal(['new']);
  });

  it('two eager members split the partitions and together read everything once', async () => {
    const revoked: number[][] = [];
    const listener: RebalanceListener = { onPartitionsRevoked: (tps) => void revoked.push(sorted(tps)) };
    const a = consumer({ assignors: [roundRobinAssignor] });
    const b = consumer({ assignors: [roundRobinAssignor] });
    a.subscribe(['t'], listener);
    const first = await pollUntil([a], () => a.assignment().length === 4, 50);
    b.subscribe(['t']);
    const seen = new Set(first[0]);
    await pollUntil([a, b], (g) => {
      for (const list of g) for (const v of list) seen.add(v);
      g.forEach((list) => list.splice(0));
      return a.assignment().length === 2 && b.assignment().length === 2 && seen.size >= 40;
    });
    expect(seen.size).to.equal(40);
    expect(sorted([...a.assignment(), ...b.assignment()])).to.deep.equal([0, 1, 2, 3]);
    expect(revoked[0], 'eager: everything is revoked before rejoining').to.deep.equal([0, 1, 2, 3]);
  });

  it('cooperative-sticky: the first member keeps half its partitions and only revokes the moved ones', async () => {
    const revoked: number[][] = [];
    const a = consumer({ assignors: [cooperativeStickyAssignor] });
    a.subscribe(['t'], { onPartitionsRevoked: (tps) => void revoked.push(sorted(tps)) });
    await pollUntil([a], () => a.assignment().length === 4, 50);
    const before = sorted(a.assignment());
    const b = consumer({ assignors: [cooperativeStickyAssignor] });
    b.subscribe(['t']);
    await pollUntil([a, b], () => a.assignment().length === 2 && b.assignment().length === 2);
    expect(revoked).to.have.length(1);
    expect(revoked[0]).to.have.length(2);
    for (const p of sorted(a.assignment())) expect(before).to.include(p);
    expect(sorted([...a.assignment(), ...b.assignment()])).to.deep.equal([0, 1, 2, 3]);
  });

  it('a static member (groupInstanceId) sends its instance id and does not leave on close', async () => {
    const c = consumer({ groupInstanceId: 'instance-1' });
    c.subscribe(['t']);
    await pollUntil([c], () => c.assignment().length === 4, 50);
    expect([...state.groups.groups.get('g')!.members.values()][0]!.groupInstanceId).to.equal('instance-1');
    await c.close();
    expect(state.leaves).to.deep.equal([]);
  });

  it('subscribe() without a groupId is a configuration error', () => {
    const c = consumer({ groupId: undefined as never });
    expect(() => c.subscribe(['t'])).to.throw().with.property('code', 'CLI_INVALID_CONFIG');
  });
});
