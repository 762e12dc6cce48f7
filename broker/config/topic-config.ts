/**
 * Topic configuration: validate the overrides a user asks for (CreateTopics, AlterConfigs, the
 * HTTP API, the CLI) and resolve the effective value of every key from the overrides and the
 * broker's defaults, as Kafka's LogConfig does.
 */
import type { BrokerConfig } from './broker-config.js';
import { ConfigError } from './errors.js';
import { closestKey } from './suggest.js';
import { TOPIC_CONFIG_DEFS } from './topic-definitions.js';
import type { ConfigDef, ConfigValue } from './types.js';
import { formatValue, parseValue } from './values.js';

const DEFS = new Map(TOPIC_CONFIG_DEFS.map((d) => [d.key, d]));

export function topicConfigDef(key: string): ConfigDef | undefined {
  return DEFS.get(key);
}

/** Checks user-supplied overrides; returns them normalised (as Kafka stores them: strings). */
export function validateTopicOverrides(overrides: Readonly<Record<string, string>>, source = 'topic config'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, text] of Object.entries(overrides)) {
    const def = DEFS.get(key);
    if (def === undefined) {
      const hint = closestKey(key, [...DEFS.keys()]);
      throw new ConfigError('CFG_UNKNOWN_KEY', `Unknown topic configuration "${key}" (${source})${hint ? `; did you mean "${hint}"?` : ''}`, {
        key,
        source,
      });
    }
    const value = parseValue(def, text, { source });
    out[key] = formatValue(def, value) ?? '';
  }
  return out;
}

export interface EffectiveTopicConfig {
  readonly value: ConfigValue;
  readonly text: string | null;
  readonly source: 'topic' | 'broker' | 'default';
}

/** Effective values of every topic key: the override, else the broker setting, else Kafka's default. */
export function effectiveTopicConfig(
  overrides: Readonly<Record<string, string>>,
  broker: BrokerConfig,
): Map<string, EffectiveTopicConfig> {
  const out = new Map<string, EffectiveTopicConfig>();
  for (const def of TOPIC_CONFIG_DEFS) {
    const text = overrides[def.key];
    if (text !== undefined) {
      const value = parseValue(def, text, { source: 'topic config' });
      out.set(def.key, { value, text: formatValue(def, value), source: 'topic' });
      continue;
    }
    const fromBroker = brokerDefault(def, broker);
    if (fromBroker !== undefined) {
      out.set(def.key, { value: fromBroker, text: formatValue(def, fromBroker), source: 'broker' });
    } else {
      out.set(def.key, { value: def.default, text: formatValue(def, def.default), source: 'default' });
    }
  }
  return out;
}

function brokerDefault(def: ConfigDef, broker: BrokerConfig): ConfigValue | undefined {
  // Retention and roll have several broker keys; the derived figures already apply precedence.
  if (def.key === 'retention.ms') return broker.logRetentionMs;
  if (def.key === 'segment.ms') return broker.logRollMs;
  if (def.key === 'segment.jitter.ms') return broker.logRollJitterMs;
  if (def.brokerSynonym === undefined) return undefined;
  const v = broker.values.get(def.brokerSynonym);
  if (v === undefined || v.value === null) return undefined;
  return v.value;
}
