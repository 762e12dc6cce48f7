import { expect } from 'chai';
import { ErrorCode } from '../../../protocol/index.js';
import type { KafkaHandler } from '../../../broker/request-context.js';
import { MAX_IN_FLIGHT_BYTES } from '../../../broker/network/framed-connection.js';
import { API, heartbeatRequest, int32, KafkaSocket, requestFrame, str } from '../../helpers/kafka-socket.js';
import { waitFor } from '../../helpers/wait-for.js';
import { startNetworkBroker, type StartedBroker } from './fixture.js';

interface Gate {
  groupId: string;
  release: (errorCode: number | undefined) => void;
}

/** A Heartbeat handler that parks every request until the test releases it. */
function gatedHeartbeat(gates: Gate[]): KafkaHandler<{ groupId: string }, { errorCode: number }> {
  return {
    apiKey: API.Heartbeat,
    minVersion: 0,
    maxVersion: 3,
    handle: (_ctx, req) =>
      new Promise((resolve) => {
        gates.push({ groupId: req.groupId, release: (errorCode) => resolve(errorCode === undefined ? undefined : { errorCode }) });
      }),
  };
}

const BIG = Buffer.alloc(64 * 1024, 7);
const bigSyncGroup: KafkaHandler = {
  apiKey: API.SyncGroup,
  minVersion: 0,
  maxVersion: 3,
  handle: async () => ({ errorCode: 0, assignment: BIG }),
};

function syncGroupWithPayload(correlationId: number, payload: Buffer): Buffer {
  const body = Buffer.concat([str('g'), int32(1), str('m'), int32(1), str('m'), int32(payload.length), payload]);
  return requestFrame(API.SyncGroup, 0, correlationId, body);
}

describe('network > ordering, backpressure, limits', () => {
  const sockets: KafkaSocket[] = [];
  const brokers: StartedBroker[] = [];
  const track = (s: KafkaSocket): KafkaSocket => {
    sockets.push(s);
    return s;
  };
  const start = async (...args: Parameters<typeof startNetworkBroker>): Promise<StartedBroker> => {
    const b = await startNetworkBroker(...args);
    brokers.push(b);
    return b;
  };
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await Promise.all(brokers.splice(0).map((b) => b.server.stop()));
  });

  it('writes responses in request order when handlers finish out of order, skipping silent ones', async () => {
    const gates: Gate[] = [];
    const broker = await start({}, (s) => s.registerHandler(gatedHeartbeat(gates)));
    const s = track(await broker.connect());
    const groups = ['g0', 'g1', 'silent', 'g3', 'g4'];
    s.writeRaw(Buffer.concat(groups.map((g, i) => heartbeatRequest(100 + i, g))));
    await waitFor(() => gates.length === groups.length, 'every request to reach its handler');
    for (const gate of [...gates].reverse()) {
      gate.release(gate.groupId === 'silent' ? undefined : Number(gate.groupId.slice(1)));
      await new Promise((r) => setImmediate(r));
    }
    const answers: [number, number][] = [];
    for (let i = 0; i < 4; i++) {
      const f = await s.nextFrame();
      answers.push([f.readInt32BE(0), f.readInt16BE(4)]);
    }
    expect(answers).to.deep.equal([
      [100, 0],
      [101, 1],
      [103, 3],
      [104, 4],
    ]);
    // The connection stays in step after a silent request.
    expect((await s.apiVersions(0)).errorCode).to.equal(ErrorCode.NONE);
  });

  it('stops reading a client that pipelines without reading, and answers everything in order once it reads', async function () {
    this.timeout(60_000);
    const maxInFlight = 4;
    const broker = await start({ 'queued.max.requests': maxInFlight }, (s) => s.registerHandler(bigSyncGroup));
    const s = track(await broker.connect());
    s.pause();
    const payload = Buffer.alloc(16 * 1024, 1);
    let sent = 0;
    const deadline = Date.now() + 30_000;
    // Write until the broker has stopped reading and our own buffer backs up.
    while (s.socket.writableLength < 512 * 1024 && sent < 20_000 && Date.now() < deadline) {
      for (let i = 0; i < 16; i++) s.writeRaw(syncGroupWithPayload(++sent, payload));
      await new Promise((r) => setImmediate(r));
    }
    expect(s.socket.writableLength, `backed up after ${sent} requests`).to.be.at.least(512 * 1024);
    const stats = await waitFor(() => {
      const c = broker.server.socketServer.connectionStats().find((x) => x.requests > 0);
      return c !== undefined && c.readingPaused ? c : undefined;
    }, 'the broker to pause reading');
    expect(stats.inFlight).to.be.at.most(maxInFlight);
    expect(stats.writableLength, 'broker-side write buffer').to.be.at.most((maxInFlight + 2) * (BIG.length + 64));
    expect(stats.requests, 'requests taken in').to.be.below(sent);

    s.resume();
    for (let id = 1; id <= sent; id++) {
      const f = await s.nextFrame(20_000);
      expect(f.readInt32BE(0)).to.equal(id);
      expect(f.length).to.equal(4 + 2 + 4 + BIG.length);
    }
  });

  it('parks as many requests on the connection\'s abort signal as queued.max.requests allows without a listener-leak warning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const gates: Gate[] = [];
      // As a purgatory does: each parked request listens for the connection closing.
      const parking: KafkaHandler<{ groupId: string }, { errorCode: number }> = {
        apiKey: API.Heartbeat,
        minVersion: 0,
        maxVersion: 3,
        handle: (ctx, req) =>
          new Promise((resolve) => {
            ctx.signal.addEventListener('abort', () => resolve(undefined), { once: true });
            gates.push({ groupId: req.groupId, release: (errorCode) => resolve(errorCode === undefined ? undefined : { errorCode }) });
          }),
      };
      const broker = await start({ 'queued.max.requests': 40 }, (s) => s.registerHandler(parking));
      const s = track(await broker.connect());
      s.writeRaw(Buffer.concat(Array.from({ length: 40 }, (_, i) => heartbeatRequest(i, `g${i}`))));
      await waitFor(() => gates.length === 40, 'forty requests parked');
      for (const g of gates) g.release(0);
      for (let i = 0; i < 40; i++) expect((await s.nextFrame()).readInt32BE(0)).to.equal(i);
      await new Promise((r) => setImmediate(r));
      expect(warnings).to.not.include('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('dispatches at most queued.max.requests per connection and holds the rest unread or undispatched', async () => {
    const gates: Gate[] = [];
    const broker = await start({ 'queued.max.requests': 3 }, (s) => s.registerHandler(gatedHeartbeat(gates)));
    const s = track(await broker.connect());
    s.writeRaw(Buffer.concat(Array.from({ length: 8 }, (_, i) => heartbeatRequest(i, `g${i}`))));
    await waitFor(() => gates.length === 3, 'three requests to reach the handler');
    const stats = await waitFor(() => {
      const c = broker.server.socketServer.connectionStats()[0];
      return c !== undefined && c.readingPaused && c.inFlight === 3 ? c : undefined;
    }, 'the connection to stop reading with three requests in flight');
    expect(stats.queued).to.be.at.most(5);
    expect(gates.length).to.equal(3);
    for (let i = 0; i < 8; i++) {
      await waitFor(() => gates.length > i, `request ${i} to reach the handler`);
      gates[i]!.release(0);
      expect((await s.nextFrame()).readInt32BE(0)).to.equal(i);
    }
  });

  it('stops dispatching while the requests in its handlers hold the in-flight byte budget, and answers them all in order', async function () {
    this.timeout(30_000);
    const gates: (() => void)[] = [];
    // Parks like an acks=all produce: the frame stays in flight until the test releases it.
    const gatedSyncGroup: KafkaHandler = {
      apiKey: API.SyncGroup,
      minVersion: 0,
      maxVersion: 3,
      handle: () => new Promise((resolve) => gates.push(() => resolve({ errorCode: 0, assignment: Buffer.alloc(0) }))),
    };
    const broker = await start({}, (s) => s.registerHandler(gatedSyncGroup));
    const s = track(await broker.connect());
    const payload = Buffer.alloc(1024 * 1024, 3);
    const count = 10;
    s.writeRaw(Buffer.concat(Array.from({ length: count }, (_, i) => syncGroupWithPayload(i, payload))));
    // Each frame is a little over 1 MiB: the fourth fills the 4 MiB budget.
    const full = Math.ceil(MAX_IN_FLIGHT_BYTES / payload.length);
    const stats = await waitFor(() => {
      const c = broker.server.socketServer.connectionStats()[0];
      return c !== undefined && c.readingPaused && gates.length === full ? c : undefined;
    }, `the connection to stop reading with ${full} requests in its handlers`);
    expect(stats.inFlight).to.equal(full);
    expect(stats.requests).to.equal(full);
    // One answered makes room for one more, never for the rest.
    gates[0]!();
    expect((await s.nextFrame()).readInt32BE(0)).to.equal(0);
    await waitFor(() => gates.length === full + 1, 'the next request to be dispatched');
    expect(broker.server.socketServer.connectionStats()[0]!.requests).to.equal(full + 1);
    for (let i = 1; i < count; i++) {
      await waitFor(() => gates.length > i, `request ${i} to reach the handler`);
      gates[i]!();
      expect((await s.nextFrame()).readInt32BE(0)).to.equal(i);
    }
  });

  it('closes idle connections after connections.max.idle.ms, but not while a request is in flight', async () => {
    const gates: Gate[] = [];
    const idleMs = 300;
    const broker = await start({ 'connections.max.idle.ms': idleMs }, (s) => s.registerHandler(gatedHeartbeat(gates)));
    const busy = track(await broker.connect());
    busy.writeRaw(heartbeatRequest(7, 'slow'));
    const idle = track(await broker.connect());
    expect((await idle.apiVersions(0)).errorCode).to.equal(ErrorCode.NONE);
    await waitFor(() => gates.length === 1, 'the slow request to reach its handler');
    const started = Date.now();
    await idle.waitClosed(5_000);
    expect(Date.now() - started).to.be.below(5_000);
    // Hold the busy request well past the idle timeout: it must still be answered.
    await waitFor(() => Date.now() - started > 3 * idleMs, 'three idle periods to pass', { timeoutMs: 5_000 });
    expect(busy.closed).to.equal(false);
    gates[0]!.release(0);
    expect((await busy.nextFrame()).readInt32BE(0)).to.equal(7);
  });

  it('answers what a half-closing client sent before its FIN, then closes', async () => {
    const gates: Gate[] = [];
    const broker = await start({}, (s) => s.registerHandler(gatedHeartbeat(gates)));
    const s = track(await broker.connect());
    s.writeRaw(Buffer.concat([heartbeatRequest(1, 'a'), heartbeatRequest(2, 'b')]));
    s.socket.end();
    await waitFor(() => gates.length === 2, 'both requests to reach the handler');
    gates[1]!.release(0);
    gates[0]!.release(0);
    expect((await s.nextFrame()).readInt32BE(0)).to.equal(1);
    expect((await s.nextFrame()).readInt32BE(0)).to.equal(2);
    await s.waitClosed();
  });

  it('refuses connections beyond max.connections and accepts again when one closes', async () => {
    const broker = await start({ 'max.connections': 2 });
    const a = track(await broker.connect());
    const b = track(await broker.connect());
    expect((await a.apiVersions(0)).errorCode).to.equal(ErrorCode.NONE);
    expect((await b.apiVersions(0)).errorCode).to.equal(ErrorCode.NONE);
    const c = track(await broker.connect());
    await c.waitClosed();
    a.close();
    await waitFor(() => broker.server.socketServer.quota.current < 2, 'the closed connection to be released');
    const d = track(await broker.connect());
    expect((await d.apiVersions(0)).errorCode).to.equal(ErrorCode.NONE);
  });

  it('stop() answers in-flight requests, then closes connections and refuses new ones', async () => {
    const gates: Gate[] = [];
    const broker = await startNetworkBroker({}, (s) => s.registerHandler(gatedHeartbeat(gates)), { shutdownDrainMs: 5_000 });
    const s = track(await broker.connect());
    s.writeRaw(heartbeatRequest(11, 'g'));
    await waitFor(() => gates.length === 1, 'the request to reach its handler');
    const stopped = broker.server.stop();
    await waitFor(() => !broker.server.isRunning, 'the broker to begin stopping');
    gates[0]!.release(0);
    expect((await s.nextFrame()).readInt32BE(0)).to.equal(11);
    await stopped;
    await s.waitClosed();
    let refused = false;
    await KafkaSocket.connect('127.0.0.1', broker.port).then(
      (late) => late.close(),
      () => {
        refused = true;
      },
    );
    expect(refused).to.equal(true);
  });
});
