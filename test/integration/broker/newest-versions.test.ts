/**
 * Every data-path and admin API at Kafka 2.8's newest version, sent over a socket to a real
 * in-process broker (real ZooKeeper, real logs), checking what each new version adds: flexible
 * encodings, Fetch v12's diverging epoch, Metadata v10+'s topic ids and authorized operations,
 * CreateTopics v5's configs, DeleteTopics v5's messages, DescribeConfigs v3's types and
 * documentation; plus the DescribeConfigs synonym and message.format.version fixes.
 */
import { expect } from 'chai';
import { ApiKey, ErrorCode, iterateBatches, iterateRecords } from '../../../protocol/index.js';
import type { KafkaSocket } from '../../helpers/kafka-socket.js';
import { randomName } from '../../helpers/random.js';
import { testZkConnect } from '../../helpers/shared-zookeeper.js';
import { waitFor } from '../../helpers/wait-for.js';
import { batch, fetch, produce, startTestBroker, type TestBroker, waitForController, waitForLeadership } from './fixture.js';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
const INT32_MIN = -2147483648;
// AclOperation bits (READ 3, WRITE 4, CREATE 5, DELETE 6, ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9,
// DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12) Kafka answers without an authorizer.
const TOPIC_OPS = 3576; // READ..DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS
const CLUSTER_OPS = 8096; // CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE

function values(records: Buffer | null): string[] {
  const out: string[] = [];
  if (records === null) return out;
  for (const b of iterateBatches(records)) for (const r of iterateRecords(records.subarray(b.start, b.end))) out.push(r.value!.toString());
  return out;
}

describe('broker > data-path and admin APIs at Kafka 2.8 versions (one in-process broker)', function () {
  this.timeout(60_000);
  let broker: TestBroker;
  let sock: KafkaSocket;
  const topic = randomName('v28');

  const metadata = (version: number, names: string[] | null, extra: object = {}) =>
    sock.request(ApiKey.Metadata, version, {
      topics: names === null ? null : names.map((name) => ({ name })),
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
      ...extra,
    });

  before(async () => {
    // Only the hours are set: Kafka shows no log.retention.ms synonym then (it has no default).
    broker = await startTestBroker(1, testZkConnect('samsa-v28'), { 'log.retention.hours': 1 });
    await waitForController([broker]);
    sock = await broker.connect();
  });

  after(async () => {
    sock?.close();
    await broker?.stop();
  });

  it('CreateTopics v6 answers partitions, replication factor and every config with its source (v5)', async () => {
    const r = await sock.request(ApiKey.CreateTopics, 6, {
      topics: [
        { name: topic, numPartitions: 2, replicationFactor: 1, assignments: [], configs: [{ name: 'retention.ms', value: '7200000' }] },
        { name: 'bad name!', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
      ],
      timeoutMs: 15_000,
      validateOnly: false,
    }, 20_000);
    const [ok, bad] = r.topics;
    expect(ok).to.deep.include({ name: topic, errorCode: ErrorCode.NONE, errorMessage: null, numPartitions: 2, replicationFactor: 1 });
    const configs = new Map(ok!.configs!.map((c) => [c.name, c]));
    expect(configs.get('retention.ms')).to.include({ value: '7200000', configSource: 1, readOnly: false, isSensitive: false });
    expect(configs.get('segment.bytes')).to.include({ value: '1073741824', configSource: 5 });
    expect(configs.get('message.format.version')).to.include({ value: '2.8-IV1', configSource: 5 });
    expect(bad).to.deep.include({ errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, numPartitions: -1, replicationFactor: -1, configs: [] });
    expect(bad!.errorMessage).to.contain('illegal');
  });

  it('Metadata v11/v10: a non-zero topic id, the same after a broker restart; authorized operations only when asked', async () => {
    const m = await metadata(11, [topic]);
    const t = m.topics[0]!;
    expect(t.errorCode).to.equal(ErrorCode.NONE);
    expect(t.topicId).to.match(/^[A-Za-z0-9_-]{22}$/).and.not.equal(ZERO_UUID);
    expect(t.topicAuthorizedOperations).to.equal(INT32_MIN);
    expect(t.partitions.map((p) => p.partitionIndex).sort()).to.deep.equal([0, 1]);

    const asked = await metadata(10, [topic], { includeTopicAuthorizedOperations: true, includeClusterAuthorizedOperations: true });
    expect(asked.topics[0]!.topicAuthorizedOperations).to.equal(TOPIC_OPS);
    expect(asked.clusterAuthorizedOperations).to.equal(CLUSTER_OPS);
    // Kafka 2.8 does not look topics up by id.
    const byId = await sock.request(ApiKey.Metadata, 11, { topics: [{ topicId: t.topicId, name: null }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    expect(byId.topics.map((x) => x.errorCode)).to.deep.equal([ErrorCode.INVALID_REQUEST]);

    sock.close();
    await broker.restart();
    await waitForController([broker]);
    sock = await broker.connect();
    await waitFor(async () => (await metadata(11, [topic])).topics[0]!.topicId !== ZERO_UUID, 'the restarted broker to learn the topic again');
    expect((await metadata(11, [topic])).topics[0]!.topicId).to.equal(t.topicId);
  });

  it('Produce v9, Fetch v12 (diverging epoch), ListOffsets v6, OffsetForLeaderEpoch v4, DeleteRecords v2', async () => {
    await waitForLeadership(broker, topic, 0);
    const p = await produce(sock, topic, 0, batch(['a', 'b', 'c']), -1, 5_000, 9);
    expect(p).to.deep.include({ errorCode: ErrorCode.NONE, baseOffset: 0n, recordErrors: [], errorMessage: null });

    const f = await fetch(sock, topic, 0, 0n, { version: 12 });
    expect(f.errorCode).to.equal(ErrorCode.NONE);
    expect(values(f.records)).to.deep.equal(['a', 'b', 'c']);
    expect(f.divergingEpoch).to.deep.equal({ epoch: -1, endOffset: -1n });

    const fetch12 = (lastFetchedEpoch: number, fetchOffset: bigint) =>
      sock.request(ApiKey.Fetch, 12, {
        replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
        topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
        forgottenTopicsData: [], rackId: '',
      });
    // The records were written in the current leader epoch (the restart above bumped it).
    const epoch = (await metadata(11, [topic])).topics[0]!.partitions.find((x) => x.partitionIndex === 0)!.leaderEpoch!;
    // A fetcher that holds 5 offsets of this epoch where the leader has 3 must truncate to 3.
    const diverged = (await fetch12(epoch, 5n)).responses[0]!.partitions[0]!;
    expect(diverged.errorCode).to.equal(ErrorCode.NONE);
    expect(diverged.divergingEpoch).to.deep.equal({ epoch, endOffset: 3n });
    expect(diverged.records?.length ?? 0).to.equal(0);
    // A fetcher whose last epoch and offset agree with the log reads on.
    const agreed = (await fetch12(epoch, 1n)).responses[0]!.partitions[0]!;
    expect(agreed.divergingEpoch).to.deep.equal({ epoch: -1, endOffset: -1n });
    expect(values(agreed.records)).to.include('b');

    const lo = await sock.request(ApiKey.ListOffsets, 6, { replicaId: -1, isolationLevel: 0, topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n }] }] });
    expect(lo.topics[0]!.partitions[0]).to.deep.include({ errorCode: ErrorCode.NONE, offset: 3n, leaderEpoch: epoch });

    const ofe = await sock.request(ApiKey.OffsetForLeaderEpoch, 4, { replicaId: -1, topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: epoch }] }] });
    expect(ofe.topics[0]!.partitions[0]).to.deep.include({ errorCode: ErrorCode.NONE, leaderEpoch: epoch, endOffset: 3n });

    const dr = await sock.request(ApiKey.DeleteRecords, 2, { topics: [{ name: topic, partitions: [{ partitionIndex: 0, offset: 1n }] }], timeoutMs: 5_000 });
    expect(dr.topics[0]!.partitions[0]).to.deep.include({ errorCode: ErrorCode.NONE, lowWatermark: 1n });
  });

  it('DescribeConfigs v4: types, documentation when asked, only synonyms that exist; message.format.version described and alterable (AlterConfigs v2)', async () => {
    const describe = async (includeDocumentation: boolean) =>
      (await sock.request(ApiKey.DescribeConfigs, 4, {
        resources: [
          { resourceType: 2, resourceName: topic, configurationKeys: ['retention.ms', 'segment.bytes', 'message.format.version', 'cleanup.policy'] },
          { resourceType: 4, resourceName: '1', configurationKeys: ['log.retention.hours', 'log.retention.ms', 'log.message.format.version'] },
        ],
        includeSynonyms: true,
        includeDocumentation,
      })).results;
    const [topicRes, brokerRes] = await describe(true);
    const cfg = new Map(topicRes!.configs.map((c) => [c.name, c]));
    // retention.ms is a topic override; of the broker keys only log.retention.hours (file, and its
    // default) exists, and Kafka lists broker synonyms from log.retention.ms on: none here.
    expect(cfg.get('retention.ms')).to.deep.include({ value: '7200000', configSource: 1, configType: 5 });
    expect(cfg.get('retention.ms')!.synonyms).to.deep.equal([{ name: 'retention.ms', value: '7200000', source: 1 }]);
    expect(cfg.get('retention.ms')!.documentation).to.be.a('string').and.not.equal('');
    expect(cfg.get('segment.bytes')!.synonyms).to.deep.equal([{ name: 'log.segment.bytes', value: '1073741824', source: 5 }]);
    expect(cfg.get('cleanup.policy')).to.include({ value: 'delete', configType: 7 });
    expect(cfg.get('message.format.version')).to.deep.include({ value: '2.8-IV1', configSource: 5, configType: 2 });
    expect(cfg.get('message.format.version')!.synonyms).to.deep.equal([{ name: 'log.message.format.version', value: '2.8-IV1', source: 5 }]);
    const broker = new Map(brokerRes!.configs.map((c) => [c.name, c]));
    expect(broker.get('log.retention.hours')!.synonyms).to.deep.equal([
      { name: 'log.retention.hours', value: '1', source: 4 },
      { name: 'log.retention.hours', value: '168', source: 5 },
    ]);
    expect(broker.get('log.retention.ms')).to.deep.include({ value: null, configSource: 5, synonyms: [] });
    expect((await describe(false))[0]!.configs.every((c) => c.documentation === null)).to.equal(true);

    const alter = (value: string) => sock.request(ApiKey.AlterConfigs, 2, { resources: [{ resourceType: 2, resourceName: topic, configs: [{ name: 'message.format.version', value }] }], validateOnly: false });
    const refused = (await alter('9.9-IV9')).responses[0]!;
    expect(refused.errorCode).to.equal(ErrorCode.INVALID_CONFIG);
    expect(refused.errorMessage).to.contain('message.format.version');
    expect((await alter('2.1')).responses[0]!.errorCode).to.equal(ErrorCode.NONE);
    await waitFor(async () => (await describe(false))[0]!.configs.find((c) => c.name === 'message.format.version')?.value === '2.1', 'the override described');
  });

  it('CreatePartitions v3 and DeleteTopics v5 (per-topic error message)', async () => {
    const cp = await sock.request(ApiKey.CreatePartitions, 3, { topics: [{ name: topic, count: 3, assignments: null }], timeoutMs: 10_000, validateOnly: false }, 15_000);
    expect(cp.results[0]).to.deep.include({ errorCode: ErrorCode.NONE, errorMessage: null });
    const missing = randomName('missing');
    const dt = await sock.request(ApiKey.DeleteTopics, 5, { topicNames: [topic, missing], timeoutMs: 10_000 }, 15_000);
    const byName = new Map(dt.responses.map((r) => [r.name, r]));
    expect(byName.get(topic)).to.deep.include({ errorCode: ErrorCode.NONE, errorMessage: null });
    expect(byName.get(missing)!.errorCode).to.equal(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(byName.get(missing)!.errorMessage).to.be.a('string').and.not.equal('');
  });
});
