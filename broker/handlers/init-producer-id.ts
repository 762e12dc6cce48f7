/**
 * InitProducerId (key 22), v0–4. Without a transactional id: a fresh producer id from this
 * broker's block, epoch 0 (any broker answers; a failed block claim is COORDINATOR_NOT_AVAILABLE
 * so clients retry). With one: the transaction coordinator of that id (this broker must lead
 * its `__transaction_state` partition, else NOT_COORDINATOR) bumps the epoch and so fences the
 * previous incarnation (Kafka's TransactionCoordinator.handleInitProducerId). v3+ carry the
 * producer's current id/epoch (KIP-360). PRODUCER_FENCED exists from v4; older versions get
 * INVALID_PRODUCER_EPOCH instead, as Kafka answers them.
 */
import type { Logger } from 'pino';
import { ApiKey, ErrorCode, type InitProducerIdResponse } from '../../protocol/index.js';
import { silentLogger } from '../logging.js';
import type { ProducerIdManager } from '../producer-id-manager.js';
import type { ApiHandler } from '../request-context.js';
import type { TxnCoordinator } from '../txn/index.js';

export interface InitProducerIdDeps {
  producerIds: Pick<ProducerIdManager, 'generateProducerId'>;
  /** Absent: transactional ids are answered COORDINATOR_NOT_AVAILABLE (no coordinator here). */
  transactions?: Pick<TxnCoordinator, 'initProducerId'>;
  logger?: Logger;
}

const NO_PRODUCER_ID = -1n;
const NO_PRODUCER_EPOCH = -1;
const PRODUCER_FENCED_VERSION = 4;

function answer(errorCode: number, producerId = NO_PRODUCER_ID, producerEpoch = NO_PRODUCER_EPOCH): InitProducerIdResponse {
  return { throttleTimeMs: 0, errorCode, producerId, producerEpoch };
}

export function createInitProducerIdHandler(deps: InitProducerIdDeps): ApiHandler<typeof ApiKey.InitProducerId> {
  const log = (deps.logger ?? silentLogger()).child({ module: 'handlers.init-producer-id' });
  return {
    apiKey: ApiKey.InitProducerId,
    minVersion: 0,
    maxVersion: 4,
    async handle(ctx, request) {
      if (request.transactionalId !== null) {
        if (request.transactionalId === '') return answer(ErrorCode.INVALID_REQUEST);
        if (deps.transactions === undefined) return answer(ErrorCode.COORDINATOR_NOT_AVAILABLE);
        const r = await deps.transactions.initProducerId(request.transactionalId, request.transactionTimeoutMs, {
          producerId: request.producerId ?? NO_PRODUCER_ID,
          producerEpoch: request.producerEpoch ?? NO_PRODUCER_EPOCH,
        });
        const errorCode = r.errorCode === ErrorCode.PRODUCER_FENCED && ctx.apiVersion < PRODUCER_FENCED_VERSION ? ErrorCode.INVALID_PRODUCER_EPOCH : r.errorCode;
        return answer(errorCode, r.producerId, r.producerEpoch);
      }
      try {
        const producerId = await deps.producerIds.generateProducerId();
        log.debug({ producerId: String(producerId), clientId: ctx.clientId }, 'new producer id');
        return answer(ErrorCode.NONE, producerId, 0);
      } catch (err) {
        log.warn({ err: err instanceof Error ? err.message : err }, 'could not claim a producer id block');
        return answer(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      }
    },
    errorResponse: (_ctx, _request, errorCode) => answer(errorCode),
  };
}
