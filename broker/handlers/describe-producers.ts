/**
 * DescribeProducers (key 61, KIP-664): the idempotent producers with state in a partition's log
 * (storage's producer state, rebuilt from snapshots and batches), as Kafka's
 * Partition.activeProducerState: producer id and epoch, the sequence and max timestamp of its
 * latest batch, coordinatorEpoch and currentTxnStartOffset (-1: no transactions yet). Any
 * replica answers (the admin client may name a broker); a partition this broker does not host is
 * NOT_LEADER_OR_FOLLOWER, or UNKNOWN_TOPIC_OR_PARTITION when the cluster does not know it.
 */
import { ApiKey, ErrorCode, type DescribeProducersResponse } from '../../protocol/index.js';
import type { ApiHandler } from '../request-context.js';
import type { HandlerDeps } from './deps.js';

type PartitionResult = DescribeProducersResponse['topics'][number]['partitions'][number];

export function createDescribeProducersHandler(deps: Pick<HandlerDeps, 'replicaManager' | 'metadataCache'>): ApiHandler<typeof ApiKey.DescribeProducers> {
  function describe(topic: string, partition: number): PartitionResult {
    const p = deps.replicaManager.getPartition(topic, partition);
    if (p === undefined || p.log.isClosed) {
      const known = deps.metadataCache.getPartition(topic, partition) !== undefined;
      return { partitionIndex: partition, errorCode: known ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null, activeProducers: [] };
    }
    const activeProducers = p.log.activeProducers().map((e) => ({
      producerId: e.producerId,
      producerEpoch: e.producerEpoch,
      lastSequence: e.batches.at(-1)?.lastSeq ?? -1,
      lastTimestamp: e.lastTimestamp,
      coordinatorEpoch: e.coordinatorEpoch,
      currentTxnStartOffset: e.currentTxnFirstOffset,
    }));
    return { partitionIndex: partition, errorCode: ErrorCode.NONE, errorMessage: null, activeProducers };
  }
  return {
    apiKey: ApiKey.DescribeProducers,
    minVersion: 0,
    maxVersion: 0,
    async handle(_ctx, request) {
      return { throttleTimeMs: 0, topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((i) => describe(t.name, i)) })) };
    },
    errorResponse: (_ctx, request, errorCode) => ({
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode, errorMessage: null, activeProducers: [] })) })),
    }),
  };
}
