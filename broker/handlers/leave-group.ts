/**
 * LeaveGroup (key 13), v0–4. v0–v2 name one member and answer its fate as the top-level error;
 * v3 (KIP-345) names a batch, by member id or by group instance id (an admin removing static
 * members sends member id ""), and answers per member; v4 is flexible.
 */
import { ApiKey, ErrorCode, type LeaveGroupResponse } from '../../protocol/index.js';
import type { ApiHandler } from '../request-context.js';
import type { GroupApiDeps } from './group-apis.js';

const BATCH_VERSION = 3;

export function createLeaveGroupHandler(deps: GroupApiDeps): ApiHandler<typeof ApiKey.LeaveGroup> {
  return {
    apiKey: ApiKey.LeaveGroup,
    minVersion: 0,
    maxVersion: 4,
    async handle(ctx, request): Promise<LeaveGroupResponse> {
      const batch = ctx.apiVersion >= BATCH_VERSION;
      const members = batch
        ? request.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId }))
        : [{ memberId: request.memberId, groupInstanceId: null }];
      const result = await deps.coordinator.leaveGroup({ groupId: request.groupId, members });
      if (batch) {
        return {
          throttleTimeMs: 0,
          errorCode: result.errorCode,
          members: result.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: m.errorCode })),
        };
      }
      // Kafka's LeaveGroupResponse.getError for old versions: the top-level error, else the member's.
      const memberError = result.members.find((m) => m.errorCode !== ErrorCode.NONE)?.errorCode ?? ErrorCode.NONE;
      return { throttleTimeMs: 0, errorCode: result.errorCode !== ErrorCode.NONE ? result.errorCode : memberError, members: [] };
    },
    errorResponse: (_ctx, _request, errorCode) => ({ throttleTimeMs: 0, errorCode, members: [] }),
  };
}
