/**
 * The one error type of storage/. Each code is declared with the Kafka error a produce or fetch
 * handler answers with for it, so callers never parse messages and never keep their own map.
 */
import { messageOf, ModuleError, type ModuleErrorOptions } from '../common/index.js';
import type { ErrorName } from '../protocol/index.js';

export const STORAGE_ERRORS = {
  /** Structure or CRC32C of a batch is wrong. */
  STG_CORRUPT_BATCH: { kafkaError: 'CORRUPT_MESSAGE', retriable: false },
  /** A batch is not magic 2 (Kafka's InvalidRecordException for produce v3+). */
  STG_INVALID_MAGIC: { kafkaError: 'INVALID_RECORD', retriable: false },
  /** Batch header is valid but its content breaks a rule (count/delta mismatch, control batch from a client). */
  STG_INVALID_RECORD: { kafkaError: 'INVALID_RECORD', retriable: false },
  /** Batch larger than maxMessageBytes or segmentBytes (Kafka RECORD_TOO_LARGE / RECORD_BATCH_TOO_LARGE). */
  STG_RECORD_TOO_LARGE: { kafkaError: 'MESSAGE_TOO_LARGE', retriable: false },
  /** Fetch/DeleteRecords offset outside [logStartOffset, logEndOffset]. */
  STG_OFFSET_OUT_OF_RANGE: { kafkaError: 'OFFSET_OUT_OF_RANGE', retriable: true },
  /** A follower append whose first offset is below the log end offset or not monotonic. */
  STG_UNEXPECTED_APPEND_OFFSET: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false },
  /** The log was closed or deleted under the request (partition moved or deleted): the client re-reads metadata. */
  STG_LOG_CLOSED: { kafkaError: 'NOT_LEADER_OR_FOLLOWER', retriable: true },
  /** A LogConfig value is out of range. */
  STG_INVALID_CONFIG: { kafkaError: 'INVALID_CONFIG', retriable: false },
  /** A checkpoint file cannot be parsed. */
  STG_CORRUPT_CHECKPOINT: { kafkaError: 'KAFKA_STORAGE_ERROR', retriable: false },
  /** The high watermark was asked to move outside [logStartOffset, logEndOffset] or backwards. */
  STG_INVALID_HIGH_WATERMARK: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false },
  /** The same partition exists in two log dirs. */
  STG_DUPLICATE_LOG: { kafkaError: 'KAFKA_STORAGE_ERROR', retriable: false },
  /** A filesystem operation failed (disk full, permissions, missing directory). */
  STG_IO: { kafkaError: 'KAFKA_STORAGE_ERROR', retriable: false },
  /** The log's directory failed earlier (an I/O error took it offline on this broker). */
  STG_LOG_DIR_OFFLINE: { kafkaError: 'KAFKA_STORAGE_ERROR', retriable: false },
  /** An idempotent producer's batch does not continue its sequence. */
  STG_OUT_OF_ORDER_SEQUENCE: { kafkaError: 'OUT_OF_ORDER_SEQUENCE_NUMBER', retriable: false },
  /** An idempotent producer's epoch is older than the one the partition knows. */
  STG_INVALID_PRODUCER_EPOCH: { kafkaError: 'INVALID_PRODUCER_EPOCH', retriable: false },
  /** A transaction marker from a coordinator older than the last one that wrote to this producer here. */
  STG_TXN_COORDINATOR_FENCED: { kafkaError: 'TRANSACTION_COORDINATOR_FENCED', retriable: false },
} as const satisfies Record<string, { kafkaError: ErrorName; retriable: boolean }>;

export type StorageErrorCode = keyof typeof STORAGE_ERRORS;

export class StorageError extends ModuleError<StorageErrorCode> {
  override readonly name = 'StorageError';

  constructor(code: StorageErrorCode, message: string, options: Pick<ModuleErrorOptions, 'cause' | 'retriable'> = {}) {
    super(STORAGE_ERRORS, code, message, options);
  }
}

/**
 * Whether `err` is the disk failing (Kafka's IOException): our STG_IO, or a Node filesystem error
 * (it names the syscall: EIO, ENOSPC, EROFS, ENOENT of a file we own, …). Such an error takes the
 * whole log directory offline; validation errors and closed logs do not.
 */
export function isIoError(err: unknown): boolean {
  if (err instanceof StorageError) return err.code === 'STG_IO';
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; syscall?: unknown };
  return typeof e.code === 'string' && typeof e.syscall === 'string';
}

export function ioError(what: string, err: unknown): StorageError {
  if (err instanceof StorageError) return err;
  return new StorageError('STG_IO', `${what}: ${messageOf(err)}`, { cause: err });
}
