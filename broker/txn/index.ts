// Public surface of broker/txn/: the transaction coordinator (state, log, markers) the Kafka API handlers call.
export { TxnCoordinator, type TxnCoordinatorOptions, type InitProducerIdResult, type DescribedTransaction, type ListedTransaction } from './txn-coordinator.js';
export { TxnStateManager, TRANSACTION_STATE_TOPIC_NAME, txnPartitionFor, type TxnStateManagerOptions, type TxnStateLookup, type PendingCompletion } from './txn-state-manager.js';
export {
  TxnMarkerChannel,
  WRITE_TXN_MARKERS_API,
  WRITE_TXN_MARKERS_VERSION,
  type TxnMarkerChannelOptions,
  type TxnMarkerRequestEntry,
  type TxnMarkerResultEntry,
} from './marker-channel.js';
export { DEFAULT_TXN_COORDINATOR_CONFIG, txnCoordinatorConfigFrom, type TxnCoordinatorConfig } from './config.js';
export { TxnCoordinatorError, txnLogAppendError, type TxnFailureCode } from './errors.js';
export {
  TransactionMetadata,
  TXN_STATES,
  VALID_PREVIOUS_TXN_STATES,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  isEpochExhausted,
  txnStateFromId,
  txnStateId,
  type TxnState,
  type TxnTransit,
  type TopicPartitionRef,
} from './txn-metadata.js';
export { encodeTxnLogKey, decodeTxnLogKey, encodeTxnLogValue, decodeTxnLogValue, type TxnLogValue } from './txn-log-codec.js';
