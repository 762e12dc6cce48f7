/**
 * Broker errors, and the ONE way an error of any module becomes a Kafka error: every module error
 * (common/'s ModuleError) carries the Kafka error name its code is declared with, so
 * `kafkaErrorName(err)` reads it and `toWireError(err)` looks its number up in protocol/'s table.
 * Handlers throw (or receive) typed errors and never pick numbers themselves. The HTTP status of a
 * Kafka name is broker/http/errors.ts's one table.
 */
import { kafkaErrorOf, ModuleError, type ModuleErrorOptions } from '../common/index.js';
import { ErrorCode, isErrorName, type ErrorName } from '../protocol/index.js';

type Spec = { readonly kafkaError: ErrorName; readonly retriable: boolean; readonly relayed?: true };

/** Every BRK_* code of broker/, its sub-rooms' error classes included. */
export const BROKER_ERRORS = {
  /** The connection to another broker closed while a request was pending. */
  BRK_CONNECTION_CLOSED: { kafkaError: 'NETWORK_EXCEPTION', retriable: true },
  /** Connecting to another broker failed (refused, unreachable, connect timeout). */
  BRK_BROKER_UNREACHABLE: { kafkaError: 'NETWORK_EXCEPTION', retriable: true },
  /** A request to another broker got no answer in time. */
  BRK_REQUEST_TIMEOUT: { kafkaError: 'REQUEST_TIMED_OUT', retriable: true },
  /** The inter-broker client was closed; nothing more will be sent. */
  BRK_CLIENT_CLOSED: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false },
  /** The broker is stopping and refuses new work. */
  BRK_SHUTTING_DOWN: { kafkaError: 'BROKER_NOT_AVAILABLE', retriable: true },
  /** The peer has no handler for an inter-broker api. */
  BRK_UNKNOWN_API: { kafkaError: 'INVALID_REQUEST', retriable: false },
  BRK_UNSUPPORTED_VERSION: { kafkaError: 'UNSUPPORTED_VERSION', retriable: false },
  BRK_INVALID_REQUEST: { kafkaError: 'INVALID_REQUEST', retriable: false },
  /** The router's authorizer hook refused the request. */
  BRK_AUTHORIZATION_FAILED: { kafkaError: 'CLUSTER_AUTHORIZATION_FAILED', retriable: false },
  /** A handler failed with an error of another broker, relayed as is (see RemoteError). */
  BRK_REMOTE_ERROR: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false, relayed: true },
  BRK_NOT_CONTROLLER: { kafkaError: 'NOT_CONTROLLER', retriable: true },
  BRK_STALE_CONTROLLER_EPOCH: { kafkaError: 'STALE_CONTROLLER_EPOCH', retriable: false },
  BRK_STALE_BROKER_EPOCH: { kafkaError: 'STALE_BROKER_EPOCH', retriable: false },
  /** A controlled shutdown (or similar) named a broker that is not registered. */
  BRK_BROKER_NOT_AVAILABLE: { kafkaError: 'BROKER_NOT_AVAILABLE', retriable: false },
  BRK_NOT_LEADER_OR_FOLLOWER: { kafkaError: 'NOT_LEADER_OR_FOLLOWER', retriable: true },
  /** The replica's log directory failed on this broker (offline until the broker restarts). */
  BRK_KAFKA_STORAGE_ERROR: { kafkaError: 'KAFKA_STORAGE_ERROR', retriable: true },
  BRK_UNKNOWN_TOPIC_OR_PARTITION: { kafkaError: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true },
  BRK_INTERNAL: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false },
  // Security (SecurityError, broker/security/).
  /** A client failed SASL (wrong password, unknown user, bad token) or its certificate maps to no principal. */
  BRK_SASL_AUTHENTICATION_FAILED: { kafkaError: 'SASL_AUTHENTICATION_FAILED', retriable: false },
  /** TLS or SASL settings that cannot work (missing keystore, bad JAAS entry, bad mapping rules). */
  BRK_SECURITY_CONFIG: { kafkaError: 'INVALID_CONFIG', retriable: false },
  // Client quotas (QuotaError, broker/quota/).
  /** A quota entity with neither user nor client id, an unknown entity type, or a component twice. */
  BRK_QUOTA_INVALID_ENTITY: { kafkaError: 'INVALID_REQUEST', retriable: false },
  /** Not one of producer_byte_rate, consumer_byte_rate, request_percentage, controller_mutation_rate. */
  BRK_QUOTA_INVALID_KEY: { kafkaError: 'INVALID_REQUEST', retriable: false },
  /** A quota value that is not a positive number (or not whole, for byte rates). */
  BRK_QUOTA_INVALID_VALUE: { kafkaError: 'INVALID_REQUEST', retriable: false },
  BRK_NOT_ENOUGH_REPLICAS: { kafkaError: 'NOT_ENOUGH_REPLICAS', retriable: true },
  BRK_FENCED_LEADER_EPOCH: { kafkaError: 'FENCED_LEADER_EPOCH', retriable: true },
  BRK_UNKNOWN_LEADER_EPOCH: { kafkaError: 'UNKNOWN_LEADER_EPOCH', retriable: true },
  BRK_LEADER_NOT_AVAILABLE: { kafkaError: 'LEADER_NOT_AVAILABLE', retriable: true },
  BRK_INVALID_REQUIRED_ACKS: { kafkaError: 'INVALID_REQUIRED_ACKS', retriable: false },
  BRK_CORRUPT_MESSAGE: { kafkaError: 'CORRUPT_MESSAGE', retriable: false },
  BRK_OFFSET_OUT_OF_RANGE: { kafkaError: 'OFFSET_OUT_OF_RANGE', retriable: false },
  BRK_INVALID_TOPIC: { kafkaError: 'INVALID_TOPIC_EXCEPTION', retriable: false },
  BRK_INVALID_CONFIG: { kafkaError: 'INVALID_CONFIG', retriable: false },
  BRK_INVALID_RECORD: { kafkaError: 'INVALID_RECORD', retriable: false },
  BRK_INVALID_TIMESTAMP: { kafkaError: 'INVALID_TIMESTAMP', retriable: false },
  /**
   * The request must not be answered and its connection must close (Produce acks=0 that failed:
   * Kafka closes so the client notices and refreshes its metadata).
   */
  BRK_CLOSE_CONNECTION: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: true },
  // Topic administration (TopicAdminError) and replica placement (AssignmentError).
  BRK_TOPIC_ALREADY_EXISTS: { kafkaError: 'TOPIC_ALREADY_EXISTS', retriable: false },
  BRK_INVALID_PARTITIONS: { kafkaError: 'INVALID_PARTITIONS', retriable: false },
  BRK_INVALID_REPLICATION_FACTOR: { kafkaError: 'INVALID_REPLICATION_FACTOR', retriable: false },
  BRK_INVALID_REPLICA_ASSIGNMENT: { kafkaError: 'INVALID_REPLICA_ASSIGNMENT', retriable: false },
  // Internal consistency failures: bugs or corrupt input, never a client's fault.
  /** A control request names an api this broker does not know (ControlRequestError). */
  BRK_INVALID_CONTROL_REQUEST: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false },
  /** meta.properties is unreadable or belongs to another broker or cluster (startup only). */
  BRK_META_PROPERTIES: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false },
  /** An HTTP admin answer with its own status and name (AdminHttpError); never on the Kafka wire. */
  BRK_ADMIN_HTTP: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false },
  // Group coordinator (GroupCoordinatorError, OffsetsLogError).
  BRK_GROUP_ILLEGAL_TRANSITION: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false },
  BRK_GROUP_CODEC: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false },
  BRK_GROUP_INTERNAL: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false },
  /** A consumer-group admin operation (HTTP /groups) refused with the Kafka error it carries. */
  BRK_GROUP_ADMIN: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false, relayed: true },
  /** A dashboard read or action (HTTP /cluster/stats, messages, elections) refused with the Kafka error it carries. */
  BRK_DASHBOARD_DATA: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false, relayed: true },
  BRK_GROUP_ID_NOT_FOUND: { kafkaError: 'GROUP_ID_NOT_FOUND', retriable: false },
  /** The group has active members (deleting it or resetting its offsets needs an empty group). */
  BRK_GROUP_NOT_EMPTY: { kafkaError: 'NON_EMPTY_GROUP', retriable: false },
  /** `__consumer_offsets` is missing and cannot be created now (too few live brokers, admin failure). */
  BRK_GROUP_OFFSETS_TOPIC_UNAVAILABLE: { kafkaError: 'COORDINATOR_NOT_AVAILABLE', retriable: true },
  /** An append to an offsets partition was refused or not replicated; carries the append's Kafka error. */
  BRK_GROUP_OFFSETS_APPEND: { kafkaError: 'COORDINATOR_NOT_AVAILABLE', retriable: true, relayed: true },
  /** An append to an offsets partition was not durable within offsets.commit.timeout.ms. */
  BRK_GROUP_OFFSETS_TIMEOUT: { kafkaError: 'REQUEST_TIMED_OUT', retriable: true },
  /** Reading an offsets partition back (group load) failed or made no progress. */
  BRK_GROUP_OFFSETS_READ: { kafkaError: 'COORDINATOR_NOT_AVAILABLE', retriable: true },
  // Transaction coordinator (TxnCoordinatorError): bugs or corrupt `__transaction_state` records.
  /** A transition the transaction state machine does not allow was asked for. */
  BRK_TXN_ILLEGAL_STATE: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false },
  /** A `__transaction_state` record could not be encoded or decoded. */
  BRK_TXN_CODEC: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false },
} as const satisfies Record<string, Spec>;

export type BrokerErrorCode = keyof typeof BROKER_ERRORS;

interface BrokerErrorOptions {
  cause?: unknown;
  /** Overrides the code's default retriability (e.g. a relayed remote error). */
  retriable?: boolean;
  /** The Kafka error of a `relayed` code (BRK_REMOTE_ERROR, BRK_GROUP_OFFSETS_APPEND). */
  kafkaError?: ErrorName;
}

export class BrokerError<C extends BrokerErrorCode = BrokerErrorCode> extends ModuleError<C> {
  override readonly name: string = 'BrokerError';

  constructor(code: C, message: string, options: BrokerErrorOptions = {}) {
    super(BROKER_ERRORS, code, message, options satisfies ModuleErrorOptions);
  }
}

/** Kafka's name for any thrown value; UNKNOWN_SERVER_ERROR when it is not a module error. */
export function kafkaErrorName(err: unknown): ErrorName {
  const name = kafkaErrorOf(err);
  return name !== undefined && isErrorName(name) ? name : 'UNKNOWN_SERVER_ERROR';
}

/** The Kafka error code a client is answered with for any thrown value. */
export function toWireError(err: unknown): number {
  return ErrorCode[kafkaErrorName(err)];
}
