/**
 * The Kafka error codes the group coordinator answers with, taken from protocol/'s one table
 * (Kafka's Errors.java). Listed here so that what the coordinator can say is visible at a glance.
 */
import { ErrorCode } from '../../protocol/index.js';

export const GroupErrorCode = {
  UNKNOWN_SERVER_ERROR: ErrorCode.UNKNOWN_SERVER_ERROR,
  NONE: ErrorCode.NONE,
  OFFSET_OUT_OF_RANGE: ErrorCode.OFFSET_OUT_OF_RANGE,
  UNKNOWN_TOPIC_OR_PARTITION: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  INVALID_FETCH_SIZE: ErrorCode.INVALID_FETCH_SIZE,
  NOT_LEADER_OR_FOLLOWER: ErrorCode.NOT_LEADER_OR_FOLLOWER,
  REQUEST_TIMED_OUT: ErrorCode.REQUEST_TIMED_OUT,
  MESSAGE_TOO_LARGE: ErrorCode.MESSAGE_TOO_LARGE,
  OFFSET_METADATA_TOO_LARGE: ErrorCode.OFFSET_METADATA_TOO_LARGE,
  COORDINATOR_LOAD_IN_PROGRESS: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  COORDINATOR_NOT_AVAILABLE: ErrorCode.COORDINATOR_NOT_AVAILABLE,
  NOT_COORDINATOR: ErrorCode.NOT_COORDINATOR,
  RECORD_LIST_TOO_LARGE: ErrorCode.RECORD_LIST_TOO_LARGE,
  NOT_ENOUGH_REPLICAS: ErrorCode.NOT_ENOUGH_REPLICAS,
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
  ILLEGAL_GENERATION: ErrorCode.ILLEGAL_GENERATION,
  INCONSISTENT_GROUP_PROTOCOL: ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
  INVALID_GROUP_ID: ErrorCode.INVALID_GROUP_ID,
  UNKNOWN_MEMBER_ID: ErrorCode.UNKNOWN_MEMBER_ID,
  INVALID_SESSION_TIMEOUT: ErrorCode.INVALID_SESSION_TIMEOUT,
  REBALANCE_IN_PROGRESS: ErrorCode.REBALANCE_IN_PROGRESS,
  INVALID_COMMIT_OFFSET_SIZE: ErrorCode.INVALID_COMMIT_OFFSET_SIZE,
  KAFKA_STORAGE_ERROR: ErrorCode.KAFKA_STORAGE_ERROR,
  NON_EMPTY_GROUP: ErrorCode.NON_EMPTY_GROUP,
  GROUP_ID_NOT_FOUND: ErrorCode.GROUP_ID_NOT_FOUND,
  MEMBER_ID_REQUIRED: ErrorCode.MEMBER_ID_REQUIRED,
  GROUP_MAX_SIZE_REACHED: ErrorCode.GROUP_MAX_SIZE_REACHED,
  FENCED_INSTANCE_ID: ErrorCode.FENCED_INSTANCE_ID,
  UNSTABLE_OFFSET_COMMIT: ErrorCode.UNSTABLE_OFFSET_COMMIT,
} as const;

export type GroupErrorCodeValue = (typeof GroupErrorCode)[keyof typeof GroupErrorCode];

export type GroupFailureCode =
  | 'BRK_GROUP_ILLEGAL_TRANSITION'
  | 'BRK_GROUP_CODEC'
  | 'BRK_GROUP_INTERNAL';

/** A bug or corrupt input inside the coordinator, never a client-facing protocol answer. */
export class GroupCoordinatorError extends Error {
  override readonly name = 'GroupCoordinatorError';
  readonly retriable = false;
  constructor(
    readonly code: GroupFailureCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type OffsetsLogFailureCode =
  /** `__consumer_offsets` is missing and cannot be created now (too few live brokers, admin failure). */
  | 'BRK_GROUP_OFFSETS_TOPIC_UNAVAILABLE'
  /** An append to an offsets partition was refused or not replicated; `kafkaErrorCode` says why. */
  | 'BRK_GROUP_OFFSETS_APPEND'
  /** Reading an offsets partition back (group load) failed or made no progress. */
  | 'BRK_GROUP_OFFSETS_READ';

/**
 * A failure of the replicated `__consumer_offsets` log under the coordinator. Retriable: the
 * partition may get a leader, replicas may catch up. `kafkaErrorCode` feeds appendErrorToGroupError.
 */
export class OffsetsLogError extends Error {
  override readonly name = 'OffsetsLogError';
  readonly retriable = true;
  constructor(
    readonly code: OffsetsLogFailureCode,
    message: string,
    readonly kafkaErrorCode?: number,
  ) {
    super(message);
  }
}

/**
 * What an offsets-store failure means to a client, as Kafka's GroupMetadataManager maps produce
 * errors. A store signals a Kafka cause by putting a numeric `kafkaErrorCode` on its error.
 */
export function appendErrorToGroupError(err: unknown, forOffsetCommit: boolean): number {
  const code = kafkaCodeOf(err);
  switch (code) {
    case GroupErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case GroupErrorCode.NOT_ENOUGH_REPLICAS:
    case GroupErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case GroupErrorCode.REQUEST_TIMED_OUT:
    case GroupErrorCode.COORDINATOR_NOT_AVAILABLE:
      return GroupErrorCode.COORDINATOR_NOT_AVAILABLE;
    case GroupErrorCode.NOT_LEADER_OR_FOLLOWER:
    case GroupErrorCode.KAFKA_STORAGE_ERROR:
    case GroupErrorCode.NOT_COORDINATOR:
      return GroupErrorCode.NOT_COORDINATOR;
    case GroupErrorCode.MESSAGE_TOO_LARGE:
    case GroupErrorCode.RECORD_LIST_TOO_LARGE:
    case GroupErrorCode.INVALID_FETCH_SIZE:
      return forOffsetCommit ? GroupErrorCode.INVALID_COMMIT_OFFSET_SIZE : GroupErrorCode.UNKNOWN_SERVER_ERROR;
    default:
      // An unexplained failure is most likely a lost or slow replica: let the client retry.
      return code === undefined ? GroupErrorCode.COORDINATOR_NOT_AVAILABLE : GroupErrorCode.UNKNOWN_SERVER_ERROR;
  }
}

function kafkaCodeOf(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'kafkaErrorCode' in err) {
    const code = (err as { kafkaErrorCode: unknown }).kafkaErrorCode;
    if (typeof code === 'number') return code;
  }
  return undefined;
}
