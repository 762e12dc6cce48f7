import { expect } from 'chai';
import {
  API_MESSAGES,
  ApiKey,
  ProtocolError,
  SUPPORTED_API_VERSIONS,
  apiName,
  type Decoded,
  type JoinGroupRequest,
  decodeRequest,
  decodeRequestHeader,
  decodeResponse,
  encodeRequest,
  encodeResponse,
} from '../../../protocol/index.js';
import { SeededRandom, testSeed } from './seeded-random.js';
import { randomBody, versionsOf } from './spec-random.js';

/** Buffers decode as views; compare contents, not identity or backing store. */
function normalise(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return `hex:${v.toString('hex')}`;
  if (Array.isArray(v)) return v.map(normalise);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalise(x)]));
  return v;
}

const ITERATIONS = 30;

describe('protocol > message schemas', () => {
  it('describes every api we advertise, over the advertised range', () => {
    for (const [key, span] of Object.entries(SUPPORTED_API_VERSIONS)) {
      const pair = API_MESSAGES.get(Number(key));
      expect(pair, apiName(Number(key))).to.not.equal(undefined);
      for (const spec of [pair!.request, pair!.response]) {
        const versions = versionsOf(spec);
        expect([versions[0], versions.at(-1)], spec.name).to.deep.equal([span.min, span.max]);
      }
    }
  });

  for (const [apiKey, { request, response }] of API_MESSAGES) {
    describe(`${apiName(apiKey)} (key ${apiKey})`, () => {
      for (const version of versionsOf(request)) {
        it(`v${version} request and response round-trip (seeded random)`, () => {
          const rnd = new SeededRandom(testSeed() * 31 + apiKey * 1000 + version);
          for (let i = 0; i < ITERATIONS; i++) {
            const req = randomBody(rnd, request, version);
            const correlationId = rnd.int(-2147483648, 2147483647);
            const clientId = rnd.bool(0.1) ? null : rnd.string(10);
            const frame = encodeRequest(apiKey, version, correlationId, clientId, req.input as never);
            expect(frame.readInt32BE(0)).to.equal(frame.length - 4);
            const payload = frame.subarray(4);
            const header = decodeRequestHeader(payload);
            expect(header).to.include({ apiKey, apiVersion: version, correlationId, clientId });
            expect(normalise(decodeRequest(apiKey, version, payload, header.bodyOffset))).to.deep.equal(normalise(req.expected));

            const res = randomBody(rnd, response, version);
            const rframe = encodeResponse(apiKey, version, correlationId, res.input as never);
            expect(rframe.readInt32BE(0)).to.equal(rframe.length - 4);
            const decoded = decodeResponse(apiKey, version, rframe.subarray(4));
            expect(decoded.correlationId).to.equal(correlationId);
            expect(normalise(decoded.body)).to.deep.equal(normalise(res.expected));
          }
        });
      }
    });
  }

  it('rejects unknown apis and versions outside the described range', () => {
    expect(() => encodeRequest(ApiKey.SaslHandshake, 0, 1, null, {})).to.throw(ProtocolError).with.property('code', 'PRT_UNKNOWN_API');
    expect(() => encodeResponse(ApiKey.Metadata, 9, 1, { brokers: [], topics: [] })).to.throw(ProtocolError).with.property('code', 'PRT_UNSUPPORTED_VERSION');
    const frame = encodeRequest(ApiKey.Metadata, 1, 1, 'c', { topics: null }).subarray(4);
    expect(() => decodeRequest(ApiKey.Metadata, 12, frame, 13)).to.throw(ProtocolError).with.property('code', 'PRT_UNSUPPORTED_VERSION');
  });

  it('refuses null where the version does not allow it', () => {
    expect(() => encodeRequest(ApiKey.Metadata, 0, 1, 'c', { topics: null })).to.throw(ProtocolError).with.property('code', 'PRT_ENCODE');
    expect(() => encodeResponse(ApiKey.Metadata, 1, 1, { brokers: [], topics: [{ errorCode: 0, name: null as never, partitions: [] }] }))
      .to.throw(ProtocolError).with.property('code', 'PRT_ENCODE');
  });

  it('decodes the headers of apis it does not describe (so the broker can answer them)', () => {
    const buf = Buffer.from('0011000100000009ffff', 'hex'); // SaslHandshake v1, corr 9, clientId null
    expect(decodeRequestHeader(buf)).to.deep.equal({ apiKey: 17, apiVersion: 1, correlationId: 9, clientId: null, headerVersion: 1, bodyOffset: 10 });
  });

  it('ApiVersions v4+ requests (unsupported) still parse as header v2', () => {
    const buf = Buffer.from('0012000400000005000163' + '00' + '0000', 'hex');
    const h = decodeRequestHeader(buf);
    expect(h).to.include({ apiKey: 18, apiVersion: 4, correlationId: 5, clientId: 'c', headerVersion: 2, bodyOffset: 12 });
  });

  it('decoded bodies carry Kafka defaults for fields the version lacks', () => {
    const frame = encodeRequest(ApiKey.JoinGroup, 0, 1, 'c', {
      groupId: 'g',
      sessionTimeoutMs: 10000,
      memberId: '',
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
    }).subarray(4);
    const h = decodeRequestHeader(frame);
    const req = decodeRequest(ApiKey.JoinGroup, 0, frame, h.bodyOffset) as Decoded<JoinGroupRequest>;
    const rebalanceTimeoutMs: number = req.rebalanceTimeoutMs;
    expect(rebalanceTimeoutMs).to.equal(-1);
    expect(req.groupInstanceId).to.equal(null);
  });
});
