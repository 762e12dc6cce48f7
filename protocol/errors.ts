/**
 * The one error type of protocol/: every decoding problem (short input, lying length, bad magic,
 * corrupt compressed data, unknown api) surfaces as a ProtocolError with a stable string code, so
 * the network layer can answer or close the connection without parsing messages. Each code names
 * the Kafka error a client is told when it meets one inside a request that did decode (e.g. a
 * record batch a handler parses). Decoding problems are properties of the bytes: sending the same
 * bytes again cannot help, so none is retriable.
 */
import { messageOf, ModuleError, type ModuleErrorOptions } from '../common/index.js';
import type { ErrorName } from './error-codes.js';

export const PROTOCOL_ERRORS = {
  /** A SCRAM exchange failed (bad proof, malformed message, unknown user). */
  PRT_SCRAM: { kafkaError: 'SASL_AUTHENTICATION_FAILED', retriable: false },
  PRT_TRUNCATED: { kafkaError: 'CORRUPT_MESSAGE', retriable: false },
  PRT_INVALID_LENGTH: { kafkaError: 'CORRUPT_MESSAGE', retriable: false },
  PRT_INVALID_VARINT: { kafkaError: 'CORRUPT_MESSAGE', retriable: false },
  PRT_INVALID_MAGIC: { kafkaError: 'INVALID_RECORD', retriable: false },
  PRT_CORRUPT_BATCH: { kafkaError: 'CORRUPT_MESSAGE', retriable: false },
  PRT_FRAME_TOO_LARGE: { kafkaError: 'INVALID_REQUEST', retriable: false },
  PRT_UNSUPPORTED_VERSION: { kafkaError: 'UNSUPPORTED_VERSION', retriable: false },
  PRT_UNKNOWN_API: { kafkaError: 'INVALID_REQUEST', retriable: false },
  PRT_UNSUPPORTED_COMPRESSION: { kafkaError: 'UNSUPPORTED_COMPRESSION_TYPE', retriable: false },
  PRT_COMPRESSION: { kafkaError: 'CORRUPT_MESSAGE', retriable: false },
  /** A broker↔broker msgpack frame that does not parse: never seen by a Kafka client. */
  PRT_INVALID_FRAME: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false },
  /** We could not encode something: our bug, not the client's. */
  PRT_ENCODE: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false },
} as const satisfies Record<string, { kafkaError: ErrorName; retriable: boolean }>;

export type ProtocolErrorCode = keyof typeof PROTOCOL_ERRORS;

export class ProtocolError extends ModuleError<ProtocolErrorCode> {
  override readonly name = 'ProtocolError';

  constructor(code: ProtocolErrorCode, message: string, options: Pick<ModuleErrorOptions, 'cause'> = {}) {
    super(PROTOCOL_ERRORS, code, message, options);
  }
}

/** Wraps anything a third-party codec throws so callers only ever see ProtocolError. */
export function asProtocolError(code: ProtocolErrorCode, what: string, err: unknown): ProtocolError {
  if (err instanceof ProtocolError) return err;
  return new ProtocolError(code, `${what}: ${messageOf(err)}`, { cause: err });
}
