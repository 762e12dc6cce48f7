import { expect } from 'chai';
import { pino } from 'pino';
import { buildAdminApp } from '../../../broker/http/index.js';
import { ROUTE_ACLS } from '../../../broker/http/route-acls.js';
import { AclAuthorizer, AclOperation as Op, AclPermission, PatternType, ResourceType as Res } from '../../../broker/security/index.js';
import { FakeZooKeeper } from '../../helpers/fake-coordination-store.js';
import { adminFixture, errorOf } from './admin-http-fixture.js';

describe('http > routes authorized by the Kafka ACLs', () => {
  it('every write route has an ACL rule (a missing one would be refused while an authorizer is configured)', async () => {
    const f = await adminFixture({ withOperations: true, withGroups: true });
    const doc = JSON.parse((await f.app.inject({ method: 'GET', url: '/openapi.json' })).body) as { paths: Record<string, Record<string, unknown>> };
    const writes = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).filter((m) => ['post', 'put', 'patch', 'delete'].includes(m)).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`));
    expect(writes.length).to.be.greaterThan(5);
    expect(writes.filter((w) => ROUTE_ACLS[w] === undefined)).to.deep.equal([]);
  });

  it('with ACLs: refused writes answer 403 with the Kafka error and change nothing; a grant lets them through; reads stay open', async () => {
    const f = await adminFixture({ withOperations: true, withGroups: true });
    const zk = new FakeZooKeeper();
    const acls = new AclAuthorizer({ store: zk.session(), logger: pino({ level: 'silent' }), superUsers: new Set(), allowEveryoneIfNoAclFound: false });
    await acls.start();
    try {
      const app = buildAdminApp({ ...f.deps, acls: () => acls });
      const create = () => app.inject({ method: 'POST', url: '/topics', payload: { name: 'orders', partitions: 1, replicationFactor: 1 } });
      const refused = await create();
      expect(refused.statusCode).to.equal(403);
      expect(errorOf(refused.body).code).to.equal('TOPIC_AUTHORIZATION_FAILED');
      expect((await app.inject({ method: 'GET', url: '/topics' })).json().topics, 'nothing was created').to.deep.equal([]);
      const elect = await app.inject({ method: 'POST', url: '/elections/preferred', payload: {} });
      expect([elect.statusCode, errorOf(elect.body).code]).to.deep.equal([403, 'CLUSTER_AUTHORIZATION_FAILED']);
      expect(f.calls.elect).to.deep.equal([]);
      await acls.createAcls([{ pattern: { resourceType: Res.TOPIC, name: 'ord', patternType: PatternType.PREFIXED }, entry: { principal: 'User:ANONYMOUS', host: '*', operation: Op.CREATE, permission: AclPermission.ALLOW } }]);
      expect((await create()).statusCode).to.equal(201);
      const del = await app.inject({ method: 'DELETE', url: '/topics/orders' });
      expect([del.statusCode, errorOf(del.body).code]).to.deep.equal([403, 'TOPIC_AUTHORIZATION_FAILED']);
      expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).to.equal(200);
    } finally {
      acls.stop();
    }
  });
});
