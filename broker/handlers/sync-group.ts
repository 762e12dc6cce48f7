/**
 * SyncGroup (key 14), v0–3. The leader sends every member's assignment; everyone waits until
 * the leader's assignment is durable in `__consumer_offsets`, then gets its own. v3 adds the
 * group instance id (static members).
 */
import { ApiKey, type Decoded, type SyncGroupRequest } from '../../protocol/index.js';
import type { ApiHandler } from '../request-context.js';
import type { GroupApiDeps } from './group-apis.js';

export function createSyncGroupHandler(deps: GroupApiDeps): ApiHandler<typeof ApiKey.SyncGroup> {
  return {
    apiKey: ApiKey.SyncGroup,
    minVersion: 0,
    maxVersion: 3,
    async handle(_ctx, body) {
      const request = body as Decoded<SyncGroupRequest>;
      const result = await deps.coordinator.syncGroup({
        groupId: request.groupId,
        generationId: request.generationId,
        memberId: request.memberId,
        groupInstanceId: request.groupInstanceId,
        // Only SyncGroup v5+ carries them; we speak up to v3.
        protocolType: null,
        protocolName: null,
        assignments: request.assignments.map((a) => ({ memberId: a.memberId, assignment: a.assignment })),
      });
      return { throttleTimeMs: 0, errorCode: result.errorCode, assignment: result.assignment };
    },
    errorResponse: (_ctx, _request, errorCode) => ({ throttleTimeMs: 0, errorCode, assignment: Buffer.alloc(0) }),
  };
}
