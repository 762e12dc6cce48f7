/**
 * AlterConfigs (key 33), v0–2 (v2 flexible): replaces a topic's overrides (validated against the topic config table:
 * unknown keys and bad values → INVALID_CONFIG) or a broker's dynamic configs (this broker's id,
 * or "" for every broker: `/config/brokers/<id|<default>>`; keys that cannot change live →
 * INVALID_CONFIG), then notifies every broker through /config/changes. Any broker may answer
 * for a topic or the default; a broker id must be sent to that broker (INVALID_REQUEST).
 */
import { ApiKey, ErrorCode, type AlterConfigsResponse } from '../../protocol/index.js';
import { validateDynamicBrokerConfigs, validateTopicOverrides } from '../config/index.js';
import { messageOf } from '../../common/index.js';
import { toWireError } from '../errors.js';
import type { ApiHandler } from '../request-context.js';
import { brokerConfigEntity } from './broker-resource.js';
import type { HandlerDeps } from './deps.js';
import { RESOURCE_BROKER, RESOURCE_TOPIC } from './describe-configs.js';

type Result = AlterConfigsResponse['responses'][number];

export function createAlterConfigsHandler(deps: HandlerDeps): ApiHandler<typeof ApiKey.AlterConfigs> {
  const log = deps.logger.child({ module: 'handlers.alter-configs' });
  return {
    apiKey: ApiKey.AlterConfigs,
    minVersion: 0,
    maxVersion: 2,
    async handle(_ctx, request) {
      const responses = await Promise.all(
        request.resources.map(async (r): Promise<Result> => {
          const base = { resourceType: r.resourceType, resourceName: r.resourceName };
          const configs: Record<string, string> = {};
          for (const c of r.configs) if (c.value !== null) configs[c.name] = c.value;
          try {
            if (r.resourceType === RESOURCE_BROKER) {
              const entity = brokerConfigEntity(r.resourceName, deps.brokerId);
              if (request.validateOnly) validateDynamicBrokerConfigs(configs);
              else log.info({ entity, configs: await deps.topicAdmin.alterBrokerConfig(entity, configs) }, 'altered dynamic broker config');
              return { ...base, errorCode: ErrorCode.NONE, errorMessage: null };
            }
            if (r.resourceType !== RESOURCE_TOPIC) return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unsupported resource type ${r.resourceType}` };
            if (request.validateOnly) {
              validateTopicOverrides(configs);
              const exists = deps.metadataCache.hasTopic(r.resourceName) || (await deps.topicAdmin.listTopics()).includes(r.resourceName);
              if (!exists) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic '${r.resourceName}' does not exist.` };
            } else {
              const applied = await deps.topicAdmin.alterTopicConfig(r.resourceName, configs);
              log.info({ topic: r.resourceName, configs: applied }, 'altered topic config');
            }
            return { ...base, errorCode: ErrorCode.NONE, errorMessage: null };
          } catch (err) {
            return { ...base, errorCode: toWireError(err), errorMessage: messageOf(err) };
          }
        }),
      );
      return { throttleTimeMs: 0, responses };
    },
    errorResponse: (_ctx, request, errorCode) => ({
      throttleTimeMs: 0,
      responses: request.resources.map((r) => ({ errorCode, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName })),
    }),
  };
}
