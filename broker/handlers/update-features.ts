/**
 * UpdateFeatures (key 57, KIP-584). Samsa has no finalized features (no /feature znode, nothing
 * versioned), so it answers as a Kafka 2.8 broker with feature versioning disabled
 * (KafkaApis.handleUpdateFeatures): NOT_CONTROLLER from a broker that is not the controller,
 * else INVALID_REQUEST "Feature versioning system is disabled." — a top-level error, no
 * per-feature results, nothing written.
 */
import { ApiKey, ErrorCode } from '../../protocol/index.js';
import type { ApiHandler } from '../request-context.js';
import type { HandlerDeps } from './deps.js';

export function createUpdateFeaturesHandler(deps: Pick<HandlerDeps, 'isController'>): ApiHandler<typeof ApiKey.UpdateFeatures> {
  return {
    apiKey: ApiKey.UpdateFeatures,
    minVersion: 0,
    maxVersion: 0,
    async handle() {
      if (!deps.isController()) return { throttleTimeMs: 0, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: null, results: [] };
      return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Feature versioning system is disabled.', results: [] };
    },
    errorResponse: (_ctx, _request, errorCode) => ({ throttleTimeMs: 0, errorCode, errorMessage: null, results: [] }),
  };
}
