/**
 * DescribeGroups (key 15), v0–4. A group this broker does not coordinate reads NOT_COORDINATOR
 * with state "" (Kafka's EmptyGroup summary); an unknown group of ours reads state "Dead" with
 * no error. Protocol, member metadata and assignments show only while the group is Stable.
 * Authorized operations are not computed (INT32_MIN) until there is an authorizer.
 */
import { ApiKey, ErrorCode, type Decoded, type DescribeGroupsResponse } from '../../protocol/index.js';
import type { DescribedGroup } from '../group/index.js';
import type { ApiHandler } from '../request-context.js';
import type { GroupApiDeps } from './group-apis.js';

const UNKNOWN_AUTHORIZED_OPERATIONS = -2147483648;

type GroupEntry = Decoded<DescribeGroupsResponse>['groups'][number];

function emptyEntry(groupId: string, errorCode: number): GroupEntry {
  return { errorCode, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: UNKNOWN_AUTHORIZED_OPERATIONS };
}

function toEntry(g: DescribedGroup): GroupEntry {
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
    authorizedOperations: UNKNOWN_AUTHORIZED_OPERATIONS,
  };
}

export function createDescribeGroupsHandler(deps: GroupApiDeps): ApiHandler<typeof ApiKey.DescribeGroups> {
  return {
    apiKey: ApiKey.DescribeGroups,
    minVersion: 0,
    maxVersion: 4,
    async handle(_ctx, request) {
      const described = await deps.coordinator.describeGroups([...request.groups]);
      return { throttleTimeMs: 0, groups: described.map(toEntry) };
    },
    errorResponse: (_ctx, request, errorCode) => ({ throttleTimeMs: 0, groups: request.groups.map((id) => emptyEntry(id, errorCode)) }),
  };
}
