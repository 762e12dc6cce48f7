/**
 * ListGroups (key 16), v0–2: the groups this broker coordinates (a client asks every broker).
 * COORDINATOR_LOAD_IN_PROGRESS while one of our offsets partitions is still loading, with the
 * groups known so far.
 */
import { ApiKey } from '../../protocol/index.js';
import type { ApiHandler } from '../request-context.js';
import type { GroupApiDeps } from './group-apis.js';

export function createListGroupsHandler(deps: GroupApiDeps): ApiHandler<typeof ApiKey.ListGroups> {
  return {
    apiKey: ApiKey.ListGroups,
    minVersion: 0,
    maxVersion: 2,
    async handle() {
      const result = await deps.coordinator.listGroups();
      return {
        throttleTimeMs: 0,
        errorCode: result.errorCode,
        groups: result.groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType })),
      };
    },
    errorResponse: (_ctx, _request, errorCode) => ({ throttleTimeMs: 0, errorCode, groups: [] }),
  };
}
