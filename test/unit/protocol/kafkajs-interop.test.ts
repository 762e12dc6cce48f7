/**
 * Cross-checks our schemas against an independent implementation: KafkaJS 2.2.4 (a dev
 * dependency) encodes requests that we decode, and decodes responses that we encode, for the
 * versions KafkaJS actually sends (reference: kafka-wire-protocol.md §1–3).
 */
import { expect } from 'chai';
import { createRequire } from 'node:module';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  API_MESSAGES,
  ApiKey,
  CompressionType,
  ErrorCode,
  Reader,
  decodeRecordBatch,
  decodeRequest,
  encodeRecordBatch,
  encodeResponse,
  errorInfo,
  messageCodec,
} from '../../../protocol/index.js';

const require = createRequire(import.meta.url);

interface KjsRequest {
  apiKey: number;
  apiVersion: number;
  encode(): Promise<{ buffer: Buffer }>;
}
type KjsRequestFactory = (args?: unknown) => KjsRequest;
interface KjsResponse {
  decode(payload: Buffer): Promise<Record<string, unknown>>;
}

function kjsRequest(api: string, version: number): KjsRequestFactory {
  return require(`kafkajs/src/protocol/requests/${api}/v${version}/request`) as KjsRequestFactory;
}
function kjsResponse(api: string, version: number): KjsResponse {
  return require(`kafkajs/src/protocol/requests/${api}/v${version}/response`) as KjsResponse;
}

async function ours(api: string, version: number, args?: unknown): Promise<unknown> {
  const req = kjsRequest(api, version)(args);
  const { buffer } = await req.encode();
  expect(req.apiVersion).to.equal(version);
  return decodeRequest(req.apiKey, version, buffer, 0);
}

/** Our response frame minus size prefix and correlation id: what KafkaJS's decoders receive. */
function responsePayload(apiKey: number, version: number, body: unknown): Buffer {
  return encodeResponse(apiKey, version, 1, body as never).subarray(8);
}

/** Kafka's Uuid.ZERO_UUID: what a topicId reads as in versions without one. */
const NO_TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAA';

describe('protocol > interop with KafkaJS 2.2.4 codecs', () => {
  it('ApiVersions v2 response', async () => {
    const res = await kjsResponse('apiVersions', 2).decode(
      responsePayload(ApiKey.ApiVersions, 2, { errorCode: 0, apiKeys: [{ apiKey: 3, minVersion: 0, maxVersion: 8 }], throttleTimeMs: 5 }),
    );
    expect(res['apiVersions']).to.deep.equal([{ apiKey: 3, minVersion: 0, maxVersion: 8 }]);
    expect(res['clientSideThrottleTime']).to.equal(5); // v2+: KafkaJS moves the broker's throttle here
  });

  it('Metadata v6 request and response', async () => {
    expect(await ours('metadata', 6, { topics: ['a', 'b'], allowAutoTopicCreation: false })).to.deep.include({
      topics: [{ topicId: NO_TOPIC_ID, name: 'a' }, { topicId: NO_TOPIC_ID, name: 'b' }],
      allowAutoTopicCreation: false,
    });
    const res = await kjsResponse('metadata', 6).decode(
      responsePayload(ApiKey.Metadata, 6, {
        throttleTimeMs: 0,
        brokers: [{ nodeId: 1, host: 'localhost', port: 9092, rack: null }],
        clusterId: 'c1',
        controllerId: 1,
        topics: [
          {
            errorCode: 0,
            name: 't',
            isInternal: false,
            partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, replicaNodes: [1, 2], isrNodes: [1], offlineReplicas: [2] }],
          },
        ],
      }),
    );
    expect(res['brokers']).to.deep.equal([{ nodeId: 1, host: 'localhost', port: 9092, rack: null }]);
    expect(res['clusterId']).to.equal('c1');
    expect(res['controllerId']).to.equal(1);
    expect(res['topicMetadata']).to.deep.equal([
      {
        topicErrorCode: 0,
        topic: 't',
        isInternal: false,
        partitionMetadata: [{ partitionErrorCode: 0, partitionId: 0, leader: 1, replicas: [1, 2], isr: [1], offlineReplicas: [2] }],
      },
    ]);
  });

  it('Produce v7 request (KafkaJS builds the batch) and response', async () => {
    for (const compression of [CompressionType.None, CompressionType.Gzip]) {
      const req = (await ours('produce', 7, {
        acks: -1,
        timeout: 30000,
        compression,
        topicData: [{ topic: 't', partitions: [{ partition: 2, messages: [{ key: 'k', value: 'v', timestamp: 1700000000000, headers: { h: 'x' } }] }] }],
      })) as { acks: number; timeoutMs: number; transactionalId: null; topicData: Array<{ name: string; partitionData: Array<{ index: number; records: Buffer }> }> };
      expect([req.acks, req.timeoutMs, req.transactionalId]).to.deep.equal([-1, 30000, null]);
      const pd = req.topicData[0]!.partitionData[0]!;
      expect([req.topicData[0]!.name, pd.index]).to.deep.equal(['t', 2]);
      const { header, records } = decodeRecordBatch(pd.records);
      expect(header.attributes & 7).to.equal(compression);
      expect(records.map((r) => [r.key?.toString(), r.value?.toString(), r.timestamp, r.headers[0]?.key, r.headers[0]?.value?.toString()])).to.deep.equal([
        ['k', 'v', 1700000000000n, 'h', 'x'],
      ]);
    }
    const res = await kjsResponse('produce', 7).decode(
      responsePayload(ApiKey.Produce, 7, {
        responses: [{ name: 't', partitionResponses: [{ index: 2, errorCode: 0, baseOffset: 42n, logAppendTimeMs: -1n, logStartOffset: 0n }] }],
        throttleTimeMs: 0,
      }),
    );
    expect(res['topics']).to.deep.equal([
      { topicName: 't', partitions: [{ partition: 2, errorCode: 0, baseOffset: '42', logAppendTime: '-1', logStartOffset: '0' }] },
    ]);
  });

  it('Fetch v11 request and response', async () => {
    const req = await ours('fetch', 11, {
      replicaId: -1,
      maxWaitTime: 500,
      minBytes: 1,
      maxBytes: 52428800,
      topics: [{ topic: 't', partitions: [{ partition: 0, fetchOffset: '7', maxBytes: 1048576 }] }],
      rackId: 'r1',
    });
    expect(req).to.deep.equal({
      clusterId: null,
      replicaId: -1,
      maxWaitMs: 500,
      minBytes: 1,
      maxBytes: 52428800,
      isolationLevel: 1,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic: 't', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 7n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1048576 }] }],
      forgottenTopicsData: [],
      rackId: 'r1',
    });
    const batch = encodeRecordBatch([{ key: null, value: Buffer.from('hello'), timestamp: 1n }], { baseOffset: 7n });
    const res = await kjsResponse('fetch', 11).decode(
      responsePayload(ApiKey.Fetch, 11, {
        throttleTimeMs: 0,
        errorCode: 0,
        sessionId: 0,
        responses: [
          {
            topic: 't',
            partitions: [
              { partitionIndex: 0, errorCode: 0, highWatermark: 8n, lastStableOffset: 8n, logStartOffset: 0n, abortedTransactions: [], preferredReadReplica: -1, records: batch },
            ],
          },
        ],
      }),
    );
    const partition = (res['responses'] as Array<{ partitions: Array<Record<string, unknown>> }>)[0]!.partitions[0]!;
    expect(partition['highWatermark']).to.equal('8');
    expect((partition['messages'] as Array<{ offset: string; value: Buffer }>).map((m) => [m.offset, m.value.toString()])).to.deep.equal([['7', 'hello']]);
  });

  it('ListOffsets v3 and FindCoordinator v2', async () => {
    expect(await ours('listOffsets', 3, { replicaId: -1, isolationLevel: 1, topics: [{ topic: 't', partitions: [{ partition: 0, timestamp: -2 }] }] })).to.deep.equal({
      replicaId: -1,
      isolationLevel: 1,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2n, maxNumOffsets: 1 }] }],
    });
    const lo = await kjsResponse('listOffsets', 3).decode(
      responsePayload(ApiKey.ListOffsets, 3, { throttleTimeMs: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0, timestamp: -1n, offset: 12n }] }] }),
    );
    expect(lo['responses']).to.deep.equal([{ topic: 't', partitions: [{ partition: 0, errorCode: 0, timestamp: '-1', offset: '12' }] }]);
    expect(await ours('findCoordinator', 2, { coordinatorKey: 'g', coordinatorType: 0 })).to.deep.equal({ key: 'g', keyType: 0 });
    const fc = await kjsResponse('findCoordinator', 2).decode(
      responsePayload(ApiKey.FindCoordinator, 2, { throttleTimeMs: 0, errorCode: 0, errorMessage: null, nodeId: 3, host: 'h', port: 9093 }),
    );
    expect(fc['coordinator']).to.deep.equal({ nodeId: 3, host: 'h', port: 9093 });
  });

  it('consumer group APIs: JoinGroup v5, SyncGroup v3, Heartbeat v3, LeaveGroup v3', async () => {
    const meta = Buffer.from([0, 1, 2]);
    expect(
      await ours('joinGroup', 5, { groupId: 'g', sessionTimeout: 30000, rebalanceTimeout: 60000, memberId: '', protocolType: 'consumer', groupProtocols: [{ name: 'RoundRobinAssigner', metadata: meta }] }),
    ).to.deep.equal({
      groupId: 'g',
      sessionTimeoutMs: 30000,
      rebalanceTimeoutMs: 60000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'RoundRobinAssigner', metadata: meta }],
    });
    const jg = await kjsResponse('joinGroup', 5).decode(
      responsePayload(ApiKey.JoinGroup, 5, {
        throttleTimeMs: 0,
        errorCode: 0,
        generationId: 3,
        protocolName: 'RoundRobinAssigner',
        leader: 'm1',
        memberId: 'm1',
        members: [{ memberId: 'm1', groupInstanceId: null, metadata: meta }],
      }),
    );
    expect([jg['generationId'], jg['groupProtocol'], jg['leaderId'], jg['memberId']]).to.deep.equal([3, 'RoundRobinAssigner', 'm1', 'm1']);
    expect(await ours('syncGroup', 3, { groupId: 'g', generationId: 3, memberId: 'm1', groupAssignment: [{ memberId: 'm1', memberAssignment: meta }] })).to.deep.equal({
      groupId: 'g',
      generationId: 3,
      memberId: 'm1',
      groupInstanceId: null,
      protocolType: null,
      protocolName: null,
      assignments: [{ memberId: 'm1', assignment: meta }],
    });
    const sg = await kjsResponse('syncGroup', 3).decode(responsePayload(ApiKey.SyncGroup, 3, { throttleTimeMs: 0, errorCode: 0, assignment: meta }));
    expect(Buffer.compare(sg['memberAssignment'] as Buffer, meta)).to.equal(0);
    expect(await ours('heartbeat', 3, { groupId: 'g', groupGenerationId: 3, memberId: 'm1', groupInstanceId: null })).to.deep.equal({
      groupId: 'g',
      generationId: 3,
      memberId: 'm1',
      groupInstanceId: null,
    });
    expect(await ours('leaveGroup', 3, { groupId: 'g', members: [{ memberId: 'm1' }] })).to.deep.equal({
      groupId: 'g',
      memberId: '',
      members: [{ memberId: 'm1', groupInstanceId: null }],
    });
    const lg = await kjsResponse('leaveGroup', 3).decode(
      responsePayload(ApiKey.LeaveGroup, 3, { throttleTimeMs: 0, errorCode: 0, members: [{ memberId: 'm1', groupInstanceId: null, errorCode: 0 }] }),
    );
    expect(lg['members']).to.deep.equal([{ memberId: 'm1', groupInstanceId: null, errorCode: 0 }]);
  });

  it('offsets: OffsetCommit v5 and OffsetFetch v4', async () => {
    expect(
      await ours('offsetCommit', 5, { groupId: 'g', groupGenerationId: 3, memberId: 'm1', topics: [{ topic: 't', partitions: [{ partition: 0, offset: '10', metadata: 'md' }] }] }),
    ).to.deep.equal({
      groupId: 'g',
      generationIdOrMemberEpoch: 3,
      memberId: 'm1',
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 10n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: 'md' }] }],
    });
    const oc = await kjsResponse('offsetCommit', 5).decode(
      responsePayload(ApiKey.OffsetCommit, 5, { throttleTimeMs: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0 }] }] }),
    );
    expect(oc['responses']).to.deep.equal([{ topic: 't', partitions: [{ partition: 0, errorCode: 0 }] }]);
    expect(await ours('offsetFetch', 4, { groupId: 'g', topics: [{ topic: 't', partitions: [{ partition: 0 }, { partition: 1 }] }] })).to.deep.equal({
      groupId: 'g',
      topics: [{ name: 't', partitionIndexes: [0, 1] }],
      requireStable: false,
    });
    const of = await kjsResponse('offsetFetch', 4).decode(
      responsePayload(ApiKey.OffsetFetch, 4, {
        throttleTimeMs: 0,
        topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 10n, metadata: 'md', errorCode: 0 }] }],
        errorCode: 0,
      }),
    );
    expect(of['responses']).to.deep.equal([{ topic: 't', partitions: [{ partition: 0, offset: '10', metadata: 'md', errorCode: 0 }] }]);
  });

  it('admin APIs: CreateTopics v3, DeleteTopics v1, InitProducerId v1, DescribeConfigs v2, CreatePartitions v1', async () => {
    expect(
      await ours('createTopics', 3, {
        topics: [{ topic: 't', numPartitions: 3, replicationFactor: -1, replicaAssignment: [{ partition: 0, replicas: [1, 2] }], configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
        validateOnly: false,
        timeout: 5000,
      }),
    ).to.deep.equal({
      topics: [
        {
          name: 't',
          numPartitions: 3,
          replicationFactor: -1,
          assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }],
          configs: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
      timeoutMs: 5000,
      validateOnly: false,
    });
    const ct = await kjsResponse('createTopics', 3).decode(
      responsePayload(ApiKey.CreateTopics, 3, { throttleTimeMs: 0, topics: [{ name: 't', errorCode: 36, errorMessage: 'exists' }] }),
    );
    expect(ct['topicErrors']).to.deep.equal([{ topic: 't', errorCode: 36, errorMessage: 'exists' }]);
    expect(await ours('deleteTopics', 1, { topics: ['a', 'b'], timeout: 1000 })).to.deep.equal({ topicNames: ['a', 'b'], timeoutMs: 1000 });
    expect(await ours('initProducerId', 1, { transactionalId: null, transactionTimeout: 60000 })).to.deep.equal({
      transactionalId: null,
      transactionTimeoutMs: 60000,
      producerId: -1n,
      producerEpoch: -1,
    });
    const ip = await kjsResponse('initProducerId', 1).decode(
      responsePayload(ApiKey.InitProducerId, 1, { throttleTimeMs: 0, errorCode: 0, producerId: 1000n, producerEpoch: 0 }),
    );
    expect([ip['producerId'], ip['producerEpoch']]).to.deep.equal(['1000', 0]);
    expect(await ours('describeConfigs', 2, { resources: [{ type: 2, name: 't', configNames: ['retention.ms'] }], includeSynonyms: true })).to.deep.equal({
      resources: [{ resourceType: 2, resourceName: 't', configurationKeys: ['retention.ms'] }],
      includeSynonyms: true,
      includeDocumentation: false,
    });
    const dc = await kjsResponse('describeConfigs', 2).decode(
      responsePayload(ApiKey.DescribeConfigs, 2, {
        throttleTimeMs: 0,
        results: [
          {
            errorCode: 0,
            errorMessage: null,
            resourceType: 2,
            resourceName: 't',
            configs: [{ name: 'retention.ms', value: '1000', readOnly: false, configSource: 1, isSensitive: false, synonyms: [{ name: 'retention.ms', value: '1000', source: 1 }] }],
          },
        ],
      }),
    );
    const resource = (dc['resources'] as Array<{ configEntries: Array<Record<string, unknown>> }>)[0]!;
    expect(resource.configEntries[0]).to.deep.include({ configName: 'retention.ms', configValue: '1000', readOnly: false, isSensitive: false });
    expect(await ours('createPartitions', 1, { topicPartitions: [{ topic: 't', count: 4, assignments: [[1], [2]] }], validateOnly: false, timeout: 1000 })).to.deep.equal({
      topics: [{ name: 't', count: 4, assignments: [{ brokerIds: [1] }, { brokerIds: [2] }] }],
      timeoutMs: 1000,
      validateOnly: false,
    });
  });

  it('error codes, names and retriability agree with KafkaJS (apart from Kafka\'s later renames)', () => {
    const { errorCodes } = require('kafkajs/src/protocol/error.js') as { errorCodes: Array<{ type: string; code: number; retriable: boolean }> };
    const renamed: Record<string, string> = {
      UNKNOWN: 'UNKNOWN_SERVER_ERROR',
      NOT_LEADER_FOR_PARTITION: 'NOT_LEADER_OR_FOLLOWER',
      GROUP_LOAD_IN_PROGRESS: 'COORDINATOR_LOAD_IN_PROGRESS',
      GROUP_COORDINATOR_NOT_AVAILABLE: 'COORDINATOR_NOT_AVAILABLE',
      NOT_COORDINATOR_FOR_GROUP: 'NOT_COORDINATOR',
    };
    expect(errorCodes.length).to.be.greaterThan(80);
    for (const e of errorCodes) {
      expect({ code: e.code, name: errorInfo(e.code).name, retriable: errorInfo(e.code).retriable }).to.deep.equal({
        code: e.code,
        name: renamed[e.type] ?? e.type,
        retriable: e.retriable,
      });
    }
    expect(ErrorCode.NOT_LEADER_OR_FOLLOWER).to.equal(6);
    expect(errorInfo(9999)).to.include({ retriable: false });
  });

  /** Same arguments for every version KafkaJS implements; `check` reads one field back. */
  const EVERY_VERSION: Array<{ api: string; args: unknown; check: (body: Record<string, unknown>) => unknown; expected: unknown }> = [
    { api: 'metadata', args: { topics: ['a', 'b'], allowAutoTopicCreation: true }, check: (b) => b['topics'], expected: [{ topicId: NO_TOPIC_ID, name: 'a' }, { topicId: NO_TOPIC_ID, name: 'b' }] },
    {
      api: 'produce',
      args: { acks: 1, timeout: 100, topicData: [{ topic: 't', partitions: [{ partition: 3, messages: [{ key: 'k', value: 'v' }] }] }] },
      check: (b) => (b['topicData'] as Array<{ name: string; partitionData: Array<{ index: number }> }>).map((t) => [t.name, t.partitionData[0]!.index]),
      expected: [['t', 3]],
    },
    {
      api: 'fetch',
      args: { replicaId: -1, maxWaitTime: 100, minBytes: 1, maxBytes: 1000, topics: [{ topic: 't', partitions: [{ partition: 0, fetchOffset: '5', maxBytes: 1000 }] }] },
      check: (b) => (b['topics'] as Array<{ topic: string; partitions: Array<{ fetchOffset: bigint }> }>).map((t) => [t.topic, t.partitions[0]!.fetchOffset]),
      expected: [['t', 5n]],
    },
    {
      api: 'listOffsets',
      args: { replicaId: -1, isolationLevel: 1, topics: [{ topic: 't', partitions: [{ partition: 0, timestamp: -2 }] }] },
      check: (b) => (b['topics'] as Array<{ partitions: Array<{ timestamp: bigint }> }>)[0]!.partitions[0]!.timestamp,
      expected: -2n,
    },
    { api: 'findCoordinator', args: { groupId: 'g', coordinatorKey: 'g', coordinatorType: 0 }, check: (b) => b['key'], expected: 'g' },
    {
      api: 'joinGroup',
      args: { groupId: 'g', sessionTimeout: 10, rebalanceTimeout: 20, memberId: 'm', protocolType: 'consumer', groupProtocols: [{ name: 'p', metadata: Buffer.from('x') }] },
      check: (b) => [b['groupId'], b['sessionTimeoutMs'], b['memberId'], b['protocolType']],
      expected: ['g', 10, 'm', 'consumer'],
    },
    {
      api: 'syncGroup',
      args: { groupId: 'g', generationId: 1, memberId: 'm', groupAssignment: [{ memberId: 'm', memberAssignment: Buffer.from('a') }] },
      check: (b) => [b['groupId'], b['generationId'], b['memberId']],
      expected: ['g', 1, 'm'],
    },
    { api: 'heartbeat', args: { groupId: 'g', groupGenerationId: 1, memberId: 'm' }, check: (b) => [b['groupId'], b['generationId']], expected: ['g', 1] },
    { api: 'leaveGroup', args: { groupId: 'g', memberId: 'm', members: [{ memberId: 'm' }] }, check: (b) => b['groupId'], expected: 'g' },
    {
      api: 'offsetCommit',
      args: { groupId: 'g', groupGenerationId: 1, memberId: 'm', retentionTime: -1, topics: [{ topic: 't', partitions: [{ partition: 0, offset: '5', timestamp: 7 }] }] },
      check: (b) => (b['topics'] as Array<{ partitions: Array<{ committedOffset: bigint }> }>)[0]!.partitions[0]!.committedOffset,
      expected: 5n,
    },
    { api: 'offsetFetch', args: { groupId: 'g', topics: [{ topic: 't', partitions: [{ partition: 0 }] }] }, check: (b) => b['topics'], expected: [{ name: 't', partitionIndexes: [0] }] },
    {
      api: 'createTopics',
      args: { topics: [{ topic: 't', numPartitions: 1, replicationFactor: 1 }], timeout: 100, validateOnly: false },
      check: (b) => (b['topics'] as Array<{ name: string }>)[0]!.name,
      expected: 't',
    },
    { api: 'deleteTopics', args: { topics: ['t'], timeout: 100 }, check: (b) => b['topicNames'], expected: ['t'] },
    { api: 'initProducerId', args: { transactionalId: 'tx', transactionTimeout: 100 }, check: (b) => b['transactionalId'], expected: 'tx' },
    { api: 'describeGroups', args: { groupIds: ['g'] }, check: (b) => b['groups'], expected: ['g'] },
    { api: 'listGroups', args: undefined, check: () => true, expected: true },
    {
      api: 'describeConfigs',
      args: { resources: [{ type: 2, name: 't', configNames: ['a'] }], includeSynonyms: false },
      check: (b) => b['resources'],
      expected: [{ resourceType: 2, resourceName: 't', configurationKeys: ['a'] }],
    },
    {
      api: 'alterConfigs',
      args: { resources: [{ type: 2, name: 't', configEntries: [{ name: 'a', value: 'b' }] }], validateOnly: false },
      check: (b) => b['resources'],
      expected: [{ resourceType: 2, resourceName: 't', configs: [{ name: 'a', value: 'b' }] }],
    },
    { api: 'createPartitions', args: { topicPartitions: [{ topic: 't', count: 2 }], timeout: 100, validateOnly: false }, check: (b) => (b['topics'] as Array<{ count: number }>)[0]!.count, expected: 2 },
    {
      api: 'deleteRecords',
      args: { topics: [{ topic: 't', partitions: [{ partition: 0, offset: '5' }] }], timeout: 100 },
      check: (b) => (b['topics'] as Array<{ partitions: Array<{ offset: bigint }> }>)[0]!.partitions[0]!.offset,
      expected: 5n,
    },
    { api: 'deleteGroups', args: ['g'], check: (b) => b['groupsNames'], expected: ['g'] },
    { api: 'apiVersions', args: undefined, check: () => true, expected: true },
  ];

  it('every request version KafkaJS implements decodes completely (no bytes left over)', async () => {
    const requestsDir = dirname(require.resolve('kafkajs/src/protocol/requests/index.js'));
    let checked = 0;
    for (const { api, args, check, expected } of EVERY_VERSION) {
      const versions = readdirSync(join(requestsDir, api)).filter((d) => /^v\d+$/.test(d)).map((d) => Number(d.slice(1)));
      expect(versions.length, api).to.be.greaterThan(0);
      for (const version of versions) {
        const req = kjsRequest(api, version)(args);
        const { buffer } = await req.encode();
        const spec = API_MESSAGES.get(req.apiKey)!.request;
        const r = new Reader(buffer);
        const body = messageCodec(spec, version).decode(r) as Record<string, unknown>;
        expect(r.remaining(), `${api} v${version}: bytes left`).to.equal(0);
        expect(check(body), `${api} v${version}`).to.deep.equal(expected);
        checked++;
      }
    }
    expect(checked).to.be.greaterThan(70);
  });
});
