/**
 * The HTTP error model: every non-2xx answer is `{ error: { code, message, details? } }`. `code`
 * is Kafka's error name when the failure is a Kafka one (TOPIC_ALREADY_EXISTS,
 * UNKNOWN_TOPIC_OR_PARTITION, …), so the HTTP API and the Kafka admin APIs say the same thing;
 * HTTP-only failures use INVALID_REQUEST (bad input), NOT_FOUND (no such route),
 * NOT_IMPLEMENTED, UNSUPPORTED_MEDIA_TYPE, PAYLOAD_TOO_LARGE and UNKNOWN_SERVER_ERROR.
 */
import type { ErrorName } from '../../protocol/index.js';
import { BrokerError, kafkaErrorName } from '../errors.js';

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** An HTTP answer decided by a route itself: its status and name are given, not derived. */
export class AdminHttpError extends BrokerError<'BRK_ADMIN_HTTP'> {
  override readonly name = 'AdminHttpError';
  constructor(
    readonly statusCode: number,
    readonly errorCode: string,
    message: string,
    readonly details?: Record<string, unknown>,
    retriable = statusCode === 503,
  ) {
    super('BRK_ADMIN_HTTP', message, { retriable });
  }
}

/**
 * Kafka error name → HTTP status, the one table. It lists every name a broker-side module error
 * can be declared with (test/unit/errors-catalog.test.ts keeps it so); a relayed name not listed
 * here is a server error (500).
 */
export const HTTP_STATUS_BY_KAFKA_ERROR: Readonly<Partial<Record<ErrorName, number>>> = {
  INVALID_REQUEST: 400,
  INVALID_TOPIC_EXCEPTION: 400,
  INVALID_CONFIG: 400,
  POLICY_VIOLATION: 400,
  INVALID_PARTITIONS: 400,
  INVALID_REPLICATION_FACTOR: 400,
  INVALID_REPLICA_ASSIGNMENT: 400,
  INVALID_GROUP_ID: 400,
  INVALID_COMMIT_OFFSET_SIZE: 400,
  OFFSET_OUT_OF_RANGE: 400,
  CORRUPT_MESSAGE: 400,
  INVALID_RECORD: 400,
  INVALID_TIMESTAMP: 400,
  MESSAGE_TOO_LARGE: 400,
  INVALID_REQUIRED_ACKS: 400,
  UNSUPPORTED_VERSION: 400,
  UNSUPPORTED_COMPRESSION_TYPE: 400,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 400,
  INVALID_PRODUCER_EPOCH: 400,
  RECORD_LIST_TOO_LARGE: 400,
  CLUSTER_AUTHORIZATION_FAILED: 403,
  SASL_AUTHENTICATION_FAILED: 401,
  UNKNOWN_TOPIC_OR_PARTITION: 404,
  GROUP_ID_NOT_FOUND: 404,
  TOPIC_ALREADY_EXISTS: 409,
  NON_EMPTY_GROUP: 409,
  TRANSACTION_COORDINATOR_FENCED: 409,
  REASSIGNMENT_IN_PROGRESS: 409,
  NO_REASSIGNMENT_IN_PROGRESS: 409,
  TOPIC_DELETION_DISABLED: 409,
  STALE_CONTROLLER_EPOCH: 409,
  STALE_BROKER_EPOCH: 409,
  NOT_CONTROLLER: 503,
  BROKER_NOT_AVAILABLE: 503,
  COORDINATOR_NOT_AVAILABLE: 503,
  COORDINATOR_LOAD_IN_PROGRESS: 503,
  NOT_COORDINATOR: 503,
  REQUEST_TIMED_OUT: 503,
  NETWORK_EXCEPTION: 503,
  LEADER_NOT_AVAILABLE: 503,
  NOT_LEADER_OR_FOLLOWER: 503,
  NOT_ENOUGH_REPLICAS: 503,
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: 503,
  FENCED_LEADER_EPOCH: 503,
  UNKNOWN_LEADER_EPOCH: 503,
  KAFKA_STORAGE_ERROR: 500,
  UNKNOWN_SERVER_ERROR: 500,
};

const FASTIFY_STATUS_CODES: Readonly<Record<number, string>> = {
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

export interface HttpFailure {
  readonly statusCode: number;
  readonly body: ErrorBody;
}

/**
 * Any thrown value → status and body. `controllerId` is asked only for NOT_CONTROLLER, so the
 * caller can send the request to the broker that can serve it.
 */
export function toHttpFailure(err: unknown, controllerId: () => number): HttpFailure {
  const message = (err as { message?: unknown })?.message;
  const text = typeof message === 'string' && message.length > 0 ? message : String(err);
  if (err instanceof AdminHttpError) {
    return failure(err.statusCode, err.errorCode, text, err.details);
  }
  const fastify = err as { validation?: unknown; statusCode?: unknown; code?: unknown };
  if (fastify?.validation !== undefined) return failure(400, 'INVALID_REQUEST', text);
  if (typeof fastify?.code === 'string' && fastify.code.startsWith('FST_') && typeof fastify.statusCode === 'number' && fastify.statusCode < 500) {
    return failure(fastify.statusCode, FASTIFY_STATUS_CODES[fastify.statusCode] ?? 'INVALID_REQUEST', text);
  }
  const name = kafkaErrorName(err);
  const status = HTTP_STATUS_BY_KAFKA_ERROR[name];
  if (status === undefined) return failure(500, 'UNKNOWN_SERVER_ERROR', text);
  if (name === 'NOT_CONTROLLER') return failure(status, name, text, { controllerId: safeControllerId(controllerId) });
  return failure(status, name, text);
}

function safeControllerId(controllerId: () => number): number {
  try {
    return controllerId();
  } catch {
    return -1;
  }
}

function failure(statusCode: number, code: string, message: string, details?: Record<string, unknown>): HttpFailure {
  return { statusCode, body: { error: details === undefined ? { code, message } : { code, message, details } } };
}

export const notFound = (what: string): AdminHttpError => new AdminHttpError(404, 'NOT_FOUND', what);
export const notImplemented = (what: string): AdminHttpError =>
  new AdminHttpError(501, 'NOT_IMPLEMENTED', `${what} is not available on this broker yet`);
export const invalidRequest = (message: string): AdminHttpError => new AdminHttpError(400, 'INVALID_REQUEST', message);
