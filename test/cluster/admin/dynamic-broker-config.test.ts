/**
 * Dynamic broker configs and IncrementalAlterConfigs on 3 broker processes (real ZooKeeper):
 * a change to `/config/brokers/<default>` or `/config/brokers/<id>` is stored in Kafka's JSON,
 * announced under /config/changes and applied by every running broker without a restart. The
 * invariant checked is what a producer notices: a record above the dynamic message.max.bytes is
 * refused by every leader, a per-broker value wins on that broker only, and a dynamic
 * min.insync.replicas above the ISR makes acks=all writes fail with NOT_ENOUGH_REPLICAS.
 */
import { expect } from 'chai';
import { Kafka, logLevel } from 'kafkajs';
import { Producer, stringSerde } from '../../../client/index.js';
import { ZkSession } from '../../../coordination/index.js';
import { ApiKey, ErrorCode } from '../../../protocol/index.js';
import { startCluster, type TestCluster } from '../../helpers/cluster.js';
import { KafkaSocket } from '../../helpers/kafka-socket.js';
import { ok, runTool } from '../cli/run-tool.js';
import { randomName } from '../../helpers/random.js';
import { waitFor } from '../../helpers/wait-for.js';

const BROKER = 4;
const TOPIC = 2;
const SET = 0;
const DELETE = 1;
const APPEND = 2;
const SUBTRACT = 3;

describe('cluster > dynamic broker configs (AlterConfigs, IncrementalAlterConfigs, DescribeConfigs on BROKER resources)', function () {
  this.timeout(180_000);
  let cluster: TestCluster;
  let zk: ZkSession;
  const topic = randomName('dyn');

  before(async () => {
    cluster = await startCluster({ size: 3, properties: { 'auto.leader.rebalance.enable': false } });
    zk = new ZkSession({ connect: cluster.zookeeperConnect, sessionTimeoutMs: 10_000 });
    await zk.start();
    const kafka = new Kafka({ clientId: 'samsa-dyn', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 8 } });
    const admin = kafka.admin();
    await admin.connect();
    try {
      // One partition led by each broker.
      await admin.createTopics({ topics: [{ topic, replicaAssignment: [[1, 2, 3], [2, 3, 1], [3, 1, 2]].map((replicas, partition) => ({ partition, replicas })) }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
    await waitFor(async () => {
      for (const b of cluster.brokers) if (JSON.stringify((await cluster.metadata(b.brokerId, [topic])).topics[0]?.leaders) !== '[1,2,3]') return false;
      return true;
    }, 'partition p led by broker p+1 everywhere');
  });

  after(async () => {
    await zk?.close();
    await cluster?.stop();
  });

  async function ask<K extends number>(brokerId: number, apiKey: K, version: number, body: object) {
    const b = cluster.broker(brokerId);
    const sock = await KafkaSocket.connect(b.host, b.port);
    try {
      return await sock.request(apiKey, version, body as never, 15_000);
    } finally {
      sock.close();
    }
  }

  const incremental = (brokerId: number, resourceType: number, resourceName: string, configs: { name: string; configOperation: number; value: string | null }[], validateOnly = false) =>
    ask(brokerId, ApiKey.IncrementalAlterConfigs, 1, { resources: [{ resourceType, resourceName, configs }], validateOnly });

  async function describeBroker(brokerId: number, keys: string[] | null, resourceName = String(brokerId)) {
    const r = await ask(brokerId, ApiKey.DescribeConfigs, 2, { resources: [{ resourceType: BROKER, resourceName, configurationKeys: keys }], includeSynonyms: true });
    expect(r.results[0]!.errorCode).to.equal(ErrorCode.NONE);
    return r.results[0]!.configs;
  }

  /** The error name a producer gets for one record of `size` bytes to partition `p` (null: accepted). */
  async function produce(partition: number, size: number): Promise<string | null> {
    const producer = new Producer<string, string>({
      brokers: [cluster.bootstrap],
      acks: -1,
      idempotent: false,
      retries: 1,
      deliveryTimeoutMs: 5_000,
      keySerializer: stringSerde.serialize,
      valueSerializer: stringSerde.serialize,
    });
    try {
      await producer.send({ topic, partition, value: 'x'.repeat(size) });
      return null;
    } catch (err) {
      return String((err as Error).message);
    } finally {
      await producer.close().catch(() => undefined);
    }
  }

  async function storedConfig(entity: string): Promise<unknown> {
    return JSON.parse((await zk.getData(`/config/brokers/${entity}`)).data!.toString('utf8'));
  }

  it('the cluster-wide default (resource "") is stored in /config/brokers/<default> and every broker applies it live', async () => {
    const r = await incremental(1, BROKER, '', [
      { name: 'message.max.bytes', configOperation: SET, value: '2000' },
      { name: 'log.retention.ms', configOperation: SET, value: '3600000' },
    ]);
    expect(r.responses[0]!.errorCode, r.responses[0]!.errorMessage ?? '').to.equal(ErrorCode.NONE);
    expect(await storedConfig('<default>')).to.deep.equal({ version: 1, config: { 'message.max.bytes': '2000', 'log.retention.ms': '3600000' } });
    const notes = await zk.getChildren('/config/changes');
    const bodies = await Promise.all(notes.map(async (n) => JSON.parse((await zk.getData(`/config/changes/${n}`)).data!.toString('utf8'))));
    expect(bodies).to.deep.include({ version: 2, entity_path: 'brokers/<default>' });

    for (const b of cluster.brokers) {
      await waitFor(async () => (await describeBroker(b.brokerId, ['message.max.bytes']))[0]?.value === '2000', `broker ${b.brokerId} applies message.max.bytes`);
      const [entry] = await describeBroker(b.brokerId, ['message.max.bytes']);
      expect(entry!.configSource).to.equal(3); // DYNAMIC_DEFAULT_BROKER_CONFIG
      expect(entry!.readOnly).to.equal(false);
      expect(entry!.synonyms!.map((s) => [s.source, s.value])).to.deep.equal([[3, '2000'], [5, '1048588']]);
      const t = await ask(b.brokerId, ApiKey.DescribeConfigs, 2, { resources: [{ resourceType: TOPIC, resourceName: topic, configurationKeys: ['retention.ms'] }], includeSynonyms: true });
      expect(t.results[0]!.configs[0]!.value).to.equal('3600000');
      expect(t.results[0]!.configs[0]!.configSource).to.equal(3);
    }
    // What a producer notices, on every leader: a 3000-byte record is now too large.
    for (const p of [0, 1, 2]) expect(await produce(p, 3000), `partition ${p}`).to.match(/MESSAGE_TOO_LARGE|RECORD_TOO_LARGE/);
    expect(await produce(0, 100)).to.equal(null);
    const defaults = await describeBroker(2, null, '');
    expect(defaults.map((c) => [c.name, c.value, c.configSource])).to.deep.equal([['message.max.bytes', '2000', 3], ['log.retention.ms', '3600000', 3]]);
  });

  it('a per-broker value (AlterConfigs on "2", sent to broker 2) wins on broker 2 only; another broker refuses that resource', async () => {
    const wrong = await ask(1, ApiKey.AlterConfigs, 1, { resources: [{ resourceType: BROKER, resourceName: '2', configs: [{ name: 'message.max.bytes', value: '5000' }] }], validateOnly: false });
    expect(wrong.responses[0]!.errorCode).to.equal(ErrorCode.INVALID_REQUEST);
    expect(wrong.responses[0]!.errorMessage).to.equal('Unexpected broker id, expected 1, but received 2');
    const r = await ask(2, ApiKey.AlterConfigs, 1, { resources: [{ resourceType: BROKER, resourceName: '2', configs: [{ name: 'message.max.bytes', value: '5000' }] }], validateOnly: false });
    expect(r.responses[0]!.errorCode).to.equal(ErrorCode.NONE);
    expect(await storedConfig('2')).to.deep.equal({ version: 1, config: { 'message.max.bytes': '5000' } });
    await waitFor(async () => (await describeBroker(2, ['message.max.bytes']))[0]?.value === '5000', 'broker 2 applies its own value');
    const [entry] = await describeBroker(2, ['message.max.bytes']);
    expect(entry!.synonyms!.map((s) => [s.source, s.value])).to.deep.equal([[2, '5000'], [3, '2000'], [5, '1048588']]);
    expect(await produce(1, 3000)).to.equal(null); // partition 1 is led by broker 2
    expect(await produce(0, 3000)).to.match(/MESSAGE_TOO_LARGE|RECORD_TOO_LARGE/);
    expect(await produce(2, 3000)).to.match(/MESSAGE_TOO_LARGE|RECORD_TOO_LARGE/);
  });

  it('a dynamic min.insync.replicas above the ISR fails acks=all writes on every leader; DELETE restores them', async () => {
    expect((await incremental(3, BROKER, '', [{ name: 'min.insync.replicas', configOperation: SET, value: '4' }])).responses[0]!.errorCode).to.equal(ErrorCode.NONE);
    for (const b of cluster.brokers) await waitFor(async () => (await describeBroker(b.brokerId, ['min.insync.replicas']))[0]?.value === '4', `broker ${b.brokerId} applies min.insync.replicas`);
    for (const p of [0, 1, 2]) expect(await produce(p, 10), `partition ${p}`).to.match(/NOT_ENOUGH_REPLICAS/);
    expect((await incremental(3, BROKER, '', [{ name: 'min.insync.replicas', configOperation: DELETE, value: null }])).responses[0]!.errorCode).to.equal(ErrorCode.NONE);
    for (const b of cluster.brokers) await waitFor(async () => (await describeBroker(b.brokerId, ['min.insync.replicas']))[0]?.value === '1', `broker ${b.brokerId} back to min.insync.replicas 1`);
    for (const p of [0, 1, 2]) expect(await produce(p, 10), `partition ${p}`).to.equal(null);
  });

  it('refuses what Kafka refuses, with INVALID_CONFIG / INVALID_REQUEST, and validateOnly writes nothing', async () => {
    const codeOf = async (configs: { name: string; configOperation: number; value: string | null }[], validateOnly = false) => (await incremental(1, BROKER, '1', configs, validateOnly)).responses[0]!;
    const fixed = await codeOf([{ name: 'broker.id', configOperation: SET, value: '7' }]);
    expect([fixed.errorCode, fixed.errorMessage]).to.deep.equal([ErrorCode.INVALID_CONFIG, 'Cannot update these configs dynamically: broker.id']);
    expect((await codeOf([{ name: 'num.io.threads', configOperation: SET, value: '4' }])).errorCode).to.equal(ErrorCode.INVALID_CONFIG);
    expect((await codeOf([{ name: 'no.such.key', configOperation: SET, value: '4' }])).errorCode).to.equal(ErrorCode.INVALID_CONFIG);
    expect((await codeOf([{ name: 'message.max.bytes', configOperation: SET, value: 'lots' }])).errorCode).to.equal(ErrorCode.INVALID_CONFIG);
    expect((await codeOf([{ name: 'message.max.bytes', configOperation: APPEND, value: '1' }])).errorCode).to.equal(ErrorCode.INVALID_REQUEST);
    const dup = await codeOf([{ name: 'message.max.bytes', configOperation: SET, value: '1' }, { name: 'message.max.bytes', configOperation: DELETE, value: null }]);
    expect(dup.errorCode).to.equal(ErrorCode.INVALID_REQUEST);
    expect((await codeOf([{ name: 'log.retention.ms', configOperation: SET, value: '1000' }], true)).errorCode).to.equal(ErrorCode.NONE);
    // librdkafka's admin test alters this Kerberos key as its valid broker config; Kafka takes it live.
    const kerberos = await ask(1, ApiKey.AlterConfigs, 1, { resources: [{ resourceType: BROKER, resourceName: '1', configs: [{ name: 'sasl.kerberos.min.time.before.relogin', value: '58000' }] }], validateOnly: true });
    expect(kerberos.responses[0]!.errorCode).to.equal(ErrorCode.NONE);
    expect(await zk.exists('/config/brokers/1')).to.equal(null);
  });

  it('IncrementalAlterConfigs on a topic: APPEND and SUBTRACT on a list key, DELETE, other keys kept; KafkaJS alters a broker resource', async () => {
    const ops = async (configs: { name: string; configOperation: number; value: string | null }[]) => {
      const r = await incremental(2, TOPIC, topic, configs);
      expect(r.responses[0]!.errorCode, r.responses[0]!.errorMessage ?? '').to.equal(ErrorCode.NONE);
      return JSON.parse((await zk.getData(`/config/topics/${topic}`)).data!.toString('utf8')).config;
    };
    expect(await ops([{ name: 'retention.ms', configOperation: SET, value: '60000' }])).to.deep.equal({ 'retention.ms': '60000' });
    expect(await ops([{ name: 'cleanup.policy', configOperation: APPEND, value: 'compact' }])).to.deep.equal({ 'retention.ms': '60000', 'cleanup.policy': 'delete,compact' });
    expect(await ops([{ name: 'cleanup.policy', configOperation: SUBTRACT, value: 'delete' }])).to.deep.equal({ 'retention.ms': '60000', 'cleanup.policy': 'compact' });
    expect(await ops([{ name: 'retention.ms', configOperation: DELETE, value: null }])).to.deep.equal({ 'cleanup.policy': 'compact' });
    const bad = await incremental(2, TOPIC, topic, [{ name: 'retention.ms', configOperation: SUBTRACT, value: '1' }]);
    expect(bad.responses[0]!.errorCode).to.equal(ErrorCode.INVALID_REQUEST);
    expect((await incremental(2, TOPIC, 'no-such-topic', [{ name: 'retention.ms', configOperation: SET, value: '1' }])).responses[0]!.errorCode).to.equal(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);

    const kafka = new Kafka({ clientId: 'samsa-dyn-kafkajs', brokers: [`${cluster.broker(3).host}:${cluster.broker(3).port}`], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      // KafkaJS refuses the "" (default) resource name; it sends a broker id to that broker.
      await admin.alterConfigs({ validateOnly: false, resources: [{ type: BROKER, name: '3', configEntries: [{ name: 'log.retention.ms', value: '7200000' }] }] });
      await waitFor(async () => (await describeBroker(3, ['log.retention.ms']))[0]?.value === '7200000', 'broker 3 applies the KafkaJS change');
      const d = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: BROKER, name: '3', configNames: ['log.retention.ms'] }] });
      expect(d.resources[0]!.configEntries[0]!.configValue).to.equal('7200000');
      expect(await storedConfig('3')).to.deep.equal({ version: 1, config: { 'log.retention.ms': '7200000' } });
    } finally {
      await admin.disconnect();
    }
  });

  it('configs.sh --entity-type brokers: --entity-default and --entity-name alter, describe and delete dynamic configs', async () => {
    const bs = ['--bootstrap-server', cluster.bootstrap, '--entity-type', 'brokers'];
    expect(await ok('configs', [...bs, '--entity-default', '--alter', '--add-config', 'log.retention.bytes=123456789'])).to.contain('Completed updating default config for brokers in the cluster.');
    const defaults = await ok('configs', [...bs, '--entity-default', '--describe']);
    expect(defaults).to.contain('Default configs for brokers in the cluster are:');
    expect(defaults).to.contain('  log.retention.bytes=123456789 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.bytes=123456789}');
    expect(await ok('configs', [...bs, '--entity-name', '1', '--alter', '--add-config', 'message.max.bytes=9000'])).to.contain('Completed updating config for broker 1.');
    await waitFor(async () => (await ok('configs', [...bs, '--entity-name', '1', '--describe'])).includes('  message.max.bytes=9000 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:'), 'broker 1 shows its dynamic value');
    await ok('configs', [...bs, '--entity-name', '1', '--alter', '--delete-config', 'message.max.bytes']);
    expect(await ok('configs', [...bs, '--entity-name', '1', '--describe'])).not.to.contain('message.max.bytes');
    expect(await storedConfig('1')).to.deep.equal({ version: 1, config: {} });
    const refused = await runTool('configs', [...bs, '--entity-name', '1', '--alter', '--add-config', 'broker.id=5']);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.contain('INVALID_CONFIG');
  });
});
