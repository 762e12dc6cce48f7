/**
 * The inter-broker (msgpack) listener with SASL: a peer that logs in (SASL PLAIN or SCRAM over
 * the msgpack handshake) is served with its principal in ctx; a frame sent before logging in
 * closes the connection without reaching any handler (no LeaderAndIsr, no replica fetch from an
 * unauthenticated peer); a wrong password is refused and the listener keeps serving.
 */
import { expect } from 'chai';
import { encodeInternalFrame } from '../../../protocol/index.js';
import { loadBrokerConfig, silentLogger } from '../../../broker/index.js';
import { InterBrokerClient } from '../../../broker/network/index.js';
import { interBrokerSecurity } from '../../../broker/security/inter-broker-login.js';
import { KafkaSocket } from '../../helpers/kafka-socket.js';
import { startNetworkBroker, networkConfig, type StartedBroker } from '../network/fixture.js';

const JAAS = (user: string, password: string) =>
  `org.apache.kafka.common.security.plain.PlainLoginModule required username="${user}" password="${password}" user_broker="broker-secret";`;
const SASL_INTERNAL = {
  'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,INTERNAL:SASL_PLAINTEXT',
  'sasl.enabled.mechanisms': 'PLAIN',
  'sasl.mechanism.inter.broker.protocol': 'PLAIN',
};

describe('security > inter-broker listener with SASL (msgpack handshake)', () => {
  let broker: StartedBroker;
  const seen: string[] = [];

  before(async () => {
    broker = await startNetworkBroker({ ...SASL_INTERNAL, 'listener.name.internal.plain.sasl.jaas.config': JAAS('broker', 'broker-secret') }, (server) => {
      server.registerInternal('Echo', async (ctx, body) => {
        seen.push(ctx.principal);
        return { echo: body };
      });
    });
  });
  after(async () => {
    await broker?.server.stop();
  });

  const clientWith = (password: string): InterBrokerClient => {
    const config = networkConfig({ ...SASL_INTERNAL, 'listener.name.internal.plain.sasl.jaas.config': JAAS('broker', password) });
    return new InterBrokerClient({ logger: silentLogger(), requestTimeoutMs: 5_000, connectTimeoutMs: 3_000, security: interBrokerSecurity(config) });
  };

  it('serves a peer that logged in, as User:broker; refuses a wrong password; closes on a frame before login', async () => {
    const target = { id: 1, host: '127.0.0.1', port: broker.interBrokerPort };
    const good = clientWith('broker-secret');
    expect(await good.send(target, 'Echo', { n: 1 })).to.deep.equal({ echo: { n: 1 } });
    expect(seen).to.deep.equal(['User:broker']);
    await good.close();

    const bad = clientWith('wrong');
    const err = (await bad.send(target, 'Echo', { n: 2 }).catch((e: Error) => e)) as Error & { code?: string };
    expect(err.code).to.equal('BRK_BROKER_UNREACHABLE');
    expect(err.message).to.contain('Invalid username or password');
    await bad.close();

    const raw = await KafkaSocket.connect('127.0.0.1', broker.interBrokerPort);
    raw.writeRaw(encodeInternalFrame({ api: 'Echo', version: 0, correlationId: 7, isResponse: false, body: { n: 3 } }));
    await raw.waitClosed();
    expect(seen).to.deep.equal(['User:broker']);

    // The listener still serves a well-behaved peer.
    const again = clientWith('broker-secret');
    expect(await again.send(target, 'Echo', { n: 4 })).to.deep.equal({ echo: { n: 4 } });
    await again.close();
  });

  it('a SASL inter-broker listener without login credentials for brokers is a startup error', () => {
    const config = networkConfig({ ...SASL_INTERNAL, 'listener.name.internal.plain.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required user_broker="x";' });
    expect(() => interBrokerSecurity(config)).to.throw(/needs username="…" password="…"/);
    expect(() => loadBrokerConfig({ overrides: ['zookeeper.connect=127.0.0.1:1', 'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,INTERNAL:SASL_PLAINTEXT'] })).to.throw(/GSSAPI/);
  });
});
