/**
 * DescribeGroups (key 15), v0–5. A group this broker does not coordinate reads NOT_COORDINATOR
 * with state "" (Kafka's EmptyGroup summary); an unknown group of ours reads state "Dead" with
 * no error. Protocol, member metadata and assignments show only while the group is Stable.
 * v3 authorized operations, when asked for, are what Kafka answers without an authorizer
 * (every group operation); v4 adds group instance ids, v5 is flexible.
 */
import { ApiKey, ErrorCode, type Decoded, type DescribeGroupsResponse } from '../../protocol/index.js';
import type { DescribedGroup } from '../group/index.js';
import type { ApiHandler } from '../request-context.js';
import { AUTHORIZED_OPERATIONS_OMITTED, GROUP_OPERATIONS } from './authorized-operations.js';
import type { GroupApiDeps } from './group-apis.js';

type GroupEntry = Decoded<DescribeGroupsResponse>['groups'][number];

function emptyEntry(groupId: string, errorCode: number): GroupEntry {
  return { errorCode, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED };
}

function toEntry(g: DescribedGroup, authorizedOperations: number): GroupEntry {
  if (g.errorCode !== ErrorCode.NONE) return emptyEntry(g.groupId, g.errorCode);
  return {
    errorCode: g.errorCode,
    groupId: g.groupId,
    groupState: g.state,
    protocolType: g.protocolType,
    protocolData: g.protocolName,
    members: g.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      memberMetadata: m.metadata,
      memberAssignment: m.assignment,
    })),
    authorizedOperations,
  };
}

export function createDescribeGroupsHandler(deps: GroupApiDeps): ApiHandler<typeof ApiKey.DescribeGroups> {
  return {
    apiKey: ApiKey.DescribeGroups,
    minVersion: 0,
    maxVersion: 5,
    async handle(_ctx, request) {
      const described = await deps.coordinator.describeGroups([...request.groups]);
      const ops = request.includeAuthorizedOperations ? GROUP_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED;
      return { throttleTimeMs: 0, groups: described.map((g) => toEntry(g, ops)) };
    },
    errorResponse: (_ctx, request, errorCode) => ({ throttleTimeMs: 0, groups: request.groups.map((id) => emptyEntry(id, errorCode)) }),
  };
}
