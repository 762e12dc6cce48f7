/**
 * TxnOffsetCommit (key 28), v0–3: a transactional producer commits a group's offsets inside its
 * transaction (after AddOffsetsToTxn). The group's coordinator writes them as a transactional
 * batch of that producer; they become visible to OffsetFetch only when the transaction's COMMIT
 * marker reaches the group's `__consumer_offsets` partition. As Kafka: partitions of unknown
 * topics answer UNKNOWN_TOPIC_OR_PARTITION and are not written; v2 adds the leader epoch; v3 the
 * member id, generation and group instance id, which are checked when given (KIP-447); before v2
 * COORDINATOR_LOAD_IN_PROGRESS is answered COORDINATOR_NOT_AVAILABLE (older clients crash on it).
 */
import { ApiKey, ErrorCode, type Decoded, type TxnOffsetCommitRequest, type TxnOffsetCommitResponse } from '../../protocol/index.js';
import type { OffsetCommitPartition } from '../group/index.js';
import type { ApiHandler } from '../request-context.js';
import type { GroupApiDeps } from './group-apis.js';

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;
const LOAD_ERROR_VERSION = 2;

function answer(request: Decoded<TxnOffsetCommitRequest>, errorOf: (topic: string, partition: number) => number): TxnOffsetCommitResponse {
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: errorOf(t.name, p.partitionIndex) })) })),
  };
}

export function createTxnOffsetCommitHandler(deps: GroupApiDeps): ApiHandler<typeof ApiKey.TxnOffsetCommit> {
  return {
    apiKey: ApiKey.TxnOffsetCommit,
    minVersion: 0,
    maxVersion: 3,
    async handle(ctx, body) {
      const request = body as Decoded<TxnOffsetCommitRequest>;
      const errors = new Map<string, number>();
      const known: OffsetCommitPartition[] = [];
      for (const t of request.topics) {
        for (const p of t.partitions) {
          if (deps.metadata.getPartition(t.name, p.partitionIndex) === undefined) {
            errors.set(key(t.name, p.partitionIndex), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
            continue;
          }
          known.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata: p.committedMetadata });
        }
      }
      if (known.length > 0) {
        const result = await deps.coordinator.commitTxnOffsets({
          groupId: request.groupId,
          producerId: request.producerId,
          producerEpoch: request.producerEpoch,
          generationId: request.generationId,
          memberId: request.memberId,
          groupInstanceId: request.groupInstanceId,
          partitions: known,
        });
        for (const r of result.partitions) {
          const code = r.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS && ctx.apiVersion < LOAD_ERROR_VERSION ? ErrorCode.COORDINATOR_NOT_AVAILABLE : r.errorCode;
          errors.set(key(r.topic, r.partition), code);
        }
      }
      return answer(request, (topic, partition) => errors.get(key(topic, partition)) ?? ErrorCode.UNKNOWN_SERVER_ERROR);
    },
    errorResponse: (_ctx, request, errorCode) => answer(request as Decoded<TxnOffsetCommitRequest>, () => errorCode),
  };
}
