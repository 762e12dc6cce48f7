/** Golden cases of committed offsets: OffsetCommit, OffsetFetch, OffsetDelete. */
import { ApiKey } from '../../../../protocol/index.js';
import { apiCase } from './case.js';

export const offsetCases = [
  apiCase({
    api: ApiKey.OffsetCommit,
    flexibleFrom: 8,
    request: {
      body: (v) => ({
        groupId: 'billing',
        generationIdOrMemberEpoch: v >= 1 ? 8 : -1,
        memberId: v >= 1 ? 'm-1' : '',
        groupInstanceId: v >= 7 ? 'host-7' : null,
        retentionTimeMs: v >= 2 && v <= 4 ? 86400000n : -1n,
        topics: [
          {
            name: 'orders',
            partitions: [
              {
                partitionIndex: 0,
                committedOffset: 1000n,
                committedLeaderEpoch: v >= 6 ? 4 : -1,
                commitTimestamp: v === 1 ? 1700000000000n : -1n,
                committedMetadata: 'checkpoint',
              },
              { partitionIndex: 1, committedOffset: 7n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null },
            ],
          },
        ],
      }),
      bytes: (b, v, x) => {
        b.str(x.groupId);
        if (v >= 1) b.i32(x.generationIdOrMemberEpoch).str(x.memberId);
        if (v >= 7) b.nstr(x.groupInstanceId);
        if (v >= 2 && v <= 4) b.i64(x.retentionTimeMs);
        b.arr(x.topics, (b, t) =>
          b
            .str(t.name)
            .arr(t.partitions, (b, p) => {
              b.i32(p.partitionIndex).i64(p.committedOffset);
              if (v >= 6) b.i32(p.committedLeaderEpoch);
              if (v === 1) b.i64(p.commitTimestamp);
              b.nstr(p.committedMetadata).tags();
            })
            .tags(),
        );
        b.tags();
      },
    },
    response: {
      body: (v) => ({
        throttleTimeMs: v >= 3 ? 2 : 0,
        topics: [
          {
            name: 'orders',
            partitions: [
              { partitionIndex: 0, errorCode: 0 },
              { partitionIndex: 1, errorCode: 22 },
            ],
          },
        ],
      }),
      bytes: (b, v, x) => {
        if (v >= 3) b.i32(x.throttleTimeMs);
        b.arr(x.topics, (b, t) => b.str(t.name).arr(t.partitions, (b, p) => b.i32(p.partitionIndex).i16(p.errorCode).tags()).tags());
        b.tags();
      },
    },
  }),

  apiCase({
    api: ApiKey.OffsetFetch,
    flexibleFrom: 6,
    request: {
      // v2 is the first version where null topics means "every committed offset": cover it there.
      body: (v) => ({
        groupId: 'billing',
        topics: v === 2 ? null : [{ name: 'orders', partitionIndexes: [0, 1, 2] }],
        requireStable: v >= 7,
      }),
      bytes: (b, v, x) => {
        b.str(x.groupId).narr(x.topics, (b, t) => b.str(t.name).i32s(t.partitionIndexes).tags());
        if (v >= 7) b.bool(x.requireStable);
        b.tags();
      },
    },
    response: {
      body: (v) => ({
        throttleTimeMs: v >= 3 ? 9 : 0,
        topics: [
          {
            name: 'orders',
            partitions: [
              { partitionIndex: 0, committedOffset: 1000n, committedLeaderEpoch: v >= 5 ? 4 : -1, metadata: 'checkpoint', errorCode: 0 },
              { partitionIndex: 1, committedOffset: -1n, committedLeaderEpoch: -1, metadata: null, errorCode: 3 },
            ],
          },
        ],
        errorCode: v >= 2 ? 14 : 0,
      }),
      bytes: (b, v, x) => {
        if (v >= 3) b.i32(x.throttleTimeMs);
        b.arr(x.topics, (b, t) =>
          b
            .str(t.name)
            .arr(t.partitions, (b, p) => {
              b.i32(p.partitionIndex).i64(p.committedOffset);
              if (v >= 5) b.i32(p.committedLeaderEpoch);
              b.nstr(p.metadata).i16(p.errorCode).tags();
            })
            .tags(),
        );
        if (v >= 2) b.i16(x.errorCode);
        b.tags();
      },
    },
  }),

  apiCase({
    api: ApiKey.OffsetDelete,
    flexibleFrom: Infinity,
    request: {
      body: () => ({ groupId: 'billing', topics: [{ name: 'orders', partitions: [{ partitionIndex: 0 }, { partitionIndex: 5 }] }] }),
      bytes: (b, _v, x) => b.str(x.groupId).arr(x.topics, (b, t) => b.str(t.name).arr(t.partitions, (b, p) => b.i32(p.partitionIndex))),
    },
    response: {
      body: () => ({
        errorCode: 0,
        throttleTimeMs: 11,
        topics: [
          {
            name: 'orders',
            partitions: [
              { partitionIndex: 0, errorCode: 0 },
              { partitionIndex: 5, errorCode: 86 },
            ],
          },
        ],
      }),
      bytes: (b, _v, x) => {
        b.i16(x.errorCode).i32(x.throttleTimeMs);
        b.arr(x.topics, (b, t) => b.str(t.name).arr(t.partitions, (b, p) => b.i32(p.partitionIndex).i16(p.errorCode)));
      },
    },
  }),
];
