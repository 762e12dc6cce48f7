import { expect } from 'chai';
import { ErrorCode } from '../../../protocol/index.js';
import type { KafkaHandler, RequestContext } from '../../../broker/request-context.js';
import { API, heartbeatRequest, type KafkaSocket } from '../../helpers/kafka-socket.js';
import { waitFor } from '../../helpers/wait-for.js';
import { startNetworkBroker, type StartedBroker } from './fixture.js';

describe('network > request context and the authorizer hook', () => {
  let broker: StartedBroker;
  let socket: KafkaSocket;
  const seen: RequestContext[] = [];
  const denied = new Set<string>();
  const heartbeat: KafkaHandler<{ groupId: string }, { errorCode: number }> = {
    apiKey: API.Heartbeat,
    minVersion: 0,
    maxVersion: 3,
    handle: async (ctx) => {
      seen.push(ctx);
      return { errorCode: ErrorCode.NONE };
    },
    errorResponse: (_ctx, _req, errorCode) => ({ errorCode }),
  };

  before(async () => {
    broker = await startNetworkBroker({}, (server) => {
      server.registerHandler(heartbeat);
      server.router.setAuthorizer({
        authorizeRequest: (_ctx, request) => (denied.has((request as { groupId?: string }).groupId ?? '') ? 'DENIED' : 'ALLOWED'),
      });
    });
    socket = await broker.connect();
  });
  after(async () => {
    socket.close();
    await broker.server.stop();
  });

  it('gives handlers the connection, listener, client id and the anonymous principal', async () => {
    socket.writeRaw(heartbeatRequest(3, 'g'));
    const frame = await socket.nextFrame();
    expect(frame.readInt16BE(4)).to.equal(ErrorCode.NONE);
    const ctx = seen[0]!;
    expect(ctx).to.include({
      listenerName: 'PLAINTEXT',
      securityProtocol: 'PLAINTEXT',
      principal: 'User:ANONYMOUS',
      clientId: 'samsa-test',
      apiKey: API.Heartbeat,
      apiVersion: 0,
      correlationId: 3,
      clientAddress: '127.0.0.1',
    });
    expect(ctx.connectionId).to.match(/^PLAINTEXT-\d+-127\.0\.0\.1:\d+-\d+$/);
    expect(ctx.signal.aborted).to.equal(false);
  });

  it('a denied request gets the handler error response with CLUSTER_AUTHORIZATION_FAILED', async () => {
    denied.add('secret');
    const before = seen.length;
    socket.writeRaw(heartbeatRequest(4, 'secret'));
    const frame = await socket.nextFrame();
    expect(frame.readInt32BE(0)).to.equal(4);
    expect(frame.readInt16BE(4)).to.equal(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    expect(seen.length, 'the handler never ran').to.equal(before);
  });

  it('reports every routed request to the observer, closes included', async () => {
    const events: { apiKey: number; outcome: string }[] = [];
    broker.server.router.setRequestObserver((e) => events.push({ apiKey: e.apiKey, outcome: e.outcome }));
    try {
      socket.writeRaw(heartbeatRequest(6, 'g'));
      await socket.nextFrame();
      const bad = await broker.connect();
      bad.writeRaw(heartbeatRequest(7, 'g').fill(0x7f, 4, 6)); // api key 0x7f7f
      await bad.waitClosed();
      expect(events).to.deep.equal([
        { apiKey: API.Heartbeat, outcome: 'respond' },
        { apiKey: 0x7f7f, outcome: 'close' },
      ]);
    } finally {
      broker.server.router.setRequestObserver(undefined);
    }
  });

  it('aborts ctx.signal when the client goes away', async () => {
    const other = await broker.connect();
    other.writeRaw(heartbeatRequest(5, 'g'));
    await other.nextFrame();
    const ctx = seen[seen.length - 1]!;
    other.close();
    await waitFor(() => ctx.signal.aborted, 'the request signal to abort');
  });
});
