/**
 * Real Kafka clients against a live cluster of three broker processes (real ZooKeeper, files,
 * sockets): kcat/librdkafka for metadata, produce (every codec) and consume; KafkaJS for topic
 * creation and produce. Consumer groups are not wired yet, so consumption goes through kcat
 * with explicit offsets (`-o beginning -e`), not KafkaJS's consumer.run.
 */
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { compressionOf, iterateBatches } from '../../protocol/index.js';
import { startCluster, type TestCluster } from '../helpers/cluster.js';
import { KafkaSocket } from '../helpers/kafka-socket.js';
import { randomName } from '../helpers/random.js';
import { waitFor } from '../helpers/wait-for.js';
import { kcat } from './kcat.js';

const N = 10_000;
const CODECS: Record<string, number> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };

/** Producer ids of the batches stored for `topic` in every broker's log dirs. */
function storedProducerIds(cluster: TestCluster, topic: string): Set<bigint> {
  const ids = new Set<bigint>();
  for (const b of cluster.brokers) {
    for (const dir of readdirSync(b.logDir).filter((d) => d.startsWith(`${topic}-`))) {
      const file = join(b.logDir, dir, '00000000000000000000.log');
      if (!existsSync(file)) continue;
      for (const batch of iterateBatches(readFileSync(file))) ids.add(batch.header.producerId);
    }
  }
  return ids;
}

/** Compression codecs of the batches stored for `topic` in every broker's log dirs (byte for byte as produced). */
function storedCodecs(cluster: TestCluster, topic: string): Set<number> {
  const codecs = new Set<number>();
  for (const b of cluster.brokers) {
    for (const dir of readdirSync(b.logDir).filter((d) => d.startsWith(`${topic}-`))) {
      const file = join(b.logDir, dir, '00000000000000000000.log');
      if (!existsSync(file)) continue;
      for (const batch of iterateBatches(readFileSync(file))) codecs.add(compressionOf(batch.header.attributes));
    }
  }
  return codecs;
}

interface Consumed {
  partition: number;
  offset: number;
  key: string;
  value: string;
}

function parseConsumed(stdout: string): Consumed[] {
  return stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [partition, offset, key, value] = l.split('|');
      return { partition: Number(partition), offset: Number(offset), key: key!, value: value! };
    });
}

/** Every produced message exactly once; per partition, offsets dense from 0 and production order kept. */
function checkRoundTrip(consumed: Consumed[], n: number): void {
  expect(consumed.length, 'messages consumed').to.equal(n);
  const byPartition = new Map<number, Consumed[]>();
  for (const c of consumed) {
    const list = byPartition.get(c.partition) ?? [];
    list.push(c);
    byPartition.set(c.partition, list);
  }
  const seen = new Set<number>();
  for (const [partition, list] of byPartition) {
    let lastIndex = -1;
    list.forEach((c, i) => {
      expect(c.offset, `offset ${i} of partition ${partition}`).to.equal(i);
      const index = Number(c.value.slice('value-'.length));
      expect(c.key).to.equal(`key-${index}`);
      expect(index, `order in partition ${partition}`).to.be.greaterThan(lastIndex);
      lastIndex = index;
      seen.add(index);
    });
  }
  expect(seen.size).to.equal(n);
}

/** Whether the cluster's first broker advertises `version` of `apiKey` in ApiVersions. */
async function advertises(cluster: TestCluster, apiKey: number, version: number): Promise<boolean> {
  const b = cluster.brokers[0]!;
  const s = await KafkaSocket.connect(b.host, b.port);
  try {
    const r = await s.apiVersions(3);
    return r.apiKeys.some((k) => k.apiKey === apiKey && k.minVersion <= version && k.maxVersion >= version);
  } finally {
    s.close();
  }
}

describe('interop > data path with kcat and KafkaJS on 3 broker processes', function () {
  this.timeout(120_000);
  let cluster: TestCluster;

  before(async () => {
    cluster = await startCluster({ size: 3, properties: { 'num.partitions': 3, 'default.replication.factor': 1, 'auto.create.topics.enable': true } });
  });

  after(async () => {
    await cluster?.stop();
  });

  it('kcat -L shows 3 brokers and the controller', async () => {
    const r = await kcat(['-L', '-b', cluster.bootstrap, '-m', '10']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/ 3 brokers:/);
    for (const b of cluster.brokers) expect(r.stdout).to.include(`broker ${b.brokerId} at ${b.host}:${b.port}`);
    expect(r.stdout.match(/\(controller\)/g)?.length).to.equal(1);
  });

  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
    it(`kcat produces ${N} keyed messages (${codec}) and consumes them back identical and in order`, async () => {
      const topic = randomName(`kcat-${codec}`);
      const lines: string[] = [];
      for (let i = 0; i < N; i++) lines.push(`key-${i}:value-${i}`);
      // The topic is auto-created by the producer's Metadata request (3 partitions, RF 1).
      const produced = await kcat(['-P', '-b', cluster.bootstrap, '-t', topic, '-K', ':', '-z', codec, '-X', 'message.timeout.ms=30000'], lines.join('\n') + '\n');
      expect(produced.code, produced.stderr).to.equal(0);
      const consumed = await kcat(['-C', '-b', cluster.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%p|%o|%k|%s\n']);
      expect(consumed.code, consumed.stderr).to.equal(0);
      const messages = parseConsumed(consumed.stdout);
      checkRoundTrip(messages, N);
      expect(new Set(messages.map((m) => m.partition)).size, 'partitions used').to.equal(3);
      // librdkafka skips compression when it does not shrink a batch (the lone first message of
      // an auto-created topic), and enables lz4 only if the broker advertises FindCoordinator v0
      // (rdkafka_feature.c), which comes with the group coordinator.
      const stored = storedCodecs(cluster, topic);
      if (codec === 'none') expect([...stored]).to.deep.equal([0]);
      else if (codec !== 'lz4' || (await advertises(cluster, 10, 0))) expect([...stored], 'codecs of the stored batches').to.include(CODECS[codec]);
    });
  }

  it('idempotent producers (kcat enable.idempotence, KafkaJS idempotent) get producer ids and their batches land once, in order', async () => {
    const topic = randomName('idem');
    const lines = Array.from({ length: 2000 }, (_, i) => `key-${i}:value-${i}`);
    const produced = await kcat(['-P', '-b', cluster.bootstrap, '-t', topic, '-K', ':', '-X', 'enable.idempotence=true', '-X', 'message.timeout.ms=30000'], lines.join('\n') + '\n');
    expect(produced.code, produced.stderr).to.equal(0);
    const kafka = new Kafka({ clientId: 'samsa-idem', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 8 } });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    try {
      await producer.connect();
      const more = Array.from({ length: 100 }, (_, i) => ({ key: `key-${2000 + i}`, value: `value-${2000 + i}` }));
      const acks = await producer.send({ topic, acks: -1, messages: more });
      expect(acks.every((a) => a.errorCode === 0)).to.equal(true);
    } finally {
      await producer.disconnect().catch(() => undefined);
    }
    const consumed = await kcat(['-C', '-b', cluster.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%p|%o|%k|%s\n']);
    expect(consumed.code, consumed.stderr).to.equal(0);
    checkRoundTrip(parseConsumed(consumed.stdout), 2100);
    const ids = [...storedProducerIds(cluster, topic)];
    expect(ids.length, 'two producers').to.equal(2);
    expect(ids.every((id) => id >= 0n), `producer ids ${ids.join(',')}`).to.equal(true);
  });

  it('KafkaJS creates a topic with its admin client and produces; kcat reads it back', async () => {
    const kafka = new Kafka({ clientId: 'samsa-interop', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 8 } });
    const admin = kafka.admin();
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    const topic = randomName('kafkajs');
    try {
      await admin.connect();
      expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true })).to.equal(true);
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(meta.topics[0]!.partitions).to.have.length(3);
      expect((await admin.listTopics()).includes(topic)).to.equal(true);
      await producer.connect();
      const messages = Array.from({ length: 300 }, (_, i) => ({ key: `key-${i}`, value: `value-${i}` }));
      for (let i = 0; i < messages.length; i += 100) {
        const acks = await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 100) });
        expect(acks.every((a) => a.errorCode === 0)).to.equal(true);
      }
      const offsets = await admin.fetchTopicOffsets(topic);
      expect(offsets.reduce((sum, o) => sum + Number(o.high), 0)).to.equal(300);
      const consumed = await kcat(['-C', '-b', cluster.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%p|%o|%k|%s\n']);
      expect(consumed.code, consumed.stderr).to.equal(0);
      checkRoundTrip(parseConsumed(consumed.stdout), 300);
      await admin.deleteTopics({ topics: [topic], timeout: 15_000 });
      await waitFor(async () => !(await admin.listTopics()).includes(topic), `${topic} to be deleted`, { timeoutMs: 15_000, intervalMs: 200 });
    } finally {
      await producer.disconnect().catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
    }
  });
});
