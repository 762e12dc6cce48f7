/**
 * The Kafka error codes the transaction coordinator answers with (from protocol/'s one table),
 * listed so that what it can say is visible at a glance, and its own failure type.
 */
import { ErrorCode } from '../../protocol/index.js';

export const TxnErrorCode = {
  NONE: ErrorCode.NONE,
  UNKNOWN_SERVER_ERROR: ErrorCode.UNKNOWN_SERVER_ERROR,
  UNKNOWN_TOPIC_OR_PARTITION: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  NOT_LEADER_OR_FOLLOWER: ErrorCode.NOT_LEADER_OR_FOLLOWER,
  REQUEST_TIMED_OUT: ErrorCode.REQUEST_TIMED_OUT,
  MESSAGE_TOO_LARGE: ErrorCode.MESSAGE_TOO_LARGE,
  CORRUPT_MESSAGE: ErrorCode.CORRUPT_MESSAGE,
  RECORD_LIST_TOO_LARGE: ErrorCode.RECORD_LIST_TOO_LARGE,
  NOT_ENOUGH_REPLICAS: ErrorCode.NOT_ENOUGH_REPLICAS,
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
  INVALID_REQUIRED_ACKS: ErrorCode.INVALID_REQUIRED_ACKS,
  KAFKA_STORAGE_ERROR: ErrorCode.KAFKA_STORAGE_ERROR,
  COORDINATOR_LOAD_IN_PROGRESS: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  COORDINATOR_NOT_AVAILABLE: ErrorCode.COORDINATOR_NOT_AVAILABLE,
  NOT_COORDINATOR: ErrorCode.NOT_COORDINATOR,
  INVALID_REQUEST: ErrorCode.INVALID_REQUEST,
  UNSUPPORTED_VERSION: ErrorCode.UNSUPPORTED_VERSION,
  UNSUPPORTED_FOR_MESSAGE_FORMAT: ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
  INVALID_PRODUCER_EPOCH: ErrorCode.INVALID_PRODUCER_EPOCH,
  INVALID_TXN_STATE: ErrorCode.INVALID_TXN_STATE,
  INVALID_PRODUCER_ID_MAPPING: ErrorCode.INVALID_PRODUCER_ID_MAPPING,
  INVALID_TRANSACTION_TIMEOUT: ErrorCode.INVALID_TRANSACTION_TIMEOUT,
  CONCURRENT_TRANSACTIONS: ErrorCode.CONCURRENT_TRANSACTIONS,
  TRANSACTION_COORDINATOR_FENCED: ErrorCode.TRANSACTION_COORDINATOR_FENCED,
  PRODUCER_FENCED: ErrorCode.PRODUCER_FENCED,
  TRANSACTIONAL_ID_NOT_FOUND: ErrorCode.TRANSACTIONAL_ID_NOT_FOUND,
} as const;

export type TxnFailureCode =
  /** A transition the state machine does not allow was asked for: a bug, never client input. */
  | 'BRK_TXN_ILLEGAL_STATE'
  /** A `__transaction_state` record could not be encoded or decoded. */
  | 'BRK_TXN_CODEC';

export class TxnCoordinatorError extends Error {
  override readonly name = 'TxnCoordinatorError';
  readonly retriable = false;
  constructor(
    readonly code: TxnFailureCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * What a failed `__transaction_state` append means to a client (TransactionStateManager's
 * mapping of produce errors): retriable replication trouble is COORDINATOR_NOT_AVAILABLE, a lost
 * leadership NOT_COORDINATOR.
 */
export function txnLogAppendError(code: number): number {
  switch (code) {
    case TxnErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case TxnErrorCode.NOT_ENOUGH_REPLICAS:
    case TxnErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case TxnErrorCode.REQUEST_TIMED_OUT:
      return TxnErrorCode.COORDINATOR_NOT_AVAILABLE;
    case TxnErrorCode.NOT_LEADER_OR_FOLLOWER:
    case TxnErrorCode.KAFKA_STORAGE_ERROR:
      return TxnErrorCode.NOT_COORDINATOR;
    case TxnErrorCode.MESSAGE_TOO_LARGE:
    case TxnErrorCode.RECORD_LIST_TOO_LARGE:
      return TxnErrorCode.UNKNOWN_SERVER_ERROR;
    default:
      return code;
  }
}
