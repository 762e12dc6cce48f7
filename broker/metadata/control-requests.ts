/**
 * The controller→broker requests (LeaderAndIsr, UpdateMetadata, StopReplica) as plain objects:
 * the bodies that travel in msgpack frames on the inter-broker listener. Field names follow
 * Kafka's message JSON (LeaderAndIsrRequest.json, UpdateMetadataRequest.json, StopReplicaRequest.json).
 * Every request carries the sender's controllerId/controllerEpoch and the target's brokerEpoch.
 */
import type { ErrorName } from '../../protocol/index.js';

export type ControlApi = 'LeaderAndIsr' | 'UpdateMetadata' | 'StopReplica';

/** Leader sentinel in UpdateMetadata for a partition whose topic is being deleted (LeaderDuringDelete). */
export const LEADER_DURING_DELETE = -2;
/** StopReplica leaderEpoch sentinels (KIP-570). */
export const EPOCH_DURING_DELETE = -2;
export const NO_EPOCH = -1;

export interface ControlRequestHeader {
  readonly controllerId: number;
  readonly controllerEpoch: number;
  /** czxid of the target's /brokers/ids node as the controller knows it; -1n = unknown (accepted). */
  readonly brokerEpoch: bigint;
}

export interface LeaderAndIsrPartitionState {
  readonly topic: string;
  readonly partition: number;
  readonly controllerEpoch: number;
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  readonly zkVersion: number;
  readonly replicas: readonly number[];
  readonly addingReplicas: readonly number[];
  readonly removingReplicas: readonly number[];
  readonly isNew: boolean;
}

export interface ControlEndpoint {
  readonly listener: string;
  readonly host: string;
  readonly port: number;
  readonly securityProtocol: string;
}

export interface LiveBroker {
  readonly id: number;
  readonly rack: string | null;
  readonly endpoints: readonly ControlEndpoint[];
  /**
   * Czxid of its /brokers/ids node (Samsa's addition to Kafka's LiveBrokers): leaders refuse
   * replica fetches from older incarnations. Absent or -1 = unknown.
   */
  readonly brokerEpoch?: bigint | number;
}

export interface LeaderAndIsrRequest extends ControlRequestHeader {
  readonly partitionStates: readonly LeaderAndIsrPartitionState[];
  /** Brokers that lead a partition of this request (followers need to reach them). */
  readonly liveLeaders: readonly LiveBroker[];
}

export interface PartitionError {
  readonly topic: string;
  readonly partition: number;
  readonly errorCode: ErrorName;
}

export interface LeaderAndIsrResponse {
  readonly errorCode: ErrorName;
  readonly partitionErrors: readonly PartitionError[];
}

export interface UpdateMetadataPartitionState {
  readonly topic: string;
  readonly partition: number;
  readonly controllerEpoch: number;
  /** LEADER_DURING_DELETE (-2) removes the partition from the cache. */
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  readonly zkVersion: number;
  readonly replicas: readonly number[];
  readonly offlineReplicas: readonly number[];
}

export interface UpdateMetadataRequest extends ControlRequestHeader {
  readonly partitionStates: readonly UpdateMetadataPartitionState[];
  /** The full set of live brokers (replaces the receiver's view). */
  readonly liveBrokers: readonly LiveBroker[];
  /** Topic ids (KIP-516) of the topics in partitionStates (Kafka's UpdateMetadata v7 topicStates); absent from older senders. */
  readonly topicStates?: readonly { readonly topicName: string; readonly topicId: string }[];
}

export interface UpdateMetadataResponse {
  readonly errorCode: ErrorName;
}

export interface StopReplicaPartition {
  readonly topic: string;
  readonly partition: number;
  /** EPOCH_DURING_DELETE / NO_EPOCH sentinels are always applied. */
  readonly leaderEpoch: number;
  readonly deletePartition: boolean;
}

export interface StopReplicaRequest extends ControlRequestHeader {
  readonly partitions: readonly StopReplicaPartition[];
}

export interface StopReplicaResponse {
  readonly errorCode: ErrorName;
  readonly partitionErrors: readonly PartitionError[];
}

export type ControlResponse = LeaderAndIsrResponse | UpdateMetadataResponse | StopReplicaResponse;

/** Each control API's request body: what the inter-broker listener hands the ControlRequestHandler. */
export interface ControlRequests {
  readonly LeaderAndIsr: LeaderAndIsrRequest;
  readonly UpdateMetadata: UpdateMetadataRequest;
  readonly StopReplica: StopReplicaRequest;
}

/** Each control API's response body. */
export interface ControlResponses {
  readonly LeaderAndIsr: LeaderAndIsrResponse;
  readonly UpdateMetadata: UpdateMetadataResponse;
  readonly StopReplica: StopReplicaResponse;
}
