/**
 * FindCoordinator (key 10), v0–3 (v3 flexible). A group's coordinator is the leader of `__consumer_offsets`
 * partition `partitionFor(groupId)`, given with its endpoint on the listener the client came in
 * on. A missing offsets topic is created on first use; until that partition has a live leader
 * reachable on the client's listener the answer is COORDINATOR_NOT_AVAILABLE (Kafka's
 * KafkaApis.handleFindCoordinatorRequest). A transactional id (key type 1) is placed the same
 * way on `__transaction_state` when the broker has a transaction coordinator.
 */
import { ApiKey, ErrorCode, errorInfo, type FindCoordinatorResponse } from '../../protocol/index.js';
import { OFFSETS_TOPIC_NAME } from '../group/index.js';
import { silentLogger } from '../logging.js';
import type { ApiHandler } from '../request-context.js';
import type { CoordinatorPlacement, GroupApiDeps } from './group-apis.js';

const KEY_TYPE_GROUP = 0;
const KEY_TYPE_TRANSACTION = 1;

function answer(errorCode: number, node?: { nodeId: number; host: string; port: number }): FindCoordinatorResponse {
  return {
    throttleTimeMs: 0,
    errorCode,
    errorMessage: errorCode === ErrorCode.NONE ? null : errorInfo(errorCode).message,
    nodeId: node?.nodeId ?? -1,
    host: node?.host ?? '',
    port: node?.port ?? -1,
  };
}

export function createFindCoordinatorHandler(deps: GroupApiDeps): ApiHandler<typeof ApiKey.FindCoordinator> {
  const log = (deps.logger ?? silentLogger()).child({ module: 'handlers.find-coordinator', brokerId: deps.brokerId });
  return {
    apiKey: ApiKey.FindCoordinator,
    minVersion: 0,
    maxVersion: 3,
    async handle(ctx, request) {
      let placement: CoordinatorPlacement;
      if (request.keyType === KEY_TYPE_GROUP) placement = { topic: OFFSETS_TOPIC_NAME, partitionFor: (k) => deps.coordinator.partitionFor(k), ensureTopic: deps.ensureOffsetsTopic };
      else if (request.keyType === KEY_TYPE_TRANSACTION && deps.transactionPlacement !== undefined) placement = deps.transactionPlacement;
      else if (request.keyType === KEY_TYPE_TRANSACTION) return answer(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      else return answer(ErrorCode.INVALID_REQUEST);
      if (!deps.metadata.hasTopic(placement.topic)) {
        try {
          await placement.ensureTopic();
        } catch (err) {
          log.warn({ err: err instanceof Error ? err.message : err, topic: placement.topic }, 'internal topic not available');
        }
        return answer(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      }
      const partition = placement.partitionFor(request.key);
      const leader = deps.metadata.leaderFor(placement.topic, partition);
      if (leader < 0 || !deps.metadata.isAlive(leader)) return answer(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      const listener = deps.clientListenerName?.(ctx) ?? ctx.listenerName;
      const endpoint = deps.metadata.endpoint(leader, listener);
      if (endpoint === undefined || endpoint.host === '') return answer(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      return answer(ErrorCode.NONE, { nodeId: leader, host: endpoint.host, port: endpoint.port });
    },
    errorResponse: (_ctx, _request, errorCode) => answer(errorCode),
  };
}
