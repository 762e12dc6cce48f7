/**
 * Kafka error codes the group coordinator answers with (numbers as in Kafka's Errors.java), and
 * the coordinator's own failure type. Kept local until protocol/ publishes one shared table.
 */
export const GroupErrorCode = {
  UNKNOWN_SERVER_ERROR: -1,
  NONE: 0,
  OFFSET_OUT_OF_RANGE: 1,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  INVALID_FETCH_SIZE: 4,
  NOT_LEADER_OR_FOLLOWER: 6,
  REQUEST_TIMED_OUT: 7,
  MESSAGE_TOO_LARGE: 10,
  OFFSET_METADATA_TOO_LARGE: 12,
  COORDINATOR_LOAD_IN_PROGRESS: 14,
  COORDINATOR_NOT_AVAILABLE: 15,
  NOT_COORDINATOR: 16,
  RECORD_LIST_TOO_LARGE: 18,
  NOT_ENOUGH_REPLICAS: 19,
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: 20,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  INVALID_SESSION_TIMEOUT: 26,
  REBALANCE_IN_PROGRESS: 27,
  INVALID_COMMIT_OFFSET_SIZE: 28,
  KAFKA_STORAGE_ERROR: 56,
  NON_EMPTY_GROUP: 68,
  GROUP_ID_NOT_FOUND: 69,
  MEMBER_ID_REQUIRED: 79,
  GROUP_MAX_SIZE_REACHED: 81,
  FENCED_INSTANCE_ID: 82,
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
