/** Golden cases of the data path: Produce, Fetch, ListOffsets, OffsetForLeaderEpoch, DeleteRecords. */
import { ApiKey } from '../../../../protocol/index.js';
import { apiCase } from './case.js';

/** Opaque record bytes: the schema never looks inside. */
const BATCH = Buffer.from('000000000000000a0000002affffffff02c0ffee', 'hex');

export const dataCases = [
  apiCase({
    api: ApiKey.Produce,
    flexibleFrom: 9,
    request: {
      body: (v) => ({
        transactionalId: v >= 3 ? 'txn-7' : null,
        acks: -1,
        timeoutMs: 30000,
        topicData: [{ name: 'orders', partitionData: [{ index: 2, records: BATCH }, { index: 5, records: null }] }],
      }),
      bytes: (b, v, x) => {
        if (v >= 3) b.nstr(x.transactionalId);
        b.i16(x.acks).i32(x.timeoutMs);
        b.arr(x.topicData, (b, t) => b.str(t.name).arr(t.partitionData, (b, p) => b.i32(p.index).nbytes(p.records).tags()).tags());
        b.tags();
      },
    },
    response: {
      body: (v) => ({
        responses: [
          {
            name: 'orders',
            partitionResponses: [
              {
                index: 2,
                errorCode: 87,
                baseOffset: 4200n,
                logAppendTimeMs: v >= 2 ? 1700000000123n : -1n,
                logStartOffset: v >= 5 ? 17n : -1n,
                recordErrors: v >= 8 ? [{ batchIndex: 3, batchIndexErrorMessage: 'bad key' }, { batchIndex: 9, batchIndexErrorMessage: null }] : [],
                errorMessage: v >= 8 ? 'batch dropped' : null,
              },
            ],
          },
        ],
        throttleTimeMs: v >= 1 ? 25 : 0,
      }),
      bytes: (b, v, x) => {
        b.arr(x.responses, (b, t) =>
          b
            .str(t.name)
            .arr(t.partitionResponses, (b, p) => {
              b.i32(p.index).i16(p.errorCode).i64(p.baseOffset);
              if (v >= 2) b.i64(p.logAppendTimeMs);
              if (v >= 5) b.i64(p.logStartOffset);
              if (v >= 8) b.arr(p.recordErrors, (b, e) => b.i32(e.batchIndex).nstr(e.batchIndexErrorMessage).tags()).nstr(p.errorMessage);
              b.tags();
            })
            .tags(),
        );
        if (v >= 1) b.i32(x.throttleTimeMs);
        b.tags();
      },
    },
  }),

  apiCase({
    api: ApiKey.Fetch,
    flexibleFrom: 12,
    request: {
      body: (v) => ({
        clusterId: v >= 12 ? 'cluster-A' : null,
        replicaId: 3,
        maxWaitMs: 500,
        minBytes: 1,
        maxBytes: v >= 3 ? 52428800 : 0x7fffffff,
        isolationLevel: v >= 4 ? 1 : 0,
        sessionId: v >= 7 ? 1234 : 0,
        sessionEpoch: v >= 7 ? 5 : -1,
        topics: [
          {
            topic: 'orders',
            partitions: [
              {
                partition: 4,
                currentLeaderEpoch: v >= 9 ? 11 : -1,
                fetchOffset: 100n,
                lastFetchedEpoch: v >= 12 ? 10 : -1,
                logStartOffset: v >= 5 ? 3n : -1n,
                partitionMaxBytes: 1048576,
              },
            ],
          },
        ],
        forgottenTopicsData: v >= 7 ? [{ topic: 'old', partitions: [1, 2] }] : [],
        rackId: v >= 11 ? 'rack-1' : '',
      }),
      bytes: (b, v, x) => {
        b.i32(x.replicaId).i32(x.maxWaitMs).i32(x.minBytes);
        if (v >= 3) b.i32(x.maxBytes);
        if (v >= 4) b.i8(x.isolationLevel);
        if (v >= 7) b.i32(x.sessionId).i32(x.sessionEpoch);
        b.arr(x.topics, (b, t) =>
          b
            .str(t.topic)
            .arr(t.partitions, (b, p) => {
              b.i32(p.partition);
              if (v >= 9) b.i32(p.currentLeaderEpoch);
              b.i64(p.fetchOffset);
              if (v >= 12) b.i32(p.lastFetchedEpoch);
              if (v >= 5) b.i64(p.logStartOffset);
              b.i32(p.partitionMaxBytes).tags();
            })
            .tags(),
        );
        if (v >= 7) b.arr(x.forgottenTopicsData, (b, t) => b.str(t.topic).i32s(t.partitions).tags());
        if (v >= 11) b.str(x.rackId);
        b.tags([0, (t) => t.nstr(x.clusterId)]);
      },
    },
    response: {
      body: (v) => ({
        throttleTimeMs: v >= 1 ? 7 : 0,
        errorCode: v >= 7 ? 3 : 0,
        sessionId: v >= 7 ? 1234 : 0,
        responses: [
          {
            topic: 'orders',
            partitions: [
              {
                partitionIndex: 4,
                errorCode: 0,
                highWatermark: 120n,
                lastStableOffset: v >= 4 ? 118n : -1n,
                logStartOffset: v >= 5 ? 3n : -1n,
                divergingEpoch: v >= 12 ? { epoch: 9, endOffset: 99n } : { epoch: -1, endOffset: -1n },
                currentLeader: v >= 12 ? { leaderId: 2, leaderEpoch: 11 } : { leaderId: -1, leaderEpoch: -1 },
                snapshotId: v >= 12 ? { endOffset: 50n, epoch: 8 } : { endOffset: -1n, epoch: -1 },
                abortedTransactions: v >= 4 ? [{ producerId: 77n, firstOffset: 101n }] : [],
                preferredReadReplica: v >= 11 ? 3 : -1,
                records: BATCH,
              },
              {
                partitionIndex: 5,
                errorCode: 6,
                highWatermark: -1n,
                lastStableOffset: -1n,
                logStartOffset: -1n,
                divergingEpoch: { epoch: -1, endOffset: -1n },
                currentLeader: { leaderId: -1, leaderEpoch: -1 },
                snapshotId: { endOffset: -1n, epoch: -1 },
                abortedTransactions: v >= 4 ? null : [],
                preferredReadReplica: -1,
                records: null,
              },
            ],
          },
        ],
      }),
      bytes: (b, v, x) => {
        if (v >= 1) b.i32(x.throttleTimeMs);
        if (v >= 7) b.i16(x.errorCode).i32(x.sessionId);
        b.arr(x.responses, (b, t) =>
          b
            .str(t.topic)
            .arr(t.partitions, (b, p) => {
              b.i32(p.partitionIndex).i16(p.errorCode).i64(p.highWatermark);
              if (v >= 4) b.i64(p.lastStableOffset);
              if (v >= 5) b.i64(p.logStartOffset);
              if (v >= 4) b.narr(p.abortedTransactions, (b, a) => b.i64(a.producerId).i64(a.firstOffset).tags());
              if (v >= 11) b.i32(p.preferredReadReplica);
              b.nbytes(p.records);
              // Kafka writes a tagged struct only when it differs from its default.
              b.tags(
                p.divergingEpoch.epoch !== -1 && [0, (t) => t.i32(p.divergingEpoch.epoch).i64(p.divergingEpoch.endOffset).tags()],
                p.currentLeader.leaderId !== -1 && [1, (t) => t.i32(p.currentLeader.leaderId).i32(p.currentLeader.leaderEpoch).tags()],
                p.snapshotId.epoch !== -1 && [2, (t) => t.i64(p.snapshotId.endOffset).i32(p.snapshotId.epoch).tags()],
              );
            })
            .tags(),
        );
        b.tags();
      },
    },
  }),

  apiCase({
    api: ApiKey.ListOffsets,
    flexibleFrom: 6,
    request: {
      body: (v) => ({
        replicaId: -1,
        isolationLevel: v >= 2 ? 1 : 0,
        topics: [
          {
            name: 'orders',
            partitions: [{ partitionIndex: 1, currentLeaderEpoch: v >= 4 ? 6 : -1, timestamp: -2n, maxNumOffsets: v === 0 ? 3 : 1 }],
          },
        ],
      }),
      bytes: (b, v, x) => {
        b.i32(x.replicaId);
        if (v >= 2) b.i8(x.isolationLevel);
        b.arr(x.topics, (b, t) =>
          b
            .str(t.name)
            .arr(t.partitions, (b, p) => {
              b.i32(p.partitionIndex);
              if (v >= 4) b.i32(p.currentLeaderEpoch);
              b.i64(p.timestamp);
              if (v === 0) b.i32(p.maxNumOffsets);
              b.tags();
            })
            .tags(),
        );
        b.tags();
      },
    },
    response: {
      body: (v) => ({
        throttleTimeMs: v >= 2 ? 9 : 0,
        topics: [
          {
            name: 'orders',
            partitions: [
              {
                partitionIndex: 1,
                errorCode: 0,
                oldStyleOffsets: v === 0 ? [40n, 0n] : [],
                timestamp: v >= 1 ? 1700000000000n : -1n,
                offset: v >= 1 ? 40n : -1n,
                leaderEpoch: v >= 4 ? 6 : -1,
              },
            ],
          },
        ],
      }),
      bytes: (b, v, x) => {
        if (v >= 2) b.i32(x.throttleTimeMs);
        b.arr(x.topics, (b, t) =>
          b
            .str(t.name)
            .arr(t.partitions, (b, p) => {
              b.i32(p.partitionIndex).i16(p.errorCode);
              if (v === 0) b.i64s(p.oldStyleOffsets);
              if (v >= 1) b.i64(p.timestamp).i64(p.offset);
              if (v >= 4) b.i32(p.leaderEpoch);
              b.tags();
            })
            .tags(),
        );
        b.tags();
      },
    },
  }),

  apiCase({
    api: ApiKey.OffsetForLeaderEpoch,
    flexibleFrom: 4,
    request: {
      body: (v) => ({
        replicaId: v >= 3 ? 2 : -2,
        topics: [{ topic: 'orders', partitions: [{ partition: 0, currentLeaderEpoch: v >= 2 ? 12 : -1, leaderEpoch: 10 }] }],
      }),
      bytes: (b, v, x) => {
        if (v >= 3) b.i32(x.replicaId);
        b.arr(x.topics, (b, t) =>
          b
            .str(t.topic)
            .arr(t.partitions, (b, p) => {
              b.i32(p.partition);
              if (v >= 2) b.i32(p.currentLeaderEpoch);
              b.i32(p.leaderEpoch).tags();
            })
            .tags(),
        );
        b.tags();
      },
    },
    response: {
      body: (v) => ({
        throttleTimeMs: v >= 2 ? 4 : 0,
        topics: [{ topic: 'orders', partitions: [{ errorCode: 74, partition: 0, leaderEpoch: v >= 1 ? 10 : -1, endOffset: 555n }] }],
      }),
      bytes: (b, v, x) => {
        if (v >= 2) b.i32(x.throttleTimeMs);
        b.arr(x.topics, (b, t) =>
          b
            .str(t.topic)
            .arr(t.partitions, (b, p) => {
              b.i16(p.errorCode).i32(p.partition);
              if (v >= 1) b.i32(p.leaderEpoch);
              b.i64(p.endOffset).tags();
            })
            .tags(),
        );
        b.tags();
      },
    },
  }),

  apiCase({
    api: ApiKey.DeleteRecords,
    flexibleFrom: 2,
    request: {
      body: () => ({ topics: [{ name: 'orders', partitions: [{ partitionIndex: 3, offset: 77n }] }], timeoutMs: 15000 }),
      bytes: (b, _v, x) => {
        b.arr(x.topics, (b, t) => b.str(t.name).arr(t.partitions, (b, p) => b.i32(p.partitionIndex).i64(p.offset).tags()).tags());
        b.i32(x.timeoutMs).tags();
      },
    },
    response: {
      body: () => ({ throttleTimeMs: 3, topics: [{ name: 'orders', partitions: [{ partitionIndex: 3, lowWatermark: 77n, errorCode: 1 }] }] }),
      bytes: (b, _v, x) => {
        b.i32(x.throttleTimeMs);
        b.arr(x.topics, (b, t) => b.str(t.name).arr(t.partitions, (b, p) => b.i32(p.partitionIndex).i64(p.lowWatermark).i16(p.errorCode).tags()).tags());
        b.tags();
      },
    },
  }),
];
