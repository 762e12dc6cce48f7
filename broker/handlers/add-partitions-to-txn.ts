/**
 * AddPartitionsToTxn (key 24), v0–3: a transactional producer registers partitions before its
 * first write to them. As Kafka's KafkaApis: if any partition is unknown the whole request fails,
 * those partitions with UNKNOWN_TOPIC_OR_PARTITION and the others with OPERATION_NOT_ATTEMPTED;
 * otherwise every partition carries the coordinator's answer.
 */
import { ApiKey, ErrorCode, type AddPartitionsToTxnRequest, type AddPartitionsToTxnResponse, type Decoded } from '../../protocol/index.js';
import type { ApiHandler } from '../request-context.js';
import { fencedForVersion, type TxnApiDeps } from './txn-apis.js';

function answer(request: Decoded<AddPartitionsToTxnRequest>, errorOf: (topic: string, partition: number) => number): AddPartitionsToTxnResponse {
  return {
    throttleTimeMs: 0,
    results: request.topics.map((t) => ({ name: t.name, results: t.partitions.map((partitionIndex) => ({ partitionIndex, errorCode: errorOf(t.name, partitionIndex) })) })),
  };
}

export function createAddPartitionsToTxnHandler(deps: TxnApiDeps): ApiHandler<typeof ApiKey.AddPartitionsToTxn> {
  return {
    apiKey: ApiKey.AddPartitionsToTxn,
    minVersion: 0,
    maxVersion: 3,
    async handle(ctx, body) {
      const request = body as Decoded<AddPartitionsToTxnRequest>;
      const unknown = new Set<string>();
      for (const t of request.topics) for (const p of t.partitions) if (deps.metadata.getPartition(t.name, p) === undefined) unknown.add(`${t.name}\u0000${p}`);
      if (unknown.size > 0) {
        return answer(request, (topic, partition) => (unknown.has(`${topic}\u0000${partition}`) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.OPERATION_NOT_ATTEMPTED));
      }
      const partitions = request.topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition })));
      const errorCode = fencedForVersion(await deps.coordinator.addPartitions(request.transactionalId, request.producerId, request.producerEpoch, partitions), ctx.apiVersion);
      return answer(request, () => errorCode);
    },
    errorResponse: (_ctx, request, errorCode) => answer(request as Decoded<AddPartitionsToTxnRequest>, () => errorCode),
  };
}
