/**
 * The ACL matrix against 2 broker processes with `authorizer.class.name=AclAuthorizer` (real
 * ZooKeeper, real sockets, raw Kafka requests). The principal is the connection's (PLAINTEXT:
 * User:ANONYMOUS). ACLs are granted the way `kafka-acls.sh --authorizer-properties
 * zookeeper.connect=…` does, by an AclAuthorizer writing ZooKeeper from the test process, and
 * later through CreateAcls itself. Fault: none; the invariants are Kafka's answers: an
 * unauthorized request gets its API's authorization error and changes nothing (no topic, no
 * record, no offset, no ACL); a grant works on every broker within a second (change
 * notification → cache, no ZooKeeper read per check); DENY beats ALLOW; PREFIXED patterns match.
 */
import { expect } from 'chai';
import { pino } from 'pino';
import { ZkSession } from '../../../coordination/index.js';
import { AclAuthorizer, AclOperation as Op, AclPermission, PatternType, ResourceType as Res, type AclBinding } from '../../../broker/security/index.js';
import { ApiKey, apiName, ErrorCode, encodePlainToken, encodeRecordBatch } from '../../../protocol/index.js';
import { startCluster, type TestCluster } from '../../helpers/cluster.js';
import { KafkaSocket } from '../../helpers/kafka-socket.js';
import { randomName } from '../../helpers/random.js';
import { waitFor } from '../../helpers/wait-for.js';
import { ok, runTool } from '../cli/run-tool.js';
import { ALONGSIDE, errorCodesIn, goldenRequest, HIDDEN, HIDDEN_LISTING, UNAUTHORIZED_ANSWER } from './api-sweep.js';

const ANONYMOUS = 'User:ANONYMOUS';
const JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-pw" user_admin="admin-pw" user_alice="alice-pw" user_bob="bob-pw";';
const GRANT_DEADLINE_MS = 1_000;

const acl = (resourceType: number, name: string, operation: number, permission: number = AclPermission.ALLOW, patternType: number = PatternType.LITERAL, principal = ANONYMOUS): AclBinding => ({
  pattern: { resourceType: resourceType as never, name, patternType: patternType as never },
  entry: { principal, host: '*', operation: operation as never, permission: permission as never },
});

describe('cluster > ACL authorization matrix (AclAuthorizer, 2 brokers)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  let zk: ZkSession;
  let aclTool: AclAuthorizer;
  const topic = randomName('acl-t');
  const group = randomName('acl-g');
  const grantLatencies: number[] = [];

  before(async () => {
    cluster = await startCluster({
      size: 2,
      extraListeners: ['SASL_PLAINTEXT'],
      properties: {
        'sasl.enabled.mechanisms': 'PLAIN',
        'listener.name.sasl_plaintext.plain.sasl.jaas.config': JAAS,
        'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer',
        'super.users': 'User:admin',
        'offsets.topic.num.partitions': 1,
        'offsets.topic.replication.factor': 1,
        'default.replication.factor': 2,
        'min.insync.replicas': 1,
        'group.initial.rebalance.delay.ms': 0,
      },
    });
    zk = new ZkSession({ connect: cluster.zookeeperConnect, sessionTimeoutMs: 6_000 });
    await zk.start();
    aclTool = new AclAuthorizer({ store: zk, logger: pino({ level: 'silent' }), superUsers: new Set(), allowEveryoneIfNoAclFound: false });
    await aclTool.start();
  });

  after(async () => {
    aclTool?.stop();
    await zk?.close();
    await cluster?.stop();
    if (grantLatencies.length > 0) console.log(`      grant → effective on every broker: ${grantLatencies.map((l) => `${l} ms`).join(', ')}`);
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

  /** A connection authenticated as `user` (SASL PLAIN on the SASL_PLAINTEXT listener). */
  async function connectAs(brokerId: number, user: string): Promise<KafkaSocket> {
    const sock = await KafkaSocket.connect('127.0.0.1', cluster.broker(brokerId).listenerPort('SASL_PLAINTEXT'));
    expect((await sock.request(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' })).errorCode).to.equal(ErrorCode.NONE);
    const auth = await sock.request(ApiKey.SaslAuthenticate, 1, { authBytes: encodePlainToken(user, `${user}-pw`) });
    expect(auth.errorCode, auth.errorMessage ?? '').to.equal(ErrorCode.NONE);
    return sock;
  }

  /** Grants through ZooKeeper and waits (≤ 1 s) until `works(brokerId)` holds on every broker. */
  async function grant(bindings: AclBinding[], works: (brokerId: number) => Promise<boolean>, what: string): Promise<void> {
    expect(await aclTool.createAcls(bindings)).to.deep.equal(bindings.map(() => undefined));
    const t0 = Date.now();
    await Promise.all(cluster.brokers.map((b) => waitFor(() => works(b.brokerId), `${what} on broker ${b.brokerId} after the grant`, { timeoutMs: GRANT_DEADLINE_MS, intervalMs: 20 })));
    grantLatencies.push(Date.now() - t0);
  }

  const metadata = (brokerId: number, topics: string[] | null, allowAutoTopicCreation = false) =>
    ask(brokerId, ApiKey.Metadata, 9, { topics: topics === null ? null : topics.map((name) => ({ name })), allowAutoTopicCreation, includeClusterAuthorizedOperations: true, includeTopicAuthorizedOperations: true });
  const createTopic = (brokerId: number, name: string) =>
    ask(brokerId, ApiKey.CreateTopics, 5, { topics: [{ name, numPartitions: 1, replicationFactor: 2, assignments: [], configs: [] }], timeoutMs: 10_000, validateOnly: false });
  const produce = (brokerId: number, value: string) =>
    ask(brokerId, ApiKey.Produce, 8, { transactionalId: null, acks: -1, timeoutMs: 10_000, topicData: [{ name: topic, partitionData: [{ index: 0, records: encodeRecordBatch([{ key: null, value: Buffer.from(value) }]) }] }] });
  /** Whether `op` is in the topic's authorized operations as broker `id` sees them (a read: the grant waits use it). */
  const topicAllows = async (id: number, op: number): Promise<boolean> => (((await metadata(id, [topic])).topics[0]!.topicAuthorizedOperations ?? 0) & (1 << op)) !== 0;
  const leaderOf = async (): Promise<number> => (await metadata(1, [topic])).topics[0]!.partitions[0]!.leaderId;
  const endOffset = async (): Promise<bigint> =>
    (await ask(await leaderOf(), ApiKey.ListOffsets, 5, { replicaId: -1, isolationLevel: 0, topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n }] }] })).topics[0]!.partitions[0]!.offset ?? -1n;
  const fetchPartition = async (brokerId: number) =>
    (await ask(brokerId, ApiKey.Fetch, 11, {
      replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }], forgottenTopicsData: [], rackId: '',
    })).responses[0]!.partitions[0]!;
  const fetchCode = async (brokerId: number): Promise<number> => (await fetchPartition(brokerId)).errorCode;

  it('without ACLs: topics are hidden or refused, nothing is created, cluster/group/txn APIs answer their authorization errors', async () => {
    for (const b of cluster.brokers) {
      const all = await metadata(b.brokerId, null);
      expect(all.topics.map((t) => t.name), 'all-topics metadata hides unauthorized topics').to.deep.equal([]);
      const named = await metadata(b.brokerId, [topic], true);
      expect(named.topics.map((t) => [t.name, t.errorCode])).to.deep.equal([[topic, ErrorCode.TOPIC_AUTHORIZATION_FAILED]]);
      expect(named.clusterAuthorizedOperations).to.equal(0);
    }
    expect((await createTopic(1, topic)).topics[0]!.errorCode).to.equal(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    expect(await zk.exists(`/brokers/topics/${topic}`), 'neither auto-creation nor CreateTopics created the topic').to.equal(null);
    expect((await ask(1, ApiKey.FindCoordinator, 2, { key: group, keyType: 0 })).errorCode).to.equal(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    expect((await ask(1, ApiKey.FindCoordinator, 2, { key: 'tx', keyType: 1 })).errorCode).to.equal(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    expect((await ask(1, ApiKey.InitProducerId, 2, { transactionalId: null, transactionTimeoutMs: 60_000 })).errorCode).to.equal(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    expect((await ask(1, ApiKey.InitProducerId, 2, { transactionalId: 'tx', transactionTimeoutMs: 60_000 })).errorCode).to.equal(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    expect((await ask(1, ApiKey.DescribeCluster, 0, { includeClusterAuthorizedOperations: true })).errorCode).to.equal(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    expect((await ask(1, ApiKey.JoinGroup, 5, { groupId: group, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }] })).errorCode).to.equal(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    expect((await ask(1, ApiKey.ListGroups, 3, {})).groups).to.deep.equal([]);
    const created = await ask(1, ApiKey.CreateAcls, 1, { creations: [{ resourceType: Res.TOPIC, resourceName: '*', resourcePatternType: PatternType.LITERAL, principal: ANONYMOUS, host: '*', operation: Op.ALL, permissionType: AclPermission.ALLOW }] });
    expect(created.results[0]!.errorCode).to.equal(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    expect((await ask(1, ApiKey.DescribeAcls, 1, { resourceTypeFilter: Res.ANY, resourceNameFilter: null, patternTypeFilter: PatternType.ANY, principalFilter: null, hostFilter: null, operation: Op.ANY, permissionType: AclPermission.ANY })).errorCode).to.equal(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    expect(await zk.exists('/kafka-acl/Topic/*'), 'the refused CreateAcls wrote nothing').to.equal(null);
  });

  it('a Create grant lets CreateTopics work on every broker within a second; Produce needs Write, Fetch Read (PREFIXED)', async () => {
    await grant([acl(Res.TOPIC, topic, Op.CREATE), acl(Res.TOPIC, topic, Op.DESCRIBE)], async (id) => (await metadata(id, [topic])).topics[0]!.errorCode !== ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Describe');
    const controller = (await metadata(1, [])).controllerId ?? -1;
    expect((await createTopic(controller, topic)).topics[0]!.errorCode).to.equal(ErrorCode.NONE);
    await waitFor(async () => (await metadata(1, [topic])).topics[0]!.partitions[0]?.leaderId !== undefined, 'the topic has a leader');
    const leader = await leaderOf();
    expect((await produce(leader, 'refused')).responses[0]!.partitionResponses[0]!.errorCode).to.equal(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    expect(await endOffset(), 'the refused produce wrote nothing').to.equal(0n);
    await grant([acl(Res.TOPIC, topic, Op.WRITE)], (id) => topicAllows(id, Op.WRITE), 'Write');
    expect((await produce(leader, 'granted')).responses[0]!.partitionResponses[0]!.errorCode).to.equal(ErrorCode.NONE);
    expect(await endOffset()).to.equal(1n);
    const refusedFetch = await fetchPartition(leader);
    expect(refusedFetch.errorCode).to.equal(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    // Empty records (size 0) as Kafka; librdkafka takes a null record set (-1) for a protocol error.
    expect(refusedFetch.records, 'the refused partition carries empty records, not null').to.deep.equal(Buffer.alloc(0));
    await grant([acl(Res.TOPIC, topic.slice(0, 5), Op.READ, AclPermission.ALLOW, PatternType.PREFIXED)], (id) => topicAllows(id, Op.READ), 'a PREFIXED Read');
    expect(await fetchCode(leader)).to.equal(ErrorCode.NONE);
    const ops = (await metadata(leader, [topic])).topics[0]!.topicAuthorizedOperations ?? 0;
    expect(ops & (1 << Op.READ), 'Read in topicAuthorizedOperations').to.not.equal(0);
    expect(ops & (1 << Op.DELETE), 'no Delete in topicAuthorizedOperations').to.equal(0);
  });

  it('DENY beats ALLOW; a group needs Read for commits; DeleteTopics needs Delete', async () => {
    const leader = await leaderOf();
    await grant([acl(Res.TOPIC, '*', Op.WRITE, AclPermission.DENY, PatternType.LITERAL, 'User:*')], async (id) => !(await topicAllows(id, Op.WRITE)), 'the DENY');
    expect((await produce(leader, 'denied')).responses[0]!.partitionResponses[0]!.errorCode).to.equal(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    expect(await endOffset()).to.equal(1n);
    const commit = () => ask(leader, ApiKey.OffsetCommit, 7, { groupId: group, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: '' }] }] });
    const refused = await commit();
    expect(refused.topics[0]!.partitions[0]!.errorCode).to.equal(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    await grant([acl(Res.GROUP, group, Op.READ)], async (id) => (await ask(id, ApiKey.FindCoordinator, 2, { key: group, keyType: 0 })).errorCode !== ErrorCode.GROUP_AUTHORIZATION_FAILED, 'FindCoordinator');
    await waitFor(async () => {
      const r = await ask(1, ApiKey.FindCoordinator, 2, { key: group, keyType: 0 });
      return r.errorCode === ErrorCode.NONE ? r.nodeId : undefined;
    }, 'a group coordinator');
    const coordinator = (await ask(1, ApiKey.FindCoordinator, 2, { key: group, keyType: 0 })).nodeId ?? -1;
    await waitFor(async () => (await ask(coordinator, ApiKey.OffsetCommit, 7, { groupId: group, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: '' }] }] })).topics[0]!.partitions[0]!.errorCode === ErrorCode.NONE, 'the commit with Read on the group and the topic');
    expect((await ask(1, ApiKey.DeleteTopics, 4, { topicNames: [topic], timeoutMs: 5_000 })).responses[0]!.errorCode).to.equal(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    expect(await zk.exists(`/brokers/topics/${topic}`)).to.not.equal(null);
  });

  it('CreateAcls/DescribeAcls/DeleteAcls work with Alter/Describe on the cluster and reach every broker', async () => {
    await grant([acl(Res.CLUSTER, 'kafka-cluster', Op.ALTER)], async (id) => (await ask(id, ApiKey.DescribeAcls, 1, { resourceTypeFilter: Res.ANY, resourceNameFilter: null, patternTypeFilter: PatternType.ANY, principalFilter: null, hostFilter: null, operation: Op.ANY, permissionType: AclPermission.ANY })).errorCode === ErrorCode.NONE, 'DescribeAcls (Alter implies Describe)');
    const created = await ask(2, ApiKey.CreateAcls, 1, { creations: [{ resourceType: Res.TOPIC, resourceName: topic, resourcePatternType: PatternType.LITERAL, principal: ANONYMOUS, host: '*', operation: Op.DELETE, permissionType: AclPermission.ALLOW }] });
    expect(created.results.map((r) => r.errorCode)).to.deep.equal([ErrorCode.NONE]);
    await waitFor(() => aclTool.authorize({ principal: ANONYMOUS, host: '127.0.0.1' }, Op.DELETE, Res.TOPIC, topic), 'the CreateAcls of broker 2 in ZooKeeper', { timeoutMs: GRANT_DEADLINE_MS });
    const described = await ask(1, ApiKey.DescribeAcls, 1, { resourceTypeFilter: Res.TOPIC, resourceNameFilter: topic, patternTypeFilter: PatternType.MATCH, principalFilter: null, hostFilter: null, operation: Op.ANY, permissionType: AclPermission.ANY });
    expect(described.resources.map((r) => r.resourceName).sort()).to.deep.equal(['*', topic, topic.slice(0, 5)].sort());
    const deleted = await ask(1, ApiKey.DeleteAcls, 1, { filters: [{ resourceTypeFilter: Res.TOPIC, resourceNameFilter: '*', patternTypeFilter: PatternType.LITERAL, principalFilter: null, hostFilter: null, operation: Op.ANY, permissionType: AclPermission.DENY }] });
    expect(deleted.filterResults[0]!.matchingAcls.map((a) => [a.resourceName, a.operation])).to.deep.equal([['*', Op.WRITE]]);
    const leader = await leaderOf();
    await waitFor(async () => (await produce(leader, 'after-undeny')).responses[0]!.partitionResponses[0]!.errorCode === ErrorCode.NONE, 'Produce once the DENY is deleted', { timeoutMs: GRANT_DEADLINE_MS });
    const controller = (await metadata(1, [])).controllerId ?? -1;
    expect((await ask(controller, ApiKey.DeleteTopics, 4, { topicNames: [topic], timeoutMs: 10_000 })).responses[0]!.errorCode).to.equal(ErrorCode.NONE);
  });

  it('acls.sh adds, lists and removes ACLs with kafka-acls.sh flags and output, through any broker', async () => {
    const bootstrap = cluster.bootstrap;
    const group2 = randomName('acl-cli-g');
    const added = await ok('acls', ['--bootstrap-server', bootstrap, '--add', '--allow-principal', 'User:alice', '--consumer', '--topic', 'cli-', '--group', group2, '--resource-pattern-type', 'prefixed']);
    expect(added).to.contain('Adding ACLs for resource `ResourcePattern(resourceType=TOPIC, name=cli-, patternType=PREFIXED)`: ');
    expect(added).to.contain('(principal=User:alice, host=*, operation=READ, permissionType=ALLOW)');
    expect(added).to.contain('Current ACLs for resource `ResourcePattern(resourceType=GROUP, name=' + group2 + ', patternType=PREFIXED)`: ');
    await waitFor(() => aclTool.authorize({ principal: 'User:alice', host: '10.1.1.1' }, Op.READ, Res.TOPIC, 'cli-orders') && aclTool.authorize({ principal: 'User:alice', host: '10.1.1.1' }, Op.DESCRIBE, Res.TOPIC, 'cli-orders'), 'the CLI ACLs in ZooKeeper', { timeoutMs: GRANT_DEADLINE_MS });
    const listed = await ok('acls', ['--bootstrap-server', bootstrap, '--list', '--topic', 'cli-orders', '--resource-pattern-type', 'match']);
    expect(listed).to.contain('ResourcePattern(resourceType=TOPIC, name=cli-, patternType=PREFIXED)');
    expect(listed).to.contain('(principal=User:alice, host=*, operation=DESCRIBE, permissionType=ALLOW)');
    const usage = await runTool('acls', ['--bootstrap-server', bootstrap, '--add', '--allow-principal', 'User:alice', '--operation', 'Fly', '--topic', 'x']);
    expect(usage.code).to.equal(2);
    expect(usage.stderr).to.contain('unknown --operation "Fly"');
    await ok('acls', ['--bootstrap-server', bootstrap, '--remove', '--force', '--allow-principal', 'User:alice', '--operation', 'Read', '--operation', 'Describe', '--topic', 'cli-', '--resource-pattern-type', 'prefixed']);
    await waitFor(() => !aclTool.authorize({ principal: 'User:alice', host: '10.1.1.1' }, Op.READ, Res.TOPIC, 'cli-orders'), 'the removal in ZooKeeper', { timeoutMs: GRANT_DEADLINE_MS });
    const after = await ok('acls', ['--bootstrap-server', bootstrap, '--list', '--topic', 'cli-', '--resource-pattern-type', 'prefixed']);
    expect(after).to.equal('');
  });

  it('every API ApiVersions advertises refuses a principal without ACLs with its authorization error, and nothing changes', async () => {
    const watched = ['/brokers/topics', '/config/topics', '/config/users', '/config/changes', '/kafka-acl-changes', '/kafka-acl-extended-changes', '/admin'];
    const snapshot = async () => Promise.all(watched.map(async (p) => `${p}: ${((await zk.exists(p)) === null ? [] : await zk.getChildren(p)).sort().join(',')}`));
    // The earlier DeleteTopics finishes first, so only this test's requests could change the snapshot.
    await waitFor(async () => (await zk.getChildren('/admin/delete_topics').catch(() => [])).length === 0, 'the earlier topic deletion done');
    const before = await snapshot();
    let bob = await connectAs(1, 'bob');
    try {
      const advertised = (await bob.request(ApiKey.ApiVersions, 3, { clientSoftwareName: 'acl-matrix', clientSoftwareVersion: '1' })).apiKeys;
      const checked = advertised.filter((a) => ![ApiKey.ApiVersions, ApiKey.SaslHandshake, ApiKey.SaslAuthenticate].includes(a.apiKey as never));
      expect(checked.map((a) => apiName(a.apiKey)).filter((_, i) => !UNAUTHORIZED_ANSWER.has(checked[i]!.apiKey)), 'served APIs missing from the sweep table').to.deep.equal([]);
      const wrong: string[] = [];
      for (const a of checked) {
        const expected = UNAUTHORIZED_ANSWER.get(a.apiKey)!;
        const what = `${apiName(a.apiKey)} v${a.maxVersion}`;
        let response: unknown;
        try {
          response = await bob.request(a.apiKey, a.maxVersion, goldenRequest(a.apiKey, a.maxVersion) as never, 15_000);
        } catch (err) {
          wrong.push(`${what}: ${(err as Error).message}`);
          bob.close();
          bob = await connectAs(1, 'bob');
          continue;
        }
        const codes = errorCodesIn(response);
        const fine = expected === HIDDEN
          ? codes.every((c) => c === ErrorCode.NONE) && ((response as Record<string, unknown[]>)[HIDDEN_LISTING.get(a.apiKey)!] ?? []).length === 0
          : codes.some((c) => expected.includes(c)) && codes.every((c) => expected.includes(c) || ALONGSIDE.includes(c));
        if (!fine) wrong.push(`${what}: [${codes.join(',')}] (expected ${expected === HIDDEN ? 'no error, nothing listed' : expected.join('|')})`);
      }
      expect(wrong, 'APIs answering an unauthorized principal wrongly').to.deep.equal([]);
      console.log(`      ${checked.length} APIs refused as Kafka refuses them`);
    } finally {
      bob.close();
    }
    expect(await snapshot(), 'no refused request changed ZooKeeper').to.deep.equal(before);
  });

  it('SASL users: each principal gets only its own ACLs; a super user (super.users) bypasses every check', async () => {
    const own = randomName('acl-sasl');
    const alice = await connectAs(1, 'alice');
    const bob = await connectAs(1, 'bob');
    const admin = await connectAs(1, 'admin');
    try {
      const createAs = (sock: KafkaSocket, name: string) => sock.request(ApiKey.CreateTopics, 5, { topics: [{ name, numPartitions: 1, replicationFactor: 2, assignments: [], configs: [] }], timeoutMs: 10_000, validateOnly: false }, 15_000);
      const describeAs = async (sock: KafkaSocket, name: string) => (await sock.request(ApiKey.Metadata, 9, { topics: [{ name }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false })).topics[0]!.errorCode;
      expect(await describeAs(alice, own)).to.equal(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
      await grant([acl(Res.TOPIC, own, Op.DESCRIBE, AclPermission.ALLOW, PatternType.LITERAL, 'User:alice')], async () => (await describeAs(alice, own)) !== ErrorCode.TOPIC_AUTHORIZATION_FAILED, "alice's Describe");
      expect(await describeAs(bob, own), 'bob has no ACL').to.equal(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
      // The super user: no ACL names it, yet the controller creates the topic and DescribeAcls answers.
      const controller = (await metadata(1, [])).controllerId ?? -1;
      const adminOnController = controller === 1 ? admin : await connectAs(controller, 'admin');
      try {
        expect((await createAs(adminOnController, own)).topics[0]!.errorCode).to.equal(ErrorCode.NONE);
      } finally {
        if (adminOnController !== admin) adminOnController.close();
      }
      expect((await admin.request(ApiKey.DescribeAcls, 1, { resourceTypeFilter: Res.TOPIC, resourceNameFilter: own, patternTypeFilter: PatternType.LITERAL, principalFilter: 'User:alice', hostFilter: null, operation: Op.ANY, permissionType: AclPermission.ANY })).resources.map((r) => r.resourceName)).to.deep.equal([own]);
      expect((await bob.request(ApiKey.DescribeAcls, 1, { resourceTypeFilter: Res.ANY, resourceNameFilter: null, patternTypeFilter: PatternType.ANY, principalFilter: null, hostFilter: null, operation: Op.ANY, permissionType: AclPermission.ANY })).errorCode).to.equal(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    } finally {
      for (const s of [alice, bob, admin]) s.close();
    }
  });

  it('allow.everyone.if.no.acl.found=true (broker 2 restarted with it) allows a resource without ACLs there only; one ACL on it ends that', async () => {
    const open = randomName('acl-open');
    const b2 = cluster.broker(2);
    expect((await b2.stop()).code).to.equal(0);
    const started = await b2.start(['--override', 'allow.everyone.if.no.acl.found=true']);
    expect(started.code, started.stderr).to.equal(0);
    const describable = async (id: number, name: string) => (await metadata(id, [name])).topics[0]!.errorCode !== ErrorCode.TOPIC_AUTHORIZATION_FAILED;
    expect(await describable(2, open)).to.equal(true);
    expect(await describable(1, open), 'broker 1 keeps the default').to.equal(false);
    await grant([acl(Res.TOPIC, open, Op.READ, AclPermission.ALLOW, PatternType.LITERAL, 'User:someone-else')], async (id) => id !== 2 || !(await describable(2, open)), 'the first ACL closing the topic');
  });
});
