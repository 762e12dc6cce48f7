/**
 * DeleteRecords (key 21), v0–2 (v2 flexible), on the leader: moves the log start offset (offset -1 = the high
 * watermark; above it → OFFSET_OUT_OF_RANGE) and answers the leader's new log start offset.
 * Followers follow from the leader's logStartOffset in their next fetch; unlike Kafka, the answer
 * does not wait for them (Kafka's low watermark is the minimum over all replicas).
 */
import { ApiKey, type DeleteRecordsRequest, type DeleteRecordsResponse, ErrorCode } from '../../protocol/index.js';
import { toWireError } from '../errors.js';
import { deleteRecordsBefore } from '../replica/index.js';
import type { ApiHandler } from '../request-context.js';
import type { HandlerDeps } from './deps.js';

function uniform(request: DeleteRecordsRequest, errorCode: number): DeleteRecordsResponse {
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode })) })),
  };
}

export function createDeleteRecordsHandler(deps: HandlerDeps): ApiHandler<typeof ApiKey.DeleteRecords> {
  return {
    apiKey: ApiKey.DeleteRecords,
    minVersion: 0,
    maxVersion: 2,
    async handle(_ctx, request) {
      const topics = await Promise.all(
        request.topics.map(async (t) => ({
          name: t.name,
          partitions: await Promise.all(
            t.partitions.map(async (p) => {
              try {
                const lowWatermark = await deleteRecordsBefore(deps.replicaManager, t.name, p.partitionIndex, p.offset);
                return { partitionIndex: p.partitionIndex, lowWatermark, errorCode: ErrorCode.NONE as number };
              } catch (err) {
                return { partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode: toWireError(err) };
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
