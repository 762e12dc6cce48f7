/**
 * DeleteGroups (key 42), v0–2 (v2 flexible): removes Empty (or Dead) groups and their offsets by tombstones.
 * Per group: NON_EMPTY_GROUP while it has members, GROUP_ID_NOT_FOUND when unknown,
 * NOT_COORDINATOR when another broker owns it.
 */
import { ApiKey } from '../../protocol/index.js';
import type { ApiHandler } from '../request-context.js';
import type { GroupApiDeps } from './group-apis.js';

export function createDeleteGroupsHandler(deps: GroupApiDeps): ApiHandler<typeof ApiKey.DeleteGroups> {
  return {
    apiKey: ApiKey.DeleteGroups,
    minVersion: 0,
    maxVersion: 2,
    async handle(_ctx, request) {
      const unique = [...new Set(request.groupsNames)];
      const results = await deps.coordinator.deleteGroups(unique);
      return { throttleTimeMs: 0, results: results.map((r) => ({ groupId: r.groupId, errorCode: r.errorCode })) };
    },
    errorResponse: (_ctx, request, errorCode) => ({ throttleTimeMs: 0, results: request.groupsNames.map((groupId) => ({ groupId, errorCode })) }),
  };
}
