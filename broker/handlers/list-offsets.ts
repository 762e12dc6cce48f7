/**
 * ListOffsets (key 2): earliest (-2), latest (-1: the high watermark, or the last stable offset for
 * read_committed, v2+) or the first offset whose timestamp is ≥ T below that end, on the leader. v0
 * answers with the old `oldStyleOffsets` array; v6 is flexible.
 */
import { ApiKey, ErrorCode, type ListOffsetsRequest, type ListOffsetsResponse } from '../../protocol/index.js';
import { toWireError } from '../errors.js';
import { listOffset, listOldStyleOffsets } from '../replica/index.js';
import type { ApiHandler } from '../request-context.js';
import type { HandlerDeps } from './deps.js';

type PartitionAnswer = ListOffsetsResponse['topics'][number]['partitions'][number];

function uniform(request: ListOffsetsRequest, errorCode: number): ListOffsetsResponse {
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode, oldStyleOffsets: [], timestamp: -1n, offset: -1n, leaderEpoch: -1 })),
    })),
  };
}

export function createListOffsetsHandler(deps: HandlerDeps): ApiHandler<typeof ApiKey.ListOffsets> {
  const rm = deps.replicaManager;
  return {
    apiKey: ApiKey.ListOffsets,
    minVersion: 0,
    maxVersion: 6,
    async handle(ctx, request) {
      const topics = await Promise.all(
        request.topics.map(async (t) => ({
          name: t.name,
          partitions: await Promise.all(
            t.partitions.map(async (p): Promise<PartitionAnswer> => {
              const base = { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE as number, oldStyleOffsets: [] as bigint[], timestamp: -1n, offset: -1n, leaderEpoch: -1 };
              try {
                if (ctx.apiVersion === 0) {
                  return { ...base, oldStyleOffsets: listOldStyleOffsets(rm, t.name, p.partitionIndex, p.timestamp, p.maxNumOffsets ?? 1) };
                }
                const r = await listOffset(rm, t.name, p.partitionIndex, p.timestamp, p.currentLeaderEpoch ?? -1, request.isolationLevel ?? 0);
                return { ...base, offset: r.offset, timestamp: r.timestamp, leaderEpoch: r.leaderEpoch };
              } catch (err) {
                return { ...base, errorCode: toWireError(err) };
              }
            }),
          ),
        })),
      );
      return { throttleTimeMs: 0, topics };
    },
    errorResponse: (_ctx, request, errorCode) => uniform(request, errorCode),
  };
}
