/**
 * Typed coordination errors. Every ZooKeeper failure surfaces as a CoordinationError with a
 * string code, so callers switch on `code` rather than on the library's numeric exceptions. Each
 * code names the Kafka error a client is told when it surfaces in a request (coordination/ may not
 * import protocol/, so the names are checked by test/unit/errors-catalog.test.ts).
 */
import { type ErrorTable, ModuleError } from '../common/index.js';

export const COORDINATION_ERRORS = {
  /** The znode is missing; in a request that is a topic or partition that does not exist. */
  CRD_NO_NODE: { kafkaError: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: false },
  CRD_NODE_EXISTS: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false },
  CRD_BAD_VERSION: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false },
  CRD_NOT_EMPTY: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false },
  CRD_NO_CHILDREN_FOR_EPHEMERALS: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false },
  /** A ZooKeeper hiccup is worth a client retry. */
  CRD_CONNECTION_LOSS: { kafkaError: 'REQUEST_TIMED_OUT', retriable: true },
  CRD_SESSION_EXPIRED: { kafkaError: 'REQUEST_TIMED_OUT', retriable: true },
  CRD_TIMEOUT: { kafkaError: 'REQUEST_TIMED_OUT', retriable: true },
  CRD_CLOSED: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false },
  CRD_BAD_ARGUMENTS: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false },
  CRD_DATA_TOO_LARGE: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false },
  CRD_BAD_DATA: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false },
  /** The znode's ACL does not let this session's identity do that (zookeeper.set.acl). */
  CRD_NO_AUTH: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false },
  /** Another controller was elected: the client asks the new one. */
  CRD_CONTROLLER_MOVED: { kafkaError: 'NOT_CONTROLLER', retriable: false },
  CRD_DUPLICATE_BROKER: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false },
  CRD_CLUSTER_ID_MISMATCH: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false },
  CRD_UNKNOWN: { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false },
} as const satisfies ErrorTable<string>;

export type CoordinationErrorCode = keyof typeof COORDINATION_ERRORS;

export class CoordinationError extends ModuleError<CoordinationErrorCode> {
  override readonly name = 'CoordinationError';
  readonly path: string | undefined;
  /** For a failed multi: index of the op that failed. */
  readonly opIndex: number | undefined;

  constructor(code: CoordinationErrorCode, message: string, options: { path?: string; opIndex?: number; cause?: unknown } = {}) {
    super(COORDINATION_ERRORS, code, message, options.cause === undefined ? {} : { cause: options.cause });
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
  [-102]: 'CRD_NO_AUTH',
};

export function codeForZkError(zkCode: number): CoordinationErrorCode {
  return ZK_CODES[zkCode] ?? 'CRD_UNKNOWN';
}

export function isCoordinationError(err: unknown, code?: CoordinationErrorCode): err is CoordinationError {
  return err instanceof CoordinationError && (code === undefined || err.code === code);
}
