/**
 * The one error type of protocol/: every decoding problem (short input, lying length, bad magic,
 * corrupt compressed data, unknown api) surfaces as a ProtocolError with a stable string code, so
 * the network layer can answer or close the connection without parsing messages.
 */
export type ProtocolErrorCode =
  | 'PRT_TRUNCATED'
  | 'PRT_INVALID_LENGTH'
  | 'PRT_INVALID_VARINT'
  | 'PRT_INVALID_MAGIC'
  | 'PRT_CORRUPT_BATCH'
  | 'PRT_FRAME_TOO_LARGE'
  | 'PRT_UNSUPPORTED_VERSION'
  | 'PRT_UNKNOWN_API'
  | 'PRT_UNSUPPORTED_COMPRESSION'
  | 'PRT_COMPRESSION'
  | 'PRT_INVALID_FRAME'
  | 'PRT_ENCODE';

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly code: ProtocolErrorCode;
  /** Decoding problems are properties of the bytes: sending the same bytes again cannot help. */
  readonly retriable: boolean;

  constructor(code: ProtocolErrorCode, message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

/** Wraps anything a third-party codec throws so callers only ever see ProtocolError. */
export function asProtocolError(code: ProtocolErrorCode, what: string, err: unknown): ProtocolError {
  if (err instanceof ProtocolError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new ProtocolError(code, `${what}: ${detail}`, { cause: err });
}
