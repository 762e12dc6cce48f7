/**
 * The one error type of storage/: callers (the replica manager, fetch and produce handlers) map
 * the string code to a Kafka error code (kafkaErrorName) without parsing messages.
 */
import type { ErrorName } from '../protocol/index.js';

export type StorageErrorCode =
  /** Structure or CRC32C of a batch is wrong (Kafka CORRUPT_MESSAGE). */
  | 'STG_CORRUPT_BATCH'
  /** A batch is not magic 2. */
  | 'STG_INVALID_MAGIC'
  /** Batch header is valid but its content breaks a rule (count/delta mismatch, control batch from a client). */
  | 'STG_INVALID_RECORD'
  /** Batch larger than maxMessageBytes or segmentBytes (Kafka RECORD_TOO_LARGE / RECORD_BATCH_TOO_LARGE). */
  | 'STG_RECORD_TOO_LARGE'
  /** Fetch/DeleteRecords offset outside [logStartOffset, logEndOffset] (Kafka OFFSET_OUT_OF_RANGE). */
  | 'STG_OFFSET_OUT_OF_RANGE'
  /** A follower append whose first offset is below the log end offset or not monotonic. */
  | 'STG_UNEXPECTED_APPEND_OFFSET'
  /** The log was closed or deleted. */
  | 'STG_LOG_CLOSED'
  /** A LogConfig value is out of range. */
  | 'STG_INVALID_CONFIG'
  /** A checkpoint file cannot be parsed. */
  | 'STG_CORRUPT_CHECKPOINT'
  /** The high watermark was asked to move outside [logStartOffset, logEndOffset] or backwards. */
  | 'STG_INVALID_HIGH_WATERMARK'
  /** The same partition exists in two log dirs. */
  | 'STG_DUPLICATE_LOG'
  /** A filesystem operation failed (disk full, permissions, missing directory). */
  | 'STG_IO'
  /** The log's directory failed earlier (an I/O error took it offline on this broker; Kafka KAFKA_STORAGE_ERROR). */
  | 'STG_LOG_DIR_OFFLINE'
  /** An idempotent producer's batch does not continue its sequence (Kafka OUT_OF_ORDER_SEQUENCE_NUMBER). */
  | 'STG_OUT_OF_ORDER_SEQUENCE'
  /** An idempotent producer's epoch is older than the one the partition knows (Kafka INVALID_PRODUCER_EPOCH). */
  | 'STG_INVALID_PRODUCER_EPOCH';

const RETRIABLE: ReadonlySet<StorageErrorCode> = new Set(['STG_OFFSET_OUT_OF_RANGE', 'STG_LOG_CLOSED']);

export class StorageError extends Error {
  override readonly name = 'StorageError';
  readonly code: StorageErrorCode;
  readonly retriable: boolean;

  constructor(code: StorageErrorCode, message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retriable = options.retriable ?? RETRIABLE.has(code);
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
  const detail = err instanceof Error ? err.message : String(err);
  return new StorageError('STG_IO', `${what}: ${detail}`, { cause: err });
}

/** The Kafka error a handler answers with for a storage failure. */
export function kafkaErrorName(code: StorageErrorCode): ErrorName {
  switch (code) {
    case 'STG_CORRUPT_BATCH':
    case 'STG_INVALID_MAGIC':
      return 'CORRUPT_MESSAGE';
    case 'STG_INVALID_RECORD':
      return 'INVALID_RECORD';
    case 'STG_RECORD_TOO_LARGE':
      return 'MESSAGE_TOO_LARGE';
    case 'STG_OFFSET_OUT_OF_RANGE':
      return 'OFFSET_OUT_OF_RANGE';
    case 'STG_OUT_OF_ORDER_SEQUENCE':
      return 'OUT_OF_ORDER_SEQUENCE_NUMBER';
    case 'STG_INVALID_PRODUCER_EPOCH':
      return 'INVALID_PRODUCER_EPOCH';
    case 'STG_LOG_CLOSED':
      return 'NOT_LEADER_OR_FOLLOWER';
    case 'STG_IO':
    case 'STG_LOG_DIR_OFFLINE':
    case 'STG_CORRUPT_CHECKPOINT':
    case 'STG_DUPLICATE_LOG':
      return 'KAFKA_STORAGE_ERROR';
    default:
      return 'UNKNOWN_SERVER_ERROR';
  }
}
