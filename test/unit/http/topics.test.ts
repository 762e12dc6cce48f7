import { expect } from 'chai';
import { buildAdminApp } from '../../../broker/http/index.js';
import { adminFixture, errorOf, type Fixture } from './admin-http-fixture.js';

describe('http > topics', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await adminFixture();
  });
  afterEach(async () => {
    await f.app.close();
  });

  const create = (payload: unknown) => f.app.inject({ method: 'POST', url: '/topics', payload: payload as object });

  it('POST /topics creates the topic in ZooKeeper and answers 201 with its placement', async () => {
    const res = await create({ name: 'orders', partitions: 3, replicationFactor: 2, configs: { 'retention.ms': '60000' } });
    expect(res.statusCode, res.body).to.equal(201);
    const body = res.json();
    expect(body).to.include({ name: 'orders', partitions: 3, replicationFactor: 2, validateOnly: false });
    expect(Object.keys(body.assignment)).to.deep.equal(['0', '1', '2']);
    for (const replicas of Object.values(body.assignment) as number[][]) expect(replicas).to.have.length(2);
    expect(body.configs).to.deep.equal({ 'retention.ms': '60000' });
    expect(f.zk.text('/config/topics/orders')).to.contain('"retention.ms":"60000"');
    expect(f.zk.text('/brokers/topics/orders')).to.contain('"partitions"');
  });

  it('POST /topics: numbers in configs are accepted as strings; defaults apply when counts are omitted', async () => {
    const res = await create({ name: 'defaults', configs: { 'retention.ms': 1000 } });
    expect(res.statusCode, res.body).to.equal(201);
    expect(res.json()).to.include({ partitions: 2, replicationFactor: 2 });
    expect(res.json().configs).to.deep.equal({ 'retention.ms': '1000' });
  });

  it('POST /topics with a manual assignment places replicas as asked', async () => {
    const res = await create({ name: 'placed', assignment: { 0: [3, 1], 1: [1, 2] } });
    expect(res.statusCode, res.body).to.equal(201);
    expect(res.json().assignment).to.deep.equal({ 0: [3, 1], 1: [1, 2] });
  });

  it('POST /topics validateOnly answers 200 and writes nothing', async () => {
    const res = await create({ name: 'dry', partitions: 1, validateOnly: true });
    expect(res.statusCode, res.body).to.equal(200);
    expect(res.json().validateOnly).to.equal(true);
    expect(f.zk.text('/brokers/topics/dry')).to.equal(undefined);
  });

  it('POST /topics refuses a duplicate with 409 TOPIC_ALREADY_EXISTS', async () => {
    expect((await create({ name: 'twice' })).statusCode).to.equal(201);
    const res = await create({ name: 'twice' });
    expect(res.statusCode).to.equal(409);
    expect(errorOf(res.body).code).to.equal('TOPIC_ALREADY_EXISTS');
  });

  const badCreates: Array<[string, unknown, string]> = [
    ['an illegal name', { name: 'has space' }, 'INVALID_TOPIC_EXCEPTION'],
    ['a too long name', { name: 'x'.repeat(250) }, 'INVALID_TOPIC_EXCEPTION'],
    ['an unknown config', { name: 't1', configs: { 'retention.nope': '1' } }, 'INVALID_CONFIG'],
    ['an invalid config value', { name: 't2', configs: { 'cleanup.policy': 'sometimes' } }, 'INVALID_CONFIG'],
    ['more replicas than brokers', { name: 't3', partitions: 1, replicationFactor: 4 }, 'INVALID_REPLICATION_FACTOR'],
    ['an assignment naming an unknown broker', { name: 't4', assignment: { 0: [1, 9] } }, 'INVALID_REPLICA_ASSIGNMENT'],
    ['an assignment and counts together', { name: 't5', partitions: 1, assignment: { 0: [1] } }, 'INVALID_REQUEST'],
    ['no name', { partitions: 1 }, 'INVALID_REQUEST'],
    ['zero partitions', { name: 't6', partitions: 0 }, 'INVALID_REQUEST'],
    ['a misspelt field', { name: 't7', partitons: 3 }, 'INVALID_REQUEST'],
    ['a non-numeric partition in the assignment', { name: 't8', assignment: { first: [1] } }, 'INVALID_REQUEST'],
    ['a config that is an object', { name: 't9', configs: { 'retention.ms': { a: 1 } } }, 'INVALID_REQUEST'],
    ['a null config value (no coercion to "")', { name: 't10', configs: { 'retention.ms': null } }, 'INVALID_REQUEST'],
    ['partitions as a string (no coercion)', { name: 't11', partitions: '3' }, 'INVALID_REQUEST'],
  ];
  for (const [what, payload, code] of badCreates) {
    it(`POST /topics with ${what} → 400 ${code}`, async () => {
      const res = await create(payload);
      expect(res.statusCode, res.body).to.equal(400);
      const err = errorOf(res.body);
      expect(err.code).to.equal(code);
      expect(err.message).to.not.equal('');
    });
  }

  it('POST /topics with a body that is not JSON → 400 in the error format', async () => {
    const res = await f.app.inject({ method: 'POST', url: '/topics', headers: { 'content-type': 'application/json' }, payload: '{"name": ' });
    expect(res.statusCode).to.equal(400);
    expect(errorOf(res.body).code).to.equal('INVALID_REQUEST');
  });

  it('POST /topics with a non-JSON content type → 415 in the error format', async () => {
    const res = await f.app.inject({ method: 'POST', url: '/topics', headers: { 'content-type': 'text/csv' }, payload: 'name,orders' });
    expect(res.statusCode).to.equal(415);
    expect(errorOf(res.body).code).to.equal('UNSUPPORTED_MEDIA_TYPE');
  });

  it('a body above the limit → 413 PAYLOAD_TOO_LARGE', async () => {
    const small = buildAdminApp(f.deps, { bodyLimit: 64 });
    try {
      const res = await small.inject({ method: 'POST', url: '/topics', payload: { name: 'x'.repeat(100) } });
      expect(res.statusCode).to.equal(413);
      expect(errorOf(res.body).code).to.equal('PAYLOAD_TOO_LARGE');
    } finally {
      await small.close();
    }
  });

  it('GET /topics lists names with partition counts, sorted', async () => {
    await create({ name: 'zeta', partitions: 1, replicationFactor: 1 });
    await create({ name: 'alpha', partitions: 3, replicationFactor: 2 });
    const res = await f.app.inject({ method: 'GET', url: '/topics' });
    expect(res.statusCode).to.equal(200);
    expect(res.json()).to.deep.equal({
      topics: [
        { name: 'alpha', partitions: 3, replicationFactor: 2 },
        { name: 'zeta', partitions: 1, replicationFactor: 1 },
      ],
    });
  });

  it('GET /topics/:name shows config, leaders, isr, epochs and exact log offsets of hosted replicas', async () => {
    await create({ name: 'orders', assignment: { 0: [1, 2], 1: [2, 3] }, configs: { 'cleanup.policy': 'compact' } });
    f.isrOverride.set('orders', new Map([[1, [2]]]));
    const res = await f.app.inject({ method: 'GET', url: '/topics/orders' });
    expect(res.statusCode, res.body).to.equal(200);
    // Offsets above 2^53 must come out digit-exact (bigint serialized as JSON integer).
    expect(res.body).to.contain('"highWatermark":9007199254740993').and.contain('"logEndOffset":9007199254740995');
    const body = res.json();
    expect(body).to.include({ name: 'orders', internal: false, markedForDeletion: false });
    expect(body.configs).to.deep.equal({ 'cleanup.policy': 'compact' });
    expect(body.partitions).to.have.length(2);
    expect(body.partitions[0]).to.deep.include({ partition: 0, leader: 1, leaderEpoch: 3, replicas: [1, 2], isr: [1, 2], offlineReplicas: [], underReplicated: false });
    expect(body.partitions[0].log).to.include({ logStartOffset: 10, sizeBytes: 4096 });
    expect(body.partitions[1]).to.deep.include({ partition: 1, leader: 2, replicas: [2, 3], isr: [2], underReplicated: true });
    expect(body.partitions[1]).to.not.have.property('log');
  });

  it('GET /topics/:name of an unknown topic → 404 UNKNOWN_TOPIC_OR_PARTITION; of an illegal name → 400', async () => {
    const missing = await f.app.inject({ method: 'GET', url: '/topics/nope' });
    expect(missing.statusCode).to.equal(404);
    expect(errorOf(missing.body).code).to.equal('UNKNOWN_TOPIC_OR_PARTITION');
    const illegal = await f.app.inject({ method: 'GET', url: '/topics/bad%20name' });
    expect(illegal.statusCode).to.equal(400);
    expect(errorOf(illegal.body).code).to.equal('INVALID_TOPIC_EXCEPTION');
  });

  it('DELETE /topics/:name marks the topic for deletion (202); unknown → 404', async () => {
    await create({ name: 'gone' });
    const res = await f.app.inject({ method: 'DELETE', url: '/topics/gone' });
    expect(res.statusCode, res.body).to.equal(202);
    expect(res.json()).to.deep.equal({ name: 'gone', markedForDeletion: true });
    expect(f.zk.stat('/admin/delete_topics/gone')).to.not.equal(undefined);
    const again = await f.app.inject({ method: 'DELETE', url: '/topics/never' });
    expect(again.statusCode).to.equal(404);
    expect(errorOf(again.body).code).to.equal('UNKNOWN_TOPIC_OR_PARTITION');
  });

  it('PATCH /topics/:name/config sets and removes overrides and notifies brokers', async () => {
    await create({ name: 'cfg', configs: { 'retention.ms': '1000', 'cleanup.policy': 'compact' } });
    const res = await f.app.inject({ method: 'PATCH', url: '/topics/cfg/config', payload: { configs: { 'retention.ms': null, 'segment.bytes': '1048576' } } });
    expect(res.statusCode, res.body).to.equal(200);
    expect(res.json()).to.deep.equal({ name: 'cfg', configs: { 'cleanup.policy': 'compact', 'segment.bytes': '1048576' } });
    expect(f.zk.text('/config/topics/cfg')).to.not.contain('retention.ms');
    expect(f.zk.paths('/config/changes').filter((p) => p.includes('config_change_'))).to.have.length(1);
  });

  it('PATCH /topics/:name/config: invalid value → 400 INVALID_CONFIG; unknown topic → 404; bad body → 400', async () => {
    await create({ name: 'cfg2' });
    const bad = await f.app.inject({ method: 'PATCH', url: '/topics/cfg2/config', payload: { configs: { 'min.insync.replicas': 'many' } } });
    expect(bad.statusCode).to.equal(400);
    expect(errorOf(bad.body).code).to.equal('INVALID_CONFIG');
    const missing = await f.app.inject({ method: 'PATCH', url: '/topics/ghost/config', payload: { configs: { 'retention.ms': '1' } } });
    expect(missing.statusCode).to.equal(404);
    expect(errorOf(missing.body).code).to.equal('UNKNOWN_TOPIC_OR_PARTITION');
    const shape = await f.app.inject({ method: 'PATCH', url: '/topics/cfg2/config', payload: { 'retention.ms': '1' } });
    expect(shape.statusCode).to.equal(400);
    expect(errorOf(shape.body).code).to.equal('INVALID_REQUEST');
  });

  it('POST /topics/:name/partitions grows the topic; shrinking → 400 INVALID_PARTITIONS; unknown → 404', async () => {
    await create({ name: 'grow', partitions: 1, replicationFactor: 1 });
    const res = await f.app.inject({ method: 'POST', url: '/topics/grow/partitions', payload: { totalCount: 3 } });
    expect(res.statusCode, res.body).to.equal(200);
    expect(res.json()).to.include({ name: 'grow', totalCount: 3, validateOnly: false });
    expect(Object.keys(res.json().added)).to.deep.equal(['1', '2']);
    const listed = (await f.app.inject({ method: 'GET', url: '/topics' })).json();
    expect(listed.topics[0]).to.include({ name: 'grow', partitions: 3 });

    const shrink = await f.app.inject({ method: 'POST', url: '/topics/grow/partitions', payload: { totalCount: 2 } });
    expect(shrink.statusCode).to.equal(400);
    expect(errorOf(shrink.body).code).to.equal('INVALID_PARTITIONS');
    const missing = await f.app.inject({ method: 'POST', url: '/topics/ghost/partitions', payload: { totalCount: 2 } });
    expect(missing.statusCode).to.equal(404);
    const noCount = await f.app.inject({ method: 'POST', url: '/topics/grow/partitions', payload: {} });
    expect(noCount.statusCode).to.equal(400);
    expect(errorOf(noCount.body).code).to.equal('INVALID_REQUEST');
  });

  it('POST /topics/:name/partitions with a manual assignment of the new partitions', async () => {
    await create({ name: 'grow2', partitions: 1, replicationFactor: 1 });
    const res = await f.app.inject({ method: 'POST', url: '/topics/grow2/partitions', payload: { totalCount: 2, assignment: { 1: [3] } } });
    expect(res.statusCode, res.body).to.equal(200);
    expect(res.json().added).to.deep.equal({ 1: [3] });
  });
});
