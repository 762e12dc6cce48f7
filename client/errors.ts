/**
 * Client errors. One class, a string `code` (`CLI_*`) and a `retriable` flag that drives the
 * sender's and the fetcher's retry decisions. Errors that came from a broker also carry the
 * Kafka error name and number (`kafkaName`, `kafkaCode`), so callers can match on Kafka's words.
 */

export const CLIENT_ERROR_CODES = [
  'CLI_BROKER_ERROR', // a broker answered with a non-zero Kafka error code
  'CLI_CONNECTION', // TCP connect/reset/closed
  'CLI_REQUEST_TIMEOUT', // no response within requestTimeoutMs
  'CLI_UNSUPPORTED_VERSION', // no API version both sides speak
  'CLI_PROTOCOL', // a frame we could not decode, an unexpected correlation id
  'CLI_METADATA', // topic/partition/leader unknown after refreshing
  'CLI_BUFFER_EXHAUSTED', // bufferMemory full for longer than maxBlockMs
  'CLI_DELIVERY_TIMEOUT', // a batch was not acknowledged within deliveryTimeoutMs
  'CLI_RECORD_TOO_LARGE', // a single record exceeds maxRequestSize / bufferMemory
  'CLI_CLOSED', // the producer/consumer/connection was closed
  'CLI_SERIALIZATION', // a serializer could not encode a value
  'CLI_INVALID_CONFIG', // an option is out of range
  'CLI_INVALID_ASSIGNMENT', // a ConsumerProtocol payload is malformed
  'CLI_PRODUCER_FENCED', // idempotence state cannot be recovered
] as const;

export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[number];

export interface KafkaClientErrorOptions {
  retriable?: boolean;
  cause?: unknown;
  /** Kafka's error name (e.g. `NOT_LEADER_OR_FOLLOWER`) when the error came from a broker. */
  kafkaName?: string;
  /** Kafka's numeric error code when the error came from a broker. */
  kafkaCode?: number;
  /** The broker (`nodeId` or `host:port`) involved, when known. */
  broker?: string;
}

export class KafkaClientError extends Error {
  readonly code: ClientErrorCode;
  readonly retriable: boolean;
  readonly kafkaName: string | undefined;
  readonly kafkaCode: number | undefined;
  readonly broker: string | undefined;

  constructor(code: ClientErrorCode, message: string, options: KafkaClientErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KafkaClientError';
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.kafkaName = options.kafkaName;
    this.kafkaCode = options.kafkaCode;
    this.broker = options.broker;
  }
}

/** Description of one Kafka error code, as `protocol.errorInfo(code)` gives it. */
export interface KafkaErrorInfo {
  code: number;
  name: string;
  retriable: boolean;
  message: string;
}

/** A broker error, carrying Kafka's name/number and retriability. */
export function brokerError(info: KafkaErrorInfo, context: string, broker?: string): KafkaClientError {
  return new KafkaClientError('CLI_BROKER_ERROR', `${context}: ${info.name} (${info.code}): ${info.message}`, {
    retriable: info.retriable,
    kafkaName: info.name,
    kafkaCode: info.code,
    ...(broker === undefined ? {} : { broker }),
  });
}

/** Kafka error names after which cached metadata is stale (KafkaJS `staleMetadata`). */
const STALE_METADATA_ERRORS = new Set([
  'NOT_LEADER_OR_FOLLOWER',
  'NOT_LEADER_FOR_PARTITION',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'KAFKA_STORAGE_ERROR',
  'NOT_ENOUGH_REPLICAS',
]);

export function isStaleMetadata(err: unknown): boolean {
  if (!(err instanceof KafkaClientError)) return false;
  if (err.code === 'CLI_CONNECTION' || err.code === 'CLI_REQUEST_TIMEOUT') return true;
  return err.kafkaName !== undefined && STALE_METADATA_ERRORS.has(err.kafkaName);
}

export function isRetriable(err: unknown): boolean {
  return err instanceof KafkaClientError && err.retriable;
}
