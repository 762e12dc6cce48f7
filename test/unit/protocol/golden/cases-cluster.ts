/** Golden cases of cluster administration: quotas, elections, reassignments, features, DescribeCluster. */
import { ApiKey } from '../../../../protocol/index.js';
import { apiCase } from './case.js';

export const clusterCases = [
  apiCase({
    api: ApiKey.DescribeClientQuotas,
    flexibleFrom: 1,
    request: {
      body: () => ({
        components: [
          { entityType: 'user', matchType: 0, match: 'alice' },
          { entityType: 'client-id', matchType: 2, match: null },
        ],
        strict: true,
      }),
      bytes: (b, _v, x) => b.arr(x.components, (b, c) => b.str(c.entityType).i8(c.matchType).nstr(c.match).tags()).bool(x.strict).tags(),
    },
    response: {
      // A null entries list (on error) is covered in v0, a real one in v1.
      body: (v) => ({
        throttleTimeMs: 0,
        errorCode: v === 0 ? 29 : 0,
        errorMessage: v === 0 ? 'not authorized' : null,
        entries:
          v === 0
            ? null
            : [
                {
                  entity: [
                    { entityType: 'user', entityName: 'alice' },
                    { entityType: 'client-id', entityName: null },
                  ],
                  values: [{ key: 'producer_byte_rate', value: 1048576.5 }],
                },
              ],
      }),
      bytes: (b, _v, x) => {
        b.i32(x.throttleTimeMs).i16(x.errorCode).nstr(x.errorMessage);
        b.narr(x.entries, (b, e) => {
          b.arr(e.entity, (b, n) => b.str(n.entityType).nstr(n.entityName).tags());
          b.arr(e.values, (b, q) => b.str(q.key).f64(q.value).tags()).tags();
        });
        b.tags();
      },
    },
  }),

  apiCase({
    api: ApiKey.AlterClientQuotas,
    flexibleFrom: 1,
    request: {
      body: () => ({
        entries: [
          {
            entity: [{ entityType: 'user', entityName: null }],
            ops: [
              { key: 'consumer_byte_rate', value: 2e6, remove: false },
              { key: 'request_percentage', value: 0, remove: true },
            ],
          },
        ],
        validateOnly: true,
      }),
      bytes: (b, _v, x) => {
        b.arr(x.entries, (b, e) => {
          b.arr(e.entity, (b, n) => b.str(n.entityType).nstr(n.entityName).tags());
          b.arr(e.ops, (b, o) => b.str(o.key).f64(o.value).bool(o.remove).tags()).tags();
        });
        b.bool(x.validateOnly).tags();
      },
    },
    response: {
      body: () => ({
        throttleTimeMs: 4,
        entries: [{ errorCode: 42, errorMessage: 'bad key', entity: [{ entityType: 'user', entityName: 'alice' }] }],
      }),
      bytes: (b, _v, x) =>
        b
          .i32(x.throttleTimeMs)
          .arr(x.entries, (b, e) => b.i16(e.errorCode).nstr(e.errorMessage).arr(e.entity, (b, n) => b.str(n.entityType).nstr(n.entityName).tags()).tags())
          .tags(),
    },
  }),

  apiCase({
    api: ApiKey.ElectLeaders,
    flexibleFrom: 2,
    request: {
      // Null (every partition) is covered in v0.
      body: (v) => ({
        electionType: v >= 1 ? 1 : 0,
        topicPartitions: v === 0 ? null : [{ topic: 'orders', partitions: [0, 1] }],
        timeoutMs: 30000,
      }),
      bytes: (b, v, x) => {
        if (v >= 1) b.i8(x.electionType);
        b.narr(x.topicPartitions, (b, t) => b.str(t.topic).i32s(t.partitions).tags());
        b.i32(x.timeoutMs).tags();
      },
    },
    response: {
      body: (v) => ({
        throttleTimeMs: 1,
        errorCode: v >= 1 ? 41 : 0,
        replicaElectionResults: [
          {
            topic: 'orders',
            partitionResult: [
              { partitionId: 0, errorCode: 0, errorMessage: null },
              { partitionId: 1, errorCode: 84, errorMessage: 'already leader' },
            ],
          },
        ],
      }),
      bytes: (b, v, x) => {
        b.i32(x.throttleTimeMs);
        if (v >= 1) b.i16(x.errorCode);
        b.arr(x.replicaElectionResults, (b, r) =>
          b
            .str(r.topic)
            .arr(r.partitionResult, (b, p) => b.i32(p.partitionId).i16(p.errorCode).nstr(p.errorMessage).tags())
            .tags(),
        );
        b.tags();
      },
    },
  }),

  apiCase({
    api: ApiKey.AlterPartitionReassignments,
    flexibleFrom: 0,
    request: {
      body: () => ({
        timeoutMs: 20000,
        topics: [
          {
            name: 'orders',
            partitions: [
              { partitionIndex: 0, replicas: [3, 1, 2] },
              { partitionIndex: 1, replicas: null },
            ],
          },
        ],
      }),
      bytes: (b, _v, x) =>
        b
          .i32(x.timeoutMs)
          .arr(x.topics, (b, t) => b.str(t.name).arr(t.partitions, (b, p) => b.i32(p.partitionIndex).narr(p.replicas, (b, r) => b.i32(r)).tags()).tags())
          .tags(),
    },
    response: {
      body: () => ({
        throttleTimeMs: 0,
        errorCode: 0,
        errorMessage: null,
        responses: [
          {
            name: 'orders',
            partitions: [
              { partitionIndex: 0, errorCode: 0, errorMessage: null },
              { partitionIndex: 1, errorCode: 85, errorMessage: 'no reassignment in progress' },
            ],
          },
        ],
      }),
      bytes: (b, _v, x) => {
        b.i32(x.throttleTimeMs).i16(x.errorCode).nstr(x.errorMessage);
        b.arr(x.responses, (b, t) => b.str(t.name).arr(t.partitions, (b, p) => b.i32(p.partitionIndex).i16(p.errorCode).nstr(p.errorMessage).tags()).tags());
        b.tags();
      },
    },
  }),

  apiCase({
    api: ApiKey.ListPartitionReassignments,
    flexibleFrom: 0,
    request: {
      body: () => ({ timeoutMs: 20000, topics: [{ name: 'orders', partitionIndexes: [0] }] }),
      bytes: (b, _v, x) => b.i32(x.timeoutMs).narr(x.topics, (b, t) => b.str(t.name).i32s(t.partitionIndexes).tags()).tags(),
    },
    response: {
      body: () => ({
        throttleTimeMs: 0,
        errorCode: 0,
        errorMessage: null,
        topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, replicas: [1, 2, 3], addingReplicas: [3], removingReplicas: [1] }] }],
      }),
      bytes: (b, _v, x) => {
        b.i32(x.throttleTimeMs).i16(x.errorCode).nstr(x.errorMessage);
        b.arr(x.topics, (b, t) =>
          b
            .str(t.name)
            .arr(t.partitions, (b, p) => b.i32(p.partitionIndex).i32s(p.replicas).i32s(p.addingReplicas).i32s(p.removingReplicas).tags())
            .tags(),
        );
        b.tags();
      },
    },
  }),

  apiCase({
    api: ApiKey.UpdateFeatures,
    flexibleFrom: 0,
    request: {
      body: () => ({ timeoutMs: 60000, featureUpdates: [{ feature: 'metadata.version', maxVersionLevel: 7, allowDowngrade: true }] }),
      bytes: (b, _v, x) =>
        b
          .i32(x.timeoutMs)
          .arr(x.featureUpdates, (b, f) => b.str(f.feature).i16(f.maxVersionLevel).bool(f.allowDowngrade).tags())
          .tags(),
    },
    response: {
      body: () => ({
        throttleTimeMs: 0,
        errorCode: 0,
        errorMessage: null,
        results: [{ feature: 'metadata.version', errorCode: 35, errorMessage: 'unsupported level' }],
      }),
      bytes: (b, _v, x) => {
        b.i32(x.throttleTimeMs).i16(x.errorCode).nstr(x.errorMessage);
        b.arr(x.results, (b, r) => b.str(r.feature).i16(r.errorCode).nstr(r.errorMessage).tags()).tags();
      },
    },
  }),

  apiCase({
    api: ApiKey.DescribeCluster,
    flexibleFrom: 0,
    request: {
      body: () => ({ includeClusterAuthorizedOperations: true }),
      bytes: (b, _v, x) => b.bool(x.includeClusterAuthorizedOperations).tags(),
    },
    response: {
      body: () => ({
        throttleTimeMs: 0,
        errorCode: 0,
        errorMessage: null,
        clusterId: 'c-42',
        controllerId: 1,
        brokers: [
          { brokerId: 1, host: 'b1.example', port: 9092, rack: 'rack-a' },
          { brokerId: 2, host: 'b2.example', port: 9093, rack: null },
        ],
        clusterAuthorizedOperations: 0x1fe,
      }),
      bytes: (b, _v, x) => {
        b.i32(x.throttleTimeMs).i16(x.errorCode).nstr(x.errorMessage).str(x.clusterId).i32(x.controllerId);
        b.arr(x.brokers, (b, k) => b.i32(k.brokerId).str(k.host).i32(k.port).nstr(k.rack).tags());
        b.i32(x.clusterAuthorizedOperations).tags();
      },
    },
  }),
];
