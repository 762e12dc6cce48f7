/**
 * The HTTP error model: every non-2xx answer is `{ error: { code, message, details? } }`. `code`
 * is Kafka's error name when the failure is a Kafka one (TOPIC_ALREADY_EXISTS,
 * UNKNOWN_TOPIC_OR_PARTITION, …), so the HTTP API and the Kafka admin APIs say the same thing;
 * HTTP-only failures use INVALID_REQUEST (bad input), NOT_FOUND (no such route),
 * NOT_IMPLEMENTED, UNSUPPORTED_MEDIA_TYPE, PAYLOAD_TOO_LARGE and UNKNOWN_SERVER_ERROR.
 */
import { errorInfo } from '../../protocol/index.js';

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export class AdminHttpError extends Error {
  override readonly name = 'AdminHttpError';
  readonly code = 'BRK_ADMIN_HTTP';
  constructor(
    readonly statusCode: number,
    readonly errorCode: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly retriable = statusCode === 503,
  ) {
    super(message);
  }
}

/** Kafka error name → HTTP status. Names not listed are server errors (500). */
const STATUS_BY_KAFKA_ERROR: Readonly<Record<string, number>> = {
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
  INVALID_RECORD: 400,
  CORRUPT_MESSAGE: 400,
  MESSAGE_TOO_LARGE: 400,
  RECORD_LIST_TOO_LARGE: 400,
  UNKNOWN_TOPIC_OR_PARTITION: 404,
  GROUP_ID_NOT_FOUND: 404,
  TOPIC_ALREADY_EXISTS: 409,
  NON_EMPTY_GROUP: 409,
  REASSIGNMENT_IN_PROGRESS: 409,
  NO_REASSIGNMENT_IN_PROGRESS: 409,
  TOPIC_DELETION_DISABLED: 409,
  NOT_CONTROLLER: 503,
  BROKER_NOT_AVAILABLE: 503,
  COORDINATOR_NOT_AVAILABLE: 503,
  COORDINATOR_LOAD_IN_PROGRESS: 503,
  NOT_COORDINATOR: 503,
  REQUEST_TIMED_OUT: 503,
  LEADER_NOT_AVAILABLE: 503,
  NOT_LEADER_OR_FOLLOWER: 503,
  NOT_ENOUGH_REPLICAS: 503,
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: 503,
};

/** Module codes (thrown by other modules) that mean something an operator can retry or fix. */
const KAFKA_NAME_BY_MODULE_CODE: Readonly<Record<string, string>> = {
  BRK_NOT_CONTROLLER: 'NOT_CONTROLLER',
  CRD_CONTROLLER_MOVED: 'NOT_CONTROLLER',
  CRD_CONNECTION_LOSS: 'REQUEST_TIMED_OUT',
  CRD_TIMEOUT: 'REQUEST_TIMED_OUT',
  CRD_SESSION_EXPIRED: 'REQUEST_TIMED_OUT',
  BRK_SHUTTING_DOWN: 'BROKER_NOT_AVAILABLE',
};

const FASTIFY_STATUS_CODES: Readonly<Record<number, string>> = {
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/** The Kafka error name an error carries (`errorCode` as a name or a number, or a module code). */
export function kafkaErrorName(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { errorCode, code } = err as { errorCode?: unknown; code?: unknown };
  if (typeof errorCode === 'string') return errorCode;
  if (typeof errorCode === 'number') return errorInfo(errorCode).name;
  if (typeof code === 'string') return KAFKA_NAME_BY_MODULE_CODE[code];
  return undefined;
}

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
  if (name !== undefined && STATUS_BY_KAFKA_ERROR[name] !== undefined) {
    const status = STATUS_BY_KAFKA_ERROR[name]!;
    if (name === 'NOT_CONTROLLER') return failure(status, name, text, { controllerId: safeControllerId(controllerId) });
    return failure(status, name, text);
  }
  return failure(500, 'UNKNOWN_SERVER_ERROR', text);
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
