import { expect } from 'chai';
import { Consumer } from '../../../client/consumer/consumer.js';
import { Producer } from '../../../client/producer/producer.js';
import { stringSerde } from '../../../client/serializers.js';
import { ApiKey, ErrorCode } from '../../../protocol/index.js';
import { startFakeCluster } from './fake-broker.js';

describe('client > Consumer with clientRack follows preferredReadReplica (KIP-392, fake broker test double)', () => {
  let cluster: Awaited<ReturnType<typeof startFakeCluster>>;

  beforeEach(async () => {
    cluster = await startFakeCluster(2);
    cluster.state.addTopic('f', [1]);
  });

  afterEach(async () => {
    await cluster.stop();
  });

  async function produce(from: number, count: number): Promise<void> {
    const p = new Producer<string, string>({ brokers: cluster.bootstrap, lingerMs: 1, keySerializer: stringSerde.serialize, valueSerializer: stringSerde.serialize });
    await p.sendBatch(Array.from({ length: count }, (_, i) => ({ topic: 'f', partition: 0, value: `v${from + i}` })));
    await p.close();
  }

  async function pollUntil(c: Consumer<string, string>, out: string[], n: number): Promise<void> {
    for (let i = 0; i < 100 && out.length < n; i++) for (const r of await c.poll({ timeoutMs: 100 })) out.push(r.value ?? '');
  }

  const fetchesTo = (node: number): number => cluster.state.requests.filter((r) => r.apiKey === ApiKey.Fetch && r.nodeId === node).length;

  it('reads from the named follower; an error there sends it back to the leader without an offset reset', async () => {
    await produce(0, 20);
    let followerFails = false;
    // The leader (1) names follower 2 for clients in rack b; the follower serves until told to fail.
    cluster.state.fetchHook = (_t, _p, node, rack) => {
      if (node === 1 && rack === 'b' && !followerFails) return { preferredReadReplica: 2 };
      if (node === 2 && followerFails) return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE };
      return undefined;
    };
    const c = new Consumer<string, string>({ brokers: cluster.bootstrap, clientRack: 'b', autoOffsetReset: 'earliest', fetchMaxWaitMs: 20, valueDeserializer: stringSerde.deserialize });
    try {
      c.assign([{ topic: 'f', partition: 0 }]);
      const got: string[] = [];
      await pollUntil(c, got, 20);
      expect(got).to.deep.equal(Array.from({ length: 20 }, (_, i) => `v${i}`));
      expect(fetchesTo(2), 'fetches served by the follower').to.be.greaterThan(0);

      // OFFSET_OUT_OF_RANGE from the follower (it may lag): back to the leader, same position.
      followerFails = true;
      await produce(20, 5);
      const leaderFetches = fetchesTo(1);
      await pollUntil(c, got, 25);
      expect(got).to.deep.equal(Array.from({ length: 25 }, (_, i) => `v${i}`));
      expect(fetchesTo(1)).to.be.greaterThan(leaderFetches);
    } finally {
      await c.close();
    }
  });

  it('without clientRack the consumer sends no rack and stays on the leader', async () => {
    await produce(0, 5);
    const racks: string[] = [];
    cluster.state.fetchHook = (_t, _p, node, rack) => {
      racks.push(rack);
      return node === 1 && rack === 'b' ? { preferredReadReplica: 2 } : undefined;
    };
    const c = new Consumer<string, string>({ brokers: cluster.bootstrap, autoOffsetReset: 'earliest', fetchMaxWaitMs: 20, valueDeserializer: stringSerde.deserialize });
    try {
      c.assign([{ topic: 'f', partition: 0 }]);
      const got: string[] = [];
      await pollUntil(c, got, 5);
      expect(got).to.have.length(5);
      expect(new Set(racks)).to.deep.equal(new Set(['']));
      expect(fetchesTo(2)).to.equal(0);
    } finally {
      await c.close();
    }
  });
});
