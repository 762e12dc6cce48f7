/**
 * OffsetDelete (key 47, KIP-496): deletes a group's committed offsets for partitions it no
 * longer consumes (GroupCoordinator.handleDeleteOffsets through the group engine). Partitions the
 * cluster does not know are UNKNOWN_TOPIC_OR_PARTITION and never reach the group (KafkaApis); a
 * group-level error (NOT_COORDINATOR, GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP, …) is answered alone,
 * without partitions, as Kafka's getErrorResponse.
 */
import { tpKey } from '../../common/index.js';
import { ApiKey, ErrorCode, type OffsetDeleteResponse } from '../../protocol/index.js';
import type { ApiHandler } from '../request-context.js';
import type { GroupApiDeps } from './group-apis.js';

export function createOffsetDeleteHandler(deps: GroupApiDeps): ApiHandler<typeof ApiKey.OffsetDelete> {
  const uniform = (errorCode: number): OffsetDeleteResponse => ({ errorCode, throttleTimeMs: 0, topics: [] });
  return {
    apiKey: ApiKey.OffsetDelete,
    minVersion: 0,
    maxVersion: 0,
    async handle(_ctx, request) {
      const errors = new Map<string, number>();
      const known: { topic: string; partition: number }[] = [];
      for (const t of request.topics) {
        for (const p of t.partitions) {
          if (deps.metadata.getPartition(t.name, p.partitionIndex) === undefined) errors.set(tpKey(t.name, p.partitionIndex), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          else known.push({ topic: t.name, partition: p.partitionIndex });
        }
      }
      const result = await deps.coordinator.deleteOffsets(request.groupId, known);
      if (result.errorCode !== ErrorCode.NONE) return uniform(result.errorCode);
      for (const p of result.partitions) errors.set(tpKey(p.topic, p.partition), p.errorCode);
      return {
        errorCode: ErrorCode.NONE,
        throttleTimeMs: 0,
        topics: request.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: errors.get(tpKey(t.name, p.partitionIndex)) ?? ErrorCode.NONE })),
        })),
      };
    },
    errorResponse: (_ctx, _request, errorCode) => uniform(errorCode),
  };
}
