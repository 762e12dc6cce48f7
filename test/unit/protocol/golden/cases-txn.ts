/** Golden cases of producers and transactions: InitProducerId … DescribeProducers. */
import { ApiKey } from '../../../../protocol/index.js';
import { apiCase } from './case.js';

export const txnCases = [
  apiCase({
    api: ApiKey.InitProducerId,
    flexibleFrom: 2,
    request: {
      body: (v) => ({
        transactionalId: v === 0 ? null : 'txn-7',
        transactionTimeoutMs: 60000,
        producerId: v >= 3 ? 4000n : -1n,
        producerEpoch: v >= 3 ? 3 : -1,
      }),
      bytes: (b, v, x) => {
        b.nstr(x.transactionalId).i32(x.transactionTimeoutMs);
        if (v >= 3) b.i64(x.producerId).i16(x.producerEpoch);
        b.tags();
      },
    },
    response: {
      body: () => ({ throttleTimeMs: 4, errorCode: 0, producerId: 4001n, producerEpoch: 0 }),
      bytes: (b, _v, x) => b.i32(x.throttleTimeMs).i16(x.errorCode).i64(x.producerId).i16(x.producerEpoch).tags(),
    },
  }),

  apiCase({
    api: ApiKey.AddPartitionsToTxn,
    flexibleFrom: 3,
    request: {
      body: () => ({
        transactionalId: 'txn-7',
        producerId: 4001n,
        producerEpoch: 2,
        topics: [
          { name: 'orders', partitions: [0, 2] },
          { name: 'audit', partitions: [] },
        ],
      }),
      bytes: (b, _v, x) => {
        b.str(x.transactionalId).i64(x.producerId).i16(x.producerEpoch);
        b.arr(x.topics, (b, t) => b.str(t.name).i32s(t.partitions).tags()).tags();
      },
    },
    response: {
      body: () => ({
        throttleTimeMs: 3,
        results: [
          {
            name: 'orders',
            results: [
              { partitionIndex: 0, errorCode: 0 },
              { partitionIndex: 2, errorCode: 53 },
            ],
          },
        ],
      }),
      bytes: (b, _v, x) =>
        b
          .i32(x.throttleTimeMs)
          .arr(x.results, (b, t) => b.str(t.name).arr(t.results, (b, p) => b.i32(p.partitionIndex).i16(p.errorCode).tags()).tags())
          .tags(),
    },
  }),

  apiCase({
    api: ApiKey.AddOffsetsToTxn,
    flexibleFrom: 3,
    request: {
      body: () => ({ transactionalId: 'txn-7', producerId: 4001n, producerEpoch: 2, groupId: 'billing' }),
      bytes: (b, _v, x) => b.str(x.transactionalId).i64(x.producerId).i16(x.producerEpoch).str(x.groupId).tags(),
    },
    response: {
      body: () => ({ throttleTimeMs: 1, errorCode: 51 }),
      bytes: (b, _v, x) => b.i32(x.throttleTimeMs).i16(x.errorCode).tags(),
    },
  }),

  apiCase({
    api: ApiKey.EndTxn,
    flexibleFrom: 3,
    request: {
      body: () => ({ transactionalId: 'txn-7', producerId: 4001n, producerEpoch: 2, committed: true }),
      bytes: (b, _v, x) => b.str(x.transactionalId).i64(x.producerId).i16(x.producerEpoch).bool(x.committed).tags(),
    },
    response: {
      body: () => ({ throttleTimeMs: 2, errorCode: 48 }),
      bytes: (b, _v, x) => b.i32(x.throttleTimeMs).i16(x.errorCode).tags(),
    },
  }),

  apiCase({
    api: ApiKey.WriteTxnMarkers,
    flexibleFrom: 1,
    request: {
      body: () => ({
        markers: [
          {
            producerId: 4001n,
            producerEpoch: 2,
            transactionResult: true,
            topics: [{ name: 'orders', partitionIndexes: [0, 2] }],
            coordinatorEpoch: 6,
          },
        ],
      }),
      bytes: (b, _v, x) =>
        b
          .arr(x.markers, (b, m) => {
            b.i64(m.producerId).i16(m.producerEpoch).bool(m.transactionResult);
            b.arr(m.topics, (b, t) => b.str(t.name).i32s(t.partitionIndexes).tags());
            b.i32(m.coordinatorEpoch).tags();
          })
          .tags(),
    },
    response: {
      body: () => ({
        markers: [
          {
            producerId: 4001n,
            topics: [
              {
                name: 'orders',
                partitions: [
                  { partitionIndex: 0, errorCode: 0 },
                  { partitionIndex: 2, errorCode: 6 },
                ],
              },
            ],
          },
        ],
      }),
      bytes: (b, _v, x) =>
        b
          .arr(x.markers, (b, m) =>
            b
              .i64(m.producerId)
              .arr(m.topics, (b, t) => b.str(t.name).arr(t.partitions, (b, p) => b.i32(p.partitionIndex).i16(p.errorCode).tags()).tags())
              .tags(),
          )
          .tags(),
    },
  }),

  apiCase({
    api: ApiKey.TxnOffsetCommit,
    flexibleFrom: 3,
    request: {
      body: (v) => ({
        transactionalId: 'txn-7',
        groupId: 'billing',
        producerId: 4001n,
        producerEpoch: 2,
        generationId: v >= 3 ? 8 : -1,
        memberId: v >= 3 ? 'm-1' : '',
        groupInstanceId: v >= 3 ? 'host-7' : null,
        topics: [
          {
            name: 'orders',
            partitions: [
              { partitionIndex: 0, committedOffset: 1000n, committedLeaderEpoch: v >= 2 ? 4 : -1, committedMetadata: 'txn' },
              { partitionIndex: 2, committedOffset: 5n, committedLeaderEpoch: -1, committedMetadata: null },
            ],
          },
        ],
      }),
      bytes: (b, v, x) => {
        b.str(x.transactionalId).str(x.groupId).i64(x.producerId).i16(x.producerEpoch);
        if (v >= 3) b.i32(x.generationId).str(x.memberId).nstr(x.groupInstanceId);
        b.arr(x.topics, (b, t) =>
          b
            .str(t.name)
            .arr(t.partitions, (b, p) => {
              b.i32(p.partitionIndex).i64(p.committedOffset);
              if (v >= 2) b.i32(p.committedLeaderEpoch);
              b.nstr(p.committedMetadata).tags();
            })
            .tags(),
        );
        b.tags();
      },
    },
    response: {
      body: () => ({ throttleTimeMs: 2, topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, errorCode: 25 }] }] }),
      bytes: (b, _v, x) =>
        b
          .i32(x.throttleTimeMs)
          .arr(x.topics, (b, t) => b.str(t.name).arr(t.partitions, (b, p) => b.i32(p.partitionIndex).i16(p.errorCode).tags()).tags())
          .tags(),
    },
  }),

  apiCase({
    api: ApiKey.DescribeTransactions,
    flexibleFrom: 0,
    request: {
      body: () => ({ transactionalIds: ['txn-7', 'txn-8'] }),
      bytes: (b, _v, x) => b.strs(x.transactionalIds).tags(),
    },
    response: {
      body: () => ({
        throttleTimeMs: 0,
        transactionStates: [
          {
            errorCode: 0,
            transactionalId: 'txn-7',
            transactionState: 'Ongoing',
            transactionTimeoutMs: 60000,
            transactionStartTimeMs: 1700000000000n,
            producerId: 4001n,
            producerEpoch: 2,
            topics: [{ topic: 'orders', partitions: [0, 2] }],
          },
        ],
      }),
      bytes: (b, _v, x) =>
        b
          .i32(x.throttleTimeMs)
          .arr(x.transactionStates, (b, s) => {
            b.i16(s.errorCode).str(s.transactionalId).str(s.transactionState).i32(s.transactionTimeoutMs);
            b.i64(s.transactionStartTimeMs).i64(s.producerId).i16(s.producerEpoch);
            b.arr(s.topics, (b, t) => b.str(t.topic).i32s(t.partitions).tags()).tags();
          })
          .tags(),
    },
  }),

  apiCase({
    api: ApiKey.ListTransactions,
    flexibleFrom: 0,
    request: {
      body: () => ({ stateFilters: ['Ongoing'], producerIdFilters: [4001n, 4002n] }),
      bytes: (b, _v, x) => b.strs(x.stateFilters).i64s(x.producerIdFilters).tags(),
    },
    response: {
      body: () => ({
        throttleTimeMs: 1,
        errorCode: 0,
        unknownStateFilters: ['Sleeping'],
        transactionStates: [{ transactionalId: 'txn-7', producerId: 4001n, transactionState: 'Ongoing' }],
      }),
      bytes: (b, _v, x) =>
        b
          .i32(x.throttleTimeMs)
          .i16(x.errorCode)
          .strs(x.unknownStateFilters)
          .arr(x.transactionStates, (b, s) => b.str(s.transactionalId).i64(s.producerId).str(s.transactionState).tags())
          .tags(),
    },
  }),

  apiCase({
    api: ApiKey.DescribeProducers,
    flexibleFrom: 0,
    request: {
      body: () => ({ topics: [{ name: 'orders', partitionIndexes: [0, 1] }] }),
      bytes: (b, _v, x) => b.arr(x.topics, (b, t) => b.str(t.name).i32s(t.partitionIndexes).tags()).tags(),
    },
    response: {
      body: () => ({
        throttleTimeMs: 0,
        topics: [
          {
            name: 'orders',
            partitions: [
              {
                partitionIndex: 0,
                errorCode: 0,
                errorMessage: null,
                activeProducers: [
                  { producerId: 4001n, producerEpoch: 2, lastSequence: 41, lastTimestamp: 1700000000000n, coordinatorEpoch: 6, currentTxnStartOffset: 990n },
                ],
              },
              { partitionIndex: 1, errorCode: 6, errorMessage: 'not the leader', activeProducers: [] },
            ],
          },
        ],
      }),
      bytes: (b, _v, x) =>
        b
          .i32(x.throttleTimeMs)
          .arr(x.topics, (b, t) =>
            b
              .str(t.name)
              .arr(t.partitions, (b, p) => {
                b.i32(p.partitionIndex).i16(p.errorCode).nstr(p.errorMessage);
                b.arr(p.activeProducers, (b, a) =>
                  b.i64(a.producerId).i32(a.producerEpoch).i32(a.lastSequence).i64(a.lastTimestamp).i32(a.coordinatorEpoch).i64(a.currentTxnStartOffset).tags(),
                );
                b.tags();
              })
              .tags(),
          )
          .tags(),
    },
  }),
];
