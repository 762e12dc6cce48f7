/**
 * InitProducerId (key 22), v0–1, for idempotent producers only: a fresh producer id from this
 * broker's block, epoch 0 (Kafka's TransactionCoordinator.handleInitProducerId with a null
 * transactional id; any broker answers). There is no transaction coordinator yet, so a
 * transactional id gets COORDINATOR_NOT_AVAILABLE, as FindCoordinator answers for it: retriable,
 * so KafkaJS (which retries it as GROUP_COORDINATOR_NOT_AVAILABLE), librdkafka and our client
 * keep retrying and then report a coordinator timeout rather than a misleading fatal error. A
 * failed block claim (ZooKeeper unavailable) is answered the same way, so clients retry it too.
 */
import type { Logger } from 'pino';
import { ApiKey, ErrorCode, type InitProducerIdResponse } from '../../protocol/index.js';
import { silentLogger } from '../logging.js';
import type { ProducerIdManager } from '../producer-id-manager.js';
import type { ApiHandler } from '../request-context.js';

export interface InitProducerIdDeps {
  producerIds: Pick<ProducerIdManager, 'generateProducerId'>;
  logger?: Logger;
}

const NO_PRODUCER_ID = -1n;
const NO_PRODUCER_EPOCH = -1;

function answer(errorCode: number, producerId = NO_PRODUCER_ID, producerEpoch = NO_PRODUCER_EPOCH): InitProducerIdResponse {
  return { throttleTimeMs: 0, errorCode, producerId, producerEpoch };
}

export function createInitProducerIdHandler(deps: InitProducerIdDeps): ApiHandler<typeof ApiKey.InitProducerId> {
  const log = (deps.logger ?? silentLogger()).child({ module: 'handlers.init-producer-id' });
  return {
    apiKey: ApiKey.InitProducerId,
    minVersion: 0,
    maxVersion: 1,
    async handle(ctx, request) {
      if (request.transactionalId !== null) {
        // Kafka refuses an empty transactional id outright.
        return answer(request.transactionalId === '' ? ErrorCode.INVALID_REQUEST : ErrorCode.COORDINATOR_NOT_AVAILABLE);
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
