export { loadBrokerConfig, type BrokerConfig, type LoadOptions, type AdminHttpListener } from './broker-config.js';
export { BROKER_CONFIG_DEFS } from './broker-definitions.js';
export { TOPIC_CONFIG_DEFS } from './topic-definitions.js';
export { validateTopicOverrides, effectiveTopicConfig, topicConfigDef, type EffectiveTopicConfig } from './topic-config.js';
export { ConfigError, CONFIG_ERRORS, type ConfigErrorCode } from './errors.js';
export { parseProperties, type PropertyEntry } from './properties.js';
export { type Listener, type SecurityProtocol } from './listeners.js';
export type { ConfigDef, ConfigValue, ResolvedValue, ConfigType } from './types.js';
export { formatValue } from './values.js';
