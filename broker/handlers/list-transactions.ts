/**
 * ListTransactions (key 66), v0 (KIP-664): the transactional ids this broker coordinates,
 * filtered by state names and producer ids (an admin client asks every broker).
 */
import { ApiKey, type Decoded, type ListTransactionsRequest, type ListTransactionsResponse } from '../../protocol/index.js';
import type { ApiHandler } from '../request-context.js';
import type { TxnApiDeps } from './txn-apis.js';

const answer = (errorCode: number): ListTransactionsResponse => ({ throttleTimeMs: 0, errorCode, unknownStateFilters: [], transactionStates: [] });

export function createListTransactionsHandler(deps: TxnApiDeps): ApiHandler<typeof ApiKey.ListTransactions> {
  return {
    apiKey: ApiKey.ListTransactions,
    minVersion: 0,
    maxVersion: 0,
    async handle(_ctx, body) {
      const r = body as Decoded<ListTransactionsRequest>;
      const l = deps.coordinator.list(r.stateFilters, r.producerIdFilters);
      return {
        throttleTimeMs: 0,
        errorCode: l.errorCode,
        unknownStateFilters: l.unknownStateFilters,
        transactionStates: l.transactions.map((t) => ({ transactionalId: t.transactionalId, producerId: t.producerId, transactionState: t.state })),
      };
    },
    errorResponse: (_ctx, _request, errorCode) => answer(errorCode),
  };
}
