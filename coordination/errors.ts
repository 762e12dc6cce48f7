/**
 * Typed coordination errors. Every ZooKeeper failure surfaces as a CoordinationError with a
 * string code, so callers switch on `code` rather than on the library's numeric exceptions.
 */
export type CoordinationErrorCode =
  | 'CRD_NO_NODE'
  | 'CRD_NODE_EXISTS'
  | 'CRD_BAD_VERSION'
  | 'CRD_NOT_EMPTY'
  | 'CRD_NO_CHILDREN_FOR_EPHEMERALS'
  | 'CRD_CONNECTION_LOSS'
  | 'CRD_SESSION_EXPIRED'
  | 'CRD_TIMEOUT'
  | 'CRD_CLOSED'
  | 'CRD_BAD_ARGUMENTS'
  | 'CRD_DATA_TOO_LARGE'
  | 'CRD_BAD_DATA'
  | 'CRD_CONTROLLER_MOVED'
  | 'CRD_DUPLICATE_BROKER'
  | 'CRD_CLUSTER_ID_MISMATCH'
  | 'CRD_UNKNOWN';

const RETRIABLE: ReadonlySet<CoordinationErrorCode> = new Set(['CRD_CONNECTION_LOSS', 'CRD_TIMEOUT', 'CRD_SESSION_EXPIRED']);

export class CoordinationError extends Error {
  override readonly name = 'CoordinationError';
  readonly code: CoordinationErrorCode;
  readonly retriable: boolean;
  readonly path: string | undefined;
  /** For a failed multi: index of the op that failed. */
  readonly opIndex: number | undefined;

  constructor(code: CoordinationErrorCode, message: string, options: { path?: string; opIndex?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retriable = RETRIABLE.has(code);
    this.path = options.path;
    this.opIndex = options.opIndex;
  }
}

/** ZooKeeper's numeric error codes (KeeperException.Code) → ours. */
const ZK_CODES: Record<number, CoordinationErrorCode> = {
  [-101]: 'CRD_NO_NODE',
  [-110]: 'CRD_NODE_EXISTS',
  [-103]: 'CRD_BAD_VERSION',
  [-111]: 'CRD_NOT_EMPTY',
  [-108]: 'CRD_NO_CHILDREN_FOR_EPHEMERALS',
  [-4]: 'CRD_CONNECTION_LOSS',
  [-7]: 'CRD_TIMEOUT',
  [-112]: 'CRD_SESSION_EXPIRED',
  [-8]: 'CRD_BAD_ARGUMENTS',
};

export function codeForZkError(zkCode: number): CoordinationErrorCode {
  return ZK_CODES[zkCode] ?? 'CRD_UNKNOWN';
}

export function isCoordinationError(err: unknown, code?: CoordinationErrorCode): err is CoordinationError {
  return err instanceof CoordinationError && (code === undefined || err.code === code);
}
