/**
 * Broker errors, and `toWireError`: the ONE place where an error of any module becomes a Kafka
 * numeric error code. Handlers throw (or receive) typed errors and never pick numbers themselves,
 * so that "what does a client see when storage says X" is answered in this file only.
 */
import { ErrorCode } from '../protocol/index.js';

interface BrokerErrorSpec {
  readonly retriable: boolean;
  readonly wire: number;
}

const BROKER_ERRORS = {
  /** The connection to another broker closed while a request was pending. */
  BRK_CONNECTION_CLOSED: { retriable: true, wire: ErrorCode.NETWORK_EXCEPTION },
  /** Connecting to another broker failed (refused, unreachable, connect timeout). */
  BRK_BROKER_UNREACHABLE: { retriable: true, wire: ErrorCode.NETWORK_EXCEPTION },
  /** A request to another broker got no answer in time. */
  BRK_REQUEST_TIMEOUT: { retriable: true, wire: ErrorCode.REQUEST_TIMED_OUT },
  /** The inter-broker client was closed; nothing more will be sent. */
  BRK_CLIENT_CLOSED: { retriable: false, wire: ErrorCode.UNKNOWN_SERVER_ERROR },
  /** The broker is stopping and refuses new work. */
  BRK_SHUTTING_DOWN: { retriable: true, wire: ErrorCode.BROKER_NOT_AVAILABLE },
  /** The peer has no handler for an inter-broker api. */
  BRK_UNKNOWN_API: { retriable: false, wire: ErrorCode.INVALID_REQUEST },
  BRK_UNSUPPORTED_VERSION: { retriable: false, wire: ErrorCode.UNSUPPORTED_VERSION },
  BRK_INVALID_REQUEST: { retriable: false, wire: ErrorCode.INVALID_REQUEST },
  /** The router's authorizer hook refused the request. */
  BRK_AUTHORIZATION_FAILED: { retriable: false, wire: ErrorCode.CLUSTER_AUTHORIZATION_FAILED },
  /** A handler failed with an error of another broker, relayed as is (see RemoteError). */
  BRK_REMOTE_ERROR: { retriable: false, wire: ErrorCode.UNKNOWN_SERVER_ERROR },
  BRK_NOT_CONTROLLER: { retriable: true, wire: ErrorCode.NOT_CONTROLLER },
  BRK_STALE_CONTROLLER_EPOCH: { retriable: false, wire: ErrorCode.STALE_CONTROLLER_EPOCH },
  BRK_STALE_BROKER_EPOCH: { retriable: false, wire: ErrorCode.STALE_BROKER_EPOCH },
  BRK_NOT_LEADER_OR_FOLLOWER: { retriable: true, wire: ErrorCode.NOT_LEADER_OR_FOLLOWER },
  /** The replica's log directory failed on this broker (offline until the broker restarts). */
  BRK_KAFKA_STORAGE_ERROR: { retriable: true, wire: ErrorCode.KAFKA_STORAGE_ERROR },
  BRK_UNKNOWN_TOPIC_OR_PARTITION: { retriable: true, wire: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
  BRK_INTERNAL: { retriable: false, wire: ErrorCode.UNKNOWN_SERVER_ERROR },
  BRK_NOT_ENOUGH_REPLICAS: { retriable: true, wire: ErrorCode.NOT_ENOUGH_REPLICAS },
  BRK_FENCED_LEADER_EPOCH: { retriable: true, wire: ErrorCode.FENCED_LEADER_EPOCH },
  BRK_UNKNOWN_LEADER_EPOCH: { retriable: true, wire: ErrorCode.UNKNOWN_LEADER_EPOCH },
  BRK_LEADER_NOT_AVAILABLE: { retriable: true, wire: ErrorCode.LEADER_NOT_AVAILABLE },
  BRK_INVALID_REQUIRED_ACKS: { retriable: false, wire: ErrorCode.INVALID_REQUIRED_ACKS },
  BRK_CORRUPT_MESSAGE: { retriable: false, wire: ErrorCode.CORRUPT_MESSAGE },
  BRK_OFFSET_OUT_OF_RANGE: { retriable: false, wire: ErrorCode.OFFSET_OUT_OF_RANGE },
  BRK_INVALID_TOPIC: { retriable: false, wire: ErrorCode.INVALID_TOPIC_EXCEPTION },
  BRK_INVALID_CONFIG: { retriable: false, wire: ErrorCode.INVALID_CONFIG },
  BRK_INVALID_RECORD: { retriable: false, wire: ErrorCode.INVALID_RECORD },
  /**
   * The request must not be answered and its connection must close (Produce acks=0 that failed:
   * Kafka closes so the client notices and refreshes its metadata).
   */
  BRK_CLOSE_CONNECTION: { retriable: true, wire: ErrorCode.UNKNOWN_SERVER_ERROR },
} as const satisfies Record<string, BrokerErrorSpec>;

export type BrokerErrorCode = keyof typeof BROKER_ERRORS;
export const BROKER_ERROR_CODES = Object.keys(BROKER_ERRORS) as BrokerErrorCode[];

export interface BrokerErrorOptions {
  cause?: unknown;
  /** Overrides the code's default retriability (e.g. a relayed remote error). */
  retriable?: boolean;
  /** Overrides the code's default Kafka error code (e.g. a relayed remote error). */
  wireErrorCode?: number;
}

export class BrokerError extends Error {
  readonly code: BrokerErrorCode;
  readonly retriable: boolean;
  readonly wireErrorCode: number;

  constructor(code: BrokerErrorCode, message: string, options: BrokerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BrokerError';
    this.code = code;
    this.retriable = options.retriable ?? BROKER_ERRORS[code].retriable;
    this.wireErrorCode = options.wireErrorCode ?? BROKER_ERRORS[code].wire;
  }
}

/**
 * Other modules' string codes → Kafka error codes. Codes not listed here become
 * UNKNOWN_SERVER_ERROR (and are logged by the router), which is the cue to add them.
 */
const MODULE_WIRE_CODES: ReadonlyMap<string, number> = new Map<string, number>([
  // protocol/: inside a request that did decode (e.g. a record batch a handler parses).
  ['PRT_TRUNCATED', ErrorCode.CORRUPT_MESSAGE],
  ['PRT_INVALID_LENGTH', ErrorCode.CORRUPT_MESSAGE],
  ['PRT_INVALID_VARINT', ErrorCode.CORRUPT_MESSAGE],
  ['PRT_CORRUPT_BATCH', ErrorCode.CORRUPT_MESSAGE],
  ['PRT_COMPRESSION', ErrorCode.CORRUPT_MESSAGE],
  ['PRT_INVALID_MAGIC', ErrorCode.INVALID_RECORD],
  ['PRT_UNSUPPORTED_COMPRESSION', ErrorCode.UNSUPPORTED_COMPRESSION_TYPE],
  ['PRT_FRAME_TOO_LARGE', ErrorCode.INVALID_REQUEST],
  ['PRT_UNSUPPORTED_VERSION', ErrorCode.UNSUPPORTED_VERSION],
  ['PRT_UNKNOWN_API', ErrorCode.INVALID_REQUEST],
  // storage/
  ['STG_CORRUPT_BATCH', ErrorCode.CORRUPT_MESSAGE],
  ['STG_INVALID_MAGIC', ErrorCode.INVALID_RECORD],
  ['STG_INVALID_RECORD', ErrorCode.INVALID_RECORD],
  ['STG_RECORD_TOO_LARGE', ErrorCode.MESSAGE_TOO_LARGE],
  ['STG_OFFSET_OUT_OF_RANGE', ErrorCode.OFFSET_OUT_OF_RANGE],
  // The log went away under the request (partition moved or deleted): the client re-reads metadata.
  ['STG_LOG_CLOSED', ErrorCode.NOT_LEADER_OR_FOLLOWER],
  ['STG_INVALID_CONFIG', ErrorCode.INVALID_CONFIG],
  ['STG_IO', ErrorCode.KAFKA_STORAGE_ERROR],
  ['STG_LOG_DIR_OFFLINE', ErrorCode.KAFKA_STORAGE_ERROR],
  ['STG_DUPLICATE_LOG', ErrorCode.KAFKA_STORAGE_ERROR],
  ['STG_CORRUPT_CHECKPOINT', ErrorCode.KAFKA_STORAGE_ERROR],
  ['STG_OUT_OF_ORDER_SEQUENCE', ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER],
  ['STG_INVALID_PRODUCER_EPOCH', ErrorCode.INVALID_PRODUCER_EPOCH],
  // Idempotent producer checks (storage/producer-state.ts).
  ['STG_OUT_OF_ORDER_SEQUENCE', ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER],
  ['STG_INVALID_PRODUCER_EPOCH', ErrorCode.INVALID_PRODUCER_EPOCH],
  // coordination/: a ZooKeeper hiccup is worth a client retry; a moved controller, a redirect.
  ['CRD_CONNECTION_LOSS', ErrorCode.REQUEST_TIMED_OUT],
  ['CRD_TIMEOUT', ErrorCode.REQUEST_TIMED_OUT],
  ['CRD_SESSION_EXPIRED', ErrorCode.REQUEST_TIMED_OUT],
  ['CRD_CONTROLLER_MOVED', ErrorCode.NOT_CONTROLLER],
  ['CRD_NO_NODE', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
  // broker/admin (TopicAdminError) and broker/controller (ControllerError) carry Kafka's error
  // name in `errorCode`; see toWireError.
]);

/** A Kafka error code for any thrown value; UNKNOWN_SERVER_ERROR when nothing more is known. */
export function toWireError(err: unknown): number {
  if (err instanceof BrokerError) return err.wireErrorCode;
  if (typeof err === 'object' && err !== null) {
    // Errors that already name their Kafka error (TopicAdminError, ControllerError).
    const named = (err as { errorCode?: unknown }).errorCode;
    if (typeof named === 'string' && named in ErrorCode) return ErrorCode[named as keyof typeof ErrorCode];
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string') {
      const mapped = MODULE_WIRE_CODES.get(code);
      if (mapped !== undefined) return mapped;
    }
  }
  return ErrorCode.UNKNOWN_SERVER_ERROR;
}

/** True when the caller may retry the same operation (every typed error carries `retriable`). */
export function isRetriable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { retriable?: unknown }).retriable === true;
}
