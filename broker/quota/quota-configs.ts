/**
 * Every broker's copy of the client quotas in ZooKeeper (Kafka's ClientQuotaManager overrides, fed
 * by ConfigHandler for users and clients): `/config/users/<user>`, `/config/users/<user>/clients/<client>`,
 * `/config/clients/<client>` with `<default>` entities, in Kafka's entity-config JSON. Loaded
 * whole at start and after a new ZooKeeper session; one entity re-read per `/config/changes`
 * notification naming it (the broker's one listener for user and client entities calls
 * `onEntityChange`). Lookups are in memory: the data path never reads ZooKeeper.
 */
import { readChildrenOrEmpty, readEntityConfig, type CoordinationStore } from '../../coordination/index.js';
import type { Logger } from '../logging.js';
import { entityConfigPath, entityKey, entityOfConfigPath, type QuotaEntity, type QuotaValues, quotaValuesOf } from './quota-entity.js';

export class QuotaConfigs {
  private readonly values = new Map<string, QuotaValues>();
  /** Told after every change (metrics, tests). */
  private readonly changeListeners: Array<() => void> = [];

  constructor(
    private readonly store: CoordinationStore,
    private readonly log: Logger,
  ) {}

  readonly lookup = (e: QuotaEntity): QuotaValues | undefined => this.values.get(entityKey(e));

  /** Every entity with at least one quota, with its values. */
  entries(): Array<{ entity: QuotaEntity; values: QuotaValues }> {
    return [...this.values].map(([path, values]) => ({ entity: entityOfConfigPath(path)!, values }));
  }

  onChanged(fn: () => void): void {
    this.changeListeners.push(fn);
  }

  async reloadAll(): Promise<void> {
    const all = await readQuotaEntities(this.store, (path, k, v) => this.log.warn({ entity: path, key: k, value: v }, 'ignoring an unreadable quota value'));
    this.values.clear();
    for (const { entity, values } of all) this.values.set(entityKey(entity), values);
    this.log.info({ entities: this.values.size }, 'client quotas loaded');
    this.notify();
  }

  /** A /config/changes entity path (`users/alice/clients/app`, `clients/<default>`); others are ignored. */
  async onEntityChange(entityPath: string): Promise<void> {
    const entity = entityOfConfigPath(entityPath);
    if (entity === undefined) return;
    await this.reload(entity);
    this.log.info({ entity: entityPath, quotas: this.lookup(entity) ?? {} }, 'client quota changed');
    this.notify();
  }

  private async reload(entity: QuotaEntity): Promise<void> {
    const key = entityKey(entity);
    const values = quotaValuesOf(await readQuotaEntityConfig(this.store, entity), (k, v) => this.log.warn({ entity: key, key: k, value: v }, 'ignoring an unreadable quota value'));
    if (Object.keys(values).length === 0) this.values.delete(key);
    else this.values.set(key, values);
  }

  private notify(): void {
    for (const fn of this.changeListeners) fn();
  }
}

/** The whole entity config (quota values and anything else, e.g. SCRAM credentials). */
export async function readQuotaEntityConfig(store: CoordinationStore, entity: QuotaEntity): Promise<Record<string, string>> {
  const [type, ...rest] = entityConfigPath(entity).split('/');
  return readEntityConfig(store, type as 'users' | 'clients', rest.join('/'));
}

/** Every entity under /config/users and /config/clients with at least one quota. */
export async function readQuotaEntities(
  store: CoordinationStore,
  onBad?: (path: string, key: string, value: string) => void,
): Promise<Array<{ entity: QuotaEntity; values: QuotaValues }>> {
  const paths: string[] = [];
  for (const user of await readChildrenOrEmpty(store, '/config/users')) {
    paths.push(`users/${user}`);
    for (const clientId of await readChildrenOrEmpty(store, `/config/users/${user}/clients`)) paths.push(`users/${user}/clients/${clientId}`);
  }
  for (const clientId of await readChildrenOrEmpty(store, '/config/clients')) paths.push(`clients/${clientId}`);
  const out: Array<{ entity: QuotaEntity; values: QuotaValues }> = [];
  for (const path of paths) {
    const entity = entityOfConfigPath(path);
    if (entity === undefined) continue;
    const values = quotaValuesOf(await readQuotaEntityConfig(store, entity), (k, v) => onBad?.(path, k, v));
    if (Object.keys(values).length > 0) out.push({ entity, values });
  }
  return out;
}
