import { expect } from 'chai';
import { adminFixture, errorOf, type Fixture } from './admin-http-fixture.js';

describe('http > reassignments, elections and groups', () => {
  describe('without the optional deps', () => {
    let f: Fixture;
    before(async () => {
      f = await adminFixture();
    });
    after(async () => {
      await f.app.close();
    });

    const routes: Array<['GET' | 'POST' | 'DELETE', string, object | undefined]> = [
      ['POST', '/reassignments', { partitions: [{ topic: 'a', partition: 0, replicas: [1] }] }],
      ['GET', '/reassignments', undefined],
      ['POST', '/elections/preferred', {}],
      ['GET', '/groups', undefined],
      ['GET', '/groups/g1', undefined],
      ['DELETE', '/groups/g1', undefined],
      ['POST', '/groups/g1/offsets', { topic: 'a', to: 'earliest' }],
    ];
    for (const [method, url, payload] of routes) {
      it(`${method} ${url} → 501 NOT_IMPLEMENTED with a clear message`, async () => {
        const res = await f.app.inject({ method, url, ...(payload === undefined ? {} : { payload }) });
        expect(res.statusCode, res.body).to.equal(501);
        const err = errorOf(res.body);
        expect(err.code).to.equal('NOT_IMPLEMENTED');
        expect(err.message).to.match(/not available on this broker yet/);
      });
    }
  });

  describe('with them', () => {
    let f: Fixture;
    beforeEach(async () => {
      f = await adminFixture({ withOperations: true, withGroups: true });
      f.groups.set('busy', {
        groupId: 'busy',
        state: 'Stable',
        protocolType: 'consumer',
        protocol: 'range',
        generationId: 4,
        leader: 'm-1',
        members: [{ memberId: 'm-1', groupInstanceId: null, clientId: 'app', clientHost: '/127.0.0.1', assignment: [{ topic: 'orders', partitions: [0, 1] }] }],
        offsets: [
          { topic: 'orders', partition: 1, committedOffset: 90n, highWatermark: 100n, metadata: '' },
          { topic: 'orders', partition: 0, committedOffset: 5n, highWatermark: 9_007_199_254_740_993n },
          { topic: 'audit', partition: 0, committedOffset: 7n, highWatermark: null },
        ],
      });
      f.groups.set('idle', { groupId: 'idle', state: 'Empty', protocolType: 'consumer', protocol: '', members: [], offsets: [{ topic: 'orders', partition: 0, committedOffset: 50n, highWatermark: 40n }] });
    });
    afterEach(async () => {
      await f.app.close();
    });

    it('POST /reassignments passes the targets through and answers per-partition results (202)', async () => {
      const res = await f.app.inject({
        method: 'POST',
        url: '/reassignments',
        payload: { partitions: [{ topic: 'orders', partition: 0, replicas: [2, 3] }, { topic: 'missing', partition: 1, replicas: null }] },
      });
      expect(res.statusCode, res.body).to.equal(202);
      expect(res.json().partitions).to.deep.equal([
        { topic: 'orders', partition: 0, error: null },
        { topic: 'missing', partition: 1, error: 'UNKNOWN_TOPIC_OR_PARTITION', message: 'no such topic' },
      ]);
      expect(f.calls.reassign).to.deep.equal([[{ topic: 'orders', partition: 0, replicas: [2, 3] }, { topic: 'missing', partition: 1, replicas: null }]]);
    });

    const badReassign: Array<[string, unknown]> = [
      ['no partitions', { partitions: [] }],
      ['replicas missing', { partitions: [{ topic: 'a', partition: 0 }] }],
      ['an empty replica list', { partitions: [{ topic: 'a', partition: 0, replicas: [] }] }],
      ['a negative partition', { partitions: [{ topic: 'a', partition: -1, replicas: [1] }] }],
      ['a broker listed twice', { partitions: [{ topic: 'a', partition: 0, replicas: [1, 1] }] }],
      ['a partition listed twice', { partitions: [{ topic: 'a', partition: 0, replicas: [1] }, { topic: 'a', partition: 0, replicas: [2] }] }],
    ];
    for (const [what, payload] of badReassign) {
      it(`POST /reassignments with ${what} → 400 INVALID_REQUEST, nothing asked`, async () => {
        const res = await f.app.inject({ method: 'POST', url: '/reassignments', payload: payload as object });
        expect(res.statusCode, res.body).to.equal(400);
        expect(errorOf(res.body).code).to.equal('INVALID_REQUEST');
        expect(f.calls.reassign).to.deep.equal([]);
      });
    }

    it('POST /elections/preferred without partitions elects everywhere; with partitions, per partition', async () => {
      const all = await f.app.inject({ method: 'POST', url: '/elections/preferred' });
      expect(all.statusCode, all.body).to.equal(200);
      expect(all.json()).to.deep.equal({ partitions: [{ topic: 'orders', partition: 0, error: null }] });
      const some = await f.app.inject({ method: 'POST', url: '/elections/preferred', payload: { partitions: [{ topic: 'orders', partition: 2 }] } });
      expect(some.json().partitions).to.deep.equal([{ topic: 'orders', partition: 2, error: 'ELECTION_NOT_NEEDED' }]);
      expect(f.calls.elect).to.deep.equal([null, [{ topic: 'orders', partition: 2 }]]);
      const bad = await f.app.inject({ method: 'POST', url: '/elections/preferred', payload: { partitions: [{ topic: 'orders' }] } });
      expect(bad.statusCode).to.equal(400);
      expect(errorOf(bad.body).code).to.equal('INVALID_REQUEST');
    });

    it('GET /groups lists groups sorted by id', async () => {
      const res = await f.app.inject({ method: 'GET', url: '/groups' });
      expect(res.statusCode).to.equal(200);
      expect(res.json()).to.deep.equal({
        groups: [
          { groupId: 'busy', state: 'Stable', protocolType: 'consumer' },
          { groupId: 'idle', state: 'Empty', protocolType: 'consumer' },
        ],
      });
    });

    it('GET /groups/:id shows members, assignments, committed offsets and exact lag', async () => {
      const res = await f.app.inject({ method: 'GET', url: '/groups/busy' });
      expect(res.statusCode, res.body).to.equal(200);
      expect(res.body).to.contain('"lag":9007199254740988').and.contain('"totalLag":9007199254740998');
      const body = res.json();
      expect(body).to.include({ groupId: 'busy', state: 'Stable', protocol: 'range', generationId: 4, leader: 'm-1' });
      expect(body.members).to.deep.equal([{ memberId: 'm-1', clientId: 'app', clientHost: '/127.0.0.1', assignment: [{ topic: 'orders', partitions: [0, 1] }] }]);
      expect(body.offsets.map((o: { topic: string; partition: number }) => `${o.topic}-${o.partition}`)).to.deep.equal(['audit-0', 'orders-0', 'orders-1']);
      expect(body.offsets[0]).to.deep.equal({ topic: 'audit', partition: 0, committedOffset: 7 });
      expect(body.offsets[2]).to.deep.equal({ topic: 'orders', partition: 1, committedOffset: 90, metadata: '', highWatermark: 100, lag: 10 });
    });

    it('lag is never negative (committed ahead of a truncated high watermark)', async () => {
      const body = (await f.app.inject({ method: 'GET', url: '/groups/idle' })).json();
      expect(body.offsets[0]).to.include({ committedOffset: 50, highWatermark: 40, lag: 0 });
      expect(body.totalLag).to.equal(0);
    });

    it('GET /groups/:id of an unknown group → 404 GROUP_ID_NOT_FOUND', async () => {
      const res = await f.app.inject({ method: 'GET', url: '/groups/nope' });
      expect(res.statusCode).to.equal(404);
      expect(errorOf(res.body).code).to.equal('GROUP_ID_NOT_FOUND');
    });

    it('DELETE /groups/:id deletes an empty group; active → 409 NON_EMPTY_GROUP; unknown → 404', async () => {
      const ok = await f.app.inject({ method: 'DELETE', url: '/groups/idle' });
      expect(ok.statusCode, ok.body).to.equal(200);
      expect(ok.json()).to.deep.equal({ groupId: 'idle', deleted: true });
      expect(f.calls.deleted).to.deep.equal(['idle']);
      const busy = await f.app.inject({ method: 'DELETE', url: '/groups/busy' });
      expect(busy.statusCode).to.equal(409);
      expect(errorOf(busy.body).code).to.equal('NON_EMPTY_GROUP');
      const gone = await f.app.inject({ method: 'DELETE', url: '/groups/idle' });
      expect(gone.statusCode).to.equal(404);
      expect(errorOf(gone.body).code).to.equal('GROUP_ID_NOT_FOUND');
    });

    it('POST /groups/:id/offsets resets to an offset and answers old and new offsets', async () => {
      const res = await f.app.inject({ method: 'POST', url: '/groups/idle/offsets', payload: { topic: 'orders', to: 'offset', value: 12, dryRun: true } });
      expect(res.statusCode, res.body).to.equal(200);
      expect(res.json()).to.deep.equal({ groupId: 'idle', dryRun: true, partitions: [{ topic: 'orders', partition: 0, previousOffset: 50, newOffset: 12 }] });
      expect(f.calls.reset).to.deep.equal([['idle', { topic: 'orders', to: { kind: 'offset', offset: 12n }, dryRun: true }]]);
    });

    it('POST /groups/:id/offsets passes earliest/latest/timestamp/shift targets', async () => {
      for (const [payload, to] of [
        [{ topic: 'orders', to: 'earliest' }, { kind: 'earliest' }],
        [{ topic: 'orders', to: 'latest', partitions: [0] }, { kind: 'latest' }],
        [{ topic: 'orders', to: 'timestamp', value: 1_700_000_000_000 }, { kind: 'timestamp', timestamp: 1_700_000_000_000n }],
        [{ topic: 'orders', to: 'shift', value: -5 }, { kind: 'shift', by: -5n }],
      ] as const) {
        const res = await f.app.inject({ method: 'POST', url: '/groups/idle/offsets', payload });
        expect(res.statusCode, res.body).to.equal(200);
        expect(f.calls.reset.at(-1)![1].to).to.deep.equal(to);
      }
    });

    const badResets: Array<[string, unknown]> = [
      ['an unknown target', { topic: 'orders', to: 'yesterday' }],
      ['to=offset without value', { topic: 'orders', to: 'offset' }],
      ['a negative offset', { topic: 'orders', to: 'offset', value: -1 }],
      ['a value with to=earliest', { topic: 'orders', to: 'earliest', value: 3 }],
      ['no topic', { to: 'earliest' }],
    ];
    for (const [what, payload] of badResets) {
      it(`POST /groups/:id/offsets with ${what} → 400 INVALID_REQUEST`, async () => {
        const res = await f.app.inject({ method: 'POST', url: '/groups/idle/offsets', payload: payload as object });
        expect(res.statusCode, res.body).to.equal(400);
        expect(errorOf(res.body).code).to.equal('INVALID_REQUEST');
        expect(f.calls.reset).to.deep.equal([]);
      });
    }

    it('POST /groups/:id/offsets on an active group → 409 NON_EMPTY_GROUP', async () => {
      const res = await f.app.inject({ method: 'POST', url: '/groups/busy/offsets', payload: { topic: 'orders', to: 'latest' } });
      expect(res.statusCode).to.equal(409);
      expect(errorOf(res.body).code).to.equal('NON_EMPTY_GROUP');
    });
  });
});
