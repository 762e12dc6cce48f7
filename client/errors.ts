/**
 * Client errors. One class, a string `code` (`CLI_*`) and a `retriable` flag that drives the
 * sender's and the fetcher's retry decisions. Every code names the Kafka error it stands for
 * (`kafkaError`: what Kafka's own client reports for it, as Errors.forException maps its
 * exceptions; UNKNOWN_SERVER_ERROR where Kafka has no word). An error a broker answered with
 * (CLI_BROKER_ERROR) carries the broker's Kafka name and number (`kafkaError`, `kafkaCode`), so
 * callers can match on Kafka's words.
 */
import { messageOf, ModuleError } from '../common/index.js';
import { ErrorCode, isErrorName, type ErrorInfo, type ErrorName } from '../protocol/index.js';

export const CLIENT_ERRORS = {
  /** A broker answered with a non-zero Kafka error code (relayed as is). */
  CLI_BROKER_ERROR: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false, relayed: true },
  /** TCP connect/reset/closed. */
  CLI_CONNECTION: { kafkaError: 'NETWORK_EXCEPTION', retriable: false },
  /** No response within requestTimeoutMs. */
  CLI_REQUEST_TIMEOUT: { kafkaError: 'REQUEST_TIMED_OUT', retriable: false },
  /** No API version both sides speak. */
  CLI_UNSUPPORTED_VERSION: { kafkaError: 'UNSUPPORTED_VERSION', retriable: false },
  /** A frame we could not decode, an unexpected correlation id. */
  CLI_PROTOCOL: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false },
  /** Topic/partition/leader unknown after refreshing. */
  CLI_METADATA: { kafkaError: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: false },
  /** bufferMemory full for longer than maxBlockMs. */
  CLI_BUFFER_EXHAUSTED: { kafkaError: 'REQUEST_TIMED_OUT', retriable: false },
  /** A batch was not acknowledged within deliveryTimeoutMs. */
  CLI_DELIVERY_TIMEOUT: { kafkaError: 'REQUEST_TIMED_OUT', retriable: false },
  /** A single record exceeds maxRequestSize / bufferMemory. */
  CLI_RECORD_TOO_LARGE: { kafkaError: 'MESSAGE_TOO_LARGE', retriable: false },
  /** The producer/consumer/connection was closed. */
  CLI_CLOSED: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false },
  /** SASL refused (wrong password, unknown user, mechanism not offered) or the broker's SCRAM signature was wrong. */
  CLI_AUTHENTICATION: { kafkaError: 'SASL_AUTHENTICATION_FAILED', retriable: false },
  /** A serializer could not encode a value. */
  CLI_SERIALIZATION: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false },
  /** An option is out of range. */
  CLI_INVALID_CONFIG: { kafkaError: 'INVALID_CONFIG', retriable: false },
  /** A ConsumerProtocol payload is malformed. */
  CLI_INVALID_ASSIGNMENT: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false },
  /** Idempotence state cannot be recovered. */
  CLI_PRODUCER_FENCED: { kafkaError: 'PRODUCER_FENCED', retriable: false },
  /** A transactional call in the wrong state (send outside a transaction, two at once, after a fatal error). */
  CLI_TXN_STATE: { kafkaError: 'INVALID_TXN_STATE', retriable: false },
  /** An earlier operation of the transaction failed: it can only be aborted (the cause says why). */
  CLI_TXN_ABORTABLE: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false },
} as const satisfies Record<string, { kafkaError: ErrorName; retriable: boolean; relayed?: true }>;

export type ClientErrorCode = keyof typeof CLIENT_ERRORS;

interface KafkaClientErrorOptions {
  retriable?: boolean;
  cause?: unknown;
  /** Kafka's error name when the error came from a broker (CLI_BROKER_ERROR). */
  kafkaError?: ErrorName;
  /** The broker (`nodeId` or `host:port`) involved, when known. */
  broker?: string;
}

export class KafkaClientError extends ModuleError<ClientErrorCode> {
  override readonly name = 'KafkaClientError';
  /** Kafka's numeric error code when the error came from a broker. */
  readonly kafkaCode: number | undefined;
  readonly broker: string | undefined;

  constructor(code: ClientErrorCode, message: string, options: KafkaClientErrorOptions = {}) {
    super(CLIENT_ERRORS, code, message, options);
    this.kafkaCode = code === 'CLI_BROKER_ERROR' && isErrorName(this.kafkaError) ? ErrorCode[this.kafkaError] : undefined;
    this.broker = options.broker;
  }
}

/** Any thrown value as a client error (a foreign one becomes a non-retriable CLI_PROTOCOL). */
export function asClientError(err: unknown): KafkaClientError {
  return err instanceof KafkaClientError ? err : new KafkaClientError('CLI_PROTOCOL', messageOf(err), { cause: err });
}

/** A broker error, carrying Kafka's name/number and retriability. */
export function brokerError(info: ErrorInfo, context: string, broker?: string): KafkaClientError {
  return new KafkaClientError('CLI_BROKER_ERROR', `${context}: ${info.name} (${info.code}): ${info.message}`, {
    retriable: info.retriable,
    kafkaError: isErrorName(info.name) ? info.name : 'UNKNOWN_SERVER_ERROR',
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
  return err.code === 'CLI_BROKER_ERROR' && STALE_METADATA_ERRORS.has(err.kafkaError);
}
