import { expect } from 'chai';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ApiKey, ErrorCode, iterateBatches, iterateRecords } from '../../../protocol/index.js';
import type { KafkaSocket } from '../../helpers/kafka-socket.js';
import { randomName } from '../../helpers/random.js';
import { testZkConnect } from '../../helpers/shared-zookeeper.js';
import { waitFor } from '../../helpers/wait-for.js';
import { batch, createTopic, fetch, produce, startTestBroker, type TestBroker, waitForController, waitForLeaders, waitForLeadership } from './fixture.js';

function values(records: Buffer | null): string[] {
  const out: string[] = [];
  if (records === null) return out;
  for (const b of iterateBatches(records)) for (const r of iterateRecords(records.subarray(b.start, b.end))) out.push(r.value!.toString());
  return out;
}

const metadataRequest = (topics: string[] | null, allowAutoTopicCreation = false) => ({
  topics: topics === null ? null : topics.map((name) => ({ name })),
  allowAutoTopicCreation,
  includeClusterAuthorizedOperations: false,
  includeTopicAuthorizedOperations: false,
});

describe('broker > admin APIs, routing errors and lifecycle (two in-process brokers)', function () {
  this.timeout(60_000);
  let brokers: TestBroker[];
  const sockets: KafkaSocket[] = [];
  let controllerId: number;

  async function sockTo(id: number): Promise<KafkaSocket> {
    const s = await brokers.find((b) => b.id === id)!.connect();
    sockets.push(s);
    return s;
  }

  before(async () => {
    const zk = testZkConnect('samsa-adm');
    brokers = [await startTestBroker(1, zk, { 'num.partitions': 2 }), await startTestBroker(2, zk, { 'num.partitions': 2 })];
    controllerId = await waitForController(brokers);
  });

  after(async () => {
    for (const s of sockets) s.close();
    for (const b of brokers ?? []) await b.stop();
  });

  it('Metadata lists both brokers with the controller id and cluster id; unknown topics are refused or auto-created', async () => {
    const s = await sockTo(1);
    const m = await s.request(ApiKey.Metadata, 8, metadataRequest([]));
    expect(m.brokers.map((b) => b.nodeId).sort()).to.deep.equal([1, 2]);
    expect(m.brokers.find((b) => b.nodeId === 2)!.port).to.equal(brokers[1]!.port);
    expect(m.controllerId).to.equal(controllerId);
    expect(m.clusterId).to.be.a('string').and.not.empty;
    const missing = randomName('missing');
    const refused = await s.request(ApiKey.Metadata, 8, metadataRequest([missing], false));
    expect(refused.topics[0]!.errorCode).to.equal(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const invalid = await s.request(ApiKey.Metadata, 8, metadataRequest(['bad name!'], true));
    expect(invalid.topics[0]!.errorCode).to.equal(ErrorCode.INVALID_TOPIC_EXCEPTION);
    const auto = randomName('auto');
    const first = await s.request(ApiKey.Metadata, 8, metadataRequest([auto], true));
    expect(first.topics[0]!.errorCode).to.equal(ErrorCode.LEADER_NOT_AVAILABLE);
    await waitFor(async () => {
      const r = await s.request(ApiKey.Metadata, 8, metadataRequest([auto], true));
      return r.topics[0]!.errorCode === ErrorCode.NONE && r.topics[0]!.partitions.length === 2 && r.topics[0]!.partitions.every((p) => p.leaderId > 0);
    }, `auto-created ${auto} with 2 led partitions`);
    const all = await s.request(ApiKey.Metadata, 8, metadataRequest(null));
    expect(all.topics.map((t) => t.name)).to.include(auto);
  });

  it('CreateTopics: NOT_CONTROLLER off the controller, INVALID_CONFIG, validate_only, TOPIC_ALREADY_EXISTS; then NOT_LEADER_OR_FOLLOWER on the wrong broker', async () => {
    const other = brokers.find((b) => b.id !== controllerId)!.id;
    const off = await sockTo(other);
    const ctl = await sockTo(controllerId);
    const topic = randomName('ct');
    expect(await createTopic(off, topic)).to.equal(ErrorCode.NOT_CONTROLLER);
    expect(await createTopic(ctl, randomName('bad'), 1, { 'retention.ms': 'soon' })).to.equal(ErrorCode.INVALID_CONFIG);
    expect(await createTopic(ctl, randomName('bad'), 1, { 'no.such.key': '1' })).to.equal(ErrorCode.INVALID_CONFIG);
    const dry = await ctl.request(ApiKey.CreateTopics, 4, { topics: [{ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: true });
    expect(dry.topics[0]!.errorCode).to.equal(ErrorCode.NONE);
    expect((await ctl.request(ApiKey.Metadata, 8, metadataRequest([topic]))).topics[0]!.errorCode).to.equal(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    // Manual assignment: the single partition lives on `other`.
    const created = await ctl.request(ApiKey.CreateTopics, 4, {
      topics: [{ name: topic, numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [other] }], configs: [{ name: 'retention.ms', value: '3600000' }] }],
      timeoutMs: 10_000,
      validateOnly: false,
    });
    expect(created.topics[0]!.errorCode).to.equal(ErrorCode.NONE);
    expect(await createTopic(ctl, topic)).to.equal(ErrorCode.TOPIC_ALREADY_EXISTS);
    const leaders = await waitForLeaders(brokers[0]!, topic, 1);
    expect(leaders).to.deep.equal([other]);
    await waitForLeadership(brokers.find((b) => b.id === other)!, topic, 0);
    const wrong = brokers.find((b) => b.id !== other)!;
    const wrongSock = await sockTo(wrong.id);
    expect((await produce(wrongSock, topic, 0, batch(['x']))).errorCode).to.equal(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect((await fetch(wrongSock, topic, 0, 0n)).errorCode).to.equal(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect((await produce(off, topic, 0, batch(['x']))).errorCode).to.equal(ErrorCode.NONE);
  });

  it('DescribeConfigs: topic overrides (DYNAMIC_TOPIC_CONFIG), broker values (STATIC / DEFAULT), synonyms; AlterConfigs validates and applies', async () => {
    const ctl = await sockTo(controllerId);
    const topic = randomName('cfg');
    expect(await createTopic(ctl, topic, 1, { 'retention.ms': '7200000' })).to.equal(ErrorCode.NONE);
    const d = await ctl.request(ApiKey.DescribeConfigs, 2, {
      resources: [
        { resourceType: 2, resourceName: topic, configurationKeys: ['retention.ms', 'segment.bytes'] },
        { resourceType: 4, resourceName: String(controllerId), configurationKeys: ['broker.id', 'num.network.threads', 'log.retention.hours', 'num.partitions'] },
        { resourceType: 2, resourceName: randomName('missing'), configurationKeys: null },
      ],
      includeSynonyms: true,
    });
    const [topicRes, brokerRes, missing] = d.results;
    expect(topicRes!.errorCode).to.equal(ErrorCode.NONE);
    const retention = topicRes!.configs.find((c) => c.name === 'retention.ms')!;
    expect(retention).to.include({ value: '7200000', configSource: 1, readOnly: false });
    // Kafka lists broker synonyms from log.retention.ms on, and it has no default: the override only.
    expect(retention.synonyms).to.deep.equal([{ name: 'retention.ms', value: '7200000', source: 1 }]);
    expect(topicRes!.configs.find((c) => c.name === 'segment.bytes')).to.include({ value: '1073741824', configSource: 5 });
    expect(brokerRes!.configs.find((c) => c.name === 'broker.id')).to.include({ value: String(controllerId), configSource: 4, readOnly: true });
    expect(brokerRes!.configs.find((c) => c.name === 'num.partitions')).to.include({ value: '2', configSource: 4 });
    expect(brokerRes!.configs.find((c) => c.name === 'log.retention.hours')).to.include({ value: '168', configSource: 5 });
    expect(missing!.errorCode).to.equal(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const v0 = await ctl.request(ApiKey.DescribeConfigs, 0, { resources: [{ resourceType: 2, resourceName: topic, configurationKeys: ['segment.bytes'] }], includeSynonyms: false });
    expect(v0.results[0]!.configs[0]).to.include({ isDefault: true });

    const bad = await ctl.request(ApiKey.AlterConfigs, 1, { resources: [{ resourceType: 2, resourceName: topic, configs: [{ name: 'max.message.bytes', value: 'big' }] }], validateOnly: false });
    expect(bad.responses[0]!.errorCode).to.equal(ErrorCode.INVALID_CONFIG);
    const ok = await ctl.request(ApiKey.AlterConfigs, 1, { resources: [{ resourceType: 2, resourceName: topic, configs: [{ name: 'max.message.bytes', value: '100' }] }], validateOnly: false });
    expect(ok.responses[0]!.errorCode).to.equal(ErrorCode.NONE);
    // The leader learns the new limit through /config/changes and enforces it.
    const leader = (await waitForLeaders(brokers[0]!, topic, 1))[0]!;
    await waitForLeadership(brokers.find((b) => b.id === leader)!, topic, 0);
    const ls = await sockTo(leader);
    await waitFor(async () => (await produce(ls, topic, 0, batch(['y'.repeat(200)]))).errorCode === ErrorCode.MESSAGE_TOO_LARGE, 'the altered max.message.bytes to apply');
  });

  it('CreatePartitions grows a topic; DeleteTopics removes it and its data on disk', async () => {
    const ctl = await sockTo(controllerId);
    const topic = randomName('grow');
    expect(await createTopic(ctl, topic, 1)).to.equal(ErrorCode.NONE);
    const grown = await ctl.request(ApiKey.CreatePartitions, 1, { topics: [{ name: topic, count: 3, assignments: null }], timeoutMs: 10_000, validateOnly: false });
    expect(grown.results[0]!.errorCode).to.equal(ErrorCode.NONE);
    const shrink = await ctl.request(ApiKey.CreatePartitions, 1, { topics: [{ name: topic, count: 2, assignments: null }], timeoutMs: 10_000, validateOnly: false });
    expect(shrink.results[0]!.errorCode).to.equal(ErrorCode.INVALID_PARTITIONS);
    const leaders = await waitForLeaders(brokers[0]!, topic, 3);
    for (let p = 0; p < 3; p++) {
      const b = brokers.find((x) => x.id === leaders[p])!;
      await waitForLeadership(b, topic, p);
      expect((await produce(await sockTo(b.id), topic, p, batch([`p${p}`]))).errorCode).to.equal(ErrorCode.NONE);
    }
    const dirs = () => brokers.flatMap((b) => readdirSync(b.logDir).filter((d) => d.startsWith(`${topic}-`)).map((d) => join(b.logDir, d)));
    expect(dirs()).to.have.length(3);
    const del = await ctl.request(ApiKey.DeleteTopics, 3, { topicNames: [topic], timeoutMs: 15_000 });
    expect(del.responses[0]!.errorCode).to.equal(ErrorCode.NONE);
    await waitFor(() => dirs().length === 0, `the log dirs of ${topic} to disappear`);
    expect((await ctl.request(ApiKey.Metadata, 8, metadataRequest([topic]))).topics[0]!.errorCode).to.equal(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const again = await ctl.request(ApiKey.DeleteTopics, 3, { topicNames: [topic], timeoutMs: 1000 });
    expect(again.responses[0]!.errorCode).to.equal(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('CreatePartitions with replica assignments right after CreateTopics (timeout 0) numbers them after ZooKeeper\'s partitions', async () => {
    // librdkafka's 0081_admin does exactly this; the controller's metadata cache does not know the
    // topic yet when the second request arrives, so the new partitions must not be numbered from it.
    const ctl = await sockTo(controllerId);
    const topic = randomName('grow-manual');
    const created = await ctl.request(ApiKey.CreateTopics, 4, {
      topics: [{ name: topic, numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }], configs: [] }],
      timeoutMs: 0,
      validateOnly: false,
    });
    expect(created.topics[0]!.errorCode).to.equal(ErrorCode.NONE);
    const grown = await ctl.request(ApiKey.CreatePartitions, 1, {
      topics: [{ name: topic, count: 3, assignments: [{ brokerIds: [2, 1] }, { brokerIds: [1, 2] }] }],
      timeoutMs: 0,
      validateOnly: false,
    });
    expect(grown.results[0]).to.include({ errorCode: ErrorCode.NONE, errorMessage: null });
    await waitForLeaders(brokers[0]!, topic, 3);
    const m = await ctl.request(ApiKey.Metadata, 8, metadataRequest([topic]));
    const replicas = m.topics[0]!.partitions.sort((a, b) => a.partitionIndex - b.partitionIndex).map((p) => p.replicaNodes);
    expect(replicas).to.deep.equal([[1, 2], [2, 1], [1, 2]]);
  });

  it('a restarted broker keeps its data and serves it again (clean shutdown marker written)', async () => {
    const ctl = await sockTo(controllerId);
    const topic = randomName('keep');
    const target = brokers.find((b) => b.id !== controllerId)!;
    const created = await ctl.request(ApiKey.CreateTopics, 4, {
      topics: [{ name: topic, numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [target.id] }], configs: [] }],
      timeoutMs: 10_000,
      validateOnly: false,
    });
    expect(created.topics[0]!.errorCode).to.equal(ErrorCode.NONE);
    await waitForLeadership(target, topic, 0);
    let s = await target.connect();
    for (let i = 0; i < 3; i++) expect((await produce(s, topic, 0, batch([`r${i}`]))).errorCode).to.equal(ErrorCode.NONE);
    s.close();
    await target.broker.stop();
    expect(existsSync(join(target.logDir, `${topic}-0`, '.samsa_cleanshutdown'))).to.equal(true);
    target.broker = (await import('../../../broker/broker.js')).createBroker({ config: target.broker.config, logger: (await import('../../../broker/index.js')).silentLogger(), shutdownDrainMs: 1000 });
    await target.broker.start();
    await waitForLeadership(target, topic, 0);
    s = await target.connect();
    sockets.push(s);
    const f = await fetch(s, topic, 0, 0n);
    expect(f.errorCode).to.equal(ErrorCode.NONE);
    expect(values(f.records)).to.deep.equal(['r0', 'r1', 'r2']);
    expect((await produce(s, topic, 0, batch(['after']))).baseOffset).to.equal(3n);
  });
});
