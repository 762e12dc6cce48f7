import { expect } from 'chai';
import { buildAdminApp } from '../../../broker/http/index.js';
import { isOpenPath, parseBasicAuthorization } from '../../../broker/http/http-auth.js';
import { passwordCheck, VerifiedPasswords } from '../../../broker/security/index.js';
import { makeScramCredential, type ScramCredential } from '../../../protocol/index.js';
import { TestScheduler } from '../../helpers/test-scheduler.js';
import { adminFixture, errorOf } from './admin-http-fixture.js';

const basic = (text: string): string => `Basic ${Buffer.from(text).toString('base64')}`;

describe('http > Basic authentication against the SASL users', () => {
  it('checks PLAIN passwords and SCRAM passwords through the stored salt, iterations and StoredKey', async () => {
    const carol: ScramCredential = makeScramCredential('SCRAM-SHA-512', 'carol-pw', 4096);
    const check = passwordCheck(new Map([['admin', ['admin-pw']]]), (m, u) => (u === 'carol' && m === 'SCRAM-SHA-512' ? carol : undefined));
    expect(await check('admin', 'admin-pw')).to.equal(true);
    expect(await check('admin', 'admin-pw ')).to.equal(false);
    expect(await check('carol', 'carol-pw')).to.equal(true);
    expect(await check('carol', 'carol-pX')).to.equal(false);
    expect(await check('dave', 'carol-pw')).to.equal(false);
  });

  it('a verified SCRAM password is not hashed again until it expires; failures are hashed every time; concurrent checks share one hash', async () => {
    const scheduler = new TestScheduler();
    const carol = makeScramCredential('SCRAM-SHA-256', 'carol-pw', 4096);
    const verified = new VerifiedPasswords({ clock: scheduler, ttlMs: 60_000 });
    const check = passwordCheck(new Map(), (m, u) => (u === 'carol' && m === 'SCRAM-SHA-256' ? carol : undefined), verified);
    expect(await Promise.all([check('carol', 'carol-pw'), check('carol', 'carol-pw'), check('carol', 'carol-pw')])).to.deep.equal([true, true, true]);
    expect(verified.hashes, 'three concurrent requests, one PBKDF2').to.equal(1);
    for (let i = 0; i < 20; i++) expect(await check('carol', 'carol-pw')).to.equal(true);
    expect(verified.hashes, 'repeated requests: no PBKDF2').to.equal(1);
    expect(await check('carol', 'wrong')).to.equal(false);
    expect(await check('carol', 'wrong')).to.equal(false);
    expect(verified.hashes, 'a wrong password is never taken from the cache').to.equal(3);
    await scheduler.tickAsync(60_000);
    expect(await check('carol', 'carol-pw')).to.equal(true);
    expect(verified.hashes, 'hashed again once expired').to.equal(4);
  });

  it('a changed or removed SCRAM credential refuses the old password at once, though it was verified a moment ago', async () => {
    let carol: ScramCredential | undefined = makeScramCredential('SCRAM-SHA-256', 'old-pw', 4096);
    const verified = new VerifiedPasswords({ ttlMs: 60_000 });
    const check = passwordCheck(new Map(), (m, u) => (u === 'carol' && m === 'SCRAM-SHA-256' ? carol : undefined), verified);
    expect(await check('carol', 'old-pw')).to.equal(true);
    expect(await check('carol', 'old-pw')).to.equal(true);
    // AlterUserScramCredentials: a new salt and StoredKey reach the credential cache.
    carol = makeScramCredential('SCRAM-SHA-256', 'new-pw', 4096);
    expect(await check('carol', 'old-pw'), 'the old password after the change').to.equal(false);
    expect(await check('carol', 'new-pw')).to.equal(true);
    // Same password, new salt (a reset to the same password): hashed again, still accepted.
    const hashes = verified.hashes;
    carol = makeScramCredential('SCRAM-SHA-256', 'new-pw', 8192);
    expect(await check('carol', 'new-pw')).to.equal(true);
    expect(verified.hashes).to.equal(hashes + 1);
    carol = undefined;
    expect(await check('carol', 'new-pw'), 'a deleted credential').to.equal(false);
  });

  it('keeps at most maxEntries verified passwords, the oldest leaving first', async () => {
    const creds = new Map<string, ScramCredential>([...Array(4).keys()].map((i) => [`u${i}`, makeScramCredential('SCRAM-SHA-256', `pw${i}`, 4096)] as const));
    const verified = new VerifiedPasswords({ maxEntries: 3 });
    const check = passwordCheck(new Map(), (m, u) => (m === 'SCRAM-SHA-256' ? creds.get(u) : undefined), verified);
    for (let i = 0; i < 4; i++) expect(await check(`u${i}`, `pw${i}`)).to.equal(true);
    expect(verified.size).to.equal(3);
    expect(await check('u3', 'pw3')).to.equal(true);
    expect(verified.hashes, 'u3 still remembered').to.equal(4);
    expect(await check('u0', 'pw0')).to.equal(true);
    expect(verified.hashes, 'u0 was the oldest: hashed again').to.equal(5);
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
