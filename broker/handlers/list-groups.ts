/**
 * ListGroups (key 16), v0–4: the groups this broker coordinates (a client asks every broker).
 * COORDINATOR_LOAD_IN_PROGRESS while one of our offsets partitions is still loading, with the
 * groups known so far. v3 is flexible; v4 (KIP-518) answers each group's state and keeps only
 * the states named in `statesFilter` (empty = all), compared ignoring case as Kafka does.
 */
import { ApiKey } from '../../protocol/index.js';
import type { ApiHandler } from '../request-context.js';
import type { GroupApiDeps } from './group-apis.js';

export function createListGroupsHandler(deps: GroupApiDeps): ApiHandler<typeof ApiKey.ListGroups> {
  return {
    apiKey: ApiKey.ListGroups,
    minVersion: 0,
    maxVersion: 4,
    async handle(_ctx, request) {
      const result = await deps.coordinator.listGroups();
      const wanted = new Set(request.statesFilter.map((s) => s.toLowerCase()));
      const groups = wanted.size === 0 ? result.groups : result.groups.filter((g) => wanted.has(g.state.toLowerCase()));
      return {
        throttleTimeMs: 0,
        errorCode: result.errorCode,
        groups: groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.state })),
      };
    },
    errorResponse: (_ctx, _request, errorCode) => ({ throttleTimeMs: 0, errorCode, groups: [] }),
  };
}
