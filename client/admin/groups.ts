/**
 * Admin operations on consumer groups: list (ListGroups on every broker, as Kafka's admin client
 * does), describe and delete (at each group's coordinator).
 */
import type { DeleteGroupsRequest, DeleteGroupsResponse, DescribeGroupsRequest, DescribeGroupsResponse, ListGroupsRequest, ListGroupsResponse } from '../../protocol/index.js';
import type { Cluster } from '../cluster.js';
import { brokerError } from '../errors.js';
import { API, errorInfo } from '../wire.js';
import { decodeAssignment, decodeSubscription, type TopicPartitions } from '../../protocol/index.js';
import { GroupClient } from '../consumer/group/group-client.js';

export interface GroupListing {
  groupId: string;
  protocolType: string;
  coordinator: number;
}

export interface GroupMemberDescription {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  /** Decoded for protocolType "consumer"; raw bytes stay available. */
  subscribedTopics: string[] | null;
  assignment: TopicPartitions[] | null;
  memberMetadata: Buffer;
  memberAssignment: Buffer;
}

export interface GroupDescription {
  groupId: string;
  /** Kafka's words: Empty, PreparingRebalance, CompletingRebalance, Stable, Dead. */
  state: string;
  protocolType: string;
  /** The assignor the group chose. */
  protocol: string;
  members: GroupMemberDescription[];
}

export async function listGroups(cluster: Cluster): Promise<GroupListing[]> {
  if (cluster.brokers.length === 0) await cluster.refreshMetadata();
  const req: ListGroupsRequest = {};
  const perBroker = await Promise.all(
    cluster.brokers.map(async (b) => {
      const res = await cluster.connectionFor(b.nodeId).send<ListGroupsResponse>(API.ListGroups, req);
      if (res.errorCode !== 0) throw brokerError(errorInfo(res.errorCode), `list groups on broker ${b.nodeId}`);
      return res.groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, coordinator: b.nodeId }));
    }),
  );
  return perBroker.flat().sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
}

export async function describeGroup(cluster: Cluster, groupId: string): Promise<GroupDescription> {
  const client = new GroupClient(cluster, groupId);
  const req: DescribeGroupsRequest = { groups: [groupId], includeAuthorizedOperations: false };
  const res = await client.send<DescribeGroupsResponse & { errorCode?: number }>(API.DescribeGroups, req);
  const g = res.groups[0];
  if (g === undefined) throw brokerError(errorInfo(-1), `describe group ${groupId}: empty answer`);
  if (g.errorCode !== 0) throw brokerError(errorInfo(g.errorCode), `describe group ${groupId}`);
  const consumer = g.protocolType === 'consumer';
  return {
    groupId: g.groupId,
    state: g.groupState,
    protocolType: g.protocolType,
    protocol: g.protocolData,
    members: g.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId ?? null,
      clientId: m.clientId,
      clientHost: m.clientHost,
      subscribedTopics: consumer && m.memberMetadata.length > 0 ? tryDecode(() => decodeSubscription(m.memberMetadata).topics) : null,
      assignment: consumer && m.memberAssignment.length > 0 ? tryDecode(() => decodeAssignment(m.memberAssignment).assignedPartitions) : null,
      memberMetadata: m.memberMetadata,
      memberAssignment: m.memberAssignment,
    })),
  };
}

export async function deleteGroup(cluster: Cluster, groupId: string): Promise<void> {
  const client = new GroupClient(cluster, groupId);
  const req: DeleteGroupsRequest = { groupsNames: [groupId] };
  const res = await client.send<DeleteGroupsResponse & { errorCode?: number }>(API.DeleteGroups, req);
  const r = res.results[0];
  if (r !== undefined && r.errorCode !== 0) throw brokerError(errorInfo(r.errorCode), `delete group ${groupId}`);
}

function tryDecode<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch {
    return null;
  }
}
