/**
 * Fetch (key 1) for consumers (replica_id -1). Follower fetches travel on the inter-broker
 * listener (`ReplicaFetch`, broker/replica); a Kafka-protocol fetch with a replica id ≥ 0 is
 * answered like a consumer's. Fetch sessions (v7+) are not kept: session id 0 means "full fetch every time",
 * which every client accepts. read_committed (v4+) reads up to the last stable offset and lists
 * the aborted transactions the returned records overlap.
 */
import { ApiKey, ErrorCode, type FetchRequest, type FetchResponse } from '../../protocol/index.js';
import { fetchRecords, type FetchPartitionRequest } from '../replica/index.js';
import type { ApiHandler } from '../request-context.js';
import type { HandlerDeps } from './deps.js';

function uniform(request: FetchRequest, errorCode: number): FetchResponse {
  return {
    throttleTimeMs: 0,
    errorCode,
    sessionId: 0,
    responses: request.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partition,
        errorCode,
        highWatermark: -1n,
        lastStableOffset: -1n,
        logStartOffset: -1n,
        abortedTransactions: null,
        preferredReadReplica: -1,
        records: Buffer.alloc(0),
      })),
    })),
  };
}

export function createFetchHandler(deps: HandlerDeps): ApiHandler<typeof ApiKey.Fetch> {
  const maxFetchBytes = deps.config.int('fetch.max.bytes');
  return {
    apiKey: ApiKey.Fetch,
    minVersion: 0,
    maxVersion: 11,
    async handle(ctx, request) {
      const partitions: FetchPartitionRequest[] = [];
      for (const t of request.topics) {
        for (const p of t.partitions) {
          partitions.push({ topic: t.topic ?? '', partition: p.partition, fetchOffset: p.fetchOffset, partitionMaxBytes: p.partitionMaxBytes, currentLeaderEpoch: p.currentLeaderEpoch ?? -1 });
        }
      }
      const results = await fetchRecords(deps.replicaManager, {
        maxWaitMs: request.maxWaitMs,
        minBytes: request.minBytes,
        maxBytes: Math.min(request.maxBytes ?? 0x7fffffff, maxFetchBytes),
        isolationLevel: request.isolationLevel ?? 0,
        partitions,
        signal: ctx.signal,
      });
      if (deps.metrics !== undefined) {
        for (const r of results) deps.metrics.onFetch({ topic: r.topic, bytes: r.records.length, failed: r.errorCode !== ErrorCode.NONE });
      }
      let i = 0;
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        sessionId: 0,
        responses: request.topics.map((t) => ({
          topic: t.topic,
          partitions: t.partitions.map(() => {
            const r = results[i++]!;
            return {
              partitionIndex: r.partition,
              errorCode: r.errorCode,
              highWatermark: r.highWatermark,
              lastStableOffset: r.lastStableOffset,
              logStartOffset: r.logStartOffset,
              abortedTransactions: request.isolationLevel === 1 ? [...(r.abortedTransactions ?? [])] : null,
              preferredReadReplica: -1,
              records: r.records,
            };
          }),
        })),
      };
    },
    errorResponse: (_ctx, request, errorCode) => uniform(request, errorCode),
  };
}
