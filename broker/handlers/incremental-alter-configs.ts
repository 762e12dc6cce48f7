/**
 * IncrementalAlterConfigs (key 44, KIP-339): per-key SET (0), DELETE (1), APPEND (2) and
 * SUBTRACT (3) on a topic's overrides or a broker's dynamic configs, leaving the other keys as
 * stored. As Kafka's ZkAdminManager.incrementalAlterConfigs: the stored set is read, the
 * operations applied in order (APPEND/SUBTRACT only on list keys, starting from the default when
 * the key is not set; duplicate keys → INVALID_REQUEST), and the result goes through the same
 * validation and write as AlterConfigs (TopicAdmin), or only validation with validateOnly.
 */
import { ApiKey, type IncrementalAlterConfigsRequest } from '../../protocol/index.js';
import { BROKER_CONFIG_DEFS, topicConfigDef, validateDynamicBrokerConfigs, validateTopicOverrides, type ConfigDef } from '../config/index.js';
import { BrokerError } from '../errors.js';
import type { ApiHandler } from '../request-context.js';
import { alterEachResource, brokerConfigEntity, eachResourceFailed } from './broker-resource.js';
import type { HandlerDeps } from './deps.js';
import { RESOURCE_BROKER, RESOURCE_TOPIC } from './describe-configs.js';

type Resource = IncrementalAlterConfigsRequest['resources'][number];

const SET = 0;
const DELETE = 1;
const APPEND = 2;
const SUBTRACT = 3;

const BROKER_DEFS = new Map(BROKER_CONFIG_DEFS.map((d) => [d.key, d]));

const invalid = (message: string): BrokerError => new BrokerError('BRK_INVALID_REQUEST', message);

/** The stored set after the resource's operations (Kafka's prepareIncrementalConfigs). */
export function applyConfigOps(stored: Readonly<Record<string, string>>, ops: Resource['configs'], defOf: (key: string) => ConfigDef | undefined): Record<string, string> {
  const names = ops.map((o) => o.name);
  if (new Set(names).size !== names.length) throw invalid(`Error due to duplicate config keys: ${names.filter((n, i) => names.indexOf(n) !== i).join(', ')}`);
  const next: Record<string, string> = { ...stored };
  for (const op of ops) {
    const listOf = (): string[] => {
      const def = defOf(op.name);
      if (def?.type !== 'list') throw invalid(`Config value ${op.configOperation === APPEND ? 'append' : 'subtract'} is not allowed for config key: ${op.name}`);
      const current = next[op.name] ?? (Array.isArray(def.default) ? def.default.join(',') : '');
      return current === '' ? [] : current.split(',');
    };
    const given = (): string[] => {
      if (op.value === null) throw invalid(`Null value not supported for: ${op.name}`);
      return op.value.split(',');
    };
    switch (op.configOperation) {
      case SET:
        if (op.value === null) throw invalid(`Null value not supported for: ${op.name}`);
        next[op.name] = op.value;
        break;
      case DELETE:
        delete next[op.name];
        break;
      case APPEND:
        next[op.name] = [...listOf(), ...given()].join(',');
        break;
      case SUBTRACT: {
        const drop = new Set(given());
        next[op.name] = listOf().filter((v) => !drop.has(v)).join(',');
        break;
      }
      default:
        throw invalid(`Unknown config operation ${op.configOperation} for ${op.name}`);
    }
  }
  return next;
}

export function createIncrementalAlterConfigsHandler(deps: HandlerDeps): ApiHandler<typeof ApiKey.IncrementalAlterConfigs> {
  const log = deps.logger.child({ module: 'handlers.incremental-alter-configs' });

  async function alter(r: Resource, validateOnly: boolean): Promise<void> {
    if (r.resourceType === RESOURCE_TOPIC) {
      const exists = deps.metadataCache.hasTopic(r.resourceName) || (await deps.topicAdmin.listTopics()).includes(r.resourceName);
      if (!exists) throw new BrokerError('BRK_UNKNOWN_TOPIC_OR_PARTITION', `Topic '${r.resourceName}' does not exist.`);
      const next = applyConfigOps(await deps.topicAdmin.describeTopicConfig(r.resourceName), r.configs, topicConfigDef);
      if (validateOnly) validateTopicOverrides(next);
      else log.info({ topic: r.resourceName, configs: await deps.topicAdmin.alterTopicConfig(r.resourceName, next) }, 'altered topic config');
      return;
    }
    if (r.resourceType === RESOURCE_BROKER) {
      const entity = brokerConfigEntity(r.resourceName, deps.brokerId);
      const next = applyConfigOps(await deps.topicAdmin.describeBrokerConfig(entity), r.configs, (k) => BROKER_DEFS.get(k));
      if (validateOnly) validateDynamicBrokerConfigs(next);
      else log.info({ entity, configs: await deps.topicAdmin.alterBrokerConfig(entity, next) }, 'altered dynamic broker config');
      return;
    }
    throw invalid(`Unsupported resource type ${r.resourceType}`);
  }

  return {
    apiKey: ApiKey.IncrementalAlterConfigs,
    minVersion: 0,
    maxVersion: 1,
    async handle(_ctx, request) {
      const responses = await alterEachResource(request.resources, (r) => alter(r, request.validateOnly));
      return { throttleTimeMs: 0, responses };
    },
    errorResponse: (_ctx, request, errorCode) => ({ throttleTimeMs: 0, responses: eachResourceFailed(request.resources, errorCode) }),
  };
}
