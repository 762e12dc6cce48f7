import { expect } from 'chai';
import { ErrorCode } from '../../../protocol/index.js';
import { BrokerError } from '../../../broker/errors.js';
import type { KafkaHandler } from '../../../broker/request-context.js';
import {
  API,
  apiVersionsRequest,
  compactStr,
  heartbeatRequest,
  int16,
  int32,
  type KafkaSocket,
  requestFrame,
  str,
  syncGroupRequest,
  uvarint,
} from '../../helpers/kafka-socket.js';
import { startNetworkBroker, type StartedBroker } from './fixture.js';

/** Heartbeat fails in a typed way and has an error response; SyncGroup throws and has none. */
const throwingHeartbeat: KafkaHandler<{ groupId: string }, { errorCode: number }> = {
  apiKey: API.Heartbeat,
  minVersion: 0,
  maxVersion: 3,
  handle: async () => {
    throw new BrokerError('BRK_NOT_CONTROLLER', 'test failure');
  },
  errorResponse: (_ctx, _req, errorCode) => ({ errorCode }),
};
const throwingSyncGroup: KafkaHandler = {
  apiKey: API.SyncGroup,
  minVersion: 0,
  maxVersion: 3,
  handle: async () => {
    throw new Error('boom');
  },
};

describe('network > bad input closes only the offending connection', () => {
  let broker: StartedBroker;
  const sockets: KafkaSocket[] = [];
  const connect = async (): Promise<KafkaSocket> => {
    const s = await broker.connect();
    sockets.push(s);
    return s;
  };
  let bystander: KafkaSocket;

  before(async () => {
    broker = await startNetworkBroker({ 'socket.request.max.bytes': 4096 }, (server) => {
      server.registerHandler(throwingHeartbeat);
      server.registerHandler(throwingSyncGroup);
    });
    bystander = await connect();
  });
  afterEach(async () => {
    // The broker keeps serving an already open connection and a new one.
    expect((await bystander.apiVersions(1)).errorCode).to.equal(ErrorCode.NONE);
    const fresh = await connect();
    expect((await fresh.apiVersions(3)).errorCode).to.equal(ErrorCode.NONE);
    fresh.close();
  });
  after(async () => {
    for (const s of sockets) s.close();
    await broker.server.stop();
  });

  const expectClosed = async (bytes: Buffer): Promise<KafkaSocket> => {
    const s = await connect();
    s.writeRaw(bytes);
    await s.waitClosed();
    expect(s.receivedFrames).to.equal(0);
    return s;
  };

  it('a negative frame size', async () => {
    await expectClosed(Buffer.from([0xff, 0xff, 0xff, 0xf0, 1, 2, 3]));
  });

  it('a frame larger than socket.request.max.bytes (closed before the body arrives)', async () => {
    await expectClosed(int32(10_000));
  });

  it('an unknown api key', async () => {
    await expectClosed(requestFrame(999, 0, 1, Buffer.alloc(0)));
  });

  it('an unsupported version of an api other than ApiVersions', async () => {
    await expectClosed(requestFrame(API.Heartbeat, 99, 1, Buffer.concat([str('g'), int32(1), str('m')])));
  });

  it('a frame too short to hold a request header', async () => {
    await expectClosed(Buffer.concat([int32(3), Buffer.from([0, 18, 0])]));
  });

  it('a truncated request body (a string longer than the frame)', async () => {
    const body = Buffer.concat([uvarint(200), Buffer.from('short')]);
    await expectClosed(requestFrame(API.ApiVersions, 3, 1, body, { flexible: true }));
  });

  it('random garbage', async () => {
    const garbage = Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 131 + 7) & 0xff));
    garbage.writeInt32BE(150, 0);
    await expectClosed(garbage);
  });

  it('a client that disconnects in the middle of a request', async () => {
    const s = await connect();
    const frame = apiVersionsRequest(3, 9);
    s.writeRaw(frame.subarray(0, frame.length - 5));
    s.close();
    await s.waitClosed();
  });

  it('answers earlier pipelined requests before closing on a bad one', async () => {
    const s = await connect();
    s.writeRaw(Buffer.concat([apiVersionsRequest(0, 1), apiVersionsRequest(1, 2), requestFrame(999, 0, 3, Buffer.alloc(0)), apiVersionsRequest(0, 4)]));
    await s.waitClosed();
    const first = await s.nextFrame();
    const second = await s.nextFrame();
    expect([first.readInt32BE(0), second.readInt32BE(0)]).to.deep.equal([1, 2]);
    expect(s.receivedFrames).to.equal(0);
  });

  it('a throwing handler with an error response answers with the mapped Kafka error code', async () => {
    const s = await connect();
    s.writeRaw(heartbeatRequest(41, 'group'));
    const frame = await s.nextFrame();
    expect(frame.readInt32BE(0)).to.equal(41);
    expect(frame.readInt16BE(4)).to.equal(ErrorCode.NOT_CONTROLLER);
    expect(s.closed).to.equal(false);
    s.close();
  });

  it('a throwing handler without an error response closes the connection', async () => {
    await expectClosed(syncGroupRequest(42, 'group'));
  });

  it('a flexible header with a malformed tagged-field section', async () => {
    const header = Buffer.concat([int16(18), int16(3), int32(1), str('x'), uvarint(5)]);
    const body = Buffer.concat([compactStr('a'), compactStr('b'), Buffer.from([0])]);
    await expectClosed(Buffer.concat([int32(header.length + body.length), header, body]));
  });
});
