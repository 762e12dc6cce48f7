/**
 * OffsetCommit (key 8), v0–8. Partitions of topics the cluster does not know are answered
 * UNKNOWN_TOPIC_OR_PARTITION and not stored (Kafka; librdkafka's test 0030 relies on it); the
 * rest go to the coordinator. Version differences: v0 has no generation or member (a plain
 * offsets store; Kafka kept those in ZooKeeper, we keep them in the log like every other
 * commit), v1 a per-partition commit timestamp, v2–v4 a retention time, v6 the leader epoch,
 * v7 the group instance id, v8 is flexible.
 */
import { tpKey } from '../../common/index.js';
import { ApiKey, ErrorCode, type Decoded, type OffsetCommitRequest, type OffsetCommitResponse } from '../../protocol/index.js';
import type { OffsetCommitPartition } from '../group/index.js';
import type { ApiHandler } from '../request-context.js';
import type { GroupApiDeps } from './group-apis.js';

function uniform(request: Decoded<OffsetCommitRequest>, errorCode: number): OffsetCommitResponse {
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })),
  };
}

export function createOffsetCommitHandler(deps: GroupApiDeps): ApiHandler<typeof ApiKey.OffsetCommit> {
  return {
    apiKey: ApiKey.OffsetCommit,
    minVersion: 0,
    maxVersion: 8,
    async handle(ctx, request) {
      const version = ctx.apiVersion;
      const errors = new Map<string, number>();
      const known: OffsetCommitPartition[] = [];
      for (const t of request.topics) {
        for (const p of t.partitions) {
          if (deps.metadata.getPartition(t.name, p.partitionIndex) === undefined) {
            errors.set(tpKey(t.name, p.partitionIndex), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
            continue;
          }
          known.push({
            topic: t.name,
            partition: p.partitionIndex,
            offset: p.committedOffset,
            leaderEpoch: p.committedLeaderEpoch,
            metadata: p.committedMetadata,
            ...(version === 1 ? { commitTimestamp: p.commitTimestamp } : {}),
          });
        }
      }
      if (known.length > 0) {
        const result = await deps.coordinator.commitOffsets({
          groupId: request.groupId,
          generationId: version === 0 ? -1 : request.generationIdOrMemberEpoch,
          memberId: version === 0 ? '' : request.memberId,
          groupInstanceId: request.groupInstanceId,
          ...(version >= 2 && version <= 4 ? { retentionTimeMs: request.retentionTimeMs } : {}),
          partitions: known,
        });
        for (const r of result.partitions) errors.set(tpKey(r.topic, r.partition), r.errorCode);
      }
      return {
        throttleTimeMs: 0,
        topics: request.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({
            partitionIndex: p.partitionIndex,
            errorCode: errors.get(tpKey(t.name, p.partitionIndex)) ?? ErrorCode.UNKNOWN_SERVER_ERROR,
          })),
        })),
      };
    },
    errorResponse: (_ctx, request, errorCode) => uniform(request, errorCode),
  };
}
