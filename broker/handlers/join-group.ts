/**
 * JoinGroup (key 11), v0–7. v0 has no rebalance timeout (Kafka uses the session timeout); from
 * v4 a new dynamic member is first given an id to come back with (MEMBER_ID_REQUIRED, KIP-394),
 * while a static member (v5 group instance id) joins directly; v6 is flexible; v7 (KIP-559)
 * answers the protocol type too, and a protocol name that may be null. The response waits for
 * the join phase of the rebalance to end.
 */
import { ApiKey, type JoinGroupResponse } from '../../protocol/index.js';
import type { JoinGroupResult } from '../group/index.js';
import type { ApiHandler } from '../request-context.js';
import { clientHostOf, type GroupApiDeps } from './group-apis.js';

const NULLABLE_PROTOCOL_VERSION = 7;

function toWire(r: JoinGroupResult, version: number): JoinGroupResponse {
  return {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    generationId: r.generationId,
    protocolType: r.protocolType,
    // Non-nullable before v7: Kafka answers "" when no protocol was chosen.
    protocolName: version >= NULLABLE_PROTOCOL_VERSION ? r.protocolName : (r.protocolName ?? ''),
    leader: r.leader,
    memberId: r.memberId,
    members: r.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata })),
  };
}

export function createJoinGroupHandler(deps: GroupApiDeps): ApiHandler<typeof ApiKey.JoinGroup> {
  return {
    apiKey: ApiKey.JoinGroup,
    minVersion: 0,
    maxVersion: 7,
    async handle(ctx, request) {
      const version = ctx.apiVersion;
      const result = await deps.coordinator.joinGroup({
        groupId: request.groupId,
        sessionTimeoutMs: request.sessionTimeoutMs,
        rebalanceTimeoutMs: version === 0 ? request.sessionTimeoutMs : request.rebalanceTimeoutMs,
        memberId: request.memberId,
        groupInstanceId: request.groupInstanceId,
        protocolType: request.protocolType,
        protocols: request.protocols.map((p) => ({ name: p.name, metadata: p.metadata })),
        clientId: ctx.clientId ?? '',
        clientHost: clientHostOf(ctx),
        requireKnownMemberId: version >= 4 && request.groupInstanceId === null,
      });
      return toWire(result, version);
    },
    errorResponse: (ctx, request, errorCode) => ({
      throttleTimeMs: 0,
      errorCode,
      generationId: -1,
      protocolType: null,
      protocolName: ctx.apiVersion >= NULLABLE_PROTOCOL_VERSION ? null : '',
      leader: '',
      memberId: request.memberId,
      members: [],
    }),
  };
}
