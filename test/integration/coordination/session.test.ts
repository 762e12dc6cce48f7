import { expect } from 'chai';
import { createServer, type Server, type Socket } from 'node:net';
import {
  CoordinationError,
  ops,
  readActiveController,
  registerBroker,
  tryElectController,
  ZkSession,
  type BrokerInfo,
  FencedWriter,
  getOrCreateClusterId,
  generateBrokerId,
} from '../../../coordination/index.js';
import { sharedZooKeeperConnect, testZkConnect } from '../../helpers/shared-zookeeper.js';
import { waitFor } from '../../helpers/wait-for.js';

const opened: ZkSession[] = [];

async function open(connect: string, sessionTimeoutMs = 4000): Promise<ZkSession> {
  const s = new ZkSession({ connect, sessionTimeoutMs, requestTimeoutMs: 15_000 });
  opened.push(s);
  await s.start();
  return s;
}

const broker = (id: number): BrokerInfo => ({
  id,
  endpoints: [{ listener: 'PLAINTEXT', host: '127.0.0.1', port: 9092, securityProtocol: 'PLAINTEXT' }],
  rack: null,
  jmxPort: -1,
  timestamp: 1n,
  version: 4,
});

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return (err as CoordinationError).code;
  }
}

describe('coordination > ZkSession on a real ZooKeeper', function () {
  this.timeout(30_000);

  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });

  it('creates the chroot and serves the promise API with typed errors', async () => {
    const connect = testZkConnect();
    const s = await open(connect);
    await s.create('/a', Buffer.from('x'));
    const { data, stat } = await s.getData('/a');
    expect(data?.toString()).to.equal('x');
    expect(stat.version).to.equal(0);
    expect(typeof stat.czxid).to.equal('bigint');
    expect(await codeOf(s.create('/a', null))).to.equal('CRD_NODE_EXISTS');
    expect(await codeOf(s.getData('/missing'))).to.equal('CRD_NO_NODE');
    expect(await codeOf(s.setData('/a', Buffer.from('y'), 7))).to.equal('CRD_BAD_VERSION');
    await s.create('/a/b', null);
    expect(await codeOf(s.remove('/a'))).to.equal('CRD_NOT_EMPTY');
    expect((await s.getData('/a/b')).data).to.equal(null);
    // The chroot is real: a bare session sees our node under it.
    const bare = await open(sharedZooKeeperConnect());
    const chroot = connect.slice(connect.indexOf('/'));
    expect((await bare.getData(`${chroot}/a`)).data?.toString()).to.equal('x');
  });

  it('multi is all or nothing and reports the failing op', async () => {
    const s = await open(testZkConnect());
    await s.create('/v', Buffer.from('1'));
    const err = await s.multi([ops.create('/new', null), ops.check('/v', 5), ops.setData('/v', Buffer.from('2'))]).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(CoordinationError);
    expect((err as CoordinationError).code).to.equal('CRD_BAD_VERSION');
    expect((err as CoordinationError).opIndex).to.equal(1);
    expect(await s.exists('/new')).to.equal(null);
    const results = await s.multi([ops.check('/v', 0), ops.setData('/v', Buffer.from('2'), 0), ops.create('/new', null)]);
    expect(results.map((r) => r.op)).to.deep.equal(['check', 'setData', 'create']);
    expect(results[1]!.op === 'setData' && results[1]!.stat.version).to.equal(1);
  });

  it('one-shot watches fire once', async () => {
    const s = await open(testZkConnect());
    const events: string[] = [];
    await s.create('/w', null);
    await s.getChildren('/w', (e) => events.push(e.type));
    await s.create('/w/1', null);
    await s.create('/w/2', null);
    await waitFor(() => events.length === 1, 'child watch');
    expect(events).to.deep.equal(['childrenChanged']);
  });

  it('session expiry: listeners hear sessionExpired then newSession, ephemerals are gone, the session works again', async () => {
    const connect = testZkConnect();
    const s = await open(connect, 2000);
    const watcher = await open(connect);
    await s.create('/eph', null, 'ephemeral');
    const events: string[] = [];
    s.addSessionListener({ sessionExpired: () => events.push('expired'), newSession: () => events.push('new') });
    const oldId = s.sessionId;
    s.freezeForTest();
    await waitFor(async () => (await watcher.exists('/eph')) === null, 'ephemeral deleted by the server', { timeoutMs: 10_000 });
    s.thawForTest();
    await waitFor(() => events.join(',') === 'expired,new', 'expiry then new session', { timeoutMs: 10_000 });
    expect(s.sessionId).to.not.equal(oldId);
    await s.create('/eph', null, 'ephemeral');
    expect((await watcher.exists('/eph'))?.ephemeralOwner).to.equal(s.sessionId);
  });

  it('a request made while frozen waits, then runs on the new session', async () => {
    const connect = testZkConnect();
    const s = await open(connect, 2000);
    const other = await open(connect);
    s.freezeForTest();
    const pending = s.create('/late', null);
    expect(await other.exists('/late')).to.equal(null);
    s.thawForTest();
    await pending;
    expect(await other.exists('/late')).to.not.equal(null);
  });

  it('watchdog: a black-holed server makes the handshake time out instead of hanging forever', async () => {
    const sockets: Socket[] = [];
    const server: Server = createServer((sock) => sockets.push(sock));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const s = new ZkSession({ connect: `127.0.0.1:${port}`, sessionTimeoutMs: 1500, connectionTimeoutMs: 3000 });
    try {
      expect(await codeOf(s.start())).to.equal('CRD_TIMEOUT');
      await waitFor(() => sockets.length >= 2, 'the watchdog retried on a new connection', { timeoutMs: 5000 });
    } finally {
      await s.close();
      for (const sock of sockets) sock.destroy();
      server.close();
    }
  });
});

describe('coordination > registration and election on a real ZooKeeper', function () {
  this.timeout(30_000);

  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });

  it('registers a checked ephemeral whose czxid is the broker epoch; a duplicate id is refused', async () => {
    const connect = testZkConnect();
    const a = await open(connect);
    const b = await open(connect);
    await a.mkdirp('/brokers/ids');
    const { brokerEpoch } = await registerBroker(a, broker(1));
    expect((await a.exists('/brokers/ids/1'))!.czxid).to.equal(brokerEpoch);
    const err = await registerBroker(b, broker(1)).catch((e: unknown) => e as CoordinationError);
    expect((err as CoordinationError).code).to.equal('CRD_DUPLICATE_BROKER');
    expect((err as CoordinationError).message).to.match(/broker\.id 1 is already registered/);
    // Registering again on our own session is idempotent.
    expect((await registerBroker(a, broker(1))).brokerEpoch).to.equal(brokerEpoch);
  });

  it('cluster id is created once; broker ids are generated from /brokers/seqid', async () => {
    const connect = testZkConnect();
    const s = await open(connect);
    const id = await getOrCreateClusterId(s);
    expect(id).to.match(/^[A-Za-z0-9_-]{22}$/);
    expect(await getOrCreateClusterId(s, 'other')).to.equal(id);
    expect((await s.getData('/cluster/id')).data!.toString()).to.equal(`{"version":"1","id":"${id}"}`);
    expect(await generateBrokerId(s, 1000)).to.equal(1001);
    expect(await generateBrokerId(s, 1000)).to.equal(1002);
  });

  it('election bumps /controller_epoch in one multi; the fenced writer refuses once the epoch moved', async () => {
    const connect = testZkConnect();
    const a = await open(connect);
    const b = await open(connect);
    const won = await tryElectController(a, 1, 1n);
    expect(won.won).to.equal(true);
    if (!won.won) return;
    expect(won.lease.controllerEpoch).to.equal(1);
    expect((await a.getData('/controller_epoch')).data!.toString()).to.equal('1');
    expect((await a.getData('/controller')).data!.toString()).to.equal('{"version":1,"brokerid":1,"timestamp":"1"}');
    const lost = await tryElectController(b, 2, 2n);
    expect(lost).to.deep.equal({ won: false, activeControllerId: 1 });
    const writerA = new FencedWriter(a, won.lease.controllerEpoch, won.lease.epochZkVersion);
    await writerA.write([ops.create('/fenced-ok', null)]);
    await a.close();
    await waitFor(async () => (await readActiveController(b)) === -1, '/controller gone with the session');
    const next = await tryElectController(b, 2, 3n);
    expect(next.won && next.lease.controllerEpoch).to.equal(2);
    // The old controller's lease, used on any live session, is fenced.
    const zombie = new FencedWriter(b, won.lease.controllerEpoch, won.lease.epochZkVersion);
    expect(await codeOf(zombie.write([ops.create('/zombie-write', null)]))).to.equal('CRD_CONTROLLER_MOVED');
    expect(await b.exists('/zombie-write')).to.equal(null);
  });
});
