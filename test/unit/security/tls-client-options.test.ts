/**
 * The options a broker gives tls.connect for another broker's inter-broker listener. Node 20's
 * tls.connect asserts (ERR_INTERNAL_ASSERTION) on an explicit `checkServerIdentity: undefined`;
 * with host name verification on (Kafka's default https) every controller connection threw so,
 * and a three-broker SASL_SSL cluster never got its metadata.
 */
import { expect } from 'chai';
import { connect } from 'node:tls';
import { SslPrincipalMapper } from '../../../broker/security/principal-mapping.js';
import { tlsClientOptions, type ListenerTls } from '../../../broker/security/tls-config.js';

const base = { key: 'k', cert: 'c', passphrase: undefined, ca: undefined, clientAuth: 'none', minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', ciphers: undefined, principalMapper: new SslPrincipalMapper('DEFAULT') } as const;

describe('security > inter-broker TLS client options', () => {
  it('with ssl.endpoint.identification.algorithm=https, leaves Node\'s host name check in place and tls.connect accepts the options', () => {
    const opts = tlsClientOptions({ ...base, verifyHostname: true } as ListenerTls, '127.0.0.1');
    expect(Object.keys(opts)).to.not.include('checkServerIdentity');
    const { key: _k, cert: _c, ...connectable } = opts;
    const socket = connect({ host: '127.0.0.1', port: 1, ...connectable });
    socket.on('error', () => undefined);
    socket.destroy();
  });

  it('with the check switched off, accepts any host name', () => {
    const opts = tlsClientOptions({ ...base, verifyHostname: false } as ListenerTls, 'broker-1');
    expect(opts.checkServerIdentity?.('other', {} as never)).to.equal(undefined);
    expect(opts.servername).to.equal('broker-1');
  });
});
