/**
 * The described APIs: request and response spec per api key, typed body maps, and the version
 * range protocol/ can encode and decode for each api (derived from the specs, never kept by hand).
 */
import type { MessageSpec } from '../schema/spec.js';
import { parseVersionRange } from '../schema/versions.js';
import { AddOffsetsToTxnRequest, AddOffsetsToTxnResponse } from './add-offsets-to-txn.js';
import { AddPartitionsToTxnRequest, AddPartitionsToTxnResponse } from './add-partitions-to-txn.js';
import { AlterClientQuotasRequest, AlterClientQuotasResponse } from './alter-client-quotas.js';
import { AlterConfigsRequest, AlterConfigsResponse } from './alter-configs.js';
import { AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse } from './alter-partition-reassignments.js';
import { AlterReplicaLogDirsRequest, AlterReplicaLogDirsResponse } from './alter-replica-log-dirs.js';
import { AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse } from './alter-user-scram-credentials.js';
import { ApiVersionsRequest, ApiVersionsResponse } from './api-versions.js';
import { CreateAclsRequest, CreateAclsResponse } from './create-acls.js';
import { CreatePartitionsRequest, CreatePartitionsResponse } from './create-partitions.js';
import { CreateTopicsRequest, CreateTopicsResponse } from './create-topics.js';
import { DeleteAclsRequest, DeleteAclsResponse } from './delete-acls.js';
import { DeleteGroupsRequest, DeleteGroupsResponse } from './delete-groups.js';
import { DeleteRecordsRequest, DeleteRecordsResponse } from './delete-records.js';
import { DeleteTopicsRequest, DeleteTopicsResponse } from './delete-topics.js';
import { DescribeAclsRequest, DescribeAclsResponse } from './describe-acls.js';
import { DescribeClientQuotasRequest, DescribeClientQuotasResponse } from './describe-client-quotas.js';
import { DescribeClusterRequest, DescribeClusterResponse } from './describe-cluster.js';
import { DescribeConfigsRequest, DescribeConfigsResponse } from './describe-configs.js';
import { DescribeGroupsRequest, DescribeGroupsResponse } from './describe-groups.js';
import { DescribeLogDirsRequest, DescribeLogDirsResponse } from './describe-log-dirs.js';
import { DescribeProducersRequest, DescribeProducersResponse } from './describe-producers.js';
import { DescribeTransactionsRequest, DescribeTransactionsResponse } from './describe-transactions.js';
import { DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse } from './describe-user-scram-credentials.js';
import { ElectLeadersRequest, ElectLeadersResponse } from './elect-leaders.js';
import { EndTxnRequest, EndTxnResponse } from './end-txn.js';
import { FetchRequest, FetchResponse } from './fetch.js';
import { FindCoordinatorRequest, FindCoordinatorResponse } from './find-coordinator.js';
import { HeartbeatRequest, HeartbeatResponse } from './heartbeat.js';
import { IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse } from './incremental-alter-configs.js';
import { InitProducerIdRequest, InitProducerIdResponse } from './init-producer-id.js';
import { JoinGroupRequest, JoinGroupResponse } from './join-group.js';
import { LeaveGroupRequest, LeaveGroupResponse } from './leave-group.js';
import { ListGroupsRequest, ListGroupsResponse } from './list-groups.js';
import { ListOffsetsRequest, ListOffsetsResponse } from './list-offsets.js';
import { ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse } from './list-partition-reassignments.js';
import { ListTransactionsRequest, ListTransactionsResponse } from './list-transactions.js';
import { MetadataRequest, MetadataResponse } from './metadata.js';
import { OffsetCommitRequest, OffsetCommitResponse } from './offset-commit.js';
import { OffsetDeleteRequest, OffsetDeleteResponse } from './offset-delete.js';
import { OffsetFetchRequest, OffsetFetchResponse } from './offset-fetch.js';
import { OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse } from './offset-for-leader-epoch.js';
import { ProduceRequest, ProduceResponse } from './produce.js';
import { SaslAuthenticateRequest, SaslAuthenticateResponse } from './sasl-authenticate.js';
import { SaslHandshakeRequest, SaslHandshakeResponse } from './sasl-handshake.js';
import { SyncGroupRequest, SyncGroupResponse } from './sync-group.js';
import { TxnOffsetCommitRequest, TxnOffsetCommitResponse } from './txn-offset-commit.js';
import { UpdateFeaturesRequest, UpdateFeaturesResponse } from './update-features.js';
import { WriteTxnMarkersRequest, WriteTxnMarkersResponse } from './write-txn-markers.js';

export * from './add-offsets-to-txn.js';
export * from './add-partitions-to-txn.js';
export * from './alter-client-quotas.js';
export * from './alter-configs.js';
export * from './alter-partition-reassignments.js';
export * from './alter-replica-log-dirs.js';
export * from './alter-user-scram-credentials.js';
export * from './api-versions.js';
export * from './create-acls.js';
export * from './create-partitions.js';
export * from './create-topics.js';
export * from './delete-acls.js';
export * from './delete-groups.js';
export * from './delete-records.js';
export * from './delete-topics.js';
export * from './describe-acls.js';
export * from './describe-client-quotas.js';
export * from './describe-cluster.js';
export * from './describe-configs.js';
export * from './describe-groups.js';
export * from './describe-log-dirs.js';
export * from './describe-producers.js';
export * from './describe-transactions.js';
export * from './describe-user-scram-credentials.js';
export * from './elect-leaders.js';
export * from './end-txn.js';
export * from './fetch.js';
export * from './find-coordinator.js';
export * from './heartbeat.js';
export * from './incremental-alter-configs.js';
export * from './init-producer-id.js';
export * from './join-group.js';
export * from './leave-group.js';
export * from './list-groups.js';
export * from './list-offsets.js';
export * from './list-partition-reassignments.js';
export * from './list-transactions.js';
export * from './metadata.js';
export * from './offset-commit.js';
export * from './offset-delete.js';
export * from './offset-fetch.js';
export * from './offset-for-leader-epoch.js';
export * from './produce.js';
export * from './sasl-authenticate.js';
export * from './sasl-handshake.js';
export * from './sync-group.js';
export * from './txn-offset-commit.js';
export * from './update-features.js';
export * from './write-txn-markers.js';

export interface ApiMessages {
  request: MessageSpec;
  response: MessageSpec;
}

const PAIRS: ReadonlyArray<readonly [MessageSpec, MessageSpec]> = [
  [ProduceRequest, ProduceResponse],
  [FetchRequest, FetchResponse],
  [ListOffsetsRequest, ListOffsetsResponse],
  [MetadataRequest, MetadataResponse],
  [OffsetCommitRequest, OffsetCommitResponse],
  [OffsetFetchRequest, OffsetFetchResponse],
  [FindCoordinatorRequest, FindCoordinatorResponse],
  [JoinGroupRequest, JoinGroupResponse],
  [HeartbeatRequest, HeartbeatResponse],
  [LeaveGroupRequest, LeaveGroupResponse],
  [SyncGroupRequest, SyncGroupResponse],
  [DescribeGroupsRequest, DescribeGroupsResponse],
  [ListGroupsRequest, ListGroupsResponse],
  [SaslHandshakeRequest, SaslHandshakeResponse],
  [ApiVersionsRequest, ApiVersionsResponse],
  [CreateTopicsRequest, CreateTopicsResponse],
  [DeleteTopicsRequest, DeleteTopicsResponse],
  [DeleteRecordsRequest, DeleteRecordsResponse],
  [InitProducerIdRequest, InitProducerIdResponse],
  [OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse],
  [AddPartitionsToTxnRequest, AddPartitionsToTxnResponse],
  [AddOffsetsToTxnRequest, AddOffsetsToTxnResponse],
  [EndTxnRequest, EndTxnResponse],
  [WriteTxnMarkersRequest, WriteTxnMarkersResponse],
  [TxnOffsetCommitRequest, TxnOffsetCommitResponse],
  [DescribeAclsRequest, DescribeAclsResponse],
  [CreateAclsRequest, CreateAclsResponse],
  [DeleteAclsRequest, DeleteAclsResponse],
  [DescribeConfigsRequest, DescribeConfigsResponse],
  [AlterConfigsRequest, AlterConfigsResponse],
  [AlterReplicaLogDirsRequest, AlterReplicaLogDirsResponse],
  [DescribeLogDirsRequest, DescribeLogDirsResponse],
  [SaslAuthenticateRequest, SaslAuthenticateResponse],
  [CreatePartitionsRequest, CreatePartitionsResponse],
  [DeleteGroupsRequest, DeleteGroupsResponse],
  [ElectLeadersRequest, ElectLeadersResponse],
  [IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse],
  [AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse],
  [ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse],
  [OffsetDeleteRequest, OffsetDeleteResponse],
  [DescribeClientQuotasRequest, DescribeClientQuotasResponse],
  [AlterClientQuotasRequest, AlterClientQuotasResponse],
  [DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse],
  [AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse],
  [UpdateFeaturesRequest, UpdateFeaturesResponse],
  [DescribeClusterRequest, DescribeClusterResponse],
  [DescribeProducersRequest, DescribeProducersResponse],
  [DescribeTransactionsRequest, DescribeTransactionsResponse],
  [ListTransactionsRequest, ListTransactionsResponse],
];

export const API_MESSAGES: ReadonlyMap<number, ApiMessages> = new Map(
  PAIRS.map(([request, response]) => [request.apiKey, Object.freeze({ request, response })]),
);

export interface VersionSpan {
  min: number;
  max: number;
}

/**
 * The versions protocol/ encodes and decodes per api key: the request spec's validVersions (the
 * response spec always has the same range; a unit test holds them equal). The broker advertises
 * this intersected with its handlers' ranges; clients intersect it with what their code handles.
 */
export const DESCRIBED_API_VERSIONS: ReadonlyMap<number, Readonly<VersionSpan>> = new Map(
  PAIRS.map(([request]) => {
    const { min, max } = parseVersionRange(request.validVersions);
    return [request.apiKey, Object.freeze({ min, max })];
  }),
);

/** The described version range of an api key, or undefined when protocol/ does not describe it. */
export function describedVersions(apiKey: number): Readonly<VersionSpan> | undefined {
  return DESCRIBED_API_VERSIONS.get(apiKey);
}

/** Decoded request body type per api key (for typed handlers). */
export interface RequestBodyMap {
  0: ProduceRequest;
  1: FetchRequest;
  2: ListOffsetsRequest;
  3: MetadataRequest;
  8: OffsetCommitRequest;
  9: OffsetFetchRequest;
  10: FindCoordinatorRequest;
  11: JoinGroupRequest;
  12: HeartbeatRequest;
  13: LeaveGroupRequest;
  14: SyncGroupRequest;
  15: DescribeGroupsRequest;
  16: ListGroupsRequest;
  17: SaslHandshakeRequest;
  18: ApiVersionsRequest;
  19: CreateTopicsRequest;
  20: DeleteTopicsRequest;
  21: DeleteRecordsRequest;
  22: InitProducerIdRequest;
  23: OffsetForLeaderEpochRequest;
  24: AddPartitionsToTxnRequest;
  25: AddOffsetsToTxnRequest;
  26: EndTxnRequest;
  27: WriteTxnMarkersRequest;
  28: TxnOffsetCommitRequest;
  29: DescribeAclsRequest;
  30: CreateAclsRequest;
  31: DeleteAclsRequest;
  32: DescribeConfigsRequest;
  33: AlterConfigsRequest;
  34: AlterReplicaLogDirsRequest;
  35: DescribeLogDirsRequest;
  36: SaslAuthenticateRequest;
  37: CreatePartitionsRequest;
  42: DeleteGroupsRequest;
  43: ElectLeadersRequest;
  44: IncrementalAlterConfigsRequest;
  45: AlterPartitionReassignmentsRequest;
  46: ListPartitionReassignmentsRequest;
  47: OffsetDeleteRequest;
  48: DescribeClientQuotasRequest;
  49: AlterClientQuotasRequest;
  50: DescribeUserScramCredentialsRequest;
  51: AlterUserScramCredentialsRequest;
  57: UpdateFeaturesRequest;
  60: DescribeClusterRequest;
  61: DescribeProducersRequest;
  65: DescribeTransactionsRequest;
  66: ListTransactionsRequest;
}

/** Response body type per api key. */
export interface ResponseBodyMap {
  0: ProduceResponse;
  1: FetchResponse;
  2: ListOffsetsResponse;
  3: MetadataResponse;
  8: OffsetCommitResponse;
  9: OffsetFetchResponse;
  10: FindCoordinatorResponse;
  11: JoinGroupResponse;
  12: HeartbeatResponse;
  13: LeaveGroupResponse;
  14: SyncGroupResponse;
  15: DescribeGroupsResponse;
  16: ListGroupsResponse;
  17: SaslHandshakeResponse;
  18: ApiVersionsResponse;
  19: CreateTopicsResponse;
  20: DeleteTopicsResponse;
  21: DeleteRecordsResponse;
  22: InitProducerIdResponse;
  23: OffsetForLeaderEpochResponse;
  24: AddPartitionsToTxnResponse;
  25: AddOffsetsToTxnResponse;
  26: EndTxnResponse;
  27: WriteTxnMarkersResponse;
  28: TxnOffsetCommitResponse;
  29: DescribeAclsResponse;
  30: CreateAclsResponse;
  31: DeleteAclsResponse;
  32: DescribeConfigsResponse;
  33: AlterConfigsResponse;
  34: AlterReplicaLogDirsResponse;
  35: DescribeLogDirsResponse;
  36: SaslAuthenticateResponse;
  37: CreatePartitionsResponse;
  42: DeleteGroupsResponse;
  43: ElectLeadersResponse;
  44: IncrementalAlterConfigsResponse;
  45: AlterPartitionReassignmentsResponse;
  46: ListPartitionReassignmentsResponse;
  47: OffsetDeleteResponse;
  48: DescribeClientQuotasResponse;
  49: AlterClientQuotasResponse;
  50: DescribeUserScramCredentialsResponse;
  51: AlterUserScramCredentialsResponse;
  57: UpdateFeaturesResponse;
  60: DescribeClusterResponse;
  61: DescribeProducersResponse;
  65: DescribeTransactionsResponse;
  66: ListTransactionsResponse;
}

export type RequestBody<K extends number> = K extends keyof RequestBodyMap ? RequestBodyMap[K] : unknown;
export type ResponseBody<K extends number> = K extends keyof ResponseBodyMap ? ResponseBodyMap[K] : unknown;
