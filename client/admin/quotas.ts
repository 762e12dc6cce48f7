/**
 * Client quotas (KIP-546): describe the entities matching a filter, alter (set or remove) values
 * per entity. An entity is `{ user?, clientId? }`; `null` names the `<default>` entity of that
 * type, as Kafka's ClientQuotaEntity.
 */
import type { Cluster } from '../cluster.js';
import { brokerError } from '../errors.js';
import { API, errorInfo } from '../wire.js';

export interface ClientQuotaEntity {
  /** A user name, or null for `<default>`; absent = not part of the entity. */
  user?: string | null;
  clientId?: string | null;
}

export type ClientQuotaKey = 'producer_byte_rate' | 'consumer_byte_rate' | 'request_percentage' | 'controller_mutation_rate';

/** Per entity: the keys to set (a number) or remove (null). */
export interface ClientQuotaAlteration {
  entity: ClientQuotaEntity;
  ops: Partial<Record<ClientQuotaKey, number | null>>;
}

/** A filter component: `name` matches that name exactly, null the default entity, undefined any. */
export interface ClientQuotaFilter {
  user?: string | null;
  clientId?: string | null;
  /** Only entities with exactly the components named. */
  strict?: boolean;
}

interface WireEntity {
  entityType: string;
  entityName: string | null;
}

function toWire(e: ClientQuotaEntity): WireEntity[] {
  const out: WireEntity[] = [];
  if (e.user !== undefined) out.push({ entityType: 'user', entityName: e.user });
  if (e.clientId !== undefined) out.push({ entityType: 'client-id', entityName: e.clientId });
  return out;
}

function fromWire(components: readonly WireEntity[]): ClientQuotaEntity {
  const e: ClientQuotaEntity = {};
  for (const c of components) {
    if (c.entityType === 'user') e.user = c.entityName;
    else if (c.entityType === 'client-id') e.clientId = c.entityName;
  }
  return e;
}

export async function describeClientQuotas(cluster: Cluster, filter: ClientQuotaFilter = {}): Promise<Array<{ entity: ClientQuotaEntity; values: Record<string, number> }>> {
  const components: Array<{ entityType: string; matchType: number; match: string | null }> = [];
  for (const [type, v] of [['user', filter.user], ['client-id', filter.clientId]] as const) {
    if (!(type === 'user' ? 'user' in filter : 'clientId' in filter)) continue;
    components.push(v === undefined ? { entityType: type, matchType: 2, match: null } : v === null ? { entityType: type, matchType: 1, match: null } : { entityType: type, matchType: 0, match: v });
  }
  type Res = { errorCode: number; errorMessage: string | null; entries: Array<{ entity: WireEntity[]; values: Array<{ key: string; value: number }> }> | null };
  const res = await cluster.withAnyBroker((c) => c.send<Res>(API.DescribeClientQuotas, { components, strict: filter.strict ?? false }));
  if (res.errorCode !== 0) throw brokerError(errorInfo(res.errorCode), `describe client quotas: ${res.errorMessage ?? ''}`);
  return (res.entries ?? []).map((e) => ({ entity: fromWire(e.entity), values: Object.fromEntries(e.values.map((v) => [v.key, v.value])) }));
}

/** Applies every alteration; throws the first entity's error (the others may have been applied). */
export async function alterClientQuotas(cluster: Cluster, alterations: readonly ClientQuotaAlteration[], validateOnly = false): Promise<void> {
  const entries = alterations.map((a) => ({
    entity: toWire(a.entity),
    ops: Object.entries(a.ops).map(([key, value]) => ({ key, value: value ?? 0, remove: value === null })),
  }));
  type Res = { entries: Array<{ errorCode: number; errorMessage: string | null; entity: WireEntity[] }> };
  const res = await cluster.withAnyBroker((c) => c.send<Res>(API.AlterClientQuotas, { entries, validateOnly }));
  for (const r of res.entries) {
    if (r.errorCode !== 0) throw brokerError(errorInfo(r.errorCode), `alter client quotas of ${JSON.stringify(fromWire(r.entity))}: ${r.errorMessage ?? ''}`);
  }
}
