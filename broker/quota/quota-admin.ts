/**
 * DescribeClientQuotas / AlterClientQuotas (KIP-546) against ZooKeeper, as Kafka's ZK-mode
 * ZkAdminManager: entities are named by components `user` and `client-id` (a null name is the
 * `<default>` entity); describe reads ZooKeeper (not the broker's copy, so it sees an alter at
 * once) and filters by exact name, default or any, strict or not; alter merges the changes into
 * the entity's config (SCRAM credentials in the same znode are kept), then one `/config/changes`
 * notification tells every broker.
 */
import type { CoordinationStore } from '../../coordination/index.js';
import { QuotaError } from './errors.js';
import { DEFAULT_ENTITY, entityConfigPath, formatQuotaValue, isQuotaKey, type QuotaEntity, type QuotaValues, validateQuotaValue } from './quota-entity.js';
import { readQuotaEntities, readQuotaEntityConfig } from './quota-configs.js';

export const ENTITY_USER = 'user';
export const ENTITY_CLIENT_ID = 'client-id';

/** KIP-546's entity: component type → name, null = the default entity. */
export type QuotaEntityComponents = ReadonlyArray<{ readonly entityType: string; readonly entityName: string | null }>;

export const MATCH_EXACT = 0;
export const MATCH_DEFAULT = 1;
export const MATCH_ANY = 2;

export interface QuotaFilterComponent {
  readonly entityType: string;
  readonly matchType: number;
  readonly match: string | null;
}

export interface QuotaAlteration {
  readonly key: string;
  readonly value: number;
  readonly remove: boolean;
}

/** Writes an entity config and its change notification (TopicAdmin.changeEntityConfig fits). */
export type EntityConfigWriter = (type: 'users' | 'clients', name: string, config: Record<string, string>) => Promise<void>;

export function entityOfComponents(components: QuotaEntityComponents): QuotaEntity {
  let user: string | undefined;
  let clientId: string | undefined;
  for (const c of components) {
    const name = c.entityName ?? DEFAULT_ENTITY;
    if (c.entityType === ENTITY_USER && user === undefined) user = name;
    else if (c.entityType === ENTITY_CLIENT_ID && clientId === undefined) clientId = name;
    else if (c.entityType === ENTITY_USER || c.entityType === ENTITY_CLIENT_ID) throw new QuotaError('BRK_QUOTA_INVALID_ENTITY', `duplicate ${c.entityType} in the quota entity`);
    else throw new QuotaError('BRK_QUOTA_INVALID_ENTITY', `unknown quota entity type "${c.entityType}" (user or client-id)`);
    if (name === '') throw new QuotaError('BRK_QUOTA_INVALID_ENTITY', `an empty ${c.entityType} name`);
  }
  if (user === undefined && clientId === undefined) throw new QuotaError('BRK_QUOTA_INVALID_ENTITY', 'a quota entity names a user, a client id or both');
  return { ...(user !== undefined ? { user } : {}), ...(clientId !== undefined ? { clientId } : {}) };
}

export function componentsOfEntity(e: QuotaEntity): Array<{ entityType: string; entityName: string | null }> {
  const out: Array<{ entityType: string; entityName: string | null }> = [];
  if (e.user !== undefined) out.push({ entityType: ENTITY_USER, entityName: e.user === DEFAULT_ENTITY ? null : e.user });
  if (e.clientId !== undefined) out.push({ entityType: ENTITY_CLIENT_ID, entityName: e.clientId === DEFAULT_ENTITY ? null : e.clientId });
  return out;
}

export class QuotaAdmin {
  constructor(
    private readonly store: CoordinationStore,
    private readonly write: EntityConfigWriter,
  ) {}

  async describe(filter: readonly QuotaFilterComponent[], strict: boolean): Promise<Array<{ entity: QuotaEntity; values: QuotaValues }>> {
    const seen = new Set<string>();
    for (const f of filter) {
      if (f.entityType !== ENTITY_USER && f.entityType !== ENTITY_CLIENT_ID) throw new QuotaError('BRK_QUOTA_INVALID_ENTITY', `unknown quota entity type "${f.entityType}" (user or client-id)`);
      if (seen.has(f.entityType)) throw new QuotaError('BRK_QUOTA_INVALID_ENTITY', `duplicate filter component for ${f.entityType}`);
      if (f.matchType === MATCH_EXACT && (f.match === null || f.match === '')) throw new QuotaError('BRK_QUOTA_INVALID_ENTITY', `an exact match on ${f.entityType} needs a name`);
      if (f.matchType !== MATCH_EXACT && f.matchType !== MATCH_DEFAULT && f.matchType !== MATCH_ANY) throw new QuotaError('BRK_QUOTA_INVALID_ENTITY', `unknown match type ${f.matchType}`);
      seen.add(f.entityType);
    }
    const all = await readQuotaEntities(this.store);
    return all.filter(({ entity }) => {
      const nameOf = (type: string): string | undefined => (type === ENTITY_USER ? entity.user : entity.clientId);
      for (const f of filter) {
        const name = nameOf(f.entityType);
        if (name === undefined) return false;
        if (f.matchType === MATCH_EXACT && name !== f.match) return false;
        if (f.matchType === MATCH_DEFAULT && name !== DEFAULT_ENTITY) return false;
      }
      if (strict) {
        const components = (entity.user !== undefined ? 1 : 0) + (entity.clientId !== undefined ? 1 : 0);
        if (components !== filter.length) return false;
      }
      return true;
    });
  }

  /** Validates, then (unless `validateOnly`) writes one entity's changes; throws QuotaError on bad input. */
  async alter(components: QuotaEntityComponents, ops: readonly QuotaAlteration[], validateOnly: boolean): Promise<void> {
    const entity = entityOfComponents(components);
    const keys = new Set<string>();
    for (const op of ops) {
      if (!isQuotaKey(op.key)) throw new QuotaError('BRK_QUOTA_INVALID_KEY', `${op.key} is not a quota key`);
      if (keys.has(op.key)) throw new QuotaError('BRK_QUOTA_INVALID_KEY', `${op.key} is altered twice`);
      keys.add(op.key);
      if (!op.remove) validateQuotaValue(op.key, op.value);
    }
    if (validateOnly) return;
    const config = await readQuotaEntityConfig(this.store, entity);
    for (const op of ops) {
      if (!isQuotaKey(op.key)) continue;
      if (op.remove) delete config[op.key];
      else config[op.key] = formatQuotaValue(op.key, op.value);
    }
    // users/<u>[/clients/<c>] or clients/<c>, names already sanitized.
    const [type, ...rest] = entityConfigPath(entity).split('/');
    await this.write(type as 'users' | 'clients', rest.join('/'), config);
  }
}
