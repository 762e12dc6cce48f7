import { expect } from 'chai';
import { encodeInternalFrame } from '../../../protocol/index.js';
import { silentLogger } from '../../../broker/index.js';
import { BrokerError } from '../../../broker/errors.js';
import { InterBrokerClient, RemoteError } from '../../../broker/network/index.js';
import { KafkaSocket } from '../../helpers/kafka-socket.js';
import { freePort } from '../../helpers/ports.js';
import { waitFor } from '../../helpers/wait-for.js';
import { startNetworkBroker, type StartedBroker } from './fixture.js';

const gates: (() => void)[] = [];

function internalHandlers(server: StartedBroker['server']): void {
  server.registerInternal('Echo', async (ctx, body) => ({ echo: body, api: ctx.api, correlationId: ctx.correlationId }));
  server.registerInternal('Slow', (_ctx, body: { tag: string }) => new Promise((resolve) => gates.push(() => resolve({ tag: body.tag }))));
  server.registerInternal('Fenced', async () => {
    throw new BrokerError('BRK_STALE_CONTROLLER_EPOCH', 'controller epoch 3 is older than 4');
  });
  server.registerInternal('Versioned', async (ctx) => ({ version: ctx.version }), { minVersion: 1, maxVersion: 2 });
}

async function expectRejects(p: Promise<unknown>): Promise<Error & { code?: string; retriable?: boolean }> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('network > inter-broker listener and client', () => {
  let broker: StartedBroker;
  let client: InterBrokerClient;
  let target: { id: number; host: string; port: number };
  const extra: StartedBroker[] = [];

  beforeEach(async () => {
    gates.length = 0;
    broker = await startNetworkBroker({}, internalHandlers);
    client = new InterBrokerClient({ logger: silentLogger(), requestTimeoutMs: 5_000, reconnectBackoffMs: 20, reconnectBackoffMaxMs: 200 });
    target = { id: 1, host: '127.0.0.1', port: broker.interBrokerPort };
  });
  afterEach(async () => {
    for (const g of gates.splice(0)) g();
    await client.close();
    await broker.server.stop();
    await Promise.all(extra.splice(0).map((b) => b.server.stop()));
  });

  it('round-trips a request, binary payloads included, matched by correlation id', async () => {
    const payload = { n: 42, big: 12345678901234n, bytes: Buffer.from([1, 2, 3]), list: ['a', 'b'] };
    const answer = (await client.send(target, 'Echo', payload)) as { echo: typeof payload; api: string };
    expect(answer.api).to.equal('Echo');
    expect(answer.echo.n).to.equal(42);
    expect(answer.echo.big).to.equal(12345678901234n);
    expect(Buffer.from(answer.echo.bytes).equals(payload.bytes)).to.equal(true);
    expect(answer.echo.list).to.deep.equal(['a', 'b']);
    expect(client.isConnected(1)).to.equal(true);
  });

  it('answers out of order on one connection', async () => {
    const slow = client.send(target, 'Slow', { tag: 'first' });
    await waitFor(() => gates.length === 1, 'the slow request to reach its handler');
    const fast = (await client.send(target, 'Echo', { tag: 'second' })) as { echo: { tag: string } };
    expect(fast.echo.tag).to.equal('second');
    gates[0]!();
    expect(await slow).to.deep.equal({ tag: 'first' });
  });

  it('times a request out with a retriable error and keeps the connection usable', async () => {
    const err = await expectRejects(client.send(target, 'Slow', { tag: 'never' }, { timeoutMs: 150 }));
    expect(err).to.be.instanceOf(BrokerError);
    expect(err.code).to.equal('BRK_REQUEST_TIMEOUT');
    expect(err.retriable).to.equal(true);
    expect(((await client.send(target, 'Echo', 1)) as { echo: number }).echo).to.equal(1);
  });

  it('relays a remote handler error as a typed RemoteError', async () => {
    const err = (await expectRejects(client.send(target, 'Fenced', {}))) as RemoteError;
    expect(err).to.be.instanceOf(RemoteError);
    expect(err.remoteCode).to.equal('BRK_STALE_CONTROLLER_EPOCH');
    expect(err.retriable).to.equal(false);
    const unknown = (await expectRejects(client.send(target, 'NoSuchApi', {}))) as RemoteError;
    expect(unknown.remoteCode).to.equal('BRK_UNKNOWN_API');
  });

  it('refuses a frame version outside the api\'s range with a typed error before the handler runs', async () => {
    const tooNew = (await expectRejects(client.send(target, 'Echo', {}, { version: 1 }))) as RemoteError;
    expect(tooNew).to.be.instanceOf(RemoteError);
    expect(tooNew.remoteCode).to.equal('BRK_UNSUPPORTED_VERSION');
    expect(tooNew.message).to.contain('Echo v1');
    const tooOld = (await expectRejects(client.send(target, 'Versioned', {}))) as RemoteError;
    expect(tooOld.remoteCode).to.equal('BRK_UNSUPPORTED_VERSION');
    expect(await client.send(target, 'Versioned', {}, { version: 2 })).to.deep.equal({ version: 2 });
    // The connection stays usable.
    expect(((await client.send(target, 'Echo', 'after')) as { echo: string }).echo).to.equal('after');
  });

  it('fails with a retriable error when nothing listens', async () => {
    const port = await freePort();
    const err = await expectRejects(client.send({ id: 9, host: '127.0.0.1', port }, 'Echo', {}));
    expect(err.code).to.equal('BRK_BROKER_UNREACHABLE');
    expect(err.retriable).to.equal(true);
  });

  it('fails pending requests when the connection drops and reconnects once the server is back', async () => {
    const port = await freePort();
    const first = await startNetworkBroker({ listeners: `PLAINTEXT://127.0.0.1:0,INTERNAL://127.0.0.1:${port}` }, internalHandlers, { shutdownDrainMs: 0 });
    const t = { id: 2, host: '127.0.0.1', port };
    expect(((await client.send(t, 'Echo', 'a')) as { echo: string }).echo).to.equal('a');
    const pending = client.send(t, 'Slow', { tag: 'lost' });
    await waitFor(() => gates.length === 1, 'the request to reach the first server');
    await first.server.stop();
    const err = await expectRejects(pending);
    expect(err.code).to.equal('BRK_CONNECTION_CLOSED');
    expect(err.retriable).to.equal(true);

    const second = await startNetworkBroker({ listeners: `PLAINTEXT://127.0.0.1:0,INTERNAL://127.0.0.1:${port}` }, internalHandlers);
    extra.push(second);
    const answer = await waitFor(
      () => client.send(t, 'Echo', 'b').then((a) => a as { echo: string }, () => undefined),
      'the client to reconnect to the restarted server',
    );
    expect(answer.echo).to.equal('b');
  });

  it('closes a connection that sends garbage or a response frame, and keeps serving others', async () => {
    const garbage = await KafkaSocket.connect('127.0.0.1', broker.interBrokerPort);
    garbage.writeRaw(Buffer.concat([Buffer.from([0, 0, 0, 5]), Buffer.from([0xc1, 0xc1, 0xc1, 0xc1, 0xc1])]));
    await garbage.waitClosed();
    const wrongWay = await KafkaSocket.connect('127.0.0.1', broker.interBrokerPort);
    wrongWay.writeRaw(encodeInternalFrame({ api: 'Echo', version: 0, correlationId: 1, isResponse: true, body: {} }));
    await wrongWay.waitClosed();
    expect(((await client.send(target, 'Echo', 'still')) as { echo: string }).echo).to.equal('still');
  });

  it('close() fails pending requests with BRK_CLIENT_CLOSED', async () => {
    const pending = client.send(target, 'Slow', { tag: 'x' });
    await waitFor(() => gates.length === 1, 'the request to reach its handler');
    await client.close();
    const err = await expectRejects(pending);
    expect(err.code).to.equal('BRK_CLIENT_CLOSED');
    expect((await expectRejects(client.send(target, 'Echo', 1))).code).to.equal('BRK_CLIENT_CLOSED');
  });
});
