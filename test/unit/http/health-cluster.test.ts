import { expect } from 'chai';
import { BrokerError, RemoteError } from '../../../broker/index.js';
import { ControllerError } from '../../../broker/controller/index.js';
import { AdminHttpError, buildAdminApp, toHttpFailure } from '../../../broker/http/index.js';
import { CoordinationError } from '../../../coordination/index.js';
import { StorageError } from '../../../storage/index.js';
import { adminFixture, errorOf, type Fixture } from './admin-http-fixture.js';

describe('http > health, readiness and cluster', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await adminFixture();
  });
  afterEach(async () => {
    await f.app.close();
  });

  it('GET /health answers 200 with the broker id and uptime', async () => {
    const res = await f.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).to.equal(200);
    expect(res.headers['content-type']).to.match(/^application\/json/);
    const body = res.json();
    expect(body).to.include({ status: 'ok', brokerId: 1 });
    expect(body.uptimeSeconds).to.be.within(4, 600);
  });

  it('GET /ready is 200 when ready and 503 NOT_READY with the reasons otherwise; failed log directories are listed either way', async () => {
    expect((await f.app.inject({ method: 'GET', url: '/ready' })).json()).to.deep.equal({ ready: true, brokerId: 1, offlineLogDirs: [] });
    f.ready.offlineLogDirs = ['/data/disk2'];
    expect((await f.app.inject({ method: 'GET', url: '/ready' })).json()).to.deep.equal({ ready: true, brokerId: 1, offlineLogDirs: ['/data/disk2'] });
    f.ready.value = false;
    f.ready.reasons = ['not registered in ZooKeeper', 'no metadata from the controller yet'];
    const res = await f.app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).to.equal(503);
    const err = errorOf(res.body);
    expect(err.code).to.equal('NOT_READY');
    expect(err.message).to.contain('not registered in ZooKeeper');
    expect(err.details).to.deep.equal({ reasons: f.ready.reasons, offlineLogDirs: ['/data/disk2'] });
  });

  it('GET /cluster shows cluster id, brokers (sorted, with endpoints and rack) and the controller', async () => {
    const res = await f.app.inject({ method: 'GET', url: '/cluster' });
    expect(res.statusCode).to.equal(200);
    const body = res.json();
    expect(body).to.include({ clusterId: 'c-123', controllerId: 2, controllerEpoch: 7 });
    expect(body.brokers.map((b: { id: number }) => b.id)).to.deep.equal([1, 2, 3]);
    expect(body.brokers[0]).to.deep.equal({
      id: 1,
      rack: 'rack-1',
      isController: false,
      endpoints: [{ listenerName: 'PLAINTEXT', host: '127.0.0.1', port: 9091, securityProtocol: 'PLAINTEXT' }],
    });
    expect(body.brokers[1].isController).to.equal(true);
    expect(body.brokers[2].rack).to.equal(null);
  });

  it('GET /brokers and /brokers/:id; unknown id → 404, non-numeric id → 400', async () => {
    expect((await f.app.inject({ method: 'GET', url: '/brokers' })).json().brokers).to.have.length(3);
    const one = await f.app.inject({ method: 'GET', url: '/brokers/3' });
    expect(one.statusCode).to.equal(200);
    expect(one.json()).to.include({ id: 3, rack: null });
    const missing = await f.app.inject({ method: 'GET', url: '/brokers/42' });
    expect(missing.statusCode).to.equal(404);
    expect(errorOf(missing.body).code).to.equal('BROKER_NOT_AVAILABLE');
    const bad = await f.app.inject({ method: 'GET', url: '/brokers/abc' });
    expect(bad.statusCode).to.equal(400);
    expect(errorOf(bad.body).code).to.equal('INVALID_REQUEST');
  });

  it('an unknown route or method → 404 NOT_FOUND in the error format', async () => {
    for (const [method, url] of [['GET', '/nope'], ['PUT', '/topics'], ['GET', '/topics/a/b/c']] as const) {
      const res = await f.app.inject({ method, url });
      expect(res.statusCode, `${method} ${url}`).to.equal(404);
      const err = errorOf(res.body);
      expect(err.code).to.equal('NOT_FOUND');
      expect(err.message).to.contain(url);
    }
  });

  it('GET /metrics without a metrics source → 501 NOT_IMPLEMENTED', async () => {
    const res = await f.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).to.equal(501);
    expect(errorOf(res.body).code).to.equal('NOT_IMPLEMENTED');
  });

  it('GET /metrics serves the source\'s text unquoted, with its content type', async () => {
    const text = '# HELP x_total a counter\n# TYPE x_total counter\nx_total 3\n';
    const g = await adminFixture({ metrics: { contentType: 'text/plain; version=0.0.4; charset=utf-8', metrics: async () => text } });
    try {
      const res = await g.app.inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).to.equal(200);
      expect(res.headers['content-type']).to.equal('text/plain; version=0.0.4; charset=utf-8');
      expect(res.body).to.equal(text);
    } finally {
      await g.app.close();
    }
  });

  it('a failing dependency → 500 UNKNOWN_SERVER_ERROR, a ZooKeeper hiccup → 503', async () => {
    const boom = buildAdminApp({
      ...f.deps,
      topics: {
        listTopics: async () => {
          throw new Error('disk on fire');
        },
        describeTopic: async () => {
          throw new CoordinationError('CRD_CONNECTION_LOSS', 'connection loss');
        },
      },
    });
    try {
      const list = await boom.inject({ method: 'GET', url: '/topics' });
      expect(list.statusCode).to.equal(500);
      expect(errorOf(list.body)).to.deep.equal({ code: 'UNKNOWN_SERVER_ERROR', message: 'disk on fire' });
      const one = await boom.inject({ method: 'GET', url: '/topics/x' });
      expect(one.statusCode).to.equal(503);
      expect(errorOf(one.body).code).to.equal('REQUEST_TIMED_OUT');
    } finally {
      await boom.close();
    }
  });

  it('NOT_CONTROLLER → 503 naming the controller the caller should ask', () => {
    const failure = toHttpFailure(new ControllerError('BRK_NOT_CONTROLLER', 'not the controller'), () => 3);
    expect(failure).to.deep.equal({ statusCode: 503, body: { error: { code: 'NOT_CONTROLLER', message: 'not the controller', details: { controllerId: 3 } } } });
    expect(toHttpFailure(new CoordinationError('CRD_CONTROLLER_MOVED', 'moved'), () => -1).body.error.details).to.deep.equal({ controllerId: -1 });
    expect(toHttpFailure(new AdminHttpError(409, 'X', 'y'), () => 1).statusCode).to.equal(409);
    const stopping = toHttpFailure(new BrokerError('BRK_SHUTTING_DOWN', 'stopping'), () => 1);
    expect([stopping.statusCode, stopping.body.error.code]).to.deep.equal([503, 'BROKER_NOT_AVAILABLE']);
    const disk = toHttpFailure(new StorageError('STG_IO', 'disk on fire'), () => 1);
    expect([disk.statusCode, disk.body.error.code]).to.deep.equal([500, 'KAFKA_STORAGE_ERROR']);
    // A relayed name the HTTP table does not list is a server error, named as unknown.
    const odd = toHttpFailure(new RemoteError('BRK_X', 'odd', false, 'ELECTION_NOT_NEEDED'), () => 1);
    expect([odd.statusCode, odd.body.error.code]).to.deep.equal([500, 'UNKNOWN_SERVER_ERROR']);
    // Only module errors say what they mean: a look-alike is an unknown failure.
    const lookalike = toHttpFailure(Object.assign(new Error('odd'), { errorCode: 'NOT_CONTROLLER' }), () => 1);
    expect([lookalike.statusCode, lookalike.body.error.code]).to.deep.equal([500, 'UNKNOWN_SERVER_ERROR']);
    expect(toHttpFailure('a string', () => 1).body.error).to.deep.equal({ code: 'UNKNOWN_SERVER_ERROR', message: 'a string' });
  });
});
