import { expect } from 'chai';
import { buildAdminApp } from '../../../broker/http/index.js';
import { isOpenPath, parseBasicAuthorization } from '../../../broker/http/http-auth.js';
import { passwordCheck } from '../../../broker/security/index.js';
import { makeScramCredential, type ScramCredential } from '../../../protocol/index.js';
import { adminFixture, errorOf } from './admin-http-fixture.js';

const basic = (text: string): string => `Basic ${Buffer.from(text).toString('base64')}`;

describe('http > Basic authentication against the SASL users', () => {
  it('checks PLAIN passwords and SCRAM passwords through the stored salt, iterations and StoredKey', () => {
    const carol: ScramCredential = makeScramCredential('SCRAM-SHA-512', 'carol-pw', 4096);
    const check = passwordCheck(new Map([['admin', ['admin-pw']]]), (m, u) => (u === 'carol' && m === 'SCRAM-SHA-512' ? carol : undefined));
    expect(check('admin', 'admin-pw')).to.equal(true);
    expect(check('admin', 'admin-pw ')).to.equal(false);
    expect(check('carol', 'carol-pw')).to.equal(true);
    expect(check('carol', 'carol-pX')).to.equal(false);
    expect(check('dave', 'carol-pw')).to.equal(false);
  });

  it('parses the Authorization header; a password may hold colons; open paths match exactly or by a * prefix', () => {
    expect(parseBasicAuthorization(basic('u:p:q'))).to.deep.equal({ user: 'u', password: 'p:q' });
    expect(parseBasicAuthorization(basic(':p'))).to.equal(undefined);
    expect(parseBasicAuthorization('Bearer abc')).to.equal(undefined);
    expect(parseBasicAuthorization(undefined)).to.equal(undefined);
    expect(isOpenPath(['/health', '/ui/*'], '/health')).to.equal(true);
    expect(isOpenPath(['/health', '/ui/*'], '/healthz')).to.equal(false);
    expect(isOpenPath(['/health', '/ui/*'], '/ui/app.js')).to.equal(true);
  });

  it('401 with WWW-Authenticate: Basic without the right password, before routing; open paths need none', async () => {
    const f = await adminFixture({});
    const app = buildAdminApp({ ...f.deps, authentication: { check: (u, p) => u === 'admin' && p === 'pw', openPaths: ['/health'] } });
    for (const authorization of [undefined, basic('admin:nope'), 'Basic !!!']) {
      const r = await app.inject({ method: 'GET', url: '/topics', headers: authorization === undefined ? {} : { authorization } });
      expect(r.statusCode).to.equal(401);
      expect(r.headers['www-authenticate']).to.match(/^Basic realm="samsa-admin"/);
      expect(errorOf(r.body).code).to.equal('SASL_AUTHENTICATION_FAILED');
    }
    expect((await app.inject({ method: 'GET', url: '/no-such-route' })).statusCode, 'unknown paths reveal nothing').to.equal(401);
    expect((await app.inject({ method: 'GET', url: '/topics', headers: { authorization: basic('admin:pw') } })).statusCode).to.equal(200);
    expect((await app.inject({ method: 'GET', url: '/health?x=1' })).statusCode).to.equal(200);
  });
});
