import { expect } from 'chai';
import {
  ApiKey,
  decodeRecordBatch,
  decodeRequest,
  decodeRequestHeader,
  decodeResponse,
  encodeApiVersionsV0Error,
  encodeRecordBatch,
  encodeRequest,
  encodeResponse,
  encodeResponseChunks,
  readBatchHeader,
  verifyBatchCrc,
} from '../../../protocol/index.js';
import { loadHexFixture } from './fixtures.js';

/** Size prefix checked against the fixture's own length, then stripped. */
function body(frame: Buffer): Buffer {
  expect(frame.readInt32BE(0), 'size prefix').to.equal(frame.length - 4);
  return frame.subarray(4);
}

describe('protocol > golden byte fixtures', () => {
  const batch = loadHexFixture('record-batch-v2');

  it('record batch with a known CRC', () => {
    expect(batch.length).to.equal(69);
    expect(verifyBatchCrc(batch, 0)).to.equal(true);
    expect(readBatchHeader(batch).crc).to.equal(0xebf1884b);
    const encoded = encodeRecordBatch([{ key: null, value: Buffer.from('a'), timestamp: 1000n }]);
    expect(encoded.toString('hex')).to.equal(batch.toString('hex'));
    const { records } = decodeRecordBatch(batch);
    expect(records).to.have.length(1);
    expect(records[0]!.value!.toString()).to.equal('a');
  });

  it('ApiVersions v0 request (kafka-python style, empty body)', () => {
    const frame = loadHexFixture('api-versions-v0-request');
    expect(encodeRequest(ApiKey.ApiVersions, 0, 1, 'kafka-python', {}).toString('hex')).to.equal(frame.toString('hex'));
    const h = decodeRequestHeader(body(frame));
    expect(h).to.include({ apiKey: 18, apiVersion: 0, correlationId: 1, clientId: 'kafka-python', headerVersion: 1, bodyOffset: 22 });
  });

  it('ApiVersions v3 request (librdkafka: header v2, compact strings)', () => {
    const frame = loadHexFixture('api-versions-v3-request');
    const encoded = encodeRequest(ApiKey.ApiVersions, 3, 1, 'rdkafka', { clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.0.2' });
    expect(encoded.toString('hex')).to.equal(frame.toString('hex'));
    const payload = body(frame);
    const h = decodeRequestHeader(payload);
    expect(h).to.include({ apiKey: 18, apiVersion: 3, correlationId: 1, clientId: 'rdkafka', headerVersion: 2 });
    expect(decodeRequest(ApiKey.ApiVersions, 3, payload, h.bodyOffset)).to.deep.equal({ clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.0.2' });
  });

  const apiKeys = [
    { apiKey: 0, minVersion: 0, maxVersion: 7 },
    { apiKey: 18, minVersion: 0, maxVersion: 3 },
  ];

  it('ApiVersions v0 response', () => {
    const frame = loadHexFixture('api-versions-v0-response');
    expect(encodeResponse(ApiKey.ApiVersions, 0, 1, { errorCode: 0, apiKeys }).toString('hex')).to.equal(frame.toString('hex'));
    expect(decodeResponse(ApiKey.ApiVersions, 0, body(frame)).body.apiKeys).to.deep.equal(apiKeys);
  });

  it('ApiVersions v3 response uses response header v0 (no tag byte)', () => {
    const frame = loadHexFixture('api-versions-v3-response');
    expect(encodeResponse(ApiKey.ApiVersions, 3, 1, { errorCode: 0, apiKeys, throttleTimeMs: 0 }).toString('hex')).to.equal(frame.toString('hex'));
    const { correlationId, body: decoded } = decodeResponse(ApiKey.ApiVersions, 3, body(frame));
    expect(correlationId).to.equal(1);
    expect(decoded.apiKeys).to.deep.equal(apiKeys);
    expect(decoded.finalizedFeaturesEpoch).to.equal(-1n);
  });

  it('unsupported ApiVersions version is answered in v0 format (KIP-511)', () => {
    const frame = loadHexFixture('api-versions-unsupported-response');
    expect(encodeApiVersionsV0Error(7).toString('hex')).to.equal(frame.toString('hex'));
  });

  it('Metadata v4 request', () => {
    const frame = loadHexFixture('metadata-v4-request');
    const encoded = encodeRequest(ApiKey.Metadata, 4, 2, 'rdkafka', { topics: [{ name: 'topic' }], allowAutoTopicCreation: true });
    expect(encoded.toString('hex')).to.equal(frame.toString('hex'));
    const payload = body(frame);
    const h = decodeRequestHeader(payload);
    expect(decodeRequest(ApiKey.Metadata, 4, payload, h.bodyOffset)).to.deep.equal({
      topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'topic' }],
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
  });

  it('Produce v7 request carries the batch as untouched bytes', () => {
    const frame = loadHexFixture('produce-v7-request');
    const encoded = encodeRequest(ApiKey.Produce, 7, 3, 'rdkafka', {
      transactionalId: null,
      acks: -1,
      timeoutMs: 30000,
      topicData: [{ name: 'topic', partitionData: [{ index: 0, records: batch }] }],
    });
    expect(encoded.toString('hex')).to.equal(frame.toString('hex'));
    const payload = body(frame);
    const h = decodeRequestHeader(payload);
    const req = decodeRequest(ApiKey.Produce, 7, payload, h.bodyOffset);
    expect(req.acks).to.equal(-1);
    expect(req.transactionalId).to.equal(null);
    const records = req.topicData[0]!.partitionData[0]!.records!;
    expect(Buffer.compare(records, batch)).to.equal(0);
    expect(verifyBatchCrc(records, 0)).to.equal(true);
  });

  it('Fetch v11 response', () => {
    const frame = loadHexFixture('fetch-v11-response');
    const encoded = encodeResponse(ApiKey.Fetch, 11, 4, {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [
        {
          topic: 'topic',
          partitions: [
            {
              partitionIndex: 0,
              errorCode: 0,
              highWatermark: 1n,
              lastStableOffset: 1n,
              logStartOffset: 0n,
              abortedTransactions: null,
              preferredReadReplica: -1,
              records: batch,
            },
          ],
        },
      ],
    });
    expect(encoded.toString('hex')).to.equal(frame.toString('hex'));
    const { correlationId, body: res } = decodeResponse(ApiKey.Fetch, 11, body(frame));
    expect(correlationId).to.equal(4);
    const p = res.responses[0]!.partitions[0]!;
    expect([p.highWatermark, p.lastStableOffset, p.logStartOffset, p.preferredReadReplica]).to.deep.equal([1n, 1n, 0n, -1]);
    expect(decodeRecordBatch(p.records!).records[0]!.offset).to.equal(0n);
  });
});

describe('protocol > zero-copy fetch responses', () => {
  it('encodeResponseChunks hands back the record buffers themselves, same bytes as encodeResponse', () => {
    const records = Buffer.concat(Array.from({ length: 50 }, (_, i) => encodeRecordBatch([{ value: Buffer.alloc(300, i) }], { baseOffset: BigInt(i) })));
    const body = {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [{ topic: 't', partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: 50n, records }, { partitionIndex: 1, errorCode: 0, highWatermark: 0n, records: null }] }],
    };
    const chunks = encodeResponseChunks(ApiKey.Fetch, 11, 9, body);
    expect(chunks.includes(records)).to.equal(true);
    const joined = Buffer.concat(chunks);
    expect(joined.toString('hex')).to.equal(encodeResponse(ApiKey.Fetch, 11, 9, body).toString('hex'));
    const { body: decoded } = decodeResponse(ApiKey.Fetch, 11, joined.subarray(4));
    expect(Buffer.compare(decoded.responses[0]!.partitions[0]!.records!, records)).to.equal(0);
    expect(decoded.responses[0]!.partitions[1]!.records).to.equal(null);
  });
});
