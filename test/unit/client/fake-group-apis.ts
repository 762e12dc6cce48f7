/**
 * TEST DOUBLE: the group APIs of fake-broker.ts (FindCoordinator, Join/Sync/Heartbeat/Leave,
 * OffsetCommit/OffsetFetch, ListGroups/DescribeGroups/DeleteGroups), answered from the shared
 * FakeGroupCoordinator.
 */
import { ApiKey, ErrorCode, decodeRequest, encodeResponse, type RequestHeader } from '../../../protocol/index.js';
import type { FakeBroker } from './fake-broker.js';
import type { JoinRequestBody } from './fake-group-coordinator.js';

export function handleGroupApi(broker: FakeBroker, h: RequestHeader, frame: Buffer): Buffer | undefined | Promise<Buffer | undefined> {
  const v = h.apiVersion;
  switch (h.apiKey) {
    case ApiKey.FindCoordinator: {
      const all = [broker, ...broker.peers].sort((a, b) => a.nodeId - b.nodeId);
      const c = all.find((b) => b.nodeId === broker.state.coordinatorId) ?? all[0]!;
      return encodeResponse(ApiKey.FindCoordinator, v, h.correlationId, { throttleTimeMs: 0, errorCode: 0, errorMessage: null, nodeId: c.nodeId, host: '127.0.0.1', port: c.port } as never);
    }
    case ApiKey.JoinGroup: {
      const req = decodeRequest(ApiKey.JoinGroup, v, frame, h.bodyOffset) as unknown as JoinRequestBody;
      if (broker.nodeId !== broker.state.coordinatorId) return encodeResponse(ApiKey.JoinGroup, v, h.correlationId, { throttleTimeMs: 0, errorCode: ErrorCode.NOT_COORDINATOR, generationId: -1, protocolName: '', leader: '', memberId: '', members: [] } as never);
      return broker.state.groups.join(req, v).then((body) => encodeResponse(ApiKey.JoinGroup, v, h.correlationId, { throttleTimeMs: 0, ...body } as never));
    }
    case ApiKey.SyncGroup: {
      const req = decodeRequest(ApiKey.SyncGroup, v, frame, h.bodyOffset) as never;
      return broker.state.groups.sync(req).then((body) => encodeResponse(ApiKey.SyncGroup, v, h.correlationId, { throttleTimeMs: 0, ...body } as never));
    }
    case ApiKey.Heartbeat: {
      const req = decodeRequest(ApiKey.Heartbeat, v, frame, h.bodyOffset) as never;
      return encodeResponse(ApiKey.Heartbeat, v, h.correlationId, { throttleTimeMs: 0, errorCode: broker.state.groups.heartbeat(req) } as never);
    }
    case ApiKey.LeaveGroup: {
      const req = decodeRequest(ApiKey.LeaveGroup, v, frame, h.bodyOffset) as { groupId: string; memberId?: string; members?: Array<{ memberId: string }> };
      const ids = v >= 3 ? (req.members ?? []).map((m) => m.memberId) : [req.memberId ?? ''];
      broker.state.leaves.push(...ids);
      broker.state.groups.leave(req.groupId, ids);
      return encodeResponse(ApiKey.LeaveGroup, v, h.correlationId, { throttleTimeMs: 0, errorCode: 0, members: ids.map((memberId) => ({ memberId, groupInstanceId: null, errorCode: 0 })) } as never);
    }
    case ApiKey.OffsetCommit: {
      const req = decodeRequest(ApiKey.OffsetCommit, v, frame, h.bodyOffset) as never as { groupId: string; generationIdOrMemberEpoch?: number; topics: never };
      const topics = broker.state.groups.commit(req.groupId, req.generationIdOrMemberEpoch ?? -1, req.topics);
      return encodeResponse(ApiKey.OffsetCommit, v, h.correlationId, { throttleTimeMs: 0, topics } as never);
    }
    case ApiKey.OffsetFetch: {
      const req = decodeRequest(ApiKey.OffsetFetch, v, frame, h.bodyOffset) as never as { groupId: string; topics: never };
      return encodeResponse(ApiKey.OffsetFetch, v, h.correlationId, { throttleTimeMs: 0, topics: broker.state.groups.fetch(req.groupId, req.topics), errorCode: 0 } as never);
    }
    case ApiKey.ListGroups:
      return encodeResponse(ApiKey.ListGroups, v, h.correlationId, {
        throttleTimeMs: 0,
        errorCode: 0,
        groups: broker.nodeId === broker.state.coordinatorId ? [...broker.state.groups.groups.keys()].map((groupId) => ({ groupId, protocolType: 'consumer' })) : [],
      } as never);
    case ApiKey.DescribeGroups: {
      const req = decodeRequest(ApiKey.DescribeGroups, v, frame, h.bodyOffset) as { groups: string[] };
      const groups = req.groups.map((id) => broker.state.groups.describe(id));
      return encodeResponse(ApiKey.DescribeGroups, v, h.correlationId, { throttleTimeMs: 0, groups } as never);
    }
    case ApiKey.DeleteGroups: {
      const req = decodeRequest(ApiKey.DeleteGroups, v, frame, h.bodyOffset) as { groupsNames: string[] };
      const results = req.groupsNames.map((groupId) => ({ groupId, errorCode: broker.state.groups.delete(groupId) }));
      return encodeResponse(ApiKey.DeleteGroups, v, h.correlationId, { throttleTimeMs: 0, results } as never);
    }
    default:
      return undefined;
  }
}
