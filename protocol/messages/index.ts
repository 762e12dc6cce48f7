/** The described APIs: request and response spec per api key, plus typed body maps. */
import type { MessageSpec } from '../schema/spec.js';
import { AlterConfigsRequest, AlterConfigsResponse } from './alter-configs.js';
import { ApiVersionsRequest, ApiVersionsResponse } from './api-versions.js';
import { CreatePartitionsRequest, CreatePartitionsResponse } from './create-partitions.js';
import { CreateTopicsRequest, CreateTopicsResponse } from './create-topics.js';
import { DeleteGroupsRequest, DeleteGroupsResponse } from './delete-groups.js';
import { DeleteRecordsRequest, DeleteRecordsResponse } from './delete-records.js';
import { DeleteTopicsRequest, DeleteTopicsResponse } from './delete-topics.js';
import { DescribeConfigsRequest, DescribeConfigsResponse } from './describe-configs.js';
import { DescribeGroupsRequest, DescribeGroupsResponse } from './describe-groups.js';
import { FetchRequest, FetchResponse } from './fetch.js';
import { FindCoordinatorRequest, FindCoordinatorResponse } from './find-coordinator.js';
import { HeartbeatRequest, HeartbeatResponse } from './heartbeat.js';
import { InitProducerIdRequest, InitProducerIdResponse } from './init-producer-id.js';
import { JoinGroupRequest, JoinGroupResponse } from './join-group.js';
import { LeaveGroupRequest, LeaveGroupResponse } from './leave-group.js';
import { ListGroupsRequest, ListGroupsResponse } from './list-groups.js';
import { ListOffsetsRequest, ListOffsetsResponse } from './list-offsets.js';
import { MetadataRequest, MetadataResponse } from './metadata.js';
import { OffsetCommitRequest, OffsetCommitResponse } from './offset-commit.js';
import { OffsetFetchRequest, OffsetFetchResponse } from './offset-fetch.js';
import { OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse } from './offset-for-leader-epoch.js';
import { ProduceRequest, ProduceResponse } from './produce.js';
import { SyncGroupRequest, SyncGroupResponse } from './sync-group.js';

export * from './alter-configs.js';
export * from './api-versions.js';
export * from './create-partitions.js';
export * from './create-topics.js';
export * from './delete-groups.js';
export * from './delete-records.js';
export * from './delete-topics.js';
export * from './describe-configs.js';
export * from './describe-groups.js';
export * from './fetch.js';
export * from './find-coordinator.js';
export * from './heartbeat.js';
export * from './init-producer-id.js';
export * from './join-group.js';
export * from './leave-group.js';
export * from './list-groups.js';
export * from './list-offsets.js';
export * from './metadata.js';
export * from './offset-commit.js';
export * from './offset-fetch.js';
export * from './offset-for-leader-epoch.js';
export * from './produce.js';
export * from './sync-group.js';

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
  [ApiVersionsRequest, ApiVersionsResponse],
  [CreateTopicsRequest, CreateTopicsResponse],
  [DeleteTopicsRequest, DeleteTopicsResponse],
  [DeleteRecordsRequest, DeleteRecordsResponse],
  [InitProducerIdRequest, InitProducerIdResponse],
  [OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse],
  [DescribeConfigsRequest, DescribeConfigsResponse],
  [AlterConfigsRequest, AlterConfigsResponse],
  [CreatePartitionsRequest, CreatePartitionsResponse],
  [DeleteGroupsRequest, DeleteGroupsResponse],
];

export const API_MESSAGES: ReadonlyMap<number, ApiMessages> = new Map(
  PAIRS.map(([request, response]) => [request.apiKey, Object.freeze({ request, response })]),
);

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
  18: ApiVersionsRequest;
  19: CreateTopicsRequest;
  20: DeleteTopicsRequest;
  21: DeleteRecordsRequest;
  22: InitProducerIdRequest;
  23: OffsetForLeaderEpochRequest;
  32: DescribeConfigsRequest;
  33: AlterConfigsRequest;
  37: CreatePartitionsRequest;
  42: DeleteGroupsRequest;
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
  18: ApiVersionsResponse;
  19: CreateTopicsResponse;
  20: DeleteTopicsResponse;
  21: DeleteRecordsResponse;
  22: InitProducerIdResponse;
  23: OffsetForLeaderEpochResponse;
  32: DescribeConfigsResponse;
  33: AlterConfigsResponse;
  37: CreatePartitionsResponse;
  42: DeleteGroupsResponse;
}

export type RequestBody<K extends number> = K extends keyof RequestBodyMap ? RequestBodyMap[K] : unknown;
export type ResponseBody<K extends number> = K extends keyof ResponseBodyMap ? ResponseBodyMap[K] : unknown;
