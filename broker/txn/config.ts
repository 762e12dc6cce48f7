/** The transaction coordinator's settings, with Kafka's keys and Kafka 2.8's defaults. */
export interface TxnCoordinatorConfig {
  /** transaction.state.log.num.partitions (or the partition count of the existing topic). */
  transactionLogNumPartitions: number;
  /** transaction.state.log.replication.factor */
  transactionLogReplicationFactor: number;
  /** transaction.state.log.min.isr (the topic's min.insync.replicas) */
  transactionLogMinIsr: number;
  /** transaction.state.log.segment.bytes */
  transactionLogSegmentBytes: number;
  /** transaction.state.log.load.buffer.size */
  transactionLogLoadBufferSize: number;
  /** transaction.max.timeout.ms: larger client timeouts get INVALID_TRANSACTION_TIMEOUT. */
  transactionMaxTimeoutMs: number;
  /** transactional.id.expiration.ms: an id idle this long (no transaction in progress) is removed. */
  transactionalIdExpirationMs: number;
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms */
  abortTimedOutTransactionsIntervalMs: number;
  /** transaction.remove.expired.transaction.cleanup.interval.ms */
  removeExpiredTransactionalIdsIntervalMs: number;
  /**
   * How long a `__transaction_state` append or a marker write waits for replication (Kafka uses
   * the broker's request.timeout.ms, 30 s; Samsa has no such key, so it is fixed).
   */
  requestTimeoutMs: number;
}

export const DEFAULT_TXN_COORDINATOR_CONFIG: Readonly<TxnCoordinatorConfig> = Object.freeze({
  transactionLogNumPartitions: 50,
  transactionLogReplicationFactor: 3,
  transactionLogMinIsr: 2,
  transactionLogSegmentBytes: 104857600,
  transactionLogLoadBufferSize: 5242880,
  transactionMaxTimeoutMs: 900000,
  transactionalIdExpirationMs: 604800000,
  abortTimedOutTransactionsIntervalMs: 10000,
  removeExpiredTransactionalIdsIntervalMs: 3600000,
  requestTimeoutMs: 30000,
});

export function txnCoordinatorConfigFrom(config: { int(key: string): number }): TxnCoordinatorConfig {
  return {
    transactionLogNumPartitions: config.int('transaction.state.log.num.partitions'),
    transactionLogReplicationFactor: config.int('transaction.state.log.replication.factor'),
    transactionLogMinIsr: config.int('transaction.state.log.min.isr'),
    transactionLogSegmentBytes: config.int('transaction.state.log.segment.bytes'),
    transactionLogLoadBufferSize: config.int('transaction.state.log.load.buffer.size'),
    transactionMaxTimeoutMs: config.int('transaction.max.timeout.ms'),
    transactionalIdExpirationMs: config.int('transactional.id.expiration.ms'),
    abortTimedOutTransactionsIntervalMs: config.int('transaction.abort.timed.out.transaction.cleanup.interval.ms'),
    removeExpiredTransactionalIdsIntervalMs: config.int('transaction.remove.expired.transaction.cleanup.interval.ms'),
    requestTimeoutMs: DEFAULT_TXN_COORDINATOR_CONFIG.requestTimeoutMs,
  };
}
