/**
 * The Samsa client against a live cluster of three broker processes (RF 1 data topics unless
 * said otherwise, `__consumer_offsets` at RF 3): ordered per-partition delivery through a
 * consumer group; group failover when a member leaves, when a member process is killed, and when
 * the coordinator broker is killed; format compatibility with kcat
 * (librdkafka) both ways, for every codec, keys placed like the Java client (murmur2), headers.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Admin, Consumer, Producer, murmur2, murmur2Partitioner, stringSerde, toPositive, type CompressionName, type ConsumerRecord } from '../../../client/index.js';
import { OFFSETS_TOPIC_NAME, partitionFor } from '../../../broker/group/index.js';
import { startCluster, type TestCluster } from '../../helpers/cluster.js';
import { randomName } from '../../helpers/random.js';
import { waitFor } from '../../helpers/wait-for.js';
import { REPO_ROOT } from '../../helpers/zookeeper.js';
import { kcat } from '../../interop/kcat.js';

const OFFSETS_PARTITIONS = 3;
const partitionOf = (key: string, partitions: number): number => toPositive(murmur2(Buffer.from(key))) % partitions;

describe('client: against a live cluster of 3 broker processes', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  const children: ChildProcess[] = [];

  before(async () => {
    cluster = await startCluster({
      size: 3,
      properties: { 'offsets.topic.replication.factor': 3, 'offsets.topic.num.partitions': OFFSETS_PARTITIONS, 'group.initial.rebalance.delay.ms': 0, 'default.replication.factor': 1 },
    });
  });

  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await cluster?.stop();
  });

  async function createTopic(prefix: string, partitions: number, replicationFactor = 1): Promise<string> {
    const topic = randomName(prefix);
    const admin = new Admin({ brokers: [cluster.bootstrap] });
    try {
      await admin.createTopics([{ topic, numPartitions: partitions, replicationFactor }]);
    } finally {
      admin.close();
    }
    return topic;
  }

  function stringConsumer(extra: Partial<ConstructorParameters<typeof Consumer<string, string>>[0]> = {}): Consumer<string, string> {
    return new Consumer<string, string>({
      brokers: [cluster.bootstrap],
      autoOffsetReset: 'earliest',
      keyDeserializer: stringSerde.deserialize,
      valueDeserializer: stringSerde.deserialize,
      ...extra,
    });
  }

  /** Polls until `count` records arrived (bounded by time); returns them in arrival order. */
  async function pollUntil(consumer: Consumer<string, string>, count: number, timeoutMs = 30_000): Promise<Array<ConsumerRecord<string, string>>> {
    const out: Array<ConsumerRecord<string, string>> = [];
    const deadline = Date.now() + timeoutMs;
    while (out.length < count && Date.now() < deadline) out.push(...(await consumer.poll({ timeoutMs: 500, maxRecords: 10_000 })));
    expect(out.length, 'records consumed').to.equal(count);
    return out;
  }

  it('delivers keyed records in order per partition across three leaders (idempotent producer, consumer group)', async () => {
    const partitions = 6;
    const topic = await createTopic('ordered', partitions);
    const meta = await cluster.metadata(1, [topic]);
    expect(new Set(meta.topics[0]!.leaders).size, 'leaders of the topic').to.equal(3);
    const producer = new Producer<string, string>({ brokers: [cluster.bootstrap], partitioner: murmur2Partitioner(), lingerMs: 2, batchSize: 4096 });
    const keys = 40;
    const perKey = 150;
    const records: Array<{ topic: string; key: string; value: string }> = [];
    for (let seq = 0; seq < perKey; seq++) for (let k = 0; k < keys; k++) records.push({ topic, key: `key-${k}`, value: `key-${k}:${seq}` });
    const metas = await producer.sendBatch(records);
    await producer.close();
    metas.forEach((m, i) => expect(m.partition).to.equal(partitionOf(records[i]!.key, partitions)));

    const consumer = stringConsumer({ groupId: randomName('ordered-group') });
    try {
      consumer.subscribe([topic]);
      const got = await pollUntil(consumer, records.length);
      const nextSeq = new Map<string, number>();
      const nextOffset = new Map<number, bigint>();
      for (const r of got) {
        expect(r.partition, `partition of ${r.key}`).to.equal(partitionOf(r.key!, partitions));
        expect(r.offset, `offsets of partition ${r.partition} dense from 0`).to.equal(nextOffset.get(r.partition) ?? 0n);
        nextOffset.set(r.partition, r.offset + 1n);
        const seq = nextSeq.get(r.key!) ?? 0;
        expect(r.value, `order of ${r.key}`).to.equal(`${r.key}:${seq}`);
        nextSeq.set(r.key!, seq + 1);
      }
      expect([...nextSeq.values()].every((n) => n === perKey)).to.equal(true);
      expect(consumer.assignment()).to.have.length(partitions);
    } finally {
      await consumer.close();
    }
  });

  it('group failover: when a member leaves, the other takes its partitions from the committed offsets (nothing lost, nothing twice)', async () => {
    const topic = await createTopic('leave', 4);
    const groupId = randomName('leave-group');
    const producer = new Producer<string, string>({ brokers: [cluster.bootstrap], lingerMs: 1 });
    const send = (from: number, n: number): Promise<unknown> => producer.sendBatch(Array.from({ length: n }, (_, i) => ({ topic, partition: (from + i) % 4, value: `v-${from + i}` })));
    const opts = { groupId, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 300, autoCommitIntervalMs: 100 };
    const a = stringConsumer(opts);
    const b = stringConsumer(opts);
    const seen: string[] = [];
    let stopA = false;
    let stopB = false;
    const loop = async (c: Consumer<string, string>, stop: () => boolean): Promise<void> => {
      const deadline = Date.now() + 60_000;
      while (!stop() && Date.now() < deadline) for (const r of await c.poll({ timeoutMs: 200 })) seen.push(r.value!);
    };
    a.subscribe([topic]);
    b.subscribe([topic]);
    const loops = [loop(a, () => stopA), loop(b, () => stopB)];
    try {
      await waitFor(() => a.assignment().length === 2 && b.assignment().length === 2, 'both members to own two partitions', { timeoutMs: 30_000 });
      await send(0, 2000);
      await waitFor(() => seen.length >= 2000, 'the first 2000 records', { timeoutMs: 30_000 });
      stopA = true;
      await loops[0];
      await a.close();
      await waitFor(() => b.assignment().length === 4, 'the survivor to own all four partitions', { timeoutMs: 30_000 });
      await send(2000, 2000);
      await waitFor(() => seen.length >= 4000, 'all 4000 records', { timeoutMs: 30_000 });
    } finally {
      stopA = stopB = true;
      await Promise.all(loops);
      await producer.close();
      await a.close();
      await b.close();
    }
    expect(new Set(seen).size, 'distinct records').to.equal(4000);
    expect(seen.length, 'records delivered (no duplicate across the handover)').to.equal(4000);
  });

  it('group failover: when a member process is killed, the survivor takes over after the session timeout (at least once)', async () => {
    const topic = await createTopic('crash', 4);
    const groupId = randomName('crash-group');
    const sessionTimeoutMs = 6000;
    const producer = new Producer<string, string>({ brokers: [cluster.bootstrap], lingerMs: 1 });
    const send = (from: number, n: number): Promise<unknown> => producer.sendBatch(Array.from({ length: n }, (_, i) => ({ topic, partition: (from + i) % 4, value: `v-${from + i}` })));
    const seenByChild: string[] = [];
    let childAssigned: number[] = [];
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test/cluster/client/group-member.ts'), cluster.bootstrap, groupId, topic, String(sessionTimeoutMs)], { stdio: ['ignore', 'pipe', 'inherit'], cwd: REPO_ROOT });
    children.push(child);
    createInterface({ input: child.stdout! }).on('line', (l) => {
      const o = JSON.parse(l) as { assigned?: number[]; values?: string[] };
      if (o.assigned !== undefined) childAssigned = o.assigned;
      if (o.values !== undefined) seenByChild.push(...o.values);
    });
    const survivor = stringConsumer({ groupId, sessionTimeoutMs, heartbeatIntervalMs: 300, autoCommitIntervalMs: 100 });
    const seen: string[] = [];
    let stop = false;
    const loop = (async () => {
      const deadline = Date.now() + 90_000;
      while (!stop && Date.now() < deadline) for (const r of await survivor.poll({ timeoutMs: 200 })) seen.push(r.value!);
    })();
    try {
      await waitFor(() => childAssigned.length === 4, 'the child member to own all four partitions', { timeoutMs: 30_000 });
      survivor.subscribe([topic]);
      await waitFor(() => childAssigned.length === 2 && survivor.assignment().length === 2, 'the two members to split the partitions', { timeoutMs: 30_000 });
      await send(0, 2000);
      await waitFor(() => seen.length + seenByChild.length >= 2000, 'the first 2000 records', { timeoutMs: 30_000 });
      child.kill('SIGKILL');
      await send(2000, 2000);
      await waitFor(() => survivor.assignment().length === 4, 'the survivor to own all four partitions once the session expired', { timeoutMs: sessionTimeoutMs + 20_000 });
      await waitFor(() => new Set([...seen, ...seenByChild]).size === 4000, 'every record consumed by one member or the other', { timeoutMs: 30_000 });
    } finally {
      stop = true;
      await loop;
      await producer.close();
      await survivor.close();
    }
    // Records the killed member handled but had not committed may come again (at least once);
    // everything written after the kill went to the survivor.
    const after = new Set(seen.filter((v) => Number(v.slice(2)) >= 2000));
    expect(after.size, 'records written after the kill, consumed by the survivor').to.equal(2000);
  });

  it('group failover: when the coordinator broker is killed (RF 3 __consumer_offsets), the group keeps consuming from its committed offsets, nothing skipped', async () => {
    // Fault: SIGKILL of the broker leading the group's __consumer_offsets partition (RF 3) while
    // both members consume. Invariant: the members find the new coordinator, the offsets they
    // committed before the kill are there (no record from before the kill comes back), and every
    // offset written afterwards reaches a member.
    const partitions = 4;
    const topic = await createTopic('coordinator', partitions, 3);
    const groupId = randomName('coordinator-group');
    const producer = new Producer<string, string>({ brokers: [cluster.bootstrap], lingerMs: 1 });
    const send = (from: number, n: number): Promise<unknown> => producer.sendBatch(Array.from({ length: n }, (_, i) => ({ topic, partition: (from + i) % partitions, value: `v-${from + i}` })));
    const admin = new Admin({ brokers: [cluster.bootstrap] });
    const tps = Array.from({ length: partitions }, (_, partition) => ({ topic, partition }));
    const opts = { groupId, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 300, autoCommitIntervalMs: 100 };
    const members = [stringConsumer(opts), stringConsumer(opts)];
    const seen: Array<{ partition: number; offset: bigint; value: string }> = [];
    let stop = false;
    const loops = members.map(async (c) => {
      c.subscribe([topic]);
      const deadline = Date.now() + 110_000;
      while (!stop && Date.now() < deadline) for (const r of await c.poll({ timeoutMs: 200 })) seen.push({ partition: r.partition, offset: r.offset, value: r.value! });
    });
    /** Committed offsets once they equal the end offsets of every partition. */
    const committedAtEnd = async (what: string): Promise<bigint[]> =>
      waitFor(
        async () => {
          const end = await admin.listOffsets(tps, 'latest');
          const committed = await admin.listGroupOffsets(groupId, tps);
          const at = tps.map((tp) => committed.find((c) => c.partition === tp.partition)?.offset ?? -1n);
          return end.every((e) => at[e.partition] === e.offset) ? at : false;
        },
        what,
        { timeoutMs: 30_000, intervalMs: 200 },
      );
    let killed: number | undefined;
    let end: number[] = [];
    try {
      await waitFor(() => members.every((m) => m.assignment().length === 2), 'both members to own two partitions', { timeoutMs: 30_000 });
      await send(0, 2000);
      await waitFor(() => seen.length >= 2000, 'the first 2000 records', { timeoutMs: 30_000 });
      const committedBefore = await committedAtEnd('the first 2000 records committed');

      const offsetsMeta = await cluster.metadata(1, [OFFSETS_TOPIC_NAME]);
      killed = offsetsMeta.topics[0]!.leaders[partitionFor(groupId, OFFSETS_PARTITIONS)]!;
      expect(killed, 'the coordinator broker').to.be.greaterThan(0);
      cluster.broker(killed).signal('SIGKILL');
      await cluster.broker(killed).waitExited();
      const survivor = cluster.brokers.find((b) => b.brokerId !== killed)!.brokerId;
      await waitFor(
        async () => {
          const leader = (await cluster.metadata(survivor, [OFFSETS_TOPIC_NAME])).topics[0]!.leaders[partitionFor(groupId, OFFSETS_PARTITIONS)]!;
          return leader > 0 && leader !== killed;
        },
        'a new leader of the group\'s offsets partition',
        { timeoutMs: 30_000, intervalMs: 200 },
      );

      await send(2000, 2000);
      await waitFor(() => new Set(seen.map((r) => r.value)).size === 4000, 'every record consumed after the failover', { timeoutMs: 60_000, intervalMs: 100 });
      const committedAfter = await committedAtEnd('the group to commit the end offsets on the new coordinator');
      committedAfter.forEach((o, p) => expect(o >= committedBefore[p]!, `committed offset of partition ${p}: ${o} after, ${committedBefore[p]} before`).to.equal(true));
      end = committedAfter.map(Number);
    } finally {
      stop = true;
      await Promise.all(loops);
      await Promise.all(members.map((m) => m.close()));
      await producer.close();
      admin.close();
      if (killed !== undefined && !cluster.broker(killed).isAlive()) {
        const r = await cluster.broker(killed).start();
        expect(r.code, `restart of broker ${killed}: ${r.stderr}`).to.equal(0);
        await waitFor(async () => (await cluster.metadata()).brokers.length === 3, 'the killed broker back in the cluster', { timeoutMs: 30_000, intervalMs: 200 });
      }
    }
    // The committed offsets survived: nothing consumed before the kill was handed out again.
    const before = seen.filter((r) => Number(r.value.slice(2)) < 2000);
    expect(before.length, 'records from before the kill, delivered exactly once').to.equal(2000);
    expect(end.reduce((a, b) => a + b, 0), 'records in the topic').to.equal(4000);
    for (let p = 0; p < partitions; p++) {
      const offsets = new Set(seen.filter((r) => r.partition === p).map((r) => Number(r.offset)));
      const missing = Array.from({ length: end[p]! }, (_, i) => i).filter((o) => !offsets.has(o));
      expect(missing, `offsets of partition ${p} never consumed`).to.deep.equal([]);
    }
  });

  it('reads what kcat produced: keys placed by murmur2 like ours, values, headers, order', async () => {
    const partitions = 3;
    const topic = await createTopic('from-kcat', partitions);
    const n = 3000;
    const lines = Array.from({ length: n }, (_, i) => `key-${i % 50}:value-${i}`);
    const r = await kcat(['-P', '-b', cluster.bootstrap, '-t', topic, '-K', ':', '-H', 'origin=kcat', '-z', 'lz4', '-X', 'partitioner=murmur2_random', '-X', 'message.timeout.ms=30000'], lines.join('\n') + '\n');
    expect(r.code, r.stderr).to.equal(0);
    const consumer = stringConsumer();
    try {
      consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition })));
      const got = await pollUntil(consumer, n);
      const last = new Map<string, number>();
      for (const rec of got) {
        const i = Number(rec.value!.slice('value-'.length));
        expect(rec.key).to.equal(`key-${i % 50}`);
        expect(rec.partition, `librdkafka's murmur2 partition of ${rec.key}`).to.equal(partitionOf(rec.key!, partitions));
        expect(i, `order of ${rec.key}`).to.be.greaterThan(last.get(rec.key!) ?? -1);
        last.set(rec.key!, i);
        expect(rec.headers.map((h) => [h.key, h.value?.toString()])).to.deep.equal([['origin', 'kcat']]);
      }
    } finally {
      await consumer.close();
    }
  });

  for (const compression of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as CompressionName[]) {
    it(`kcat reads what our producer wrote (${compression}): keys, values, headers, partitions, offsets`, async () => {
      const partitions = 3;
      const topic = await createTopic(`to-kcat-${compression}`, partitions);
      const n = 2000;
      const producer = new Producer<string, string>({ brokers: [cluster.bootstrap], compression, partitioner: murmur2Partitioner() });
      const metas = await producer.sendBatch(Array.from({ length: n }, (_, i) => ({ topic, key: `key-${i % 50}`, value: `value-${i}`, headers: { origin: 'samsa' } })));
      await producer.close();
      const r = await kcat(['-C', '-b', cluster.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%p|%o|%k|%s|%h\n']);
      expect(r.code, r.stderr).to.equal(0);
      const rows = r.stdout.split('\n').filter((l) => l.length > 0).map((l) => l.split('|'));
      expect(rows).to.have.length(n);
      const at = new Map(rows.map(([p, o, k, v, h]) => [v!, { partition: Number(p), offset: BigInt(o!), key: k, headers: h }]));
      metas.forEach((m, i) => {
        const row = at.get(`value-${i}`);
        expect(row, `value-${i}`).to.not.equal(undefined);
        expect(row).to.deep.equal({ partition: m.partition, offset: m.offset, key: `key-${i % 50}`, headers: 'origin=samsa' });
      });
    });
  }
});
