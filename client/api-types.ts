/**
 * The request/response bodies the client sends and reads, in Kafka's JSON spec field names
 * (camelCased), as protocol/'s message codecs take and return them. Only the fields the client
 * uses; version-gated fields are optional and ignored by the codec where the version lacks them.
 */

export interface ApiVersionsRequest {
  clientSoftwareName?: string;
  clientSoftwareVersion?: string;
}

export interface ApiVersionsResponse {
  errorCode: number;
  apiKeys: Array<{ apiKey: number; minVersion: number; maxVersion: number }>;
  throttleTimeMs?: number;
}

export interface MetadataRequest {
  /** null = all topics (v1+); [] = none. */
  topics: Array<{ name: string }> | null;
  allowAutoTopicCreation?: boolean;
  includeClusterAuthorizedOperations?: boolean;
  includeTopicAuthorizedOperations?: boolean;
}

export interface MetadataBroker {
  nodeId: number;
  host: string;
  port: number;
  rack?: string | null;
}

interface MetadataPartition {
  errorCode: number;
  partitionIndex: number;
  leaderId: number;
  leaderEpoch?: number;
  replicaNodes: number[];
  isrNodes: number[];
  offlineReplicas?: number[];
}

interface MetadataTopic {
  errorCode: number;
  name: string;
  isInternal?: boolean;
  partitions: MetadataPartition[];
}

export interface MetadataResponse {
  throttleTimeMs?: number;
  brokers: MetadataBroker[];
  clusterId?: string | null;
  controllerId?: number;
  topics: MetadataTopic[];
}

export interface ProduceRequest {
  transactionalId: string | null;
  acks: number;
  timeoutMs: number;
  topicData: Array<{ name: string; partitionData: Array<{ index: number; records: Buffer | null }> }>;
}

export interface ProducePartitionResponse {
  index: number;
  errorCode: number;
  baseOffset: bigint;
  logAppendTimeMs?: bigint;
  logStartOffset?: bigint;
  errorMessage?: string | null;
}

export interface ProduceResponse {
  responses: Array<{ name: string; partitionResponses: ProducePartitionResponse[] }>;
  throttleTimeMs?: number;
}

export interface InitProducerIdRequest {
  transactionalId: string | null;
  transactionTimeoutMs: number;
  producerId?: bigint;
  producerEpoch?: number;
}

export interface InitProducerIdResponse {
  throttleTimeMs?: number;
  errorCode: number;
  producerId: bigint;
  producerEpoch: number;
}
