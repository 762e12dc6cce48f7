/**
 * The transaction coordinator's error class (its codes are declared in broker/errors.ts with the
 * rest of broker/), and Kafka's mapping of a `__transaction_state` append failure to what a
 * transactional client is told. The Kafka codes the coordinator answers with are protocol/'s
 * ErrorCode.
 */
import { kafkaErrorOf } from '../../common/index.js';
import { ErrorCode } from '../../protocol/index.js';
import { BrokerError } from '../errors.js';

export type TxnFailureCode =
  /** A transition the state machine does not allow was asked for: a bug, never client input. */
  | 'BRK_TXN_ILLEGAL_STATE'
  /** A `__transaction_state` record could not be encoded or decoded. */
  | 'BRK_TXN_CODEC';

export class TxnCoordinatorError extends BrokerError<TxnFailureCode> {
  override readonly name = 'TxnCoordinatorError';
}

/**
 * What a failed `__transaction_state` append means to a client (TransactionStateManager's
 * mapping of produce errors): retriable replication trouble is COORDINATOR_NOT_AVAILABLE, a lost
 * leadership NOT_COORDINATOR. The store's error says its Kafka cause through its kafkaError.
 */
export function txnLogAppendError(err: unknown): number {
  switch (kafkaErrorOf(err)) {
    case 'NOT_LEADER_OR_FOLLOWER':
    case 'KAFKA_STORAGE_ERROR':
    case 'NOT_COORDINATOR':
      return ErrorCode.NOT_COORDINATOR;
    case 'MESSAGE_TOO_LARGE':
    case 'RECORD_LIST_TOO_LARGE':
      return ErrorCode.UNKNOWN_SERVER_ERROR;
    default:
      // UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS(_AFTER_APPEND), REQUEST_TIMED_OUT, and an
      // unexplained failure (most likely a slow or lost replica): the client retries.
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  }
}
