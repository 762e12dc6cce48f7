import { expect } from 'chai';
import {
  API_MESSAGES,
  ApiKey,
  DESCRIBED_API_VERSIONS,
  ProtocolError,
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

/**
 * Kafka 2.8's ApiVersions ranges for the client-facing apis (DescribeTransactions and
 * ListTransactions are 3.0's v0). Every described api, no more, no less.
 */
const KAFKA_2_8: Record<string, [number, number]> = {
  Produce: [0, 9], Fetch: [0, 12], ListOffsets: [0, 6], Metadata: [0, 11], OffsetCommit: [0, 8], OffsetFetch: [0, 7],
  FindCoordinator: [0, 3], JoinGroup: [0, 7], Heartbeat: [0, 4], LeaveGroup: [0, 4], SyncGroup: [0, 5], DescribeGroups: [0, 5],
  ListGroups: [0, 4], SaslHandshake: [0, 1], ApiVersions: [0, 3], CreateTopics: [0, 6], DeleteTopics: [0, 5], DeleteRecords: [0, 2],
  InitProducerId: [0, 4], OffsetForLeaderEpoch: [0, 4], AddPartitionsToTxn: [0, 3], AddOffsetsToTxn: [0, 3], EndTxn: [0, 3],
  WriteTxnMarkers: [0, 1], TxnOffsetCommit: [0, 3], DescribeAcls: [0, 2], CreateAcls: [0, 2], DeleteAcls: [0, 2],
  DescribeConfigs: [0, 4], AlterConfigs: [0, 2], AlterReplicaLogDirs: [0, 2], DescribeLogDirs: [0, 2], SaslAuthenticate: [0, 2],
  CreatePartitions: [0, 3], DeleteGroups: [0, 2], ElectLeaders: [0, 2], IncrementalAlterConfigs: [0, 1],
  AlterPartitionReassignments: [0, 0], ListPartitionReassignments: [0, 0], OffsetDelete: [0, 0], DescribeClientQuotas: [0, 1],
  AlterClientQuotas: [0, 1], DescribeUserScramCredentials: [0, 0], AlterUserScramCredentials: [0, 0], UpdateFeatures: [0, 0],
  DescribeCluster: [0, 0], DescribeProducers: [0, 0], DescribeTransactions: [0, 0], ListTransactions: [0, 0],
};

describe('protocol > message schemas', () => {
  it("describes Kafka 2.8's client-facing apis at 2.8's ranges, request and response alike", () => {
    const described = Object.fromEntries([...DESCRIBED_API_VERSIONS].map(([key, span]) => [apiName(key), [span.min, span.max]]));
    expect(described).to.deep.equal(KAFKA_2_8);
    for (const [apiKey, { request, response }] of API_MESSAGES) {
      const span = DESCRIBED_API_VERSIONS.get(apiKey)!;
      expect([request.apiKey, response.apiKey, request.type, response.type], request.name).to.deep.equal([apiKey, apiKey, 'request', 'response']);
      for (const spec of [request, response]) {
        const versions = versionsOf(spec);
        expect([versions[0], versions.at(-1)], spec.name).to.deep.equal([span.min, span.max]);
      }
      expect(response.flexibleVersions, response.name).to.equal(request.flexibleVersions);
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
    expect(() => encodeRequest(ApiKey.CreateDelegationToken, 0, 1, null, {})).to.throw(ProtocolError).with.property('code', 'PRT_UNKNOWN_API');
    expect(() => encodeResponse(ApiKey.Metadata, 12, 1, { brokers: [], topics: [] })).to.throw(ProtocolError).with.property('code', 'PRT_UNSUPPORTED_VERSION');
    const frame = encodeRequest(ApiKey.Metadata, 1, 1, 'c', { topics: null }).subarray(4);
    expect(() => decodeRequest(ApiKey.Metadata, 12, frame, 13)).to.throw(ProtocolError).with.property('code', 'PRT_UNSUPPORTED_VERSION');
  });

  it('refuses null where the version does not allow it', () => {
    expect(() => encodeRequest(ApiKey.Metadata, 0, 1, 'c', { topics: null })).to.throw(ProtocolError).with.property('code', 'PRT_ENCODE');
    expect(() => encodeResponse(ApiKey.Metadata, 1, 1, { brokers: [], topics: [{ errorCode: 0, name: null as never, partitions: [] }] }))
      .to.throw(ProtocolError).with.property('code', 'PRT_ENCODE');
  });

  it('decodes the headers of apis it does not describe (so the broker can answer them)', () => {
    const buf = Buffer.from('0026000100000009ffff', 'hex'); // CreateDelegationToken v1, corr 9, clientId null
    expect(decodeRequestHeader(buf)).to.deep.equal({ apiKey: 38, apiVersion: 1, correlationId: 9, clientId: null, headerVersion: 1, bodyOffset: 10 });
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
