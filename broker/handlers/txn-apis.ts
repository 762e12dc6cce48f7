/**
 * The transaction APIs a producer and an admin client use (AddPartitionsToTxn, AddOffsetsToTxn,
 * EndTxn, DescribeTransactions, ListTransactions; InitProducerId has its own file because it also
 * serves idempotent producers) as one bundle the composition root registers. Each translates wire
 * versions to the TxnCoordinator (broker/txn/) and back. TxnOffsetCommit belongs to the group
 * coordinator (group-apis.ts).
 */
import type { Logger } from 'pino';
import { ErrorCode } from '../../protocol/index.js';
import type { MetadataCache } from '../metadata/index.js';
import type { KafkaHandler } from '../request-context.js';
import type { TxnCoordinator } from '../txn/index.js';
import { createAddOffsetsToTxnHandler } from './add-offsets-to-txn.js';
import { createAddPartitionsToTxnHandler } from './add-partitions-to-txn.js';
import { createDescribeTransactionsHandler } from './describe-transactions.js';
import { createEndTxnHandler } from './end-txn.js';
import { createListTransactionsHandler } from './list-transactions.js';

export interface TxnApiDeps {
  readonly coordinator: TxnCoordinator;
  /** Which partitions exist (AddPartitionsToTxn refuses unknown ones). */
  readonly metadata: MetadataCache;
  /** The `__consumer_offsets` partition of a group (AddOffsetsToTxn adds it to the transaction). */
  readonly groupPartitionFor: (groupId: string) => number;
  readonly logger?: Logger;
}

/** PRODUCER_FENCED exists from these versions of AddPartitionsToTxn, AddOffsetsToTxn and EndTxn (KIP-588); older clients get INVALID_PRODUCER_EPOCH. */
export const PRODUCER_FENCED_TXN_VERSION = 2;

export function fencedForVersion(errorCode: number, apiVersion: number): number {
  return errorCode === ErrorCode.PRODUCER_FENCED && apiVersion < PRODUCER_FENCED_TXN_VERSION ? ErrorCode.INVALID_PRODUCER_EPOCH : errorCode;
}

export function txnApiHandlers(deps: TxnApiDeps): KafkaHandler[] {
  return [
    createAddPartitionsToTxnHandler(deps),
    createAddOffsetsToTxnHandler(deps),
    createEndTxnHandler(deps),
    createDescribeTransactionsHandler(deps),
    createListTransactionsHandler(deps),
  ];
}
