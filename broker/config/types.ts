/**
 * The shape of a configuration definition. Definitions are data: validation, defaults, `--help`
 * output and DescribeConfigs all read the same tables.
 */
export type ConfigType = 'int' | 'long' | 'double' | 'boolean' | 'string' | 'list' | 'password';

export type ConfigValue = number | boolean | string | readonly string[] | null;

export interface ConfigDef {
  readonly key: string;
  readonly type: ConfigType;
  /** null = no default (the key is optional unless `required`). */
  readonly default: ConfigValue;
  readonly doc: string;
  readonly required?: boolean;
  readonly min?: number;
  readonly max?: number;
  /** Allowed values for strings, or for every item of a list. */
  readonly oneOf?: readonly string[];
  /** Extra check; returns a description of what is allowed when the value is refused. */
  readonly check?: (value: ConfigValue) => string | undefined;
  /** Accepted so that Kafka config files load unchanged, but without effect in Samsa. */
  readonly ignored?: boolean;
  /** For topic-level keys: the broker key that supplies the default. */
  readonly brokerSynonym?: string;
}

/** A resolved value plus where it came from (for messages and DescribeConfigs). */
export interface ResolvedValue {
  readonly value: ConfigValue;
  readonly text: string | null;
  /** dynamic-default: /config/brokers/<default>; dynamic-broker: /config/brokers/<id> (DynamicBrokerConfig). */
  readonly source: 'default' | 'file' | 'override' | 'dynamic-default' | 'dynamic-broker';
}

export const LONG_MAX_TEXT = '9223372036854775807';
export const INT_MAX = 2147483647;
