/**
 * AddOffsetsToTxn (key 25), v0–3: the producer will commit a group's offsets in this
 * transaction, so the group's `__consumer_offsets` partition joins it (the marker written there
 * at the end makes the offsets visible or drops them).
 */
import { ApiKey, type AddOffsetsToTxnRequest, type AddOffsetsToTxnResponse, type Decoded } from '../../protocol/index.js';
import { OFFSETS_TOPIC_NAME } from '../group/index.js';
import type { ApiHandler } from '../request-context.js';
import { fencedForVersion, type TxnApiDeps } from './txn-apis.js';

const answer = (errorCode: number): AddOffsetsToTxnResponse => ({ throttleTimeMs: 0, errorCode });

export function createAddOffsetsToTxnHandler(deps: TxnApiDeps): ApiHandler<typeof ApiKey.AddOffsetsToTxn> {
  return {
    apiKey: ApiKey.AddOffsetsToTxn,
    minVersion: 0,
    maxVersion: 3,
    async handle(ctx, body) {
      const r = body as Decoded<AddOffsetsToTxnRequest>;
      const partition = { topic: OFFSETS_TOPIC_NAME, partition: deps.groupPartitionFor(r.groupId) };
      return answer(fencedForVersion(await deps.coordinator.addPartitions(r.transactionalId, r.producerId, r.producerEpoch, [partition]), ctx.apiVersion));
    },
    errorResponse: (_ctx, _request, errorCode) => answer(errorCode),
  };
}
