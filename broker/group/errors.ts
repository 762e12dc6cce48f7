/**
 * The group coordinator's error classes (their codes are declared in broker/errors.ts with the
 * rest of broker/), and Kafka's mapping of an offsets-log append failure to what a group client
 * is told. The Kafka codes the coordinator answers with are protocol/'s ErrorCode.
 */
import { kafkaErrorOf } from '../../common/index.js';
import { ErrorCode, type ErrorName } from '../../protocol/index.js';
import { BrokerError } from '../errors.js';

export type GroupFailureCode =
  | 'BRK_GROUP_ILLEGAL_TRANSITION'
  | 'BRK_GROUP_CODEC'
  | 'BRK_GROUP_INTERNAL'
  | 'BRK_GROUP_ID_NOT_FOUND'
  | 'BRK_GROUP_NOT_EMPTY';

/**
 * A bug or corrupt input inside the coordinator, or (GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP) an
 * admin path refusing a group operation the way DeleteGroups does.
 */
export class GroupCoordinatorError extends BrokerError<GroupFailureCode> {
  override readonly name = 'GroupCoordinatorError';
}

export type OffsetsLogFailureCode =
  | 'BRK_GROUP_OFFSETS_TOPIC_UNAVAILABLE'
  | 'BRK_GROUP_OFFSETS_APPEND'
  | 'BRK_GROUP_OFFSETS_TIMEOUT'
  | 'BRK_GROUP_OFFSETS_READ';

/**
 * A failure of the replicated `__consumer_offsets` log under the coordinator. Retriable: the
 * partition may get a leader, replicas may catch up. An append failure carries the append's Kafka
 * error (`kafkaError`), which feeds appendErrorToGroupError.
 */
export class OffsetsLogError extends BrokerError<OffsetsLogFailureCode> {
  override readonly name = 'OffsetsLogError';

  constructor(code: OffsetsLogFailureCode, message: string, appendError?: ErrorName) {
    super(code, message, appendError === undefined ? {} : { kafkaError: appendError });
  }
}

/**
 * What an offsets-store failure means to a client, as Kafka's GroupMetadataManager maps produce
 * errors. The store's error says its Kafka cause through its declared (or relayed) kafkaError.
 */
export function appendErrorToGroupError(err: unknown, forOffsetCommit: boolean): number {
  const name = kafkaErrorOf(err);
  switch (name) {
    case 'UNKNOWN_TOPIC_OR_PARTITION':
    case 'NOT_ENOUGH_REPLICAS':
    case 'NOT_ENOUGH_REPLICAS_AFTER_APPEND':
    case 'REQUEST_TIMED_OUT':
    case 'COORDINATOR_NOT_AVAILABLE':
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case 'NOT_LEADER_OR_FOLLOWER':
    case 'KAFKA_STORAGE_ERROR':
    case 'NOT_COORDINATOR':
      return ErrorCode.NOT_COORDINATOR;
    case 'MESSAGE_TOO_LARGE':
    case 'RECORD_LIST_TOO_LARGE':
    case 'INVALID_FETCH_SIZE':
      return forOffsetCommit ? ErrorCode.INVALID_COMMIT_OFFSET_SIZE : ErrorCode.UNKNOWN_SERVER_ERROR;
    default:
      // An unexplained failure is most likely a lost or slow replica: let the client retry.
      return name === undefined ? ErrorCode.COORDINATOR_NOT_AVAILABLE : ErrorCode.UNKNOWN_SERVER_ERROR;
  }
}
