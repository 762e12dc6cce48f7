/**
 * Fetch (key 1), v0–12, for consumers (replica_id -1); v0–3 answers are down-converted to magic 0/1. Follower fetches travel on the
 * inter-broker listener (`ReplicaFetch`, broker/replica); a Kafka-protocol fetch with a replica
 * id ≥ 0 is answered like a consumer's. Fetch sessions (v7+, KIP-227) come from
 * broker/fetch-session: the context says which partitions to read and which of their answers
 * travel (all for a full fetch, only the changed ones for an incremental one). v12 is flexible and carries the
 * fetcher's lastFetchedEpoch: when this leader's log shows that epoch ended before the fetch
 * offset (or never existed), the partition answers no records and the divergingEpoch (the
 * largest epoch ≤ lastFetchedEpoch and its end offset) to truncate to, as Kafka's
 * Partition.readRecords does. read_committed (v4+) reads up to the last stable offset and lists
 * the aborted transactions the returned records overlap. v11+ (KIP-392) may read from a follower;
 * with `replica.selector.class` set a leader names a follower in the client's `rack_id` as
 * `preferredReadReplica` (broker/replica/read-replica.ts). A consumer's fetch is charged to
 * consumer_byte_rate once read and checked against request_percentage; over either quota it
 * answers no partitions with the larger throttle time (its bytes given back, not counted as sent),
 * and its size is capped to what the quota window allows, as KafkaApis 2.8 does.
 */
import { ApiKey, countRecords, ErrorCode, type FetchRequest, type FetchResponse } from '../../protocol/index.js';
import { toWireError } from '../errors.js';
import { endOffsetForEpoch, fetchRecords, refusesZstdFetch, toFetchFormat, type FetchPartitionRequest } from '../replica/index.js';
import { FetchManager, FetchSessionCache, type PartitionAnswer } from '../fetch-session/index.js';
import type { ApiHandler } from '../request-context.js';
import type { HandlerDeps } from './deps.js';

function emptyPartition(partitionIndex: number, errorCode: number) {
  return { partitionIndex, errorCode, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, abortedTransactions: null, preferredReadReplica: -1, records: Buffer.alloc(0) };
}

function uniform(request: FetchRequest, errorCode: number): FetchResponse {
  return {
    throttleTimeMs: 0,
    errorCode,
    sessionId: 0,
    responses: request.topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => emptyPartition(p.partition, errorCode)) })),
  };
}

/** Kafka's Partition.readRecords check, for a fetch that names the epoch of its last record. */
function divergence(deps: HandlerDeps, topic: string, partition: number, lastFetchedEpoch: number, fetchOffset: bigint, currentLeaderEpoch: number) {
  try {
    const end = endOffsetForEpoch(deps.replicaManager, topic, partition, lastFetchedEpoch, currentLeaderEpoch);
    if (end.leaderEpoch < lastFetchedEpoch || end.endOffset < fetchOffset) return { errorCode: ErrorCode.NONE as number, epoch: end.leaderEpoch, endOffset: end.endOffset };
    return undefined;
  } catch (err) {
    return { errorCode: toWireError(err), epoch: -1, endOffset: -1n };
  }
}

function noSessions(deps: HandlerDeps): FetchManager {
  return new FetchManager(new FetchSessionCache({ maxSlots: 0, clock: deps.scheduler }));
}

export function createFetchHandler(deps: HandlerDeps): ApiHandler<typeof ApiKey.Fetch> {
  const maxFetchBytes = deps.config.int('fetch.max.bytes');
  const sessions = deps.fetchSessions ?? noSessions(deps);
  const selectReadReplica = (deps.config.optionalStr('replica.selector.class') ?? '') !== '';
  return {
    apiKey: ApiKey.Fetch,
    minVersion: 0,
    maxVersion: 12,
    async handle(ctx, request) {
      const fromReplica = (request.replicaId ?? -1) >= 0;
      const context = sessions.newContext(request, fromReplica);
      if (context.errorCode !== ErrorCode.NONE) return { throttleTimeMs: 0, errorCode: context.errorCode, sessionId: 0, responses: [] };
      const toRead: FetchPartitionRequest[] = [];
      // Partitions answered without reading: a diverging epoch, or the error finding it.
      const diverged = new Map<number, { errorCode: number; epoch: number; endOffset: bigint }>();
      context.partitions.forEach((p, index) => {
        if (p.lastFetchedEpoch >= 0) {
          const d = divergence(deps, p.topic, p.partition, p.lastFetchedEpoch, p.fetchOffset, p.currentLeaderEpoch);
          if (d !== undefined) {
            diverged.set(index, d);
            return;
          }
        }
        toRead.push({ topic: p.topic, partition: p.partition, fetchOffset: p.fetchOffset, partitionMaxBytes: p.partitionMaxBytes, currentLeaderEpoch: p.currentLeaderEpoch });
      });
      const results = await fetchRecords(deps.replicaManager, {
        maxWaitMs: request.maxWaitMs,
        minBytes: request.minBytes,
        // Kafka caps a consumer's fetch to what its quota window allows: a larger read is throttled for certain.
        maxBytes: Math.min(request.maxBytes ?? 0x7fffffff, maxFetchBytes, fromReplica || deps.quotas === undefined ? Infinity : Math.max(1, Math.floor(deps.quotas.maxFetchBytes(ctx)))),
        isolationLevel: request.isolationLevel ?? 0,
        partitions: toRead,
        signal: ctx.signal,
        // Kafka's rule: clients that send their metadata (v11+) may read from followers.
        ...(ctx.apiVersion >= 11 ? { clientRack: request.rackId ?? '', selectReadReplica } : {}),
      });
      if (!fromReplica && deps.quotas !== undefined) {
        let bytes = 0;
        for (const r of results) bytes += r.records.length;
        const throttleTimeMs = deps.quotas.fetchThrottleMs(ctx, bytes);
        // Over consumer_byte_rate or request_percentage: no records, the bytes not counted as sent (KafkaApis 2.8).
        if (throttleTimeMs > 0) return { throttleTimeMs, errorCode: ErrorCode.NONE, ...context.throttled() };
      }
      if (deps.metrics !== undefined) {
        for (const r of results) deps.metrics.onFetch({ topic: r.topic, bytes: r.records.length, messages: countRecords(r.records), failed: r.errorCode !== ErrorCode.NONE });
      }
      let i = 0;
      const answers: PartitionAnswer[] = context.partitions.map((p, index) => {
        const d = diverged.get(index);
        if (d !== undefined) {
          return {
            topic: p.topic,
            data: {
              partitionIndex: p.partition,
              errorCode: d.errorCode,
              highWatermark: -1n,
              lastStableOffset: -1n,
              logStartOffset: -1n,
              divergingEpoch: { epoch: d.epoch, endOffset: d.endOffset },
              abortedTransactions: null,
              preferredReadReplica: -1,
              records: Buffer.alloc(0),
            },
          };
        }
        const r = results[i++]!;
        // Clients before Fetch v10 cannot decompress zstd; v0–3 read magic 0/1 only.
        if (refusesZstdFetch(deps.replicaManager.topicConfigs.get(r.topic).compressionType, ctx.apiVersion)) {
          return { topic: p.topic, data: emptyPartition(p.partition, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE) };
        }
        return {
          topic: p.topic,
          data: {
            partitionIndex: r.partition,
            errorCode: r.errorCode,
            highWatermark: r.highWatermark,
            lastStableOffset: r.lastStableOffset,
            logStartOffset: r.logStartOffset,
            abortedTransactions: request.isolationLevel === 1 ? [...(r.abortedTransactions ?? [])] : null,
            preferredReadReplica: r.preferredReadReplica ?? -1,
            records: toFetchFormat(r.records, ctx.apiVersion),
          },
        };
      });
      const { sessionId, responses } = context.respond(answers);
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId, responses };
    },
    errorResponse: (_ctx, request, errorCode) => uniform(request, errorCode),
  };
}
