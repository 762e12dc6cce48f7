/**
 * AlterConfigs (key 33), v0–2 (v2 flexible): replaces a topic's overrides (validated against the topic config table:
 * unknown keys and bad values → INVALID_CONFIG) or a broker's dynamic configs (this broker's id,
 * or "" for every broker: `/config/brokers/<id|<default>>`; keys that cannot change live →
 * INVALID_CONFIG), then notifies every broker through /config/changes. Any broker may answer
 * for a topic or the default; a broker id must be sent to that broker (INVALID_REQUEST).
 */
import { ApiKey } from '../../protocol/index.js';
import { validateDynamicBrokerConfigs, validateTopicOverrides } from '../config/index.js';
import { BrokerError } from '../errors.js';
import type { ApiHandler } from '../request-context.js';
import { alterEachResource, brokerConfigEntity, eachResourceFailed } from './broker-resource.js';
import type { HandlerDeps } from './deps.js';
import { RESOURCE_BROKER, RESOURCE_TOPIC } from './describe-configs.js';

export function createAlterConfigsHandler(deps: HandlerDeps): ApiHandler<typeof ApiKey.AlterConfigs> {
  const log = deps.logger.child({ module: 'handlers.alter-configs' });
  return {
    apiKey: ApiKey.AlterConfigs,
    minVersion: 0,
    maxVersion: 2,
    async handle(_ctx, request) {
      const responses = await alterEachResource(request.resources, async (r) => {
        const configs: Record<string, string> = {};
        for (const c of r.configs) if (c.value !== null) configs[c.name] = c.value;
        if (r.resourceType === RESOURCE_BROKER) {
          const entity = brokerConfigEntity(r.resourceName, deps.brokerId);
          if (request.validateOnly) validateDynamicBrokerConfigs(configs);
          else log.info({ entity, configs: await deps.topicAdmin.alterBrokerConfig(entity, configs) }, 'altered dynamic broker config');
          return;
        }
        if (r.resourceType !== RESOURCE_TOPIC) throw new BrokerError('BRK_INVALID_REQUEST', `Unsupported resource type ${r.resourceType}`);
        if (request.validateOnly) {
          validateTopicOverrides(configs);
          const exists = deps.metadataCache.hasTopic(r.resourceName) || (await deps.topicAdmin.listTopics()).includes(r.resourceName);
          if (!exists) throw new BrokerError('BRK_UNKNOWN_TOPIC_OR_PARTITION', `Topic '${r.resourceName}' does not exist.`);
        } else {
          const applied = await deps.topicAdmin.alterTopicConfig(r.resourceName, configs);
          log.info({ topic: r.resourceName, configs: applied }, 'altered topic config');
        }
      });
      return { throttleTimeMs: 0, responses };
    },
    errorResponse: (_ctx, request, errorCode) => ({ throttleTimeMs: 0, responses: eachResourceFailed(request.resources, errorCode) }),
  };
}
