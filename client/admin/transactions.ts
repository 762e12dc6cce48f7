/**
 * Admin operations on transactions (KIP-664, Kafka 3.0's Admin.listTransactions and
 * describeTransactions): ListTransactions on every broker (each coordinator knows only the
 * transactional ids of its `__transaction_state` partitions) and DescribeTransactions at the
 * coordinator of the id (FindCoordinator key type 1).
 */
import type { DescribeTransactionsRequest, DescribeTransactionsResponse, ListTransactionsRequest, ListTransactionsResponse } from '../../protocol/index.js';
import type { Cluster } from '../cluster.js';
import { CoordinatorClient } from '../coordinator-client.js';
import { brokerError } from '../errors.js';
import { API, errorInfo } from '../wire.js';

export interface TransactionListing {
  transactionalId: string;
  /** The broker whose coordinator holds the id. */
  coordinator: number;
  producerId: bigint;
  /** Kafka's words: Empty, Ongoing, PrepareCommit, PrepareAbort, CompleteCommit, CompleteAbort, PrepareEpochFence. */
  state: string;
}

export interface TransactionDescription {
  transactionalId: string;
  coordinator: number;
  producerId: bigint;
  producerEpoch: number;
  state: string;
  transactionTimeoutMs: number;
  /** When the current transaction started (epoch ms); undefined when none is open. */
  transactionStartTimeMs: number | undefined;
  topicPartitions: Array<{ topic: string; partition: number }>;
}

export interface ListTransactionsFilter {
  states?: string[];
  producerIds?: bigint[];
}

export async function listTransactions(cluster: Cluster, filter: ListTransactionsFilter = {}): Promise<TransactionListing[]> {
  if (cluster.brokers.length === 0) await cluster.refreshMetadata();
  const req: ListTransactionsRequest = { stateFilters: filter.states ?? [], producerIdFilters: filter.producerIds ?? [] };
  const perBroker = await Promise.all(
    cluster.brokers.map(async (b) => {
      const res = await cluster.connectionFor(b.nodeId).send<ListTransactionsResponse>(API.ListTransactions, req);
      if (res.errorCode !== 0) throw brokerError(errorInfo(res.errorCode), `list transactions on broker ${b.nodeId}`, String(b.nodeId));
      return res.transactionStates.map((t) => ({ transactionalId: t.transactionalId, coordinator: b.nodeId, producerId: t.producerId, state: t.transactionState }));
    }),
  );
  return perBroker.flat().sort((a, b) => (a.transactionalId < b.transactionalId ? -1 : a.transactionalId > b.transactionalId ? 1 : 0));
}

export async function describeTransaction(cluster: Cluster, transactionalId: string): Promise<TransactionDescription> {
  const client = new CoordinatorClient(cluster, transactionalId, 1);
  const req: DescribeTransactionsRequest = { transactionalIds: [transactionalId] };
  const res = await client.send<DescribeTransactionsResponse & { errorCode?: number }>(API.DescribeTransactions, req);
  const t = res.transactionStates[0];
  if (t === undefined) throw brokerError(errorInfo(-1), `describe transaction ${transactionalId}: empty answer`);
  if (t.errorCode !== 0) {
    client.noteError(t.errorCode);
    throw brokerError(errorInfo(t.errorCode), `describe transaction ${transactionalId}`);
  }
  return {
    transactionalId,
    coordinator: client.coordinatorId ?? -1,
    producerId: t.producerId,
    producerEpoch: t.producerEpoch,
    state: t.transactionState,
    transactionTimeoutMs: t.transactionTimeoutMs,
    transactionStartTimeMs: t.transactionStartTimeMs < 0n ? undefined : Number(t.transactionStartTimeMs),
    topicPartitions: t.topics.flatMap((tp) => tp.partitions.map((partition) => ({ topic: tp.topic, partition }))),
  };
}
