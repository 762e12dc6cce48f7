// Public surface of broker/quota/: Kafka's client quotas (KIP-13/55/124/599) — the entity model
// and precedence, the ZooKeeper copy, the rate sensors, the per-request enforcement, the admin.
export {
  QUOTA_KEYS,
  DEFAULT_ENTITY,
  isQuotaKey,
  entityConfigPath,
  entityOfConfigPath,
  precedence,
  resolveQuota,
  quotaUserOf,
  validateQuotaValue,
  quotaValuesOf,
  type QuotaKey,
  type QuotaEntity,
  type QuotaValues,
  type ResolvedQuota,
} from './quota-entity.js';
export { QuotaError, type QuotaErrorCode } from './errors.js';
export { SampledRate, TokenBucket, throttleTimeMs, type RateConfig } from './rate.js';
export { ClientQuotaManager, QUOTA_TYPES, type QuotaSensorSnapshot } from './client-quota-manager.js';
export { QuotaConfigs } from './quota-configs.js';
export { QuotaEnforcer, ControllerMutationQuota, type HandlerQuotas, type QuotaClient } from './quota-enforcer.js';
export { readQuotaEntities } from './quota-configs.js';
export {
  QuotaAdmin,
  entityOfComponents,
  componentsOfEntity,
  ENTITY_USER,
  ENTITY_CLIENT_ID,
  MATCH_EXACT,
  MATCH_DEFAULT,
  MATCH_ANY,
  type QuotaEntityComponents,
  type QuotaFilterComponent,
  type QuotaAlteration,
} from './quota-admin.js';
