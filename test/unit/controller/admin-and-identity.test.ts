import { expect } from 'chai';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TopicAdmin, TopicAdminError, validateTopicName } from '../../../broker/admin/index.js';
import { MetaPropertiesError, readMetaProperties, resolveBrokerIdentity, writeMetaProperties } from '../../../broker/metadata/index.js';
import { encodeBrokerInfo } from '../../../coordination/index.js';
import { FakeZooKeeper } from '../../helpers/fake-coordination-store.js';
import { tmpDir } from '../../helpers/tmp.js';

async function errorCode(p: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    return err instanceof TopicAdminError ? err.kafkaError : (err as { code?: string }).code;
  }
  return undefined;
}

async function withBrokers(ids: number[]) {
  const zk = new FakeZooKeeper();
  const s = zk.session();
  await s.mkdirp('/brokers/ids');
  await s.mkdirp('/brokers/topics');
  for (const id of ids) {
    await s.create(`/brokers/ids/${id}`, encodeBrokerInfo({ id, endpoints: [], rack: null, jmxPort: -1, timestamp: 0n, version: 4 }), 'ephemeral');
  }
  return { zk, admin: new TopicAdmin(s, { defaultPartitions: 2, defaultReplicationFactor: 1, assignmentSeed: { startIndex: 0, replicaShift: 0 } }) };
}

describe('broker admin > topic operations', () => {
  const names: Array<[string, boolean]> = [
    ['orders', true],
    ['a.b_c-D9', true],
    ['x'.repeat(249), true],
    ['x'.repeat(250), false],
    ['', false],
    ['.', false],
    ['..', false],
    ['has space', false],
    ['slash/no', false],
    ['ünïcode', false],
  ];
  for (const [name, ok] of names) {
    it(`topic name ${JSON.stringify(name.length > 20 ? `${name.slice(0, 8)}…(${name.length})` : name)} is ${ok ? 'legal' : 'illegal'}`, async () => {
      expect(await errorCode(() => validateTopicName(name))).to.equal(ok ? undefined : 'INVALID_TOPIC_EXCEPTION');
    });
  }

  it('writes the config first, then the topic znode; defaults apply; warns on . and _', async () => {
    const { zk, admin } = await withBrokers([1, 2]);
    const r = await admin.createTopic({ name: 'my.topic', configs: { 'retention.ms': '1000' } });
    expect(r.warnings).to.have.length(1);
    expect(zk.text('/config/topics/my.topic')).to.equal('{"version":1,"config":{"retention.ms":"1000"}}');
    expect(zk.stat('/config/topics/my.topic')!.czxid < zk.stat('/brokers/topics/my.topic')!.czxid).to.equal(true);
    expect(zk.topicId('my.topic'), 'a random topic id (KIP-516)').to.match(/^[A-Za-z0-9_-]{22}$/);
    expect(zk.text('/brokers/topics/my.topic')).to.equal(`{"version":3,"topic_id":"${zk.topicId('my.topic')}","partitions":{"0":[1],"1":[2]},"adding_replicas":{},"removing_replicas":{}}`);
  });

  it('refuses: existing topic, colliding name, RF above live brokers, bad config, bad assignment', async () => {
    const { admin } = await withBrokers([1, 2]);
    await admin.createTopic({ name: 'a.b' });
    expect(await errorCode(admin.createTopic({ name: 'a.b' }))).to.equal('TOPIC_ALREADY_EXISTS');
    expect(await errorCode(admin.createTopic({ name: 'a_b' }))).to.equal('INVALID_TOPIC_EXCEPTION');
    expect(await errorCode(admin.createTopic({ name: 'rf', numPartitions: 1, replicationFactor: 3 }))).to.equal('INVALID_REPLICATION_FACTOR');
    expect(await errorCode(admin.createTopic({ name: 'cfg', configs: { 'retention.mss': '1' } }))).to.equal('INVALID_CONFIG');
    expect(await errorCode(admin.createTopic({ name: 'cfg', configs: { 'retention.ms': 'soon' } }))).to.equal('INVALID_CONFIG');
    expect(await errorCode(admin.createTopic({ name: 'm', assignment: new Map([[0, [1, 7]]]) }))).to.equal('INVALID_REPLICA_ASSIGNMENT');
    expect(await errorCode(admin.createTopic({ name: 'p', numPartitions: 0, replicationFactor: 1 }))).to.equal('INVALID_PARTITIONS');
    expect((await admin.createTopic({ name: 'v', validateOnly: true })).assignment.size).to.equal(2);
    expect(await admin.listTopics()).to.deep.equal(['a.b']);
  });

  it('delete marks the topic; add partitions must grow; unknown topics are reported', async () => {
    const { zk, admin } = await withBrokers([1, 2]);
    await admin.createTopic({ name: 't' });
    expect(await errorCode(admin.createPartitions('t', 2))).to.equal('INVALID_PARTITIONS');
    const added = await admin.createPartitions('t', 4);
    expect([...added.keys()]).to.deep.equal([2, 3]);
    expect(Object.keys(JSON.parse(zk.text('/brokers/topics/t')!).partitions)).to.deep.equal(['0', '1', '2', '3']);
    // A wire-style list of replica sets is numbered after ZooKeeper's partitions.
    const listed = await admin.createPartitions('t', 6, [[2, 1], [1, 2]]);
    expect([...listed.entries()]).to.deep.equal([[4, [2, 1]], [5, [1, 2]]]);
    expect(JSON.parse(zk.text('/brokers/topics/t')!).partitions['5']).to.deep.equal([1, 2]);
    expect(await errorCode(admin.createPartitions('t', 8, [[1, 2]]))).to.equal('INVALID_REPLICA_ASSIGNMENT');
    await admin.deleteTopic('t');
    expect(zk.stat('/admin/delete_topics/t')).to.not.equal(undefined);
    expect(await errorCode(admin.createPartitions('t', 9))).to.equal('INVALID_TOPIC_EXCEPTION');
    expect(await errorCode(admin.deleteTopic('nope'))).to.equal('UNKNOWN_TOPIC_OR_PARTITION');
  });

  it('config changes write the entity then a sequential notification', async () => {
    const { zk, admin } = await withBrokers([1]);
    await admin.createTopic({ name: 'c' });
    await admin.alterTopicConfig('c', { 'unclean.leader.election.enable': 'true' });
    expect(zk.text('/config/topics/c')).to.equal('{"version":1,"config":{"unclean.leader.election.enable":"true"}}');
    expect(zk.text('/config/changes/config_change_0000000000')).to.equal('{"version":2,"entity_path":"topics/c"}');
  });
});

describe('broker metadata > meta.properties and broker identity', () => {
  it('pins broker id and cluster id in every log dir; generated ids start above reserved.broker.max.id', async () => {
    const zk = new FakeZooKeeper();
    const dirs = [tmpDir(), tmpDir()];
    const id = await resolveBrokerIdentity(zk.session(), { configuredBrokerId: -1, logDirs: dirs, reservedBrokerMaxId: 1000, brokerIdGenerationEnable: true });
    expect(id.brokerId).to.equal(1001);
    for (const d of dirs) expect(readMetaProperties(d)).to.deep.equal({ brokerId: 1001, clusterId: id.clusterId });
    expect(readFileSync(join(dirs[0]!, 'meta.properties'), 'utf8')).to.match(/^#\n#.*\ncluster\.id=.*\nversion=0\nbroker\.id=1001\n$/);
    // Restarting with -1 keeps the pinned id rather than generating another.
    const again = await resolveBrokerIdentity(zk.session(), { configuredBrokerId: -1, logDirs: dirs, reservedBrokerMaxId: 1000, brokerIdGenerationEnable: true });
    expect(again).to.deep.equal(id);
  });

  it('refuses a log dir of another broker or another cluster', async () => {
    const zk = new FakeZooKeeper();
    const dir = tmpDir();
    await writeMetaProperties(dir, { brokerId: 5, clusterId: 'other-cluster-id-00000' });
    const err1 = await errorCode(resolveBrokerIdentity(zk.session(), { configuredBrokerId: 6, logDirs: [dir], reservedBrokerMaxId: 1000, brokerIdGenerationEnable: true }));
    expect(err1).to.equal('BRK_META_PROPERTIES');
    const err2 = await errorCode(resolveBrokerIdentity(zk.session(), { configuredBrokerId: 5, logDirs: [dir], reservedBrokerMaxId: 1000, brokerIdGenerationEnable: true }));
    expect(err2).to.equal('BRK_META_PROPERTIES');
    writeFileSync(join(dir, 'meta.properties'), 'version=1\nbroker.id=5\n');
    expect(() => readMetaProperties(dir)).to.throw(/unsupported meta.properties version/);
    // Read with the broker's one .properties reader: an ambiguous file is refused, naming the line.
    writeFileSync(join(dir, 'meta.properties'), 'version=0\nbroker.id=5\nbroker.id=6\n');
    expect(() => readMetaProperties(dir)).to.throw(MetaPropertiesError, /meta\.properties:3: "broker\.id" is set twice/);
  });

  it('a wiped log dir is stamped again with the configured id and the cluster id; one that fails on I/O starts offline', async () => {
    const zk = new FakeZooKeeper();
    const dir = tmpDir();
    const first = await resolveBrokerIdentity(zk.session(), { configuredBrokerId: 3, logDirs: [dir], reservedBrokerMaxId: 1000, brokerIdGenerationEnable: true });
    rmSync(join(dir, 'meta.properties'));
    const again = await resolveBrokerIdentity(zk.session(), { configuredBrokerId: 3, logDirs: [dir], reservedBrokerMaxId: 1000, brokerIdGenerationEnable: true });
    expect(again).to.deep.equal({ brokerId: 3, clusterId: first.clusterId, offlineLogDirs: [] });
    expect(readMetaProperties(dir)).to.deep.equal({ brokerId: 3, clusterId: first.clusterId });
    // A "directory" that is a file: creating it fails (EEXIST from mkdir), so it starts offline.
    const broken = join(tmpDir(), 'not-a-dir');
    writeFileSync(broken, '');
    const withBroken = await resolveBrokerIdentity(zk.session(), { configuredBrokerId: 3, logDirs: [dir, broken], reservedBrokerMaxId: 1000, brokerIdGenerationEnable: true });
    expect(withBroken.offlineLogDirs).to.deep.equal([broken]);
  });
});
