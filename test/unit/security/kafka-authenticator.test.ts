/**
 * The SASL state machine of Kafka listeners (broker/security/kafka-authenticator.ts) on frames
 * made by protocol/: what is served before authentication, connections.max.reauth.ms (session
 * lifetime in SaslAuthenticate v1+, re-authentication on the same connection with the same
 * principal, close on a request after expiry), and failures answered then closed.
 */
import { expect } from 'chai';
import { pino } from 'pino';
import { ApiKey, decodeResponse, encodePlainToken, encodeRequest, ErrorCode } from '../../../protocol/index.js';
import { KafkaSaslAuthenticator } from '../../../broker/security/kafka-authenticator.js';
import type { ListenerSasl } from '../../../broker/security/sasl-server.js';
import { listenerSasl } from '../../../broker/security/sasl-server.js';
import type { DispatchOutcome } from '../../../broker/network/framed-connection.js';
import type { MutableConnectionInfo } from '../../../broker/request-context.js';
import { loadBrokerConfig } from '../../../broker/index.js';

const JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="a" user_bob="b";';

function sasl(reauthMs: number): ListenerSasl {
  const config = loadBrokerConfig({
    overrides: [
      'zookeeper.connect=127.0.0.1:1',
      'listeners=SASL_PLAINTEXT://127.0.0.1:0,INTERNAL://127.0.0.1:0',
      'listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,INTERNAL:PLAINTEXT',
      'sasl.enabled.mechanisms=PLAIN',
      `listener.name.sasl_plaintext.plain.sasl.jaas.config=${JAAS}`,
      `listener.name.sasl_plaintext.connections.max.reauth.ms=${reauthMs}`,
    ],
  });
  return listenerSasl(config, 'SASL_PLAINTEXT', () => undefined);
}

describe('security > SASL authenticator of a Kafka listener', () => {
  let now = 1_000;
  let routed: number;
  let info: MutableConnectionInfo;
  const make = (reauthMs: number) =>
    new KafkaSaslAuthenticator(info, sasl(reauthMs), async () => {
      routed++;
      return { kind: 'silent' };
    }, () => now, pino({ level: 'silent' }));

  beforeEach(() => {
    now = 1_000;
    routed = 0;
    info = { connectionId: 'c1', listenerName: 'SASL_PLAINTEXT', securityProtocol: 'SASL_PLAINTEXT', clientAddress: '127.0.0.1', clientPort: 1, principal: 'User:ANONYMOUS', signal: new AbortController().signal };
  });

  const frame = (apiKey: number, version: number, body: unknown): Buffer => encodeRequest(apiKey as never, version, 7, 'test', body as never).subarray(4);
  const send = (a: KafkaSaslAuthenticator, apiKey: number, version: number, body: unknown): Promise<DispatchOutcome> => a.route(info, frame(apiKey, version, body), now);
  const answer = <K extends number>(o: DispatchOutcome, apiKey: K, version: number) => {
    if (o.kind !== 'respond') throw new Error(`expected a response, got ${JSON.stringify(o)}`);
    return decodeResponse(apiKey, version, o.frame.subarray(4)).body;
  };
  const login = async (a: KafkaSaslAuthenticator, user: string, password: string) => {
    expect(answer(await send(a, ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' }), ApiKey.SaslHandshake, 1).errorCode).to.equal(ErrorCode.NONE);
    return send(a, ApiKey.SaslAuthenticate, 1, { authBytes: encodePlainToken(user, password) });
  };
  const metadata = (a: KafkaSaslAuthenticator) => send(a, ApiKey.Metadata, 1, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });

  it('serves ApiVersions but closes on any other request before authentication', async () => {
    const a = make(0);
    await send(a, ApiKey.ApiVersions, 0, {});
    expect(routed).to.equal(1);
    expect((await metadata(a)).kind).to.equal('close');
    expect(routed).to.equal(1);
  });

  it('an unknown mechanism is answered with the enabled ones, then closed', async () => {
    const o = await send(make(0), ApiKey.SaslHandshake, 1, { mechanism: 'GSSAPI' });
    expect(answer(o, ApiKey.SaslHandshake, 1)).to.deep.equal({ errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: ['PLAIN'] });
    expect(o.kind === 'respond' && o.closeAfter).to.match(/unsupported SASL mechanism GSSAPI/);
  });

  it('a wrong password: SASL_AUTHENTICATION_FAILED with the reason, then close', async () => {
    const o = await login(make(0), 'alice', 'x');
    const body = answer(o, ApiKey.SaslAuthenticate, 1);
    expect([body.errorCode, body.errorMessage]).to.deep.equal([ErrorCode.SASL_AUTHENTICATION_FAILED, 'Authentication failed: Invalid username or password']);
    expect(o.kind === 'respond' && o.closeAfter !== undefined).to.equal(true);
    expect(info.principal).to.equal('User:ANONYMOUS');
  });

  it('connections.max.reauth.ms: lifetime in the response, re-authentication extends it, a request after expiry closes', async () => {
    const a = make(10_000);
    const first = answer(await login(a, 'alice', 'a'), ApiKey.SaslAuthenticate, 1);
    expect([first.errorCode, first.sessionLifetimeMs]).to.deep.equal([ErrorCode.NONE, 10_000n]);
    expect(info.principal).to.equal('User:alice');
    now += 9_000;
    await metadata(a);
    expect(routed).to.equal(1);
    // KIP-368: a new handshake + authenticate on the same connection, same principal.
    expect(answer(await login(a, 'alice', 'a'), ApiKey.SaslAuthenticate, 1).errorCode).to.equal(ErrorCode.NONE);
    now += 9_000; // 18 s after the first login, 9 s after the second: still valid
    await metadata(a);
    expect(routed).to.equal(2);
    now += 2_000;
    const expired = await metadata(a);
    expect(expired.kind).to.equal('close');
    expect(expired.kind === 'close' && expired.reason).to.match(/expired/);
  });

  it('re-authentication as another user is refused', async () => {
    const a = make(10_000);
    await login(a, 'alice', 'a');
    const o = await login(a, 'bob', 'b');
    expect(answer(o, ApiKey.SaslAuthenticate, 1).errorMessage).to.match(/Cannot change principals during re-authentication/);
    expect(info.principal).to.equal('User:alice');
  });

  it('without connections.max.reauth.ms the session never expires (lifetime 0)', async () => {
    const a = make(0);
    expect(answer(await login(a, 'bob', 'b'), ApiKey.SaslAuthenticate, 1).sessionLifetimeMs).to.equal(0n);
    now += 365 * 86_400_000;
    await metadata(a);
    expect(routed).to.equal(1);
  });
});
