import { expect } from 'chai';
import {
  decodePlainToken,
  encodePlainToken,
  formatScramCredential,
  makeScramCredential,
  parseScramCredential,
  ScramClient,
  ScramError,
  ScramServer,
  type ScramCredential,
} from '../../../protocol/index.js';
import { parseJaasConfig, plainUsers, loginCredentials } from '../../../broker/security/jaas.js';
import { rfc2253Name, SslPrincipalMapper } from '../../../broker/security/principal-mapping.js';

describe('security > SCRAM (RFC 5802/7677)', () => {
  // RFC 7677 §3: user "user", password "pencil".
  const clientNonce = 'rOprNGfwEbeRWgbNEkqO';
  const serverFirst = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
  const clientFinal = 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=';
  const serverFinal = 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=';

  it('the client reproduces RFC 7677\'s SCRAM-SHA-256 example exactly', () => {
    const c = new ScramClient('SCRAM-SHA-256', 'user', 'pencil', clientNonce);
    expect(c.first().toString()).to.equal(`n,,n=user,r=${clientNonce}`);
    expect(c.final(Buffer.from(serverFirst)).toString()).to.equal(clientFinal);
    expect(() => c.verifyServerFinal(Buffer.from(serverFinal))).to.not.throw();
    expect(() => c.verifyServerFinal(Buffer.from('v=AAAA'))).to.throw(ScramError, /server signature/);
  });

  it('the server answers the RFC example with the same server-first and server-final', () => {
    const cred = makeScramCredential('SCRAM-SHA-256', 'pencil', 4096, Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'));
    const s = new ScramServer('SCRAM-SHA-256', (_m, u) => (u === 'user' ? cred : undefined), () => '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0');
    expect(s.evaluate(Buffer.from(`n,,n=user,r=${clientNonce}`)).toString()).to.equal(serverFirst);
    expect(s.evaluate(Buffer.from(clientFinal)).toString()).to.equal(serverFinal);
    expect(s.complete).to.equal(true);
    expect(s.username).to.equal('user');
  });

  for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
    it(`${mechanism}: client and server agree; a wrong password and an unknown user fail the same way`, () => {
      const creds = new Map<string, ScramCredential>([['al,i=ce', makeScramCredential(mechanism, 'secret', 4096)]]);
      const run = (user: string, password: string): string => {
        const server = new ScramServer(mechanism, (_m, u) => creds.get(u));
        const client = new ScramClient(mechanism, user, password);
        const first = server.evaluate(client.first());
        const final = server.evaluate(client.final(first));
        client.verifyServerFinal(final);
        return server.username!;
      };
      expect(run('al,i=ce', 'secret')).to.equal('al,i=ce');
      expect(() => run('al,i=ce', 'wrong')).to.throw(ScramError, 'Authentication failed: Invalid user credentials');
      expect(() => run('bob', 'secret')).to.throw(ScramError, 'Authentication failed: Invalid user credentials');
    });
  }

  it('stores credentials in Kafka\'s text form and reads them back', () => {
    const c = makeScramCredential('SCRAM-SHA-512', 'pw', 8192);
    const text = formatScramCredential(c);
    expect(text).to.match(/^salt=[A-Za-z0-9+/=]+,stored_key=[A-Za-z0-9+/=]+,server_key=[A-Za-z0-9+/=]+,iterations=8192$/);
    expect(parseScramCredential(text)).to.deep.equal(c);
    expect(() => parseScramCredential('salt=abc,iterations=4096')).to.throw(ScramError, /stored_key/);
  });

  it('refuses channel binding, a foreign nonce and a changed authzid', () => {
    const server = () => new ScramServer('SCRAM-SHA-256', () => makeScramCredential('SCRAM-SHA-256', 'x', 4096));
    expect(() => server().evaluate(Buffer.from('p=tls-unique,,n=u,r=abc'))).to.throw(ScramError, /channel binding/);
    expect(() => server().evaluate(Buffer.from('n,a=other,n=u,r=abc'))).to.throw(ScramError, /authorization id/);
    const s = server();
    s.evaluate(Buffer.from('n,,n=u,r=abc'));
    expect(() => s.evaluate(Buffer.from('c=biws,r=abcdef,p=AAAA'))).to.throw(ScramError, /nonce/);
  });

  it('accepts librdkafka\'s final nonce (its client nonce once more in front), as Kafka does (endsWith)', () => {
    const cred = makeScramCredential('SCRAM-SHA-256', 'pencil', 4096, Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'));
    const s = new ScramServer('SCRAM-SHA-256', () => cred, () => 'SRV');
    const first = s.evaluate(Buffer.from('n,,n=user,r=CLI')).toString();
    expect(first).to.match(/^r=CLISRV,/);
    // The proof covers the message as sent, so a client that signs what it sends still passes.
    const client = new ScramClient('SCRAM-SHA-256', 'user', 'pencil', 'CLI');
    client.first();
    const final = client.final(Buffer.from(first)).toString().replace('r=CLISRV', 'r=CLICLISRV');
    expect(() => s.evaluate(Buffer.from(final))).to.throw(ScramError, 'Invalid user credentials');
  });
});

describe('security > PLAIN tokens and JAAS config', () => {
  it('encodes and decodes PLAIN (authzid NUL user NUL password)', () => {
    expect(decodePlainToken(encodePlainToken('alice', 'p w'))).to.deep.equal({ authzid: '', username: 'alice', password: 'p w' });
    expect(decodePlainToken(Buffer.from('alice\u0000pw'))).to.equal(undefined);
    expect(decodePlainToken(Buffer.from('\u0000\u0000pw'))).to.equal(undefined);
  });

  it('parses Kafka\'s JAAS entry: quoted and bare values, escapes, users', () => {
    const e = parseJaasConfig('org.apache.kafka.common.security.plain.PlainLoginModule required\n  username="admin" password="a\\"b" user_admin="a\\"b" user_alice=alice-pw;');
    expect(e.loginModule).to.equal('org.apache.kafka.common.security.plain.PlainLoginModule');
    expect(loginCredentials(e)).to.deep.equal({ username: 'admin', password: 'a"b' });
    expect([...plainUsers(e)]).to.deep.equal([['admin', 'a"b'], ['alice', 'alice-pw']]);
    expect(() => parseJaasConfig('Module required username="x"')).to.throw(/must end with ";"/);
    expect(() => parseJaasConfig('Module maybe;')).to.throw(/required\|requisite/);
    expect(() => parseJaasConfig('M required a="x"; N required;')).to.throw(/more than one/);
  });
});

describe('security > ssl.principal.mapping.rules', () => {
  it('applies the first matching rule, with case folding, and DEFAULT keeps the DN', () => {
    const m = new SslPrincipalMapper('RULE:^CN=([a-zA-Z0-9.-]*),OU=ServiceUsers.*$/$1/L, RULE:^CN=(.*?),OU=(.*?),O=.*$/$1@$2/, DEFAULT');
    expect(m.map('CN=Kafka-Broker1,OU=ServiceUsers,O=Acme')).to.equal('kafka-broker1');
    expect(m.map('CN=alice,OU=eng,O=Acme')).to.equal('alice@eng');
    expect(m.map('CN=bob,O=Acme')).to.equal('CN=bob,O=Acme');
    expect(new SslPrincipalMapper('DEFAULT').map('CN=x')).to.equal('CN=x');
    expect(new SslPrincipalMapper('RULE:^CN=(.*)$/$1/U').map('CN=ab\\/c')).to.equal('AB\\/C');
    expect(() => new SslPrincipalMapper('RULE:^CN=(.*)$/$1/').map('O=x')).to.throw(/no ssl.principal.mapping.rules rule matches/);
    expect(() => new SslPrincipalMapper('RULE:^CN=(.*)$')).to.throw(/unterminated/);
  });

  it('writes a certificate subject most specific RDN first, as Java\'s X500Principal', () => {
    expect(rfc2253Name('C=US\nO=Acme, Inc\nCN=alice')).to.equal('CN=alice,O=Acme\\, Inc,C=US');
  });
});
