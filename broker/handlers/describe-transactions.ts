/**
 * DescribeTransactions (key 65), v0 (KIP-664): the coordinator's state of each transactional id
 * placed on this broker; others answer NOT_COORDINATOR (an admin client asks each id's
 * coordinator, found with FindCoordinator key type 1).
 */
import { ApiKey, type Decoded, type DescribeTransactionsRequest, type DescribeTransactionsResponse } from '../../protocol/index.js';
import type { ApiHandler } from '../request-context.js';
import type { TxnApiDeps } from './txn-apis.js';

type State = DescribeTransactionsResponse['transactionStates'][number];

function byTopic(partitions: readonly { topic: string; partition: number }[]): State['topics'] {
  const topics = new Map<string, number[]>();
  for (const p of partitions) topics.set(p.topic, [...(topics.get(p.topic) ?? []), p.partition]);
  return [...topics].map(([topic, ids]) => ({ topic, partitions: ids }));
}

export function createDescribeTransactionsHandler(deps: TxnApiDeps): ApiHandler<typeof ApiKey.DescribeTransactions> {
  const blank = (transactionalId: string, errorCode: number): State => ({
    errorCode, transactionalId, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: -1n, producerId: -1n, producerEpoch: -1, topics: [],
  });
  return {
    apiKey: ApiKey.DescribeTransactions,
    minVersion: 0,
    maxVersion: 0,
    async handle(_ctx, body) {
      const r = body as Decoded<DescribeTransactionsRequest>;
      return {
        throttleTimeMs: 0,
        transactionStates: r.transactionalIds.map((id) => {
          const d = deps.coordinator.describe(id);
          if (d.errorCode !== 0) return blank(id, d.errorCode);
          return {
            errorCode: 0,
            transactionalId: id,
            transactionState: d.state,
            transactionTimeoutMs: d.timeoutMs,
            transactionStartTimeMs: BigInt(d.startTimeMs),
            producerId: d.producerId,
            producerEpoch: d.producerEpoch,
            topics: byTopic(d.partitions),
          };
        }),
      };
    },
    errorResponse: (_ctx, request, errorCode) => ({
      throttleTimeMs: 0,
      transactionStates: (request as Decoded<DescribeTransactionsRequest>).transactionalIds.map((id) => blank(id, errorCode)),
    }),
  };
}
