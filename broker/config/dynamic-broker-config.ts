/**
 * Dynamic broker configs (Kafka's DynamicBrokerConfig, ZooKeeper mode): values stored in
 * `/config/brokers/<id>` (this broker) and `/config/brokers/<default>` (every broker) override
 * the static ones from server.properties, in Kafka's precedence
 * DYNAMIC_BROKER_CONFIG > DYNAMIC_DEFAULT_BROKER_CONFIG > STATIC_BROKER_CONFIG > DEFAULT_CONFIG.
 * Pure: validation and layering only; reading ZooKeeper and applying the result is the broker's.
 *
 * Which keys: Kafka's DynamicLogConfig keys (the broker synonyms of topic configs: log.retention.ms,
 * log.segment.bytes, log.cleanup.policy, min.insync.replicas, unclean.leader.election.enable,
 * message.max.bytes, …) and log.cleaner.threads, where Samsa defines them. Everything else is
 * refused with INVALID_CONFIG: keys Kafka never changes on a running broker ("Cannot update these
 * configs dynamically", as Kafka), and the few Kafka could (thread pools, listeners, SSL) that
 * Samsa cannot apply without a restart. Kafka's Kerberos keys, which Kafka also changes live, are
 * stored like the others and, as in server.properties, have no effect: Samsa has no GSSAPI
 * (clients such as librdkafka's admin test alter sasl.kerberos.min.time.before.relogin as their
 * sample of a valid broker config).
 */
import { BROKER_CONFIG_DEFS, KERBEROS_KEYS } from './broker-definitions.js';
import { type BrokerConfig, overlayBrokerConfig } from './broker-config.js';
import { ConfigError } from './errors.js';
import { TOPIC_CONFIG_DEFS } from './topic-definitions.js';
import type { ResolvedValue } from './types.js';
import { formatValue, parseValue } from './values.js';

const DEFS = new Map(BROKER_CONFIG_DEFS.map((d) => [d.key, d]));

/** Kafka 2.8's dynamic keys Samsa applies live. */
export const DYNAMIC_BROKER_KEYS: ReadonlySet<string> = new Set(
  [...TOPIC_CONFIG_DEFS.flatMap((d) => (d.brokerSynonym === undefined ? [] : [d.brokerSynonym])), 'log.cleaner.threads'].filter((k) => {
    const def = DEFS.get(k);
    return def !== undefined && def.ignored !== true;
  }),
);

/** Kafka allows these dynamically; Samsa stores them, without effect (no GSSAPI). */
const STORED_WITHOUT_EFFECT: ReadonlySet<string> = new Set(KERBEROS_KEYS.map(([key]) => key));

/** Kafka allows these dynamically, but Samsa only reads them at start-up. */
const KAFKA_DYNAMIC_NOT_LIVE = /^(num\.(io|network|replica|recovery)\.|background\.threads|listeners|advertised\.listeners|listener\.|ssl\.|sasl\.|max\.connections|log\.cleaner\.|metric\.reporters)/;

/** Kafka's ConfigSource numbers (DescribeConfigs v1+). */
export const CONFIG_SOURCE = {
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;

/**
 * Checks a dynamic broker config set (AlterConfigs / IncrementalAlterConfigs on a BROKER
 * resource) and returns it with values in their canonical text. Unknown keys, keys that cannot
 * change on a running broker and bad values throw ConfigError (INVALID_CONFIG).
 */
export function validateDynamicBrokerConfigs(configs: Readonly<Record<string, string>>): Record<string, string> {
  const unknown = Object.keys(configs).filter((k) => !DEFS.has(k));
  if (unknown.length > 0) throw new ConfigError('CFG_UNKNOWN_KEY', `Unknown broker configs: ${unknown.join(', ')}`, { key: unknown[0]! });
  const fixed = Object.keys(configs).filter((k) => !DYNAMIC_BROKER_KEYS.has(k) && !STORED_WITHOUT_EFFECT.has(k));
  const notLive = fixed.filter((k) => KAFKA_DYNAMIC_NOT_LIVE.test(k));
  const kafkaFixed = fixed.filter((k) => !notLive.includes(k));
  if (kafkaFixed.length > 0) throw new ConfigError('CFG_NOT_DYNAMIC', `Cannot update these configs dynamically: ${kafkaFixed.join(', ')}`, { key: kafkaFixed[0]! });
  if (notLive.length > 0) throw new ConfigError('CFG_NOT_DYNAMIC', `Samsa applies these configs only at start-up (change server.properties and restart): ${notLive.join(', ')}`, { key: notLive[0]! });
  const out: Record<string, string> = {};
  for (const [k, text] of Object.entries(configs)) {
    const def = DEFS.get(k)!;
    out[k] = formatValue(def, parseValue(def, text, { source: 'dynamic broker config' })) ?? text;
  }
  return out;
}

/** One layer of a broker key's value, highest precedence first (DescribeConfigs synonyms). */
export interface ConfigLayer {
  readonly text: string | null;
  readonly source: (typeof CONFIG_SOURCE)[keyof typeof CONFIG_SOURCE];
}

/**
 * This broker's configuration with its dynamic layers. `current` is what the running broker
 * uses; `update` replaces both dynamic layers at once (they are always read together).
 */
export class DynamicBrokerConfig {
  private clusterDefaults: Record<string, string> = {};
  private perBroker: Record<string, string> = {};
  private effective: BrokerConfig;

  constructor(readonly staticConfig: BrokerConfig) {
    this.effective = staticConfig;
  }

  get current(): BrokerConfig {
    return this.effective;
  }

  /** The dynamic values stored for every broker (`/config/brokers/<default>`). */
  get defaults(): Readonly<Record<string, string>> {
    return this.clusterDefaults;
  }

  /** The dynamic values stored for this broker (`/config/brokers/<id>`). */
  get brokerOverrides(): Readonly<Record<string, string>> {
    return this.perBroker;
  }

  /**
   * Applies the stored layers; returns the keys whose effective value changed. A stored key that
   * is not (or no longer) valid dynamically is skipped, never fatal: the broker keeps running.
   */
  update(clusterDefaults: Readonly<Record<string, string>>, perBroker: Readonly<Record<string, string>>, onSkipped?: (key: string, reason: string) => void): string[] {
    const overlay = new Map<string, ResolvedValue>();
    const layer = (configs: Readonly<Record<string, string>>, source: ResolvedValue['source']): Record<string, string> => {
      const kept: Record<string, string> = {};
      for (const [k, text] of Object.entries(configs)) {
        try {
          const canonical = validateDynamicBrokerConfigs({ [k]: text })[k]!;
          const def = DEFS.get(k)!;
          overlay.set(k, { value: parseValue(def, canonical, { source: 'dynamic broker config' }), text: canonical, source });
          kept[k] = canonical;
        } catch (err) {
          onSkipped?.(k, (err as Error).message);
        }
      }
      return kept;
    };
    this.clusterDefaults = layer(clusterDefaults, 'dynamic-default');
    this.perBroker = layer(perBroker, 'dynamic-broker');
    const before = this.effective;
    this.effective = overlayBrokerConfig(this.staticConfig, overlay);
    return [...DYNAMIC_BROKER_KEYS].filter((k) => before.values.get(k)?.text !== this.effective.values.get(k)?.text);
  }

  /** Every layer a key has, highest precedence first; DEFAULT_CONFIG only when the key has a default. */
  layers(key: string): ConfigLayer[] {
    const out: ConfigLayer[] = [];
    const b = this.perBroker[key];
    if (b !== undefined) out.push({ text: b, source: CONFIG_SOURCE.DYNAMIC_BROKER_CONFIG });
    const d = this.clusterDefaults[key];
    if (d !== undefined) out.push({ text: d, source: CONFIG_SOURCE.DYNAMIC_DEFAULT_BROKER_CONFIG });
    const s = this.staticConfig.values.get(key);
    if (s !== undefined && (s.source === 'file' || s.source === 'override')) out.push({ text: s.text, source: CONFIG_SOURCE.STATIC_BROKER_CONFIG });
    const def = DEFS.get(key);
    if (def !== undefined && def.default !== null) out.push({ text: formatValue(def, def.default), source: CONFIG_SOURCE.DEFAULT_CONFIG });
    return out;
  }
}
