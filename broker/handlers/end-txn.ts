/**
 * EndTxn (key 26), v0–3: commit or abort. Answered once PrepareCommit/PrepareAbort is durable in
 * `__transaction_state`; the markers are written to the partitions afterwards (Kafka answers at
 * the same point), and the next transaction of the id waits for them (CONCURRENT_TRANSACTIONS).
 */
import { ApiKey, type Decoded, type EndTxnRequest, type EndTxnResponse } from '../../protocol/index.js';
import type { ApiHandler } from '../request-context.js';
import { fencedForVersion, type TxnApiDeps } from './txn-apis.js';

const answer = (errorCode: number): EndTxnResponse => ({ throttleTimeMs: 0, errorCode });

export function createEndTxnHandler(deps: TxnApiDeps): ApiHandler<typeof ApiKey.EndTxn> {
  return {
    apiKey: ApiKey.EndTxn,
    minVersion: 0,
    maxVersion: 3,
    async handle(ctx, body) {
      const r = body as Decoded<EndTxnRequest>;
      return answer(fencedForVersion(await deps.coordinator.endTxn(r.transactionalId, r.producerId, r.producerEpoch, r.committed), ctx.apiVersion));
    },
    errorResponse: (_ctx, _request, errorCode) => answer(errorCode),
  };
}
