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
import { Admin, Consumer, Producer, mirror, type ConsumerRecord, type RecordMetadata } from '../../../client/index.js';
import type { TestCluster } from '../../helpers/cluster.js';
import { MIRROR_SCRIPT, MirrorProcess, readAll, startTwoClusters, waitForRecords } from '../../helpers/mirror.js';
import { tmpDir } from '../../helpers/tmp.js';
import { waitFor } from '../../helpers/wait-for.js';

const SOURCE_METRIC = 'kafka_connect_mirror_mirrorsourceconnector_';

interface Sent {
  topic: string;
  partition: number;
  offset: bigint;
  key: string;
  value: string;
  timestamp: bigint;
  headers: Array<{ key: string; value: string }>;
}

/** Records produced at about `perSecond` (keys, two headers, CreateTime far from now) until stopped. */
class Load {
  readonly sent: Sent[] = [];
  private stopped = false;
  private readonly done: Promise<void>;
  private readonly producer: Producer<string, string>;

  constructor(bootstrap: string, topics: Array<{ topic: string; partitions: () => number }>, perSecond: number) {
    const producer = new Producer<string, string>({ brokers: [bootstrap], lingerMs: 2 });
    this.producer = producer;
    this.done = (async () => {
      let seq = 0;
      const started = Date.now();
      while (!this.stopped) {
        const due = Math.floor(((Date.now() - started) / 1000) * perSecond);
        const batch: Array<Promise<void>> = [];
        for (; seq < due && batch.length < 500; seq++) {
          const t = topics[seq % topics.length]!;
          const partition = Math.floor(seq / topics.length) % t.partitions();
          const key = `k-${seq % 97}`;
          const value = `${t.topic}/${partition}/${seq}`;
          const timestamp = 1_600_000_000_000n + BigInt(seq);
          const headers = [{ key: 'seq', value: String(seq) }, { key: 'origin', value: 'A' }];
          batch.push(
            producer.send({ topic: t.topic, partition, key, value, timestamp, headers: headers.map((h) => ({ key: h.key, value: Buffer.from(h.value) })) }).then((m: RecordMetadata) => {
              this.sent.push({ topic: t.topic, partition, offset: m.offset, key, value, timestamp, headers });
            }),
          );
        }
        await Promise.all(batch);
        if (batch.length === 0) await new Promise((r) => setTimeout(r, 5));
      }
    })();
  }

  /** After adding partitions on the cluster: the producer learns them before they are used. */
  async learnPartitions(topic: string, count: number): Promise<void> {
    await waitFor(async () => {
      await this.producer.cluster.refreshMetadata([topic]);
      return (this.producer.cluster.topic(topic)?.partitions.length ?? 0) >= count;
    }, `the producer sees ${count} partitions of ${topic}`);
  }

  async stop(): Promise<Sent[]> {
    this.stopped = true;
    await this.done;
    await this.producer.close();
    return this.sent;
  }
}

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

  before(async () => {
    ({ a, b } = await startTwoClusters(1));
    adminA = new Admin({ brokers: [a.bootstrap] });
    adminB = new Admin({ brokers: [b.bootstrap] });
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
    await adminA.createTopics([
      { topic: 'orders', numPartitions: 3, replicationFactor: 1, configs: { 'retention.ms': '86400000', 'min.insync.replicas': '1' } },
      { topic: 'payments', numPartitions: 2, replicationFactor: 1 },
      { topic: 'audit', numPartitions: 1, replicationFactor: 1 },
      { topic: 'scratch', numPartitions: 1, replicationFactor: 1 },
    ]);
    const m = await startMirror({
      'A->B.enabled': true,
      'A->B.topics': 'orders, payments, audit, late-.*, scratch',
      'topics.exclude': 'scratch',
      'groups': 'billing.*',
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
    for (const event of ['offsetSyncs', 'offsetCommits', 'heartbeats', 'topicConfigsSynced']) expect(events(event), event).to.be.above(0);
    expect(events('topicsCreated'), 'topicsCreated').to.equal(4);
    expect(events('partitionsCreated'), 'partitionsCreated').to.equal(1);
    expect(events('taskRestarts')).to.equal(0);
    expect(one('samsa_mirror_flow_up', { flow: 'A->B', state: 'running' })).to.equal(1);
  });
});
