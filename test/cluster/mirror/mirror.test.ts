/**
 * Mirroring between two Samsa clusters (broker processes, each cluster in its own ZooKeeper
 * chroot) with the mirror as a process of its own (scripts/mirror-maker.sh): A→B under load
 * (keys, headers, timestamps, partitions, order, remote topics created and grown, configs synced,
 * metrics and /health), consumer failover through checkpoints and synced group offsets,
 * active/active without loops, the identity policy one way.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Admin, Consumer, Producer, mirror, type ConsumerRecord } from '../../../client/index.js';
import type { TestCluster } from '../../helpers/cluster.js';
import { Load, MIRROR_SCRIPT, MirrorProcess, readAll, startTwoClusters, waitForRecords, type Sent } from '../../helpers/mirror.js';
import { tmpDir } from '../../helpers/tmp.js';
import { waitFor } from '../../helpers/wait-for.js';

const SOURCE_METRIC = 'kafka_connect_mirror_mirrorsourceconnector_';

function text(b: Buffer | null): string | null {
  return b === null ? null : b.toString('utf8');
}

/** The remote partition holds exactly the source partition's records, in order, intact. */
function expectSameRecords(label: string, sent: Sent[], got: ConsumerRecord[]): void {
  const want = [...sent].sort((x, y) => (x.offset < y.offset ? -1 : 1));
  expect(got.length, `${label}: records`).to.equal(want.length);
  got.forEach((r, i) => {
    const w = want[i]!;
    expect(text(r.value), `${label} #${i}`).to.equal(w.value);
    expect(text(r.key), `${label} #${i} key`).to.equal(w.key);
    expect(r.timestamp, `${label} #${i} timestamp`).to.equal(w.timestamp);
    expect(r.headers.map((h) => ({ key: h.key, value: text(h.value) })), `${label} #${i} headers`).to.deep.equal(w.headers);
  });
}

describe('mirror: two clusters and a mirror process', function () {
  this.timeout(180_000);
  let a: TestCluster;
  let b: TestCluster;
  let adminA: Admin;
  let adminB: Admin;
  const mirrors: MirrorProcess[] = [];
  /** The A→B mirror of the first two tests. */
  let m: MirrorProcess;

  before(async () => {
    ({ a, b } = await startTwoClusters(1));
    adminA = new Admin({ brokers: [a.bootstrap] });
    adminB = new Admin({ brokers: [b.bootstrap] });
    await adminA.createTopics([
      { topic: 'orders', numPartitions: 3, replicationFactor: 1, configs: { 'retention.ms': '86400000', 'min.insync.replicas': '1' } },
      { topic: 'payments', numPartitions: 2, replicationFactor: 1 },
      { topic: 'audit', numPartitions: 1, replicationFactor: 1 },
      { topic: 'scratch', numPartitions: 1, replicationFactor: 1 },
    ]);
    m = await startMirror({
      'A->B.enabled': true,
      'A->B.topics': 'orders, payments, audit, late-.*, scratch',
      'topics.exclude': 'scratch',
      groups: 'billing.*',
      'groups.exclude': 'billing-excluded',
      'refresh.topics.interval.seconds': 1,
      'refresh.groups.interval.seconds': 1,
      'sync.topic.configs.interval.seconds': 1,
      'emit.checkpoints.interval.seconds': 1,
      'sync.group.offsets.enabled': true,
      'sync.group.offsets.interval.seconds': 1,
      'emit.heartbeats.interval.seconds': 1,
      'tasks.max': 2,
      'offset.flush.interval.ms': 500,
      'offset.lag.max': 50,
    });
  });

  after(async () => {
    for (const m of mirrors) if (m.isAlive()) await m.kill9();
    adminA?.close();
    adminB?.close();
    await Promise.all([a?.stop(), b?.stop()]);
  });

  const base = (): Record<string, string | number | boolean> => ({
    clusters: 'A, B',
    'A.bootstrap.servers': a.bootstrap,
    'B.bootstrap.servers': b.bootstrap,
    'replication.factor': 1,
    'offset-syncs.topic.replication.factor': 1,
    'checkpoints.topic.replication.factor': 1,
    'heartbeats.topic.replication.factor': 1,
    'offset.storage.replication.factor': 1,
  });

  async function startMirror(config: Record<string, string | number | boolean>): Promise<MirrorProcess> {
    const m = await MirrorProcess.start({ ...base(), ...config });
    mirrors.push(m);
    await waitFor(async () => (await m.health()).status === 200, 'every flow running (/health 200)', { timeoutMs: 60_000, intervalMs: 200 });
    return m;
  }

  it('A→B under load: 3 topics, keys/headers/timestamps/partitions intact and in order, topics created and grown, configs synced, metrics and /health', async () => {
    const counts: Record<string, number> = { orders: 3, payments: 2, audit: 1 };
    const load = new Load(a.bootstrap, Object.keys(counts).map((topic) => ({ topic, partitions: () => counts[topic]! })), 1500);
    await waitFor(() => load.sent.length >= 1500, '1500 records produced', { timeoutMs: 30_000 });
    // While records flow: a config change, a grown topic, a new topic matching `topics`.
    await adminA.alterConfigs('topic', 'orders', { 'retention.ms': '3600000', 'min.insync.replicas': '1' });
    await adminA.createPartitions([{ topic: 'payments', count: 3 }]);
    await load.learnPartitions('payments', 3);
    counts['payments'] = 3;
    await adminA.createTopics([{ topic: 'late-1', numPartitions: 2, replicationFactor: 1 }]);
    await waitFor(() => load.sent.length >= 4000, '4000 records produced', { timeoutMs: 30_000 });
    const sent = await load.stop();
    const late = new Producer<string, string>({ brokers: [a.bootstrap] });
    const lateSent = await late.sendBatch([0, 1, 2, 3].map((i) => ({ topic: 'late-1', partition: i % 2, key: `l${i}`, value: `late ${i}` })));
    await late.close();

    for (const topic of ['orders', 'payments', 'audit']) {
      const want = sent.filter((s) => s.topic === topic);
      await waitForRecords(b.bootstrap, `A.${topic}`, want.length);
      const got = await readAll(b.bootstrap, `A.${topic}`);
      expect([...got.keys()], `partitions of A.${topic}`).to.deep.equal([...Array(counts[topic]).keys()]);
      for (const [p, records] of got) expectSameRecords(`A.${topic}-${p}`, want.filter((s) => s.partition === p), records);
    }
    await waitForRecords(b.bootstrap, 'A.late-1', lateSent.length);
    expect((await readAll(b.bootstrap, 'A.late-1')).get(1)!.map((r) => text(r.value))).to.deep.equal(['late 1', 'late 3']);

    const topicsB = await adminB.listTopics();
    expect(topicsB).to.include.members(['A.orders', 'A.payments', 'A.audit', 'A.late-1', 'heartbeats', 'A.checkpoints.internal', 'mm2-offsets.A.internal']);
    expect(topicsB).to.not.include('A.scratch');
    expect(await adminA.listTopics()).to.include('mm2-offset-syncs.B.internal');
    // Overrides follow the source (the change made under load too); min.insync.replicas is excluded by default.
    await waitFor(async () => (await adminB.describeConfigs('topic', 'A.orders'))['retention.ms'] === '3600000', 'retention.ms of A.orders synced', { timeoutMs: 20_000, intervalMs: 250 });
    const ordersB = await adminB.describeConfigEntries('topic', 'A.orders');
    expect(ordersB.find((e) => e.name === 'min.insync.replicas')?.isOverride ?? false).to.equal(false);
    expect(await mirror.upstreamClusters({ brokers: [b.bootstrap] }).then((u) => u.map((x) => x.alias))).to.deep.equal(['A']);

    // What the mirror reports.
    const health = await m.health();
    expect(health.status).to.equal(200);
    expect(health.body.flows).to.have.length(1);
    expect(health.body.flows[0]).to.include({ flow: 'A->B', state: 'running', tasks: 2, partitions: 3 + 3 + 1 + 2 });
    await waitFor(async () => (await m.metric(`${SOURCE_METRIC}record_count`, { topic: 'A.orders' })) === sent.filter((s) => s.topic === 'orders').length, 'record_count of A.orders', { timeoutMs: 10_000, intervalMs: 200 });
    await waitFor(async () => (await m.metrics()).filter((s) => s.name === 'samsa_mirror_partition_lag_records' && s.labels['topic'] === 'A.orders').every((s) => s.value === 0), 'lag 0 on every A.orders partition', { timeoutMs: 10_000, intervalMs: 200 });
    const samples = await m.metrics();
    const one = (name: string, labels: Record<string, string>): number | undefined => samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    const p0 = { source: 'A', target: 'B', topic: 'A.orders', partition: '0' };
    expect(one(`${SOURCE_METRIC}byte_count`, p0)).to.be.above(0);
    // Timestamps are from 2020: age and latency are large and min ≤ avg ≤ max.
    for (const stat of ['record_age_ms', 'replication_latency_ms']) {
      const [min, avg, max] = ['_min', '_avg', '_max'].map((suffix) => one(`${SOURCE_METRIC}${stat}${suffix}`, p0)!);
      expect(min, stat).to.be.above(1e11);
      expect(min).to.be.at.most(avg!);
      expect(avg).to.be.at.most(max!);
    }
    const histogramCount = one('samsa_mirror_replication_latency_ms_count', { source: 'A', target: 'B' });
    expect(histogramCount).to.equal(sent.length + lateSent.length);
    const events = (event: string): number => one('samsa_mirror_flow_events_total', { source: 'A', target: 'B', event }) ?? 0;
    for (const event of ['offsetCommits', 'heartbeats', 'topicConfigsSynced']) expect(events(event), event).to.be.above(0);
    // offset.lag.max = 50: a sync at least every 50 records of a partition.
    const perPartition = new Map<string, number>();
    for (const x of sent) perPartition.set(`${x.topic}/${x.partition}`, (perPartition.get(`${x.topic}/${x.partition}`) ?? 0) + 1);
    expect(events('offsetSyncs'), 'offsetSyncs').to.be.at.least([...perPartition.values()].reduce((n, c) => n + Math.floor(c / 50), 0));
    expect(events('topicsCreated'), 'topicsCreated').to.equal(4);
    expect(events('partitionsCreated'), 'partitionsCreated').to.equal(1);
    expect(events('taskRestarts')).to.equal(0);
    expect(one('samsa_mirror_flow_up', { flow: 'A->B', state: 'running' })).to.equal(1);
  });

  /** partition → offset → value, and each partition's end offset. */
  async function valuesByOffset(bootstrap: string, topic: string): Promise<Map<number, { values: Map<bigint, string | null>; end: bigint }>> {
    const out = new Map<number, { values: Map<bigint, string | null>; end: bigint }>();
    for (const [p, records] of await readAll(bootstrap, topic)) {
      out.set(p, { values: new Map(records.map((r) => [r.offset, text(r.value)])), end: records.length === 0 ? 0n : records[records.length - 1]!.offset + 1n });
    }
    return out;
  }

  it('consumer failover: a group moves from orders on A to A.orders on B with the checkpoints, re-reading only what it read after the last one', async () => {
    const load = new Load(a.bootstrap, [{ topic: 'orders', partitions: () => 3 }], 400);
    // The group reads part of orders on A while records keep arriving, committing as it goes.
    const billing = new Consumer({ brokers: [a.bootstrap], groupId: 'billing', autoOffsetReset: 'earliest', enableAutoCommit: false, maxPollRecords: 200 });
    billing.subscribe(['orders']);
    let read = 0;
    const readDeadline = Date.now() + 30_000;
    const poll = async (): Promise<void> => {
      read += (await billing.poll({ timeoutMs: 500 })).length;
      await billing.commitSync();
    };
    while (read < 2000 && Date.now() < readDeadline) await poll();
    // Until the mirror checkpointed the group, then a little more: the last commits are newer
    // than the last checkpoint when the group stops.
    await waitFor(async () => {
      await poll();
      return (await mirror.readCheckpoints({ brokers: [b.bootstrap] }, 'A', 'billing')).length === 3;
    }, 'first checkpoints of billing', { timeoutMs: 30_000, intervalMs: 0 });
    const more = read + 300;
    while (read < more && Date.now() < readDeadline + 30_000) await poll();
    await billing.close();
    expect(read, 'records the group read on A').to.be.at.least(2300);
    await adminA.alterGroupOffsets('billing-excluded', [{ topic: 'orders', partition: 0, offset: 5n }]);
    const committed = new Map((await adminA.listGroupOffsets('billing')).map((o) => [o.partition, o.offset]));
    expect([...committed.keys()].sort()).to.deep.equal([0, 1, 2]);

    // Right away: the latest checkpoints may trail the commit, never lead it.
    const early = await mirror.readCheckpoints({ brokers: [b.bootstrap] }, 'A', 'billing');
    for (const cp of early) expect(Number(cp.upstreamOffset), `checkpoint of partition ${cp.partition}`).to.be.at.most(Number(committed.get(cp.partition)!));
    // Soon: a checkpoint for exactly the committed offset of every partition.
    const latest = await waitFor(
      async () => {
        const cps = await mirror.readCheckpoints({ brokers: [b.bootstrap] }, 'A', 'billing');
        return cps.length === 3 && cps.every((cp) => cp.topic === 'A.orders' && cp.upstreamOffset === committed.get(cp.partition)) ? cps : undefined;
      },
      'checkpoints of billing at its committed offsets',
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    const sent = await load.stop();
    await waitForRecords(b.bootstrap, 'A.orders', (await valuesByOffset(a.bootstrap, 'orders').then((v) => [...v.values()].reduce((n, p) => n + Number(p.end), 0))));
    const onA = await valuesByOffset(a.bootstrap, 'orders');
    const onB = await valuesByOffset(b.bootstrap, 'A.orders');
    // Every checkpoint seen maps its upstream offset to the very same record on B.
    for (const cp of [...early, ...latest]) {
      const p = cp.partition;
      const want = cp.upstreamOffset < onA.get(p)!.end ? onA.get(p)!.values.get(cp.upstreamOffset) : 'end';
      const got = cp.downstreamOffset < onB.get(p)!.end ? onB.get(p)!.values.get(cp.downstreamOffset) : 'end';
      expect(got, `partition ${p}: checkpoint ${cp.upstreamOffset} → ${cp.downstreamOffset}`).to.equal(want);
    }
    const reReads = early.reduce((n, cp) => n + Number(committed.get(cp.partition)! - cp.upstreamOffset), 0);
    console.log(`      [consumer failover] records re-read had the group moved with the checkpoints of the moment it stopped: ${reReads} (${early.length} partitions checkpointed then); with the latest: 0`);
    expect(await mirror.readCheckpoints({ brokers: [b.bootstrap] }, 'A', 'billing-excluded')).to.deep.equal([]);

    // sync.group.offsets: the group on B (no members there) got the translated offsets.
    const translated = await mirror.translateOffsets({ brokers: [b.bootstrap] }, 'A', 'billing');
    await waitFor(
      async () => {
        const onBGroup = new Map((await adminB.listGroupOffsets('billing')).map((o) => [`${o.topic}/${o.partition}`, o.offset]));
        return translated.every((t) => onBGroup.get(`${t.topic}/${t.partition}`) === t.offset);
      },
      'billing on B at the translated offsets',
      { timeoutMs: 20_000, intervalMs: 250 },
    );
    // The group resumes on B: it reads exactly what it had not read on A, in order.
    const resumed = new Consumer({ brokers: [b.bootstrap], groupId: 'billing', autoOffsetReset: 'none', enableAutoCommit: false, maxPollRecords: 5000 });
    resumed.subscribe(['A.orders']);
    const got = new Map<number, string[]>([[0, []], [1, []], [2, []]]);
    const left = [0, 1, 2].reduce((n, p) => n + Number(onA.get(p)!.end - committed.get(p)!), 0);
    let n = 0;
    const deadline = Date.now() + 30_000;
    while (n < left && Date.now() < deadline) {
      for (const r of await resumed.poll({ timeoutMs: 500 })) {
        got.get(r.partition)!.push(text(r.value)!);
        n++;
      }
    }
    await resumed.close();
    for (const p of [0, 1, 2]) {
      const want: string[] = [];
      for (let o = committed.get(p)!; o < onA.get(p)!.end; o++) want.push(onA.get(p)!.values.get(o)!);
      expect(got.get(p), `partition ${p} read on B after the move`).to.deep.equal(want);
    }
    expect(sent.length).to.be.above(0);
  });

  it('active/active A↔B (separator "-"): each side gets the other\'s topics once, nothing comes back, heartbeats flow both ways', async () => {
    // The first mirror stops cleanly (SIGTERM: exit 0 after committing).
    expect(await m.terminate()).to.equal(0);
    await adminA.createTopics([{ topic: 'ping', numPartitions: 2, replicationFactor: 1 }]);
    await adminB.createTopics([{ topic: 'pong', numPartitions: 2, replicationFactor: 1 }]);
    const aa = await startMirror({
      'A->B.enabled': true,
      'B->A.enabled': true,
      'A->B.topics': 'ping',
      'B->A.topics': 'pong',
      // Not "_": Kafka refuses topics that differ from an existing one only by "." vs "_"
      // (mm2-offset-syncs_B_internal vs the first mirror's mm2-offset-syncs.B.internal).
      'replication.policy.separator': '-',
      'refresh.topics.interval.seconds': 1,
      'emit.heartbeats.interval.seconds': 1,
      'offset.flush.interval.ms': 500,
    });
    const send = async (bootstrap: string, topic: string, n: number): Promise<void> => {
      const p = new Producer<string, string>({ brokers: [bootstrap] });
      await p.sendBatch(Array.from({ length: n }, (_, i) => ({ topic, partition: i % 2, key: `${i}`, value: `${topic} ${i}` })));
      await p.close();
    };
    await Promise.all([send(a.bootstrap, 'ping', 300), send(b.bootstrap, 'pong', 200)]);
    await waitForRecords(b.bootstrap, 'A-ping', 300);
    await waitForRecords(a.bootstrap, 'B-pong', 200);
    // Remote heartbeats appear on both sides (they are always mirrored), and the mirror keeps
    // working for a few more heartbeats: time for any loop to show.
    const beats = async (source: string): Promise<number> => aa.metric('samsa_mirror_flow_events_total', { source, event: 'heartbeats' });
    const before = [await beats('A'), await beats('B')];
    await waitFor(async () => (await adminB.listTopics()).includes('A-heartbeats') && (await adminA.listTopics()).includes('B-heartbeats'), 'remote heartbeats topics', { timeoutMs: 20_000, intervalMs: 250 });
    await waitFor(async () => (await beats('A')) >= before[0]! + 3 && (await beats('B')) >= before[1]! + 3, 'three more heartbeats each way', { timeoutMs: 20_000, intervalMs: 250 });
    const topicsA = await adminA.listTopics();
    const topicsB = await adminB.listTopics();
    expect(topicsA.filter((t) => t.startsWith('A-') || t.startsWith('B-A-') || t.startsWith('B-B-'))).to.deep.equal([]);
    expect(topicsB.filter((t) => t.startsWith('B-') || t.startsWith('A-B-') || t.startsWith('A-A-'))).to.deep.equal([]);
    expect(topicsA).to.include.members(['B-pong', 'B-heartbeats', 'mm2-offset-syncs-B-internal']);
    expect(topicsB).to.include.members(['A-ping', 'A-heartbeats', 'A-checkpoints-internal']);
    const count = async (bootstrap: string, topic: string): Promise<number> => [...(await readAll(bootstrap, topic)).values()].reduce((n, r) => n + r.length, 0);
    expect(await count(b.bootstrap, 'A-ping')).to.equal(300);
    expect(await count(a.bootstrap, 'B-pong')).to.equal(200);
    expect(await aa.terminate()).to.equal(0);
  });

  it('identity policy, one way: topics keep their names; checkpoints, heartbeats, config sync and refreshes off', async () => {
    await adminA.createTopics([{ topic: 'keep-1', numPartitions: 2, replicationFactor: 1, configs: { 'retention.ms': '7200000' } }]);
    const p = new Producer<string, string>({ brokers: [a.bootstrap] });
    await p.sendBatch(Array.from({ length: 100 }, (_, i) => ({ topic: 'keep-1', partition: i % 2, key: `${i}`, value: `keep ${i}` })));
    await p.close();
    // Other aliases: this flow's internal topics are its own.
    const { ['A.bootstrap.servers']: _a, ['B.bootstrap.servers']: _b, ...rest } = base();
    const id = await MirrorProcess.start({
      ...rest,
      clusters: 'X, Y',
      'X.bootstrap.servers': a.bootstrap,
      'Y.bootstrap.servers': b.bootstrap,
      'X->Y.enabled': true,
      'X->Y.topics': 'keep-.*',
      'replication.policy.class': 'org.apache.kafka.connect.mirror.IdentityReplicationPolicy',
      'emit.checkpoints.enabled': false,
      'emit.heartbeats.enabled': false,
      'sync.topic.configs.enabled': false,
      'refresh.topics.enabled': false,
      'refresh.groups.enabled': false,
    });
    mirrors.push(id);
    await waitForRecords(b.bootstrap, 'keep-1', 100);
    const got = await readAll(b.bootstrap, 'keep-1');
    expect(got.get(1)!.map((r) => text(r.value))).to.deep.equal(Array.from({ length: 50 }, (_, i) => `keep ${2 * i + 1}`));
    const topicsB = await adminB.listTopics();
    expect(topicsB).to.include('mm2-offsets.X.internal');
    expect(topicsB).to.not.include.members(['X.keep-1', 'X.checkpoints.internal']);
    const keepConfigs = await adminB.describeConfigEntries('topic', 'keep-1');
    expect(keepConfigs.find((e) => e.name === 'retention.ms')?.isOverride ?? false, 'retention.ms not synced').to.equal(false);
    expect(await id.metric('samsa_mirror_flow_events_total', { event: 'heartbeats' })).to.equal(0);
    expect(await id.metric('samsa_mirror_flow_events_total', { event: 'checkpoints' })).to.equal(0);
    expect(await id.terminate()).to.equal(0);
  });

  it('refuses a bad value with a clear error naming the file and line (exit 1)', () => {
    const file = join(tmpDir('samsa-mirror-'), 'mm2.properties');
    writeFileSync(file, `clusters = A, B\nA.bootstrap.servers = ${a.bootstrap}\nB.bootstrap.servers = ${b.bootstrap}\nA->B.enabled = true\nexactly.once.source.support = always\n`);
    const r = spawnSync('bash', [MIRROR_SCRIPT, file], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).to.equal(1);
    expect(r.stderr).to.contain('mm2.properties:5').and.to.contain('exactly.once.source.support wants one of disabled, enabled, got "always"');
  });
});
