/**
 * configs.sh quotas for users and clients, Kafka's kafka-configs.sh syntax and output:
 *   --entity-type users --entity-name alice --alter --add-config producer_byte_rate=1048576
 *   --entity-type users --entity-name alice --entity-type clients --entity-name app --alter ...
 *   --entity-type clients --entity-default --alter --delete-config consumer_byte_rate
 *   --entity-type users --describe        (every user entity with quotas)
 * `--entity-name`s pair with the `--entity-type`s in order; `--entity-default` names the default
 * entity of the one type given. Values go through AlterClientQuotas / DescribeClientQuotas.
 */
import type { Admin, ClientQuotaEntity, ClientQuotaFilter, ClientQuotaKey } from '../../client/index.js';
import { keyValues, UsageError, type ParsedArgs } from './args.js';
import { out } from './common.js';

const QUOTA_KEYS: readonly string[] = ['producer_byte_rate', 'consumer_byte_rate', 'request_percentage', 'controller_mutation_rate'];
export const isQuotaConfig = (key: string): boolean => QUOTA_KEYS.includes(key);

/** The quota entity the arguments name; a type without a name (describe) is undefined = any. */
export function quotaEntityOf(args: ParsedArgs): { entity: ClientQuotaEntity; complete: boolean } {
  const types = args.all('entity-type');
  const names = args.all('entity-name');
  if (args.has('entity-default') && types.length !== 1) throw new UsageError('--entity-default goes with exactly one --entity-type');
  if (names.length > types.length) throw new UsageError('more --entity-name than --entity-type');
  const entity: ClientQuotaEntity = {};
  let complete = true;
  types.forEach((t, i) => {
    const name = args.has('entity-default') ? null : names[i];
    if (name === undefined) complete = false;
    if (t === 'users') entity.user = name ?? undefined;
    else if (t === 'clients') entity.clientId = name ?? undefined;
    else throw new UsageError(`quotas are set on users and clients, not ${t}`);
    if (name === null) {
      if (t === 'users') entity.user = null;
      else entity.clientId = null;
    }
  });
  return { entity, complete };
}

export async function alterQuotas(admin: Admin, args: ParsedArgs): Promise<number> {
  const { entity, complete } = quotaEntityOf(args);
  if (!complete) throw new UsageError('--alter needs --entity-name or --entity-default for every --entity-type');
  const add = keyValues(args.all('add-config'), '--add-config', true);
  const del = args.all('delete-config').flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  if (Object.keys(add).length === 0 && del.length === 0) throw new UsageError('--alter needs --add-config or --delete-config');
  const ops: Partial<Record<ClientQuotaKey, number | null>> = {};
  for (const [k, v] of Object.entries(add)) {
    if (!isQuotaConfig(k)) throw new UsageError(`${k} is not a quota config (${QUOTA_KEYS.join(', ')})`);
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${k} must be a number, got "${v}"`);
    ops[k as ClientQuotaKey] = n;
  }
  for (const k of del) {
    if (!isQuotaConfig(k)) throw new UsageError(`${k} is not a quota config (${QUOTA_KEYS.join(', ')})`);
    ops[k as ClientQuotaKey] = null;
  }
  await admin.alterClientQuotas([{ entity, ops }]);
  out(`Completed updating config for ${describeEntity(entity)}.`);
  return 0;
}

export async function describeQuotas(admin: Admin, args: ParsedArgs): Promise<number> {
  const { entity } = quotaEntityOf(args);
  const filter: ClientQuotaFilter = { strict: true };
  for (const t of args.all('entity-type')) {
    if (t === 'users') filter.user = entity.user;
    if (t === 'clients') filter.clientId = entity.clientId;
  }
  const found = await admin.describeClientQuotas(filter);
  for (const { entity: e, values } of found.sort((a, b) => (describeEntity(a.entity) < describeEntity(b.entity) ? -1 : 1))) {
    const shown = Object.entries(values).map(([k, v]) => `${k}=${Number.isInteger(v) ? v.toFixed(1) : v}`).join(', ');
    out(`Quota configs for ${describeEntity(e)} are ${shown}`);
  }
  return 0;
}

/** Kafka's wording: user-principal 'alice', client-id 'app', the default user-principal. */
function describeEntity(e: ClientQuotaEntity): string {
  const parts: string[] = [];
  if (e.user !== undefined) parts.push(e.user === null ? 'the default user-principal' : `user-principal '${e.user}'`);
  if (e.clientId !== undefined) parts.push(e.clientId === null ? 'the default client-id' : `client-id '${e.clientId}'`);
  return parts.join(', ');
}
