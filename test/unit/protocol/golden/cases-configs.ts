/** Golden cases of configs and log dirs: DescribeConfigs, AlterConfigs, IncrementalAlterConfigs, DescribeLogDirs, AlterReplicaLogDirs. */
import { ApiKey } from '../../../../protocol/index.js';
import { apiCase } from './case.js';

export const configCases = [
  apiCase({
    api: ApiKey.DescribeConfigs,
    flexibleFrom: 4,
    request: {
      body: (v) => ({
        resources: [
          { resourceType: 2, resourceName: 'orders', configurationKeys: ['retention.ms', 'cleanup.policy'] },
          { resourceType: 4, resourceName: '1', configurationKeys: null },
        ],
        includeSynonyms: v >= 1,
        includeDocumentation: v >= 3,
      }),
      bytes: (b, v, x) => {
        b.arr(x.resources, (b, r) => b.i8(r.resourceType).str(r.resourceName).narr(r.configurationKeys, (b, k) => b.str(k)).tags());
        if (v >= 1) b.bool(x.includeSynonyms);
        if (v >= 3) b.bool(x.includeDocumentation);
        b.tags();
      },
    },
    response: {
      body: (v) => ({
        throttleTimeMs: 3,
        results: [
          {
            errorCode: 0,
            errorMessage: null,
            resourceType: 2,
            resourceName: 'orders',
            configs: [
              {
                name: 'retention.ms',
                value: '3600000',
                readOnly: false,
                isDefault: v === 0,
                configSource: v >= 1 ? 1 : -1,
                isSensitive: false,
                synonyms: v >= 1 ? [{ name: 'log.retention.ms', value: null, source: 5 }] : [],
                configType: v >= 3 ? 5 : 0,
                documentation: v >= 3 ? 'How long to keep a log.' : '',
              },
              {
                name: 'sasl.jaas.config',
                value: null,
                readOnly: true,
                isDefault: false,
                configSource: v >= 1 ? 4 : -1,
                isSensitive: true,
                synonyms: [],
                configType: v >= 3 ? 9 : 0,
                documentation: v >= 3 ? null : '',
              },
            ],
          },
          { errorCode: 3, errorMessage: 'unknown topic', resourceType: 2, resourceName: 'gone', configs: [] },
        ],
      }),
      bytes: (b, v, x) => {
        b.i32(x.throttleTimeMs);
        b.arr(x.results, (b, r) => {
          b.i16(r.errorCode).nstr(r.errorMessage).i8(r.resourceType).str(r.resourceName);
          b.arr(r.configs, (b, c) => {
            b.str(c.name).nstr(c.value).bool(c.readOnly);
            if (v === 0) b.bool(c.isDefault);
            if (v >= 1) b.i8(c.configSource);
            b.bool(c.isSensitive);
            if (v >= 1) b.arr(c.synonyms, (b, s) => b.str(s.name).nstr(s.value).i8(s.source).tags());
            if (v >= 3) b.i8(c.configType).nstr(c.documentation);
            b.tags();
          });
          b.tags();
        });
        b.tags();
      },
    },
  }),

  apiCase({
    api: ApiKey.AlterConfigs,
    flexibleFrom: 2,
    request: {
      body: () => ({
        resources: [
          {
            resourceType: 2,
            resourceName: 'orders',
            configs: [
              { name: 'retention.ms', value: '60000' },
              { name: 'segment.ms', value: null },
            ],
          },
        ],
        validateOnly: true,
      }),
      bytes: (b, _v, x) => {
        b.arr(x.resources, (b, r) => b.i8(r.resourceType).str(r.resourceName).arr(r.configs, (b, c) => b.str(c.name).nstr(c.value).tags()).tags());
        b.bool(x.validateOnly).tags();
      },
    },
    response: {
      body: () => ({
        throttleTimeMs: 1,
        responses: [
          { errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'orders' },
          { errorCode: 40, errorMessage: 'bad value', resourceType: 4, resourceName: '2' },
        ],
      }),
      bytes: (b, _v, x) =>
        b
          .i32(x.throttleTimeMs)
          .arr(x.responses, (b, r) => b.i16(r.errorCode).nstr(r.errorMessage).i8(r.resourceType).str(r.resourceName).tags())
          .tags(),
    },
  }),

  apiCase({
    api: ApiKey.IncrementalAlterConfigs,
    flexibleFrom: 1,
    request: {
      body: () => ({
        resources: [
          {
            resourceType: 2,
            resourceName: 'orders',
            configs: [
              { name: 'cleanup.policy', configOperation: 2, value: 'compact' },
              { name: 'retention.ms', configOperation: 1, value: null },
            ],
          },
        ],
        validateOnly: false,
      }),
      bytes: (b, _v, x) => {
        b.arr(x.resources, (b, r) =>
          b
            .i8(r.resourceType)
            .str(r.resourceName)
            .arr(r.configs, (b, c) => b.str(c.name).i8(c.configOperation).nstr(c.value).tags())
            .tags(),
        );
        b.bool(x.validateOnly).tags();
      },
    },
    response: {
      body: () => ({ throttleTimeMs: 0, responses: [{ errorCode: 42, errorMessage: 'policy', resourceType: 2, resourceName: 'orders' }] }),
      bytes: (b, _v, x) =>
        b
          .i32(x.throttleTimeMs)
          .arr(x.responses, (b, r) => b.i16(r.errorCode).nstr(r.errorMessage).i8(r.resourceType).str(r.resourceName).tags())
          .tags(),
    },
  }),

  apiCase({
    api: ApiKey.DescribeLogDirs,
    flexibleFrom: 2,
    request: {
      // A null topic list asks for everything: cover it in v1.
      body: (v) => ({ topics: v === 1 ? null : [{ topic: 'orders', partitions: [0, 3] }] }),
      bytes: (b, _v, x) => b.narr(x.topics, (b, t) => b.str(t.topic).i32s(t.partitions).tags()).tags(),
    },
    response: {
      body: () => ({
        throttleTimeMs: 5,
        results: [
          {
            errorCode: 0,
            logDir: '/data/broker-1',
            topics: [
              {
                name: 'orders',
                partitions: [
                  { partitionIndex: 0, partitionSize: 1048576n, offsetLag: 0n, isFutureKey: false },
                  { partitionIndex: 3, partitionSize: 4096n, offsetLag: 12n, isFutureKey: true },
                ],
              },
            ],
          },
          { errorCode: 57, logDir: '/data/broken', topics: [] },
        ],
      }),
      bytes: (b, _v, x) => {
        b.i32(x.throttleTimeMs);
        b.arr(x.results, (b, r) => {
          b.i16(r.errorCode).str(r.logDir);
          b.arr(r.topics, (b, t) =>
            b
              .str(t.name)
              .arr(t.partitions, (b, p) => b.i32(p.partitionIndex).i64(p.partitionSize).i64(p.offsetLag).bool(p.isFutureKey).tags())
              .tags(),
          );
          b.tags();
        });
        b.tags();
      },
    },
  }),

  apiCase({
    api: ApiKey.AlterReplicaLogDirs,
    flexibleFrom: 2,
    request: {
      body: () => ({ dirs: [{ path: '/data/disk2', topics: [{ name: 'orders', partitions: [1, 4] }] }] }),
      bytes: (b, _v, x) => b.arr(x.dirs, (b, d) => b.str(d.path).arr(d.topics, (b, t) => b.str(t.name).i32s(t.partitions).tags()).tags()).tags(),
    },
    response: {
      body: () => ({
        throttleTimeMs: 2,
        results: [
          {
            topicName: 'orders',
            partitions: [
              { partitionIndex: 1, errorCode: 0 },
              { partitionIndex: 4, errorCode: 57 },
            ],
          },
        ],
      }),
      bytes: (b, _v, x) =>
        b
          .i32(x.throttleTimeMs)
          .arr(x.results, (b, r) => b.str(r.topicName).arr(r.partitions, (b, p) => b.i32(p.partitionIndex).i16(p.errorCode).tags()).tags())
          .tags(),
    },
  }),
];
