/** Request and result shapes of the GroupCoordinator API (Kafka's fields, camelCase). */
import type { GroupState } from './group-state.js';

export interface JoinGroupProtocol {
  name: string;
  metadata: Buffer;
}

export interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  /** JoinGroup v0 has none: pass sessionTimeoutMs, as Kafka does. */
  rebalanceTimeoutMs: number;
  /** '' for a new member. */
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string;
  protocols: JoinGroupProtocol[];
  clientId: string;
  clientHost: string;
  /** JoinGroup v4+: answer a new dynamic member with MEMBER_ID_REQUIRED and an id to come back with. */
  requireKnownMemberId: boolean;
}

export interface JoinGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}

export interface JoinGroupResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  /** Non-empty only for the leader: every member's metadata for the chosen protocol. */
  members: JoinGroupMember[];
}

export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  /** SyncGroup v5 fields; null when the client did not send them. */
  protocolType: string | null;
  protocolName: string | null;
  /** Only the leader sends assignments; they pass through opaquely. */
  assignments: Array<{ memberId: string; assignment: Buffer }>;
}

export interface SyncGroupResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export interface LeaveGroupRequest {
  groupId: string;
  /** LeaveGroup v0–v2 carry one member; v3+ a batch (memberId '' + instance id = admin removal). */
  members: Array<{ memberId: string; groupInstanceId: string | null }>;
}

export interface LeaveGroupResult {
  errorCode: number;
  members: Array<{ memberId: string; groupInstanceId: string | null; errorCode: number }>;
}

export interface OffsetCommitPartition {
  topic: string;
  partition: number;
  offset: bigint;
  /** -1 when unknown (OffsetCommit < v6). */
  leaderEpoch: number;
  metadata: string | null;
  /** OffsetCommit v1 per-partition commit timestamp; -1n or absent means "now". */
  commitTimestamp?: bigint;
}

export interface OffsetCommitRequest {
  groupId: string;
  /** -1 for a group that only stores offsets (no group management). */
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  /** OffsetCommit v2–v4 retention_time; -1n means the broker's offsets.retention.minutes. */
  retentionTimeMs?: bigint;
  partitions: OffsetCommitPartition[];
}

/** TxnOffsetCommit: offsets written in `producerId`'s transaction, visible once its COMMIT marker is written. */
export interface TxnOffsetCommitRequest {
  groupId: string;
  producerId: bigint;
  producerEpoch: number;
  /** -1 (v0–v2, or a producer without group membership): not checked. */
  generationId: number;
  /** '' (v0–v2): not checked. */
  memberId: string;
  groupInstanceId: string | null;
  partitions: OffsetCommitPartition[];
}

export interface OffsetCommitResult {
  partitions: Array<{ topic: string; partition: number; errorCode: number }>;
}

export interface OffsetFetchRequest {
  groupId: string;
  /** null = every partition the group has committed (OffsetFetch v2+). */
  partitions: Array<{ topic: string; partition: number }> | null;
  /** OffsetFetch v7: a partition with a transactional commit not yet ended answers UNSTABLE_OFFSET_COMMIT. */
  requireStable?: boolean;
}

export interface OffsetFetchPartition {
  topic: string;
  partition: number;
  /** -1n when nothing is committed. */
  offset: bigint;
  leaderEpoch: number;
  metadata: string;
  errorCode: number;
}

export interface OffsetFetchResult {
  errorCode: number;
  partitions: OffsetFetchPartition[];
}

export interface DescribedMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  /** Empty unless the group is Stable (as Kafka). */
  metadata: Buffer;
  assignment: Buffer;
}

export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  state: GroupState;
  protocolType: string;
  protocolName: string;
  members: DescribedMember[];
}

export interface ListGroupsResult {
  errorCode: number;
  groups: Array<{ groupId: string; protocolType: string; state: GroupState }>;
}

/** OffsetDelete: a group-level error (then no partitions), else one result per partition. */
export interface OffsetDeleteResult {
  errorCode: number;
  partitions: Array<{ topic: string; partition: number; errorCode: number }>;
}

export interface DeleteGroupsResult {
  groupId: string;
  errorCode: number;
}
