/** Heartbeat (key 12), v0–4 (v3 adds the group instance id, v4 is flexible). */
import { ApiKey } from '../../protocol/index.js';
import type { ApiHandler } from '../request-context.js';
import type { GroupApiDeps } from './group-apis.js';

export function createHeartbeatHandler(deps: GroupApiDeps): ApiHandler<typeof ApiKey.Heartbeat> {
  return {
    apiKey: ApiKey.Heartbeat,
    minVersion: 0,
    maxVersion: 4,
    async handle(_ctx, request) {
      const { errorCode } = await deps.coordinator.heartbeat({
        groupId: request.groupId,
        generationId: request.generationId,
        memberId: request.memberId,
        groupInstanceId: request.groupInstanceId,
      });
      return { throttleTimeMs: 0, errorCode };
    },
    errorResponse: (_ctx, _request, errorCode) => ({ throttleTimeMs: 0, errorCode }),
  };
}
