/**
 * zookeeper.set.acl with a digest identity, on 2 broker processes and a real ZooKeeper. Fault:
 * a client without the brokers' credentials tries to change Samsa's znodes. Invariants: the
 * znodes the brokers create carry Kafka's secure ACLs (the broker identity may do everything, the
 * world only read; SCRAM credentials not even read); the outsider's writes answer NO_AUTH and
 * change nothing; the brokers keep working (topic creation through the controller, replicated
 * acks=all produce, a SCRAM credential written under /config/users).
 */
import { expect } from 'chai';
import zookeeper from 'node-zookeeper-client';
import { digestId, isCoordinationError, ZkSession } from '../../../coordination/index.js';
import { ApiKey, ErrorCode, encodeRecordBatch } from '../../../protocol/index.js';
import { startCluster, type TestCluster } from '../../helpers/cluster.js';
import { KafkaSocket } from '../../helpers/kafka-socket.js';
import { randomName } from '../../helpers/random.js';
import { waitFor } from '../../helpers/wait-for.js';

const BROKERS = { username: 'samsa-broker', password: 'zk-secret' };

/**
 * ZooKeeper's own view of a znode's ACL, asked as the brokers' identity: ZooKeeper (3.6+) shows
 * digest ids as `user:x` to a caller without Read/Admin on the node. node-zookeeper-client's ACL
 * objects carry `permission`.
 */
function aclOf(connect: string, path: string): Promise<string[]> {
  const client = zookeeper.createClient(connect, { sessionTimeout: 6_000, retries: 0 });
  client.addAuthInfo('digest', Buffer.from(`${BROKERS.username}:${BROKERS.password}`));
  return new Promise((resolve, reject) => {
    client.once('connected', () =>
      client.getACL(path, (err, acls) => {
        client.close();
        if (err) reject(err);
        else resolve(acls.map((a) => `${a.id.scheme}:${a.id.id}=${(a as unknown as { permission: number }).permission}`));
      }),
    );
    client.connect();
  });
}

describe('cluster > ZooKeeper ACLs (zookeeper.set.acl with a digest identity)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  let outsider: ZkSession;
  const topic = randomName('zkacl');

  before(async () => {
    cluster = await startCluster({
      size: 2,
      properties: {
        'zookeeper.set.acl': true,
        'zookeeper.digest.username': BROKERS.username,
        'zookeeper.digest.password': BROKERS.password,
        'offsets.topic.replication.factor': 1,
      },
    });
    outsider = new ZkSession({ connect: cluster.zookeeperConnect, sessionTimeoutMs: 6_000 });
    await outsider.start();
  });

  after(async () => {
    await outsider?.close();
    await cluster?.stop();
  });

  async function ask<K extends number>(brokerId: number, apiKey: K, version: number, body: Parameters<KafkaSocket['request']>[2] & object) {
    const b = cluster.broker(brokerId);
    const sock = await KafkaSocket.connect(b.host, b.port);
    try {
      return await sock.request(apiKey, version, body as never, 15_000);
    } finally {
      sock.close();
    }
  }

  const refusal = async (what: Promise<unknown>): Promise<string> => {
    const err = await what.then(() => undefined, (e: unknown) => e);
    return isCoordinationError(err) ? err.code : `not refused (${String(err)})`;
  };

  it('brokers create topics and replicate with secured znodes; an unauthenticated client reads but cannot write them', async () => {
    const controller = (await cluster.metadata()).controllerId;
    const created = await ask(controller, ApiKey.CreateTopics, 5, { topics: [{ name: topic, numPartitions: 1, replicationFactor: 2, assignments: [], configs: [] }], timeoutMs: 10_000, validateOnly: false });
    expect(created.topics[0]!.errorCode).to.equal(ErrorCode.NONE);
    await waitFor(async () => ((await cluster.metadata(1, [topic])).topics[0]?.leaders[0] ?? -1) >= 0, 'a leader for the new topic');
    const leader = (await cluster.metadata(1, [topic])).topics[0]!.leaders[0]!;
    const produced = await ask(leader, ApiKey.Produce, 8, { transactionalId: null, acks: -1, timeoutMs: 10_000, topicData: [{ name: topic, partitionData: [{ index: 0, records: encodeRecordBatch([{ key: null, value: Buffer.from('v') }]) }] }] });
    expect(produced.responses[0]!.partitionResponses[0]!.errorCode, 'acks=all through both replicas').to.equal(ErrorCode.NONE);

    const brokerAcl = [`digest:${digestId(BROKERS)}=31`, 'world:anyone=1'];
    for (const path of ['/brokers/topics', `/brokers/topics/${topic}`, '/brokers/ids', '/controller_epoch']) {
      expect(await aclOf(cluster.zookeeperConnect, path), path).to.deep.equal(brokerAcl);
    }
    const before = await outsider.getData(`/brokers/topics/${topic}`);
    expect(before.data, 'the world may read the assignment').to.not.equal(null);
    expect(await refusal(outsider.setData(`/brokers/topics/${topic}`, Buffer.from('{"version":2,"partitions":{}}')))).to.equal('CRD_NO_AUTH');
    expect(await refusal(outsider.create(`/brokers/topics/${randomName('evil')}`, Buffer.from('{}')))).to.equal('CRD_NO_AUTH');
    expect(await refusal(outsider.remove(`/brokers/topics/${topic}`))).to.equal('CRD_NO_AUTH');
    expect(await refusal(outsider.create('/controller', Buffer.from('{"brokerid":99}'), 'ephemeral')), 'no stealing the controller').to.be.oneOf(['CRD_NO_AUTH', 'CRD_NODE_EXISTS']);
    const after = await outsider.getData(`/brokers/topics/${topic}`);
    expect(after.stat.version, 'nothing changed').to.equal(before.stat.version);
    expect(after.data?.equals(before.data!)).to.equal(true);
  });

  it('SCRAM credentials under /config/users are not even readable without the broker identity', async () => {
    const altered = await ask(1, ApiKey.AlterUserScramCredentials, 0, { deletions: [], upsertions: [{ name: 'zk-alice', mechanism: 1, iterations: 4096, salt: Buffer.from('salt-salt-salt'), saltedPassword: Buffer.alloc(32, 7) }] });
    expect(altered.results.map((r) => r.errorCode)).to.deep.equal([ErrorCode.NONE]);
    expect(await aclOf(cluster.zookeeperConnect, '/config/users/zk-alice')).to.deep.equal([`digest:${digestId(BROKERS)}=31`]);
    expect(await refusal(outsider.getData('/config/users/zk-alice'))).to.equal('CRD_NO_AUTH');
  });
});
