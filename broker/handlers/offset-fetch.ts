/**
 * OffsetFetch (key 9), v0–7. v0–v1 have no top-level error: a group-level failure (e.g.
 * NOT_COORDINATOR) is put on every requested partition. v2+ answer it at the top level with no
 * partitions, and `topics: null` asks for every committed offset of the group. v5 adds the
 * committed leader epoch, v6 is flexible, v7 adds `requireStable`: a partition with a
 * transactional commit whose transaction has not ended answers UNSTABLE_OFFSET_COMMIT (the
 * consumer retries) instead of the last stable offset. A partition with nothing committed reads
 * offset -1, metadata "".
 */
import { ApiKey, ErrorCode, type Decoded, type OffsetFetchRequest, type OffsetFetchResponse } from '../../protocol/index.js';
import type { OffsetFetchPartition } from '../group/index.js';
import type { ApiHandler, RequestContext } from '../request-context.js';
import type { GroupApiDeps } from './group-apis.js';

const TOP_LEVEL_ERROR_VERSION = 2;

type TopicEntry = Decoded<OffsetFetchResponse>['topics'][number];

function byTopic(partitions: readonly OffsetFetchPartition[]): TopicEntry[] {
  const topics = new Map<string, TopicEntry>();
  for (const p of partitions) {
    let t = topics.get(p.topic);
    if (t === undefined) topics.set(p.topic, (t = { name: p.topic, partitions: [] }));
    t.partitions.push({ partitionIndex: p.partition, committedOffset: p.offset, committedLeaderEpoch: p.leaderEpoch, metadata: p.metadata, errorCode: p.errorCode });
  }
  return [...topics.values()];
}

function errorAnswer(ctx: RequestContext, request: Decoded<OffsetFetchRequest>, errorCode: number): OffsetFetchResponse {
  if (ctx.apiVersion >= TOP_LEVEL_ERROR_VERSION) return { throttleTimeMs: 0, topics: [], errorCode };
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    topics: (request.topics ?? []).map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode })),
    })),
  };
}

export function createOffsetFetchHandler(deps: GroupApiDeps): ApiHandler<typeof ApiKey.OffsetFetch> {
  return {
    apiKey: ApiKey.OffsetFetch,
    minVersion: 0,
    maxVersion: 7,
    async handle(ctx, request) {
      const partitions = request.topics === null ? null : request.topics.flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition })));
      const result = await deps.coordinator.fetchOffsets({ groupId: request.groupId, partitions, requireStable: request.requireStable });
      if (result.errorCode !== ErrorCode.NONE) return errorAnswer(ctx, request, result.errorCode);
      return { throttleTimeMs: 0, topics: byTopic(result.partitions), errorCode: ErrorCode.NONE };
    },
    errorResponse: (ctx, request, errorCode) => errorAnswer(ctx, request, errorCode),
  };
}
