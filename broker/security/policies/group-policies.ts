/**
 * Consumer groups, as Kafka 2.8's KafkaApis: FindCoordinator needs Describe on the group (or on
 * the transactional id for key type 1); JoinGroup, SyncGroup, Heartbeat, LeaveGroup Read on the
 * group; OffsetCommit Read on the group then Read on each topic; OffsetFetch Describe on the group
 * then Describe on each topic (asked-for-all hides the others); OffsetDelete Delete on the group
 * then Read on each topic; TxnOffsetCommit Write on the transactional id, Read on the group and
 * on each topic; DescribeGroups Describe and DeleteGroups Delete per group; ListGroups lists
 * everything with Describe on the cluster, otherwise only the groups the caller may Describe.
 */
import { ApiKey, ErrorCode } from '../../../protocol/index.js';
import { ALLOWED, both, deny, hideInResponse, narrowList, Op, operationsBits, requireOn, Res, type ApiPolicy, type AuthzView } from './kit.js';

const TOPIC_DENIED = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
const GROUP_DENIED = ErrorCode.GROUP_AUTHORIZATION_FAILED;
const COORDINATOR_KEY_TRANSACTION = 1;

const findCoordinator: ApiPolicy = (request, view) =>
  request.keyType === COORDINATOR_KEY_TRANSACTION
    ? view.can(Op.DESCRIBE, Res.TRANSACTIONAL_ID, request.key) ? ALLOWED : deny(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED)
    : view.can(Op.DESCRIBE, Res.GROUP, request.key) ? ALLOWED : deny(GROUP_DENIED);

const readGroup = requireOn(Op.READ, Res.GROUP, (r) => r.groupId, GROUP_DENIED);

/** Offsets of topics the caller may not `op`: TOPIC_AUTHORIZATION_FAILED per partition, the handler never sees them. */
function topicPartitions(request: any, view: AuthzView, op: number, partitionsOf: (t: any) => number[]): ReturnType<ApiPolicy> {
  return narrowList<any>(request, 'topics', (t) => t.name, (name) => view.can(op as never, Res.TOPIC, name), 'topics', (t) => ({
    name: t.name,
    partitions: partitionsOf(t).map((partitionIndex) => ({ partitionIndex, errorCode: TOPIC_DENIED })),
  }));
}
const committed = (t: any): number[] => t.partitions.map((p: any) => p.partitionIndex);

const offsetCommit: ApiPolicy = (request, view) =>
  both(readGroup(request, view), (req) => topicPartitions(req, view, Op.READ, committed), request);

const txnOffsetCommit: ApiPolicy = (request, view) => {
  if (!view.can(Op.WRITE, Res.TRANSACTIONAL_ID, request.transactionalId)) return deny(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  return both(readGroup(request, view), (req) => topicPartitions(req, view, Op.READ, committed), request);
};

const offsetDelete: ApiPolicy = (request, view) =>
  both(requireOn(Op.DELETE, Res.GROUP, (r) => r.groupId, GROUP_DENIED)(request, view), (req) => topicPartitions(req, view, Op.READ, committed), request);

const offsetFetch: ApiPolicy = (request, view) => {
  if (!view.can(Op.DESCRIBE, Res.GROUP, request.groupId)) return deny(GROUP_DENIED);
  const canDescribe = (name: string): boolean => view.can(Op.DESCRIBE, Res.TOPIC, name);
  if (request.topics === null) return { kind: 'narrow', request, complete: hideInResponse<any>('topics', (t) => t.name, canDescribe) };
  return narrowList<any>(request, 'topics', (t) => t.name, canDescribe, 'topics', (t) => ({
    name: t.name,
    partitions: t.partitionIndexes.map((partitionIndex: number) => ({ partitionIndex, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: TOPIC_DENIED })),
  }));
};

const describeGroups: ApiPolicy = (request, view) => {
  const fillOps = request.includeAuthorizedOperations
    ? (r: any) => ({ ...r, groups: r.groups.map((g: any) => (g.errorCode === GROUP_DENIED ? g : { ...g, authorizedOperations: operationsBits(Res.GROUP, (op) => view.can(op, Res.GROUP, g.groupId)) })) })
    : undefined;
  return narrowList<string>(request, 'groups', (g) => g, (g) => view.can(Op.DESCRIBE, Res.GROUP, g), 'groups', (groupId) => ({
    errorCode: GROUP_DENIED, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: -2147483648,
  }), fillOps);
};

const deleteGroups: ApiPolicy = (request, view) =>
  narrowList<string>(request, 'groupsNames', (g) => g, (g) => view.can(Op.DELETE, Res.GROUP, g), 'results', (groupId) => ({ groupId, errorCode: GROUP_DENIED }));

const listGroups: ApiPolicy = (request, view) =>
  view.canCluster(Op.DESCRIBE)
    ? ALLOWED
    : { kind: 'narrow', request, complete: hideInResponse<any>('groups', (g) => g.groupId, (g) => view.can(Op.DESCRIBE, Res.GROUP, g)) };

export const GROUP_POLICIES: ReadonlyMap<number, ApiPolicy> = new Map<number, ApiPolicy>([
  [ApiKey.FindCoordinator, findCoordinator],
  [ApiKey.JoinGroup, readGroup],
  [ApiKey.SyncGroup, readGroup],
  [ApiKey.Heartbeat, readGroup],
  [ApiKey.LeaveGroup, readGroup],
  [ApiKey.OffsetCommit, offsetCommit],
  [ApiKey.TxnOffsetCommit, txnOffsetCommit],
  [ApiKey.OffsetDelete, offsetDelete],
  [ApiKey.OffsetFetch, offsetFetch],
  [ApiKey.DescribeGroups, describeGroups],
  [ApiKey.DeleteGroups, deleteGroups],
  [ApiKey.ListGroups, listGroups],
]);
