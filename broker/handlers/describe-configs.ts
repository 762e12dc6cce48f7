/**
 * DescribeConfigs (key 32) for TOPIC (2) and BROKER (4) resources. Topic values are the
 * overrides in ZooKeeper merged with this broker's settings (effectiveTopicConfig); the source
 * and synonyms fields follow Kafka's (v1+): DYNAMIC_TOPIC_CONFIG 1, STATIC_BROKER_CONFIG 4,
 * DEFAULT_CONFIG 5; v0's `isDefault` is "source is DEFAULT_CONFIG". Broker configs are static
 * (no dynamic broker configs yet): read-only, passwords hidden.
 */
import { ApiKey, ErrorCode, type DescribeConfigsRequest, type DescribeConfigsResponse } from '../../protocol/index.js';
import { BROKER_CONFIG_DEFS, effectiveTopicConfig, topicConfigDef, type BrokerConfig } from '../config/index.js';
import { toWireError } from '../errors.js';
import type { ApiHandler } from '../request-context.js';
import type { HandlerDeps } from './deps.js';

export const RESOURCE_TOPIC = 2;
export const RESOURCE_BROKER = 4;
const DYNAMIC_TOPIC_CONFIG = 1;
const STATIC_BROKER_CONFIG = 4;
const DEFAULT_CONFIG = 5;

type Result = DescribeConfigsResponse['results'][number];
type Entry = Result['configs'][number];
type Synonym = NonNullable<Entry['synonyms']>[number];

/** Broker keys behind a topic key's broker default (retention and roll have several). */
const BROKER_KEYS: Record<string, string[]> = {
  'retention.ms': ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'],
  'segment.ms': ['log.roll.ms', 'log.roll.hours'],
  'segment.jitter.ms': ['log.roll.jitter.ms', 'log.roll.jitter.hours'],
};

function brokerSource(config: BrokerConfig, keys: readonly string[]): { key: string; text: string | null } | undefined {
  for (const k of keys) {
    const v = config.values.get(k);
    if (v !== undefined && (v.source === 'file' || v.source === 'override')) return { key: k, text: v.text };
  }
  return undefined;
}

function entry(name: string, value: string | null, source: number, synonyms: Synonym[], includeSynonyms: boolean, readOnly: boolean, isSensitive = false): Entry {
  return { name, value, readOnly, isDefault: source === DEFAULT_CONFIG, configSource: source, isSensitive, synonyms: includeSynonyms ? synonyms : [] };
}

function topicEntries(config: BrokerConfig, overrides: Record<string, string>, includeSynonyms: boolean): Entry[] {
  const out: Entry[] = [];
  for (const [key, eff] of effectiveTopicConfig(overrides, config)) {
    const def = topicConfigDef(key);
    const brokerKeys = BROKER_KEYS[key] ?? (def?.brokerSynonym !== undefined ? [def.brokerSynonym] : []);
    const fromBroker = brokerSource(config, brokerKeys);
    const defaultText = eff.source === 'topic' || fromBroker !== undefined ? null : eff.text;
    const synonyms: Synonym[] = [];
    if (eff.source === 'topic') synonyms.push({ name: key, value: eff.text, source: DYNAMIC_TOPIC_CONFIG });
    if (fromBroker !== undefined) synonyms.push({ name: fromBroker.key, value: fromBroker.text, source: STATIC_BROKER_CONFIG });
    synonyms.push({ name: brokerKeys[0] ?? key, value: defaultText ?? (def !== undefined ? String(def.default ?? '') : null), source: DEFAULT_CONFIG });
    const source = eff.source === 'topic' ? DYNAMIC_TOPIC_CONFIG : fromBroker !== undefined ? STATIC_BROKER_CONFIG : DEFAULT_CONFIG;
    out.push(entry(key, eff.text, source, synonyms, includeSynonyms, false));
  }
  return out;
}

function brokerEntries(config: BrokerConfig, includeSynonyms: boolean): Entry[] {
  const out: Entry[] = [];
  for (const def of BROKER_CONFIG_DEFS) {
    if (def.ignored) continue;
    const v = config.values.get(def.key);
    const source = v !== undefined && (v.source === 'file' || v.source === 'override') ? STATIC_BROKER_CONFIG : DEFAULT_CONFIG;
    const sensitive = def.type === 'password';
    const text = sensitive ? null : (v?.text ?? null);
    out.push(entry(def.key, text, source, [{ name: def.key, value: text, source }], includeSynonyms, true, sensitive));
  }
  return out;
}

export function createDescribeConfigsHandler(deps: HandlerDeps): ApiHandler<typeof ApiKey.DescribeConfigs> {
  async function describe(r: DescribeConfigsRequest['resources'][number], includeSynonyms: boolean): Promise<Result> {
    const base = { resourceType: r.resourceType, resourceName: r.resourceName };
    const wanted = r.configurationKeys === null ? undefined : new Set(r.configurationKeys);
    const pick = (entries: Entry[]): Entry[] => (wanted === undefined ? entries : entries.filter((e) => wanted.has(e.name)));
    try {
      if (r.resourceType === RESOURCE_TOPIC) {
        const exists = deps.metadataCache.hasTopic(r.resourceName) || (await deps.topicAdmin.listTopics()).includes(r.resourceName);
        if (!exists) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic '${r.resourceName}' does not exist.`, configs: [] };
        const overrides = await deps.topicAdmin.describeTopicConfig(r.resourceName);
        return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs: pick(topicEntries(deps.config, overrides, includeSynonyms)) };
      }
      if (r.resourceType === RESOURCE_BROKER) {
        if (r.resourceName === '') return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs: [] };
        if (r.resourceName !== String(deps.brokerId)) {
          return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unexpected broker id, expected ${deps.brokerId} or empty string, but received ${r.resourceName}`, configs: [] };
        }
        return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs: pick(brokerEntries(deps.config, includeSynonyms)) };
      }
      return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unsupported resource type ${r.resourceType}`, configs: [] };
    } catch (err) {
      return { ...base, errorCode: toWireError(err), errorMessage: (err as Error).message, configs: [] };
    }
  }

  return {
    apiKey: ApiKey.DescribeConfigs,
    minVersion: 0,
    maxVersion: 4,
    async handle(ctx, request) {
      const includeSynonyms = ctx.apiVersion >= 1 && (request.includeSynonyms ?? false);
      return { throttleTimeMs: 0, results: await Promise.all(request.resources.map((r) => describe(r, includeSynonyms))) };
    },
    errorResponse: (_ctx, request, errorCode) => ({
      throttleTimeMs: 0,
      results: request.resources.map((r) => ({ errorCode, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName, configs: [] })),
    }),
  };
}
