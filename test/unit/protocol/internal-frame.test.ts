import { expect } from 'chai';
import { FrameDecoder, ProtocolError, decodeInternalFrame, encodeInternalFrame, encodeRecordBatch } from '../../../protocol/index.js';
import { SeededRandom, testSeed } from './seeded-random.js';

describe('protocol > internal msgpack frames', () => {
  it('round-trips bigint, Buffer and nested bodies, each frame self-contained', () => {
    const batch = encodeRecordBatch([{ value: Buffer.from('v') }]);
    const frames = [
      {
        api: 'LeaderAndIsr',
        version: 1,
        correlationId: 7,
        isResponse: false,
        body: { controllerEpoch: 3, brokerEpoch: 4294967296123n, partitions: [{ topic: 't', partition: 0, leaderEpoch: 2, isr: [1, 2] }] },
      },
      {
        api: 'ReplicaFetch',
        version: 0,
        correlationId: 8,
        isResponse: true,
        body: { highWatermark: 10n, logStartOffset: -1n, records: batch, empty: Buffer.alloc(0), nothing: null },
      },
    ];
    const stream = Buffer.concat(frames.map(encodeInternalFrame));
    const payloads = new FrameDecoder({ maxFrameBytes: 1 << 20 }).push(stream);
    // decode out of order: no frame depends on another
    const decoded = [decodeInternalFrame(payloads[1]!), decodeInternalFrame(payloads[0]!)];
    expect(decoded[1]).to.deep.equal(frames[0]);
    const second = decoded[0]!.body as Record<string, unknown>;
    expect(second['highWatermark']).to.equal(10n);
    expect(Buffer.isBuffer(second['records'])).to.equal(true);
    expect(Buffer.compare(second['records'] as Buffer, batch)).to.equal(0);
    expect(decoded[0]).to.deep.include({ api: 'ReplicaFetch', version: 0, correlationId: 8, isResponse: true });
  });

  it('rejects garbage with a typed error (seeded random bytes)', () => {
    const rnd = new SeededRandom(testSeed());
    for (let i = 0; i < 300; i++) {
      const junk = rnd.bytes(rnd.int(0, 64));
      try {
        decodeInternalFrame(junk);
      } catch (err) {
        expect(err, junk.toString('hex')).to.be.instanceOf(ProtocolError);
      }
    }
    expect(() => decodeInternalFrame(Buffer.from([0x93, 1, 2, 3]))).to.throw(ProtocolError).with.property('code', 'PRT_INVALID_FRAME');
    const good = encodeInternalFrame({ api: 'X', version: 0, correlationId: 1, body: {} }).subarray(4);
    expect(() => decodeInternalFrame(good.subarray(0, good.length - 1))).to.throw(ProtocolError);
    expect(() => decodeInternalFrame(Buffer.concat([good, Buffer.from([0])]))).to.throw(ProtocolError);
  });

  it('refuses values msgpack cannot carry', () => {
    expect(() => encodeInternalFrame({ api: 'X', version: 0, correlationId: 1, body: { huge: 2n ** 70n } })).to.throw(ProtocolError).with.property('code', 'PRT_ENCODE');
  });
});
