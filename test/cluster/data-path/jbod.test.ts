/**
 * JBOD on a real broker process with two log.dirs (KIP-112/113): new partitions go to the
 * directory holding the fewest; DescribeLogDirs reports both; AlterReplicaLogDirs moves a replica
 * to the other directory while a producer keeps writing. Fault: kill -9 of the broker in the
 * middle of the move (the copy is slowed with replica.alter.log.dirs.io.max.bytes.per.second so
 * the future log is caught half-filled), then a restart. Invariant: the move resumes and completes,
 * the replica ends in the destination only, and every acknowledged record is consumed once, in
 * order. Then reassign-partitions.sh moves a replica with the log_dirs of its plan.
 */
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Admin, Consumer, Producer, stringSerde } from '../../../client/index.js';
import { ApiKey, ErrorCode } from '../../../protocol/index.js';
import { BrokerProcess } from '../../helpers/broker-process.js';
import { KafkaSocket } from '../../helpers/kafka-socket.js';
import { randomName } from '../../helpers/random.js';
import { tmpDir } from '../../helpers/tmp.js';
import { waitFor } from '../../helpers/wait-for.js';
import { ok } from '../cli/run-tool.js';

interface DirView { logDir: string; errorCode: number; replicas: { topic: string; partition: number; isFuture: boolean; offsetLag: bigint; size: bigint }[] }

describe('cluster > JBOD: two log.dirs, placement, AlterReplicaLogDirs under load and across a kill -9', function () {
  this.timeout(180_000);
  let broker: BrokerProcess;
  let dirs: string[];

  before(async () => {
    const base = tmpDir('samsa-jbod-');
    dirs = [join(base, 'disk-a'), join(base, 'disk-b')];
    broker = await BrokerProcess.create({
      brokerId: 1,
      dataDirs: dirs,
      properties: {
        'replica.alter.log.dirs.io.max.bytes.per.second': 300_000,
        'log.segment.bytes': 262_144,
        'offsets.topic.num.partitions': 1,
        'offsets.topic.replication.factor': 1,
        'group.initial.rebalance.delay.ms': 0,
        'default.replication.factor': 1,
        'min.insync.replicas': 1,
      },
    });
    await broker.start();
  });

  after(async () => {
    if (broker?.isAlive()) await broker.stop();
  });

  async function ask<K extends number>(apiKey: K, version: number, body: Parameters<KafkaSocket['request']>[2] & object) {
    const sock = await KafkaSocket.connect(broker.host, broker.port);
    try {
      return await sock.request(apiKey, version, body as never, 15_000);
    } finally {
      sock.close();
    }
  }

  async function describeLogDirs(): Promise<DirView[]> {
    const r = await ask(ApiKey.DescribeLogDirs, 2, { topics: null });
    return r.results.map((d) => ({
      logDir: d.logDir,
      errorCode: d.errorCode,
      replicas: d.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, isFuture: p.isFutureKey, offsetLag: p.offsetLag, size: p.partitionSize }))),
    }));
  }

  async function alter(path: string, topic: string, partition: number): Promise<number> {
    const r = await ask(ApiKey.AlterReplicaLogDirs, 2, { dirs: [{ path, topics: [{ name: topic, partitions: [partition] }] }] });
    return r.results[0]!.partitions[0]!.errorCode;
  }

  async function createTopic(topic: string, numPartitions: number): Promise<void> {
    const admin = new Admin({ brokers: [`${broker.host}:${broker.port}`] });
    try {
      await admin.createTopics([{ topic, numPartitions, replicationFactor: 1 }]);
    } finally {
      admin.close();
    }
  }

  it('places new partitions on the directory with the fewest and reports every directory', async () => {
    const topic = randomName('placed');
    await createTopic(topic, 4);
    const view = await describeLogDirs();
    expect(view.map((d) => d.logDir).sort()).to.deep.equal(dirs.map((d) => resolve(d)).sort());
    for (const d of view) {
      expect(d.errorCode).to.equal(ErrorCode.NONE);
      expect(d.replicas.filter((r) => r.topic === topic).length, `partitions of ${topic} in ${d.logDir}`).to.equal(2);
      expect(existsSync(join(d.logDir, 'meta.properties')), `meta.properties in ${d.logDir}`).to.equal(true);
    }
    expect(await alter('/nonexistent/dir', topic, 0)).to.equal(ErrorCode.LOG_DIR_NOT_FOUND);
    expect(await alter(dirs[0]!, topic, 99)).to.equal(ErrorCode.REPLICA_NOT_AVAILABLE);
  });

  it('moves a replica to the other directory under produce load; kill -9 mid-move, restart: the move completes, nothing lost, in order', async () => {
    const topic = randomName('moving');
    await createTopic(topic, 1);
    const source = (await describeLogDirs()).find((d) => d.replicas.some((r) => r.topic === topic))!.logDir;
    const destination = dirs.map((d) => resolve(d)).find((d) => d !== source)!;
    const bootstrap = `${broker.host}:${broker.port}`;
    const acked: number[] = [];
    let next = 0;
    const pad = 'x'.repeat(400);
    const produce = async (producer: Producer<string, string>, until: () => boolean): Promise<void> => {
      while (!until()) {
        const batch = Array.from({ length: 50 }, () => next++);
        await producer.sendBatch(batch.map((n) => ({ topic, partition: 0, key: null, value: `${n}:${pad}` })));
        acked.push(...batch);
      }
    };
    const newProducer = () => new Producer<string, string>({ brokers: [bootstrap], keySerializer: stringSerde.serialize, valueSerializer: stringSerde.serialize, lingerMs: 2 });

    // ~1.8 MB before the move: at 300 kB/s the copy takes seconds, long enough to be caught.
    let producer = newProducer();
    await produce(producer, () => next >= 4_000);
    let moving = true;
    const load = produce(producer, () => !moving);
    expect(await alter(destination, topic, 0)).to.equal(ErrorCode.NONE);
    await waitFor(async () => (await describeLogDirs()).find((d) => d.logDir === destination)?.replicas.some((r) => r.topic === topic && r.isFuture && r.offsetLag > 0n), 'a future replica with a lag in the destination', { timeoutMs: 10_000, intervalMs: 100 });
    expect(readdirSync(destination).some((n) => new RegExp(`^${topic}-0\\.[0-9a-f]+-future$`).test(n)), 'the -future directory on disk').to.equal(true);
    moving = false;
    await load;
    await producer.close();

    broker.signal('SIGKILL');
    await broker.waitExited();
    expect(readdirSync(destination).some((n) => n.startsWith(`${topic}-0.`) && n.endsWith('-future')), 'the future log survives the kill').to.equal(true);
    await broker.start();

    producer = newProducer();
    let done = false;
    const more = produce(producer, () => done || next >= 12_000);
    await waitFor(async () => {
      const view = await describeLogDirs();
      const inDest = view.find((d) => d.logDir === destination)!.replicas.filter((r) => r.topic === topic);
      const inSource = view.find((d) => d.logDir === source)!.replicas.filter((r) => r.topic === topic);
      return inDest.length === 1 && !inDest[0]!.isFuture && inSource.length === 0;
    }, 'the replica only in the destination, not future', { timeoutMs: 60_000, intervalMs: 200 });
    done = true;
    await more;
    await producer.close();
    expect(readdirSync(destination).filter((n) => n.startsWith(`${topic}-0`)), 'destination holds only the moved log').to.deep.equal([`${topic}-0`]);
    expect(readdirSync(source).filter((n) => n.startsWith(`${topic}-0`) && !n.endsWith('-delete')), 'source holds nothing of it').to.deep.equal([]);

    const consumer = new Consumer<string, string>({ brokers: [bootstrap], autoOffsetReset: 'earliest', keyDeserializer: stringSerde.deserialize, valueDeserializer: stringSerde.deserialize });
    try {
      consumer.assign([{ topic, partition: 0 }]);
      const seen: number[] = [];
      const deadline = Date.now() + 30_000;
      while (seen.length < acked.length && Date.now() < deadline) for (const r of await consumer.poll({ timeoutMs: 500, maxRecords: 10_000 })) seen.push(Number(r.value!.split(':')[0]));
      const ackedSet = new Set(acked);
      const seenSet = new Set(seen);
      expect(acked.filter((n) => !seenSet.has(n)).length, 'acknowledged records missing').to.equal(0);
      for (let i = 1; i < seen.length; i++) expect(seen[i]!, `order at ${i}`).to.be.greaterThan(seen[i - 1]!);
      expect(seen.filter((n) => ackedSet.has(n)).length).to.equal(acked.length);
    } finally {
      await consumer.close();
    }
  });

  it('reassign-partitions.sh with log_dirs moves a replica between directories and --verify reports it', async () => {
    const topic = randomName('planned');
    await createTopic(topic, 1);
    const source = (await describeLogDirs()).find((d) => d.replicas.some((r) => r.topic === topic))!.logDir;
    const destination = dirs.map((d) => resolve(d)).find((d) => d !== source)!;
    const zookeeper = /^zookeeper\.connect=(.*)$/m.exec(readFileSync(broker.configFile, 'utf8'))![1]!;
    const plan = join(broker.dir, 'plan.json');
    writeFileSync(plan, JSON.stringify({ version: 1, partitions: [{ topic, partition: 0, replicas: [1], log_dirs: [destination] }] }));
    const args = ['--zookeeper', zookeeper, '--bootstrap-server', `${broker.host}:${broker.port}`, '--reassignment-json-file', plan];
    const executed = await ok('reassign-partitions', [...args, '--execute']);
    expect(executed).to.contain(`Successfully started log directory move for: ${topic}-0-1`);
    await waitFor(async () => (await ok('reassign-partitions', [...args, '--verify'])).includes(`Reassignment of replica ${topic}-0-1 completed.`), 'the replica in its new directory', { timeoutMs: 30_000, intervalMs: 500 });
    const view = await describeLogDirs();
    expect(view.find((d) => d.logDir === destination)!.replicas.filter((r) => r.topic === topic).map((r) => r.isFuture)).to.deep.equal([false]);
    expect(view.find((d) => d.logDir === source)!.replicas.filter((r) => r.topic === topic)).to.deep.equal([]);
  });
});
