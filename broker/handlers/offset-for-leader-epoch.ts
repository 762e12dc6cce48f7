/**
 * OffsetForLeaderEpoch (key 23), v0–4 (v3 adds the replica id, v4 is flexible), on the leader: the end offset of the requested epoch from the
 * leader-epoch cache (KIP-101/279), used by consumers after a leader change (KIP-320) and by
 * followers before truncating.
 */
import { ApiKey, ErrorCode, type OffsetForLeaderEpochRequest, type OffsetForLeaderEpochResponse } from '../../protocol/index.js';
import { toWireError } from '../errors.js';
import { endOffsetForEpoch } from '../replica/index.js';
import type { ApiHandler } from '../request-context.js';
import type { HandlerDeps } from './deps.js';

function uniform(request: OffsetForLeaderEpochRequest, errorCode: number): OffsetForLeaderEpochResponse {
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => ({ errorCode, partition: p.partition, leaderEpoch: -1, endOffset: -1n })) })),
  };
}

export function createOffsetForLeaderEpochHandler(deps: HandlerDeps): ApiHandler<typeof ApiKey.OffsetForLeaderEpoch> {
  return {
    apiKey: ApiKey.OffsetForLeaderEpoch,
    minVersion: 0,
    maxVersion: 4,
    async handle(_ctx, request) {
      return {
        throttleTimeMs: 0,
        topics: request.topics.map((t) => ({
          topic: t.topic,
          partitions: t.partitions.map((p) => {
            try {
              const r = endOffsetForEpoch(deps.replicaManager, t.topic, p.partition, p.leaderEpoch, p.currentLeaderEpoch ?? -1);
              return { errorCode: ErrorCode.NONE as number, partition: p.partition, leaderEpoch: r.leaderEpoch, endOffset: r.endOffset };
            } catch (err) {
              return { errorCode: toWireError(err), partition: p.partition, leaderEpoch: -1, endOffset: -1n };
            }
          }),
        })),
      };
    },
    errorResponse: (_ctx, request, errorCode) => uniform(request, errorCode),
  };
}
