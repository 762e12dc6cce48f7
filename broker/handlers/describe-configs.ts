/**
 * DescribeConfigs (key 32), v0–4, for TOPIC (2) and BROKER (4) resources. Topic values are the
 * overrides in ZooKeeper merged with this broker's settings (effectiveTopicConfig). Sources and
 * synonyms follow Kafka's ConfigHelper (v1+): a topic override first (DYNAMIC_TOPIC_CONFIG 1),
 * then, over the broker key and its Kafka synonyms (log.retention.ms/minutes/hours, ...), those
 * set in the file (STATIC_BROKER_CONFIG 4), then those with a default (DEFAULT_CONFIG 5),
 * dropping any that come before the key itself; a synonym only exists when it has a value
 * there. The entry's source is its first synonym's (DEFAULT_CONFIG when none); v0's `isDefault`
 * is "source is DEFAULT_CONFIG". v3 adds each key's type and, when asked for, its
 * documentation; v4 is flexible. Dynamic broker configs come first among a broker key's
 * synonyms (DYNAMIC_BROKER_CONFIG 2, then DYNAMIC_DEFAULT_BROKER_CONFIG 3) and values are the
 * effective ones; on BROKER resources only the keys that can change live are not read-only;
 * passwords hidden. The "" broker resource lists the cluster-wide dynamic defaults only (Kafka's
 * createBrokerConfigEntries(perBrokerConfig = false)).
 */
import { ApiKey, ErrorCode, type DescribeConfigsRequest, type DescribeConfigsResponse } from '../../protocol/index.js';
import { BROKER_CONFIG_DEFS, CONFIG_SOURCE, DYNAMIC_BROKER_KEYS, DynamicBrokerConfig, effectiveTopicConfig, formatValue, topicConfigDef, type BrokerConfig, type ConfigDef } from '../config/index.js';
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

/** Kafka's DynamicBrokerConfig.brokerConfigSynonyms: broker keys that stand for one setting, most precise first. */
const BROKER_SYNONYM_CHAINS: readonly (readonly string[])[] = [
  ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'],
  ['log.roll.ms', 'log.roll.hours'],
  ['log.roll.jitter.ms', 'log.roll.jitter.hours'],
  ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms'],
];

const BROKER_DEFS = new Map(BROKER_CONFIG_DEFS.map((d) => [d.key, d]));

/** DescribeConfigsResponse.ConfigType ids. */
const CONFIG_TYPE: Record<ConfigDef['type'], number> = { boolean: 1, string: 2, int: 3, long: 5, double: 6, list: 7, password: 9 };

function chainOf(brokerKey: string): readonly string[] {
  return BROKER_SYNONYM_CHAINS.find((c) => c.includes(brokerKey)) ?? [brokerKey];
}

/** Kafka's ConfigHelper.configSynonyms for a broker key: static settings, then defaults, from the key on. */
export function brokerSynonyms(config: BrokerConfig, brokerKey: string, sensitive: boolean, fallbackDefault?: string | null): Synonym[] {
  const chain = chainOf(brokerKey);
  const out: Synonym[] = [];
  for (const k of chain) {
    const v = config.values.get(k);
    if (v !== undefined && (v.source === 'file' || v.source === 'override')) out.push({ name: k, value: sensitive ? null : v.text, source: STATIC_BROKER_CONFIG });
  }
  for (const k of chain) {
    const def = BROKER_DEFS.get(k);
    // A topic key whose broker key Samsa does not define has Kafka's default under that name.
    const text = def === undefined ? (k === brokerKey ? fallbackDefault ?? null : null) : def.ignored ? null : formatValue(def, def.default);
    if (text !== null) out.push({ name: k, value: sensitive ? null : text, source: DEFAULT_CONFIG });
  }
  const from = out.findIndex((syn) => syn.name === brokerKey);
  return from < 0 ? [] : out.slice(from);
}

/** The dynamic layers of a broker key (per broker, then cluster default), before its static synonyms. */
function dynamicSynonyms(dynamic: DynamicBrokerConfig | undefined, key: string, sensitive: boolean): Synonym[] {
  if (dynamic === undefined) return [];
  return dynamic
    .layers(key)
    .filter((l) => l.source === CONFIG_SOURCE.DYNAMIC_BROKER_CONFIG || l.source === CONFIG_SOURCE.DYNAMIC_DEFAULT_BROKER_CONFIG)
    .map((l) => ({ name: key, value: sensitive ? null : l.text, source: l.source }));
}

interface EntryOptions {
  readonly includeSynonyms: boolean;
  readonly includeDocumentation: boolean;
}

function entry(def: ConfigDef | undefined, name: string, value: string | null, synonyms: Synonym[], o: EntryOptions, readOnly: boolean, isSensitive = false): Entry {
  const source = synonyms[0]?.source ?? DEFAULT_CONFIG;
  return {
    name,
    value,
    readOnly,
    isDefault: source === DEFAULT_CONFIG,
    configSource: source,
    isSensitive,
    synonyms: o.includeSynonyms ? synonyms : [],
    configType: def === undefined ? 0 : CONFIG_TYPE[def.type],
    documentation: o.includeDocumentation ? (def?.doc ?? null) : null,
  };
}

/**
 * Every topic key with its effective value (DescribeConfigs, and CreateTopics v5's answer);
 * `dynamic` (when given) supplies the broker defaults in force and their dynamic synonyms.
 */
export function topicEntries(config: BrokerConfig, overrides: Record<string, string>, o: EntryOptions, dynamic?: DynamicBrokerConfig): Entry[] {
  const out: Entry[] = [];
  for (const [key, eff] of effectiveTopicConfig(overrides, dynamic?.current ?? config)) {
    const def = topicConfigDef(key);
    const synonyms: Synonym[] = [];
    if (eff.source === 'topic') synonyms.push({ name: key, value: eff.text, source: DYNAMIC_TOPIC_CONFIG });
    if (def?.brokerSynonym !== undefined) {
      synonyms.push(...dynamicSynonyms(dynamic, def.brokerSynonym, false), ...brokerSynonyms(dynamic?.staticConfig ?? config, def.brokerSynonym, false, formatValue(def, def.default)));
    }
    out.push(entry(def, key, eff.text, synonyms, o, false));
  }
  return out;
}

function brokerEntries(dynamic: DynamicBrokerConfig, o: EntryOptions): Entry[] {
  const out: Entry[] = [];
  for (const def of BROKER_CONFIG_DEFS) {
    if (def.ignored) continue;
    const v = dynamic.current.values.get(def.key);
    const sensitive = def.type === 'password';
    const text = sensitive ? null : (v?.text ?? null);
    const synonyms = [...dynamicSynonyms(dynamic, def.key, sensitive), ...brokerSynonyms(dynamic.staticConfig, def.key, sensitive)];
    out.push(entry(def, def.key, text, synonyms, o, !DYNAMIC_BROKER_KEYS.has(def.key), sensitive));
  }
  return out;
}

/** The "" resource: the dynamic defaults every broker uses. */
function clusterDefaultEntries(dynamic: DynamicBrokerConfig, o: EntryOptions): Entry[] {
  const source = CONFIG_SOURCE.DYNAMIC_DEFAULT_BROKER_CONFIG;
  return Object.entries(dynamic.defaults).map(([key, text]) => entry(BROKER_DEFS.get(key), key, text, [{ name: key, value: text, source }], o, false));
}

export function createDescribeConfigsHandler(deps: HandlerDeps): ApiHandler<typeof ApiKey.DescribeConfigs> {
  const dynamic = deps.dynamicConfig ?? new DynamicBrokerConfig(deps.config);
  async function describe(r: DescribeConfigsRequest['resources'][number], o: EntryOptions): Promise<Result> {
    const base = { resourceType: r.resourceType, resourceName: r.resourceName };
    const wanted = r.configurationKeys === null ? undefined : new Set(r.configurationKeys);
    const pick = (entries: Entry[]): Entry[] => (wanted === undefined ? entries : entries.filter((e) => wanted.has(e.name)));
    try {
      if (r.resourceType === RESOURCE_TOPIC) {
        const exists = deps.metadataCache.hasTopic(r.resourceName) || (await deps.topicAdmin.listTopics()).includes(r.resourceName);
        if (!exists) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic '${r.resourceName}' does not exist.`, configs: [] };
        const overrides = await deps.topicAdmin.describeTopicConfig(r.resourceName);
        return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs: pick(topicEntries(deps.config, overrides, o, dynamic)) };
      }
      if (r.resourceType === RESOURCE_BROKER) {
        if (r.resourceName === '') return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs: pick(clusterDefaultEntries(dynamic, o)) };
        if (r.resourceName !== String(deps.brokerId)) {
          return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unexpected broker id, expected ${deps.brokerId} or empty string, but received ${r.resourceName}`, configs: [] };
        }
        return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs: pick(brokerEntries(dynamic, o)) };
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
      const o = { includeSynonyms: ctx.apiVersion >= 1 && (request.includeSynonyms ?? false), includeDocumentation: request.includeDocumentation ?? false };
      return { throttleTimeMs: 0, results: await Promise.all(request.resources.map((r) => describe(r, o))) };
    },
    errorResponse: (_ctx, request, errorCode) => ({
      throttleTimeMs: 0,
      results: request.resources.map((r) => ({ errorCode, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName, configs: [] })),
    }),
  };
}
