/**
 * SyncGroup (key 14), v0–5. The leader sends every member's assignment; everyone waits until
 * the leader's assignment is durable in `__consumer_offsets`, then gets its own. v3 adds the
 * group instance id (static members), v4 is flexible, v5 (KIP-559) names the protocol type and
 * name the member believes in: the coordinator answers INCONSISTENT_GROUP_PROTOCOL when they
 * differ from the group's, and echoes the group's in the response.
 */
import { ApiKey } from '../../protocol/index.js';
import type { ApiHandler } from '../request-context.js';
import type { GroupApiDeps } from './group-apis.js';

export function createSyncGroupHandler(deps: GroupApiDeps): ApiHandler<typeof ApiKey.SyncGroup> {
  return {
    apiKey: ApiKey.SyncGroup,
    minVersion: 0,
    maxVersion: 5,
    async handle(_ctx, request) {
      const result = await deps.coordinator.syncGroup({
        groupId: request.groupId,
        generationId: request.generationId,
        memberId: request.memberId,
        groupInstanceId: request.groupInstanceId,
        // Null below v5 (decoded default): nothing to check, as Kafka.
        protocolType: request.protocolType,
        protocolName: request.protocolName,
        assignments: request.assignments.map((a) => ({ memberId: a.memberId, assignment: a.assignment })),
      });
      return { throttleTimeMs: 0, errorCode: result.errorCode, protocolType: result.protocolType, protocolName: result.protocolName, assignment: result.assignment };
    },
    errorResponse: (_ctx, _request, errorCode) => ({ throttleTimeMs: 0, errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) }),
  };
}
