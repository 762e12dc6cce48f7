/**
 * The HTTP admin API secured (issue 17, "HTTP admin"): one broker process with
 * `admin.http.authentication=basic` and `admin.http.ssl.*` (a throwaway CA from
 * scripts/make-test-certs.sh), the AclAuthorizer, `super.users=User:admin` (a PLAIN user of the
 * SASL_PLAINTEXT listener's JAAS config) and a SCRAM-SHA-256 user made with configs.sh. Fault:
 * none; the invariants are what an operator sees: HTTPS only (plain HTTP to the port gets no
 * answer), a SCRAM user's right password passes and the route's ACL applies to User:<name>
 * (403 without the grant, 202 with it), a changed SCRAM password refuses the old one as soon as
 * the broker holds the new credential, a wrong or missing password is 401 with
 * `WWW-Authenticate: Basic` and changes nothing, /health and /metrics stay open; with
 * `admin.http.ssl.client.auth=requested` a client certificate from the trusted CA logs in as its
 * DN without a password, an untrusted one does not. Client quotas need AlterConfigs on the
 * cluster by either road (PUT /quotas, AlterClientQuotas): refused without it, nothing written.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { Admin } from '../../../client/index.js';
import { ZkSession } from '../../../coordination/index.js';
import { AclAuthorizer, AclOperation as Op, AclPermission, PatternType, ResourceType as Res } from '../../../broker/security/index.js';
import { startCluster, type TestCluster } from '../../helpers/cluster.js';
import { freePort } from '../../helpers/ports.js';
import { randomName } from '../../helpers/random.js';
import { tmpDir } from '../../helpers/tmp.js';
import { waitFor } from '../../helpers/wait-for.js';
import { REPO_ROOT } from '../../helpers/zookeeper.js';
import { ok } from '../cli/run-tool.js';

const run = promisify(execFile);
const JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-pw" user_admin="admin-pw";';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

describe('cluster > security > HTTP admin API over HTTPS with Basic authentication and route ACLs', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  let zk: ZkSession;
  let aclTool: AclAuthorizer;
  let ca: string;
  let port: number;
  let certs: string;
  /** configs.sh against the broker's SASL_PLAINTEXT listener as the PLAIN super user. */
  let configs: (args: string[]) => Promise<unknown>;
  const topic = randomName('http-auth');

  before(async function () {
    this.timeout(180_000);
    const dir = tmpDir('samsa-http-auth-');
    certs = join(dir, 'certs');
    await run('bash', [join(REPO_ROOT, 'scripts', 'make-test-certs.sh'), certs]);
    ca = readFileSync(join(certs, 'ca.pem'), 'utf8');
    port = await freePort();
    cluster = await startCluster({
      size: 1,
      extraListeners: ['SASL_PLAINTEXT'],
      properties: {
        'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256',
        'listener.name.sasl_plaintext.plain.sasl.jaas.config': JAAS,
        'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer',
        'super.users': 'User:admin',
        'admin.http.listener': `127.0.0.1:${port}`,
        'admin.http.authentication': 'basic',
        'admin.http.ssl.keystore.location': join(certs, 'broker.pem'),
        'admin.http.ssl.truststore.location': join(certs, 'ca.pem'),
        'admin.http.ssl.client.auth': 'requested',
        'offsets.topic.num.partitions': 1,
        'offsets.topic.replication.factor': 1,
      },
    });
    zk = new ZkSession({ connect: cluster.zookeeperConnect, sessionTimeoutMs: 6_000 });
    await zk.start();
    aclTool = new AclAuthorizer({ store: zk, logger: pino({ level: 'silent' }), superUsers: new Set(), allowEveryoneIfNoAclFound: false });
    await aclTool.start();
    const commandConfig = join(dir, 'admin.properties');
    writeFileSync(commandConfig, `security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=${JAAS}\n`);
    const bootstrap = `127.0.0.1:${cluster.broker(1).listenerPort('SASL_PLAINTEXT')}`;
    configs = (args) => ok('configs', ['--bootstrap-server', bootstrap, '--command-config', commandConfig, ...args]);
    await configs(['--entity-type', 'users', '--entity-name', 'carol', '--alter', '--add-config', 'SCRAM-SHA-256=[password=carol-pw]']);
    await configs(['--entity-type', 'users', '--entity-name', 'dave', '--alter', '--add-config', 'SCRAM-SHA-256=[password=dave-pw]']);
  });

  after(async () => {
    aclTool?.stop();
    await zk?.close();
    await cluster?.stop();
  });

  function https(method: string, path: string, auth?: string, body?: unknown, clientPem?: string): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = httpsRequest(
        {
          host: '127.0.0.1', port, method, path, ca, servername: 'localhost', timeout: 15_000,
          ...(clientPem === undefined ? {} : { key: clientPem, cert: clientPem }),
          headers: { ...(auth === undefined ? {} : { authorization: `Basic ${Buffer.from(auth).toString('base64')}` }), ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (d: string) => (text += d)).on('end', () => {
            let parsed: unknown = text;
            try { parsed = JSON.parse(text); } catch { /* text bodies (metrics) stay text */ }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  it('a PLAIN super user creates a topic over HTTPS; /health and /metrics answer without credentials', async () => {
    const created = await https('POST', '/topics', 'admin:admin-pw', { name: topic, partitions: 1, replicationFactor: 1 });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    // 201 once written to ZooKeeper; the broker's metadata follows from the controller.
    await waitFor(async () => (await https('GET', `/topics/${topic}`, 'admin:admin-pw')).status === 200, 'the topic in the broker\'s metadata');
    expect((await https('GET', '/health')).status).to.equal(200);
    const metrics = await https('GET', '/metrics');
    expect(metrics.status).to.equal(200);
    expect(String(metrics.body)).to.match(/^# HELP /m);
  });

  it('no or wrong credentials: 401 with WWW-Authenticate: Basic, and the topic is still there', async () => {
    for (const auth of [undefined, 'carol:wrong-pw', 'nobody:carol-pw', 'admin:carol-pw']) {
      const answer = await https('DELETE', `/topics/${topic}`, auth);
      expect(answer.status, `${auth}: ${JSON.stringify(answer.body)}`).to.equal(401);
      expect(answer.headers['www-authenticate']).to.match(/^Basic realm=/);
      expect(answer.body.error.code).to.equal('SASL_AUTHENTICATION_FAILED');
    }
    expect((await https('GET', '/topics', undefined)).status, 'reads need credentials too').to.equal(401);
    expect((await https('GET', `/topics/${topic}`, 'admin:admin-pw')).status).to.equal(200);
  });

  it('a SCRAM user with the right password is User:carol: 403 without a Delete grant, 202 with it', async () => {
    // The credential reaches the broker's cache by a change notification.
    await waitFor(async () => (await https('GET', '/topics', 'carol:carol-pw')).status === 200, 'carol (SCRAM-SHA-256) authenticates over HTTP Basic');
    const refused = await https('DELETE', `/topics/${topic}`, 'carol:carol-pw');
    expect(refused.status, JSON.stringify(refused.body)).to.equal(403);
    expect(refused.body.error.code).to.equal('TOPIC_AUTHORIZATION_FAILED');
    expect(refused.body.error.message).to.include('User:carol');
    const grant = { pattern: { resourceType: Res.TOPIC, name: topic, patternType: PatternType.LITERAL }, entry: { principal: 'User:carol', host: '*', operation: Op.DELETE, permission: AclPermission.ALLOW } };
    expect(await aclTool.createAcls([grant as never])).to.deep.equal([undefined]);
    let last: Answer | undefined;
    await waitFor(async () => (last = await https('DELETE', `/topics/${topic}`, 'carol:carol-pw')).status === 202, 'the Delete grant lets carol delete the topic', { timeoutMs: 5_000, intervalMs: 50 });
    expect(last!.status).to.equal(202);
  });

  it('a changed SCRAM password: the old one, accepted a moment before, is refused once the broker holds the new credential', async () => {
    expect((await https('GET', '/topics', 'carol:carol-pw')).status).to.equal(200);
    expect((await https('GET', '/topics', 'carol:carol-pw')).status, 'accepted again (a remembered verification)').to.equal(200);
    await configs(['--entity-type', 'users', '--entity-name', 'carol', '--alter', '--add-config', 'SCRAM-SHA-256=[password=carol-new-pw]']);
    await waitFor(async () => (await https('GET', '/topics', 'carol:carol-new-pw')).status === 200, 'carol\'s new password accepted (the change notification reached the broker)', { timeoutMs: 10_000, intervalMs: 50 });
    const old = await https('GET', '/topics', 'carol:carol-pw');
    expect(old.status, JSON.stringify(old.body)).to.equal(401);
    expect(old.body.error.code).to.equal('SASL_AUTHENTICATION_FAILED');
  });

  it('client quotas need AlterConfigs on the cluster: PUT /quotas is 403 and AlterClientQuotas CLUSTER_AUTHORIZATION_FAILED for User:dave, nothing written; with the grant both work', async () => {
    const bootstrap = `127.0.0.1:${cluster.broker(1).listenerPort('SASL_PLAINTEXT')}`;
    await waitFor(async () => (await https('GET', '/topics', 'dave:dave-pw')).status === 200, 'dave (SCRAM-SHA-256) authenticates over HTTP Basic');
    const admin = new Admin({ brokers: [bootstrap], sasl: { mechanism: 'SCRAM-SHA-256', username: 'dave', password: 'dave-pw' }, retries: 0 });
    const quotaOf = async (clientId: string): Promise<string | undefined> => (await zk.getData(`/config/clients/${clientId}`).catch(() => undefined))?.data?.toString();
    try {
      const put = (clientId: string): Promise<Answer> => https('PUT', '/quotas', 'dave:dave-pw', { entity: { clientId }, set: { producer_byte_rate: 4096 } });
      const refused = await put('by-http');
      expect(refused.status, JSON.stringify(refused.body)).to.equal(403);
      expect(refused.body.error.code).to.equal('CLUSTER_AUTHORIZATION_FAILED');
      const alter = (clientId: string): Promise<string> =>
        admin.alterClientQuotas([{ entity: { clientId }, ops: { producer_byte_rate: 4096 } }]).then(() => 'altered', (err: { code?: string; message: string }) => err.message);
      expect(await alter('by-kafka')).to.match(/CLUSTER_AUTHORIZATION_FAILED|not authorized/i);
      expect(await quotaOf('by-http')).to.equal(undefined);
      expect(await quotaOf('by-kafka')).to.equal(undefined);

      const grant = { pattern: { resourceType: Res.CLUSTER, name: 'kafka-cluster', patternType: PatternType.LITERAL }, entry: { principal: 'User:dave', host: '*', operation: Op.ALTER_CONFIGS, permission: AclPermission.ALLOW } };
      expect(await aclTool.createAcls([grant as never])).to.deep.equal([undefined]);
      await waitFor(async () => (await put('by-http')).status === 200, 'the AlterConfigs grant lets dave PUT /quotas', { timeoutMs: 5_000, intervalMs: 50 });
      expect(await alter('by-kafka')).to.equal('altered');
      expect(JSON.parse((await quotaOf('by-http'))!).config).to.deep.equal({ producer_byte_rate: '4096' });
      expect(JSON.parse((await quotaOf('by-kafka'))!).config).to.deep.equal({ producer_byte_rate: '4096' });
    } finally {
      admin.close();
    }
  });

  it('a client certificate of the trusted CA logs in as its DN without a password; an untrusted one does not', async () => {
    const alice = readFileSync(join(certs, 'client-alice.pem'), 'utf8');
    expect((await https('GET', '/topics', undefined, undefined, alice)).status).to.equal(200);
    const refused = await https('POST', '/topics', undefined, { name: randomName('mtls'), partitions: 1, replicationFactor: 1 }, alice);
    expect(refused.status, JSON.stringify(refused.body)).to.equal(403);
    expect(refused.body.error.message).to.include('User:CN=alice,OU=eng,O=samsa');
    const untrusted = await https('GET', '/topics', undefined, undefined, readFileSync(join(certs, 'untrusted.pem'), 'utf8'));
    expect(untrusted.status).to.equal(401);
  });

  it('plain HTTP to the HTTPS port gets no HTTP answer', async () => {
    const outcome = await new Promise<string>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/health', timeout: 10_000 }, (res) => resolve(`answered ${res.statusCode}`));
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (err) => resolve(`error: ${err.message}`));
      req.end();
    });
    expect(outcome).to.match(/^error: /);
  });
});
