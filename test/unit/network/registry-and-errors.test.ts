import { expect } from 'chai';
import { ErrorCode, describedVersions } from '../../../protocol/index.js';
import { BrokerError, isRetriable, toWireError } from '../../../broker/index.js';
import { ProtocolError } from '../../../protocol/index.js';
import { StorageError } from '../../../storage/index.js';
import { CoordinationError } from '../../../coordination/index.js';
import { createHandlerRegistry, HandlerRegistry } from '../../../broker/handlers/index.js';
import { decodeRemoteError, encodeRemoteError, RemoteError } from '../../../broker/network/index.js';
import type { KafkaHandler } from '../../../broker/request-context.js';

const handler = (apiKey: number, minVersion: number, maxVersion: number): KafkaHandler => ({
  apiKey,
  minVersion,
  maxVersion,
  handle: async () => ({}),
});

describe('network > handler registry', () => {
  const codecs = { 0: describedVersions(0)!, 3: describedVersions(3)! };

  it('advertises ApiVersions and the SASL APIs from a fresh registry', () => {
    const r = createHandlerRegistry();
    expect(r.advertised()).to.deep.equal([
      { apiKey: 17, minVersion: 0, maxVersion: 1 },
      { apiKey: 18, minVersion: 0, maxVersion: 3 },
      { apiKey: 36, minVersion: 0, maxVersion: 2 },
    ]);
  });

  it('intersects handler ranges with what the codecs support and sorts by api key', () => {
    const r = new HandlerRegistry();
    r.register(handler(3, 0, 50)); // Metadata: wider than the codec
    r.register(handler(0, 2, 5));
    r.register(handler(4242, 0, 1)); // no codec: never advertised
    const adv = r.advertised();
    expect(adv.map((x) => x.apiKey)).to.deep.equal([0, 3]);
    expect(adv[1]).to.deep.equal({ apiKey: 3, minVersion: Math.max(0, codecs[3]!.min), maxVersion: Math.min(50, codecs[3]!.max) });
    expect(adv[0]).to.deep.equal({ apiKey: 0, minVersion: Math.max(2, codecs[0]!.min), maxVersion: Math.min(5, codecs[0]!.max) });
    expect(r.range(4242)).to.equal(undefined);
  });

  it('refuses a second handler for the same api key, but replace() swaps it', () => {
    const r = new HandlerRegistry();
    r.register(handler(3, 0, 1));
    expect(() => r.register(handler(3, 0, 2))).to.throw(/already registered/);
    r.replace(handler(3, 0, 2));
    expect(r.range(3)?.maxVersion).to.equal(Math.min(2, codecs[3]!.max));
  });
});

describe('network > errors', () => {
  it('maps broker, protocol and unknown errors to Kafka codes in one place', () => {
    expect(toWireError(new BrokerError('BRK_NOT_CONTROLLER', 'x'))).to.equal(ErrorCode.NOT_CONTROLLER);
    expect(toWireError(new BrokerError('BRK_REQUEST_TIMEOUT', 'x'))).to.equal(ErrorCode.REQUEST_TIMED_OUT);
    expect(toWireError(new ProtocolError('PRT_UNSUPPORTED_VERSION', 'x'))).to.equal(ErrorCode.UNSUPPORTED_VERSION);
    expect(toWireError(new StorageError('STG_OFFSET_OUT_OF_RANGE', 'x'))).to.equal(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(toWireError(new CoordinationError('CRD_CONTROLLER_MOVED', 'x'))).to.equal(ErrorCode.NOT_CONTROLLER);
    // Only module errors say what they mean: a look-alike plain error is not trusted.
    expect(toWireError(Object.assign(new Error('x'), { code: 'STG_OFFSET_OUT_OF_RANGE' }))).to.equal(ErrorCode.UNKNOWN_SERVER_ERROR);
    expect(toWireError(new Error('plain'))).to.equal(ErrorCode.UNKNOWN_SERVER_ERROR);
    expect(toWireError('a string')).to.equal(ErrorCode.UNKNOWN_SERVER_ERROR);
  });

  it('carries retriability', () => {
    expect(isRetriable(new BrokerError('BRK_CONNECTION_CLOSED', 'x'))).to.equal(true);
    expect(isRetriable(new BrokerError('BRK_STALE_BROKER_EPOCH', 'x'))).to.equal(false);
    expect(isRetriable(new Error('x'))).to.equal(false);
  });

  it('round-trips an error through the inter-broker error body', () => {
    const body = encodeRemoteError(new BrokerError('BRK_STALE_CONTROLLER_EPOCH', 'epoch 3 < 4'));
    const err = decodeRemoteError(structuredClone(body));
    expect(err).to.be.instanceOf(RemoteError);
    expect(err!.remoteCode).to.equal('BRK_STALE_CONTROLLER_EPOCH');
    expect(err!.message).to.equal('epoch 3 < 4');
    expect(err!.kafkaError).to.equal('STALE_CONTROLLER_EPOCH');
    expect(err!.retriable).to.equal(false);
    expect(toWireError(err)).to.equal(ErrorCode.STALE_CONTROLLER_EPOCH);
    // A peer's marker naming no Kafka error is still an error, just an unknown one.
    const odd = decodeRemoteError({ __samsaError: { code: 'X', message: 'm', retriable: true, kafkaError: 'NOT_A_NAME' } });
    expect([odd!.kafkaError, odd!.retriable, toWireError(odd)]).to.deep.equal(['UNKNOWN_SERVER_ERROR', true, ErrorCode.UNKNOWN_SERVER_ERROR]);
    expect(decodeRemoteError({ ok: true })).to.equal(undefined);
    expect(decodeRemoteError(null)).to.equal(undefined);
  });
});
