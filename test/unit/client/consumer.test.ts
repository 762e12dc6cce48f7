import { expect } from 'chai';
import { Consumer } from '../../../client/consumer/consumer.js';
import { Producer } from '../../../client/producer/producer.js';
import { stringSerde } from '../../../client/serializers.js';
import { startFakeCluster, type FakeClusterState } from './fake-broker.js';
import { waitFor } from '../../helpers/wait-for.js';

describe('client > Consumer, manual assignment (against the fake broker test double)', () => {
  let cluster: Awaited<ReturnType<typeof startFakeCluster>>;
  let state: FakeClusterState;
  const closers: Array<() => unknown> = [];

  beforeEach(async () => {
    cluster = await startFakeCluster(2);
    state = cluster.state;
    state.addTopic('t', [1, 2]);
    const p = new Producer<string, string>({ brokers: cluster.bootstrap, lingerMs: 1, batchSize: 400 });
    // Several batches per partition, so fetches start mid-batch and span batches.
    await p.sendBatch(Array.from({ length: 40 }, (_, i) => ({ topic: 't', partition: i % 2, key: `k${i}`, value: `v${i}` })));
    await p.close();
  });

  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
    await cluster.stop();
  });

  function consumer(opts: Partial<ConstructorParameters<typeof Consumer<string, string>>[0]> = {}): Consumer<string, string> {
    const c = new Consumer<string, string>({
      brokers: cluster.bootstrap,
      keyDeserializer: stringSerde.deserialize,
      valueDeserializer: stringSerde.deserialize,
      fetchMaxWaitMs: 50,
      ...opts,
    });
    closers.push(() => c.close());
    return c;
  }

  async function pollAll(c: Consumer<string, string>, n: number): Promise<Array<{ partition: number; offset: bigint; value: string | null }>> {
    const out: Array<{ partition: number; offset: bigint; value: string | null }> = [];
    for (let i = 0; i < 50 && out.length < n; i++) {
      for (const r of await c.poll({ timeoutMs: 200 })) out.push({ partition: r.partition, offset: r.offset, value: r.value });
    }
    return out;
  }

  it('earliest: reads every record of the assigned partitions in offset order', async () => {
    const c = consumer({ autoOffsetReset: 'earliest' });
    c.assign([{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }]);
    const got = await pollAll(c, 40);
    expect(got).to.have.length(40);
    for (const p of [0, 1]) {
      const mine = got.filter((r) => r.partition === p);
      expect(mine.map((r) => r.offset)).to.deep.equal(mine.map((_, i) => BigInt(i)));
      expect(mine.map((r) => r.value)).to.deep.equal(Array.from({ length: 20 }, (_, i) => `v${i * 2 + p}`));
    }
    expect(c.highWatermark({ topic: 't', partition: 0 })).to.equal(20n);
  });

  it('latest (default) starts at the end; seek() goes to an offset inside a batch', async () => {
    const c = consumer();
    c.assign([{ topic: 't', partition: 1 }]);
    expect(await c.position({ topic: 't', partition: 1 })).to.equal(20n);
    expect(await c.poll({ timeoutMs: 100 })).to.deep.equal([]);
    c.seek({ topic: 't', partition: 1 }, 7n);
    const got = await pollAll(c, 13);
    expect(got.map((r) => r.offset)).to.deep.equal(Array.from({ length: 13 }, (_, i) => BigInt(7 + i)));
    expect(got[0]!.value).to.equal('v15');
  });

  it('fetches one response ahead while records are buffered; a seek drops buffered and in-flight data', async () => {
    const c = consumer({ autoOffsetReset: 'earliest', maxPollRecords: 5 });
    const tp = { topic: 't', partition: 0 };
    c.assign([tp]);
    const first = await pollAll(c, 5);
    expect(first.map((r) => r.offset)).to.deep.equal([0n, 1n, 2n, 3n, 4n]);
    const fetches = (): number => state.requests.filter((r) => r.apiKey === 1).length;
    await waitFor(() => fetches() >= 2, 'a fetch ahead of the 15 buffered records');
    c.seek(tp, 3n);
    const rest = await pollAll(c, 17);
    expect(rest.map((r) => r.offset)).to.deep.equal(Array.from({ length: 17 }, (_, i) => BigInt(3 + i)));
    expect(await c.poll({ timeoutMs: 100 })).to.deep.equal([]);
  });

  it('seekToBeginning / seekToEnd, pause / resume, and the async iterator', async () => {
    const c = consumer();
    const tp0 = { topic: 't', partition: 0 };
    const tp1 = { topic: 't', partition: 1 };
    c.assign([tp0, tp1]);
    c.seekToBeginning([tp0]);
    c.seekToEnd([tp1]);
    c.pause([tp0]);
    expect(await c.poll({ timeoutMs: 100 })).to.deep.equal([]);
    expect(c.paused()).to.deep.equal([tp0]);
    c.resume([tp0]);
    const seen: bigint[] = [];
    for await (const r of c) {
      expect(r.partition).to.equal(0);
      seen.push(r.offset);
      if (seen.length === 20) break;
    }
    expect(seen).to.deep.equal(Array.from({ length: 20 }, (_, i) => BigInt(i)));
  });

  it('autoOffsetReset none: a partition without a position is an error', async () => {
    const c = consumer({ autoOffsetReset: 'none' });
    c.assign([{ topic: 't', partition: 0 }]);
    const err = await c.poll({ timeoutMs: 100 }).then(() => null, (e: unknown) => e);
    expect(err).to.include({ code: 'CLI_INVALID_CONFIG' });
  });

  it('an out-of-range position resets per autoOffsetReset', async () => {
    const c = consumer({ autoOffsetReset: 'earliest' });
    c.assign([{ topic: 't', partition: 0 }]);
    c.seek({ topic: 't', partition: 0 }, 1000n);
    const got = await pollAll(c, 20);
    expect(got[0]!.offset).to.equal(0n);
  });

  it('run({ eachBatch }): batches per partition; a throwing handler rewinds so nothing is skipped', async () => {
    const c = consumer({ autoOffsetReset: 'earliest', maxPollRecords: 5 });
    c.assign([{ topic: 't', partition: 0 }]);
    const handled: bigint[] = [];
    let calls = 0;
    const err = await c
      .run({
        eachBatch: ({ partition, records }) => {
          expect(partition).to.equal(0);
          if (++calls === 2) throw new Error('boom');
          handled.push(...records.map((r) => r.offset));
        },
      })
      .then(() => null, (e: unknown) => e);
    expect((err as Error).message).to.equal('boom');
    expect(handled).to.deep.equal([0n, 1n, 2n, 3n, 4n]);
    const again = await c.poll({ timeoutMs: 500 });
    expect(again[0]!.offset).to.equal(5n);
  });
});
