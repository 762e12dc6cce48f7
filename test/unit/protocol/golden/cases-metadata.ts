/** Golden cases: Metadata, CreateTopics, DeleteTopics, CreatePartitions, ApiVersions. */
import { ApiKey } from '../../../../protocol/index.js';
import { apiCase } from './case.js';

/** Kafka's Uuid.ZERO_UUID, and two topic ids. */
export const NO_ID = 'AAAAAAAAAAAAAAAAAAAAAA';
const ORDERS_ID = 'r8bIyEGYQ0-WGa3nTkMNZw';
const PAYMENTS_ID = 'AQIDBAUGBwgJCgsMDQ4PEA';
const NO_OPS = -2147483648;

export const metadataCases = [
  apiCase({
    api: ApiKey.Metadata,
    flexibleFrom: 9,
    request: {
      // v1 is the first version where null means "all topics": cover it there.
      body: (v) => ({
        topics:
          v === 1
            ? null
            : [
                { topicId: v >= 10 ? ORDERS_ID : NO_ID, name: 'orders' },
                { topicId: v >= 10 ? PAYMENTS_ID : NO_ID, name: v >= 10 ? null : 'payments' },
              ],
        allowAutoTopicCreation: v >= 4 ? false : true,
        includeClusterAuthorizedOperations: v >= 8 && v <= 10,
        includeTopicAuthorizedOperations: v >= 8,
      }),
      bytes: (b, v, x) => {
        b.narr(x.topics, (b, t) => {
          if (v >= 10) b.uuid(t.topicId);
          b.nstr(t.name).tags();
        });
        if (v >= 4) b.bool(x.allowAutoTopicCreation);
        if (v >= 8 && v <= 10) b.bool(x.includeClusterAuthorizedOperations);
        if (v >= 8) b.bool(x.includeTopicAuthorizedOperations);
        b.tags();
      },
    },
    response: {
      body: (v) => ({
        throttleTimeMs: v >= 3 ? 8 : 0,
        brokers: [
          { nodeId: 1, host: 'b1.example', port: 9092, rack: v >= 1 ? 'rack-a' : null },
          { nodeId: 2, host: 'b2.example', port: 9093, rack: null },
        ],
        clusterId: v >= 2 ? 'c-42' : null,
        controllerId: v >= 1 ? 2 : -1,
        topics: [
          {
            errorCode: 0,
            name: 'orders',
            topicId: v >= 10 ? ORDERS_ID : NO_ID,
            isInternal: v >= 1,
            partitions: [
              {
                errorCode: 9,
                partitionIndex: 0,
                leaderId: 1,
                leaderEpoch: v >= 7 ? 5 : -1,
                replicaNodes: [1, 2],
                isrNodes: [1],
                offlineReplicas: v >= 5 ? [2] : [],
              },
            ],
            topicAuthorizedOperations: v >= 8 ? 0x0ff8 : NO_OPS,
          },
        ],
        clusterAuthorizedOperations: v >= 8 && v <= 10 ? 0x1fe : NO_OPS,
      }),
      bytes: (b, v, x) => {
        if (v >= 3) b.i32(x.throttleTimeMs);
        b.arr(x.brokers, (b, k) => {
          b.i32(k.nodeId).str(k.host).i32(k.port);
          if (v >= 1) b.nstr(k.rack);
          b.tags();
        });
        if (v >= 2) b.nstr(x.clusterId);
        if (v >= 1) b.i32(x.controllerId);
        b.arr(x.topics, (b, t) => {
          b.i16(t.errorCode).str(t.name);
          if (v >= 10) b.uuid(t.topicId);
          if (v >= 1) b.bool(t.isInternal);
          b.arr(t.partitions, (b, p) => {
            b.i16(p.errorCode).i32(p.partitionIndex).i32(p.leaderId);
            if (v >= 7) b.i32(p.leaderEpoch);
            b.i32s(p.replicaNodes).i32s(p.isrNodes);
            if (v >= 5) b.i32s(p.offlineReplicas);
            b.tags();
          });
          if (v >= 8) b.i32(t.topicAuthorizedOperations);
          b.tags();
        });
        if (v >= 8 && v <= 10) b.i32(x.clusterAuthorizedOperations);
        b.tags();
      },
    },
  }),

  apiCase({
    api: ApiKey.CreateTopics,
    flexibleFrom: 5,
    request: {
      body: (v) => ({
        topics: [
          {
            name: 'orders',
            numPartitions: -1,
            replicationFactor: -1,
            assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }],
            configs: [
              { name: 'cleanup.policy', value: 'compact' },
              { name: 'retention.ms', value: null },
            ],
          },
        ],
        timeoutMs: 5000,
        validateOnly: v >= 1,
      }),
      bytes: (b, v, x) => {
        b.arr(x.topics, (b, t) => {
          b.str(t.name).i32(t.numPartitions).i16(t.replicationFactor);
          b.arr(t.assignments, (b, a) => b.i32(a.partitionIndex).i32s(a.brokerIds).tags());
          b.arr(t.configs, (b, c) => b.str(c.name).nstr(c.value).tags());
          b.tags();
        });
        b.i32(x.timeoutMs);
        if (v >= 1) b.bool(x.validateOnly);
        b.tags();
      },
    },
    response: {
      body: (v) => ({
        throttleTimeMs: v >= 2 ? 12 : 0,
        topics: [
          {
            name: 'orders',
            errorCode: 0,
            errorMessage: null,
            topicConfigErrorCode: 0,
            numPartitions: v >= 5 ? 3 : -1,
            replicationFactor: v >= 5 ? 2 : -1,
            configs: v >= 5 ? [{ name: 'cleanup.policy', value: 'compact', readOnly: false, configSource: 5, isSensitive: true }] : [],
          },
          {
            name: 'bad topic',
            errorCode: 17,
            errorMessage: v >= 1 ? 'illegal character' : null,
            topicConfigErrorCode: v >= 5 ? 29 : 0,
            numPartitions: -1,
            replicationFactor: -1,
            configs: v >= 5 ? null : [],
          },
        ],
      }),
      bytes: (b, v, x) => {
        if (v >= 2) b.i32(x.throttleTimeMs);
        b.arr(x.topics, (b, t) => {
          b.str(t.name).i16(t.errorCode);
          if (v >= 1) b.nstr(t.errorMessage);
          if (v >= 5) {
            b.i32(t.numPartitions).i16(t.replicationFactor);
            b.narr(t.configs, (b, c) => b.str(c.name).nstr(c.value).bool(c.readOnly).i8(c.configSource).bool(c.isSensitive).tags());
          }
          b.tags(t.topicConfigErrorCode !== 0 && [0, (s) => s.i16(t.topicConfigErrorCode)]);
        });
        b.tags();
      },
    },
  }),

  apiCase({
    api: ApiKey.DeleteTopics,
    flexibleFrom: 4,
    request: {
      body: () => ({ topicNames: ['orders', 'payments'], timeoutMs: 30000 }),
      bytes: (b, _v, x) => b.strs(x.topicNames).i32(x.timeoutMs).tags(),
    },
    response: {
      body: (v) => ({
        throttleTimeMs: v >= 1 ? 6 : 0,
        responses: [
          { name: 'orders', errorCode: 0, errorMessage: null },
          { name: 'payments', errorCode: 73, errorMessage: v >= 5 ? 'deletion disabled' : null },
        ],
      }),
      bytes: (b, v, x) => {
        if (v >= 1) b.i32(x.throttleTimeMs);
        b.arr(x.responses, (b, r) => {
          b.str(r.name).i16(r.errorCode);
          if (v >= 5) b.nstr(r.errorMessage);
          b.tags();
        });
        b.tags();
      },
    },
  }),

  apiCase({
    api: ApiKey.CreatePartitions,
    flexibleFrom: 2,
    request: {
      body: () => ({
        topics: [
          { name: 'orders', count: 6, assignments: [{ brokerIds: [1, 2] }, { brokerIds: [2, 3] }] },
          { name: 'payments', count: 4, assignments: null },
        ],
        timeoutMs: 10000,
        validateOnly: true,
      }),
      bytes: (b, _v, x) => {
        b.arr(x.topics, (b, t) => b.str(t.name).i32(t.count).narr(t.assignments, (b, a) => b.i32s(a.brokerIds).tags()).tags());
        b.i32(x.timeoutMs).bool(x.validateOnly).tags();
      },
    },
    response: {
      body: () => ({
        throttleTimeMs: 2,
        results: [
          { name: 'orders', errorCode: 0, errorMessage: null },
          { name: 'payments', errorCode: 37, errorMessage: 'too few' },
        ],
      }),
      bytes: (b, _v, x) => b.i32(x.throttleTimeMs).arr(x.results, (b, r) => b.str(r.name).i16(r.errorCode).nstr(r.errorMessage).tags()).tags(),
    },
  }),

  apiCase({
    api: ApiKey.ApiVersions,
    flexibleFrom: 3,
    request: {
      body: (v) => ({ clientSoftwareName: v >= 3 ? 'samsa' : '', clientSoftwareVersion: v >= 3 ? '0.1.0' : '' }),
      bytes: (b, v, x) => {
        if (v >= 3) b.str(x.clientSoftwareName).str(x.clientSoftwareVersion);
        b.tags();
      },
    },
    response: {
      body: (v) => ({
        errorCode: 0,
        apiKeys: [
          { apiKey: 0, minVersion: 0, maxVersion: 9 },
          { apiKey: 18, minVersion: 0, maxVersion: 3 },
        ],
        throttleTimeMs: v >= 1 ? 1 : 0,
        supportedFeatures: v >= 3 ? [{ name: 'metadata.version', minVersion: 1, maxVersion: 7 }] : [],
        finalizedFeaturesEpoch: v >= 3 ? 42n : -1n,
        finalizedFeatures: v >= 3 ? [{ name: 'metadata.version', maxVersionLevel: 7, minVersionLevel: 1 }] : [],
      }),
      bytes: (b, v, x) => {
        b.i16(x.errorCode).arr(x.apiKeys, (b, k) => b.i16(k.apiKey).i16(k.minVersion).i16(k.maxVersion).tags());
        if (v >= 1) b.i32(x.throttleTimeMs);
        b.tags(
          [0, (t) => t.arr(x.supportedFeatures, (t, f) => t.str(f.name).i16(f.minVersion).i16(f.maxVersion).tags())],
          [1, (t) => t.i64(x.finalizedFeaturesEpoch)],
          [2, (t) => t.arr(x.finalizedFeatures, (t, f) => t.str(f.name).i16(f.maxVersionLevel).i16(f.minVersionLevel).tags())],
        );
      },
    },
  }),
];
