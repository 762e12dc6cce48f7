/**
 * Kafka's client quota model (KIP-13, KIP-55, KIP-124, KIP-599) as pure data: the four quota keys,
 * the entities they are set on (`<user, client-id>`, `<user>`, `<client-id>` and the `<default>`
 * entities) with their ZooKeeper paths, and the precedence by which one connection's
 * (principal, client-id) finds its quota. Each quota key is resolved on its own: a user may take
 * `producer_byte_rate` from `/config/users/alice` and `consumer_byte_rate` from
 * `/config/clients/<default>` (Kafka keeps one ClientQuotaManager per quota type).
 */
import { QuotaError } from './errors.js';

export const QUOTA_KEYS = ['producer_byte_rate', 'consumer_byte_rate', 'request_percentage', 'controller_mutation_rate'] as const;
export type QuotaKey = (typeof QUOTA_KEYS)[number];
export const isQuotaKey = (k: string): k is QuotaKey => (QUOTA_KEYS as readonly string[]).includes(k);

/** Kafka's ConfigEntityName.Default. */
export const DEFAULT_ENTITY = '<default>';

/**
 * One quota entity. `undefined` = the component is absent (not part of the entity);
 * `DEFAULT_ENTITY` = the default entity of that type.
 */
export interface QuotaEntity {
  readonly user?: string;
  readonly clientId?: string;
}

export type QuotaValues = Partial<Record<QuotaKey, number>>;

const SAFE_NAME = /^[A-Za-z0-9._-]*$/;

/**
 * Kafka's Sanitizer: user and client-id names are URL-encoded in znode names (Java's URLEncoder,
 * with `*` and space as %2A and %20) so that `User:CN=a/b` or `my client` fit in one path segment.
 */
export function sanitize(name: string): string {
  if (name === DEFAULT_ENTITY || SAFE_NAME.test(name)) return name;
  let out = '';
  for (const b of Buffer.from(name, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9._-]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function desanitize(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The entity's path under /config: `users/alice/clients/app`, `users/<default>`, `clients/app`. */
export function entityConfigPath(e: QuotaEntity): string {
  if (e.user !== undefined) return e.clientId === undefined ? `users/${sanitize(e.user)}` : `users/${sanitize(e.user)}/clients/${sanitize(e.clientId)}`;
  if (e.clientId !== undefined) return `clients/${sanitize(e.clientId)}`;
  throw new QuotaError('BRK_QUOTA_INVALID_ENTITY', 'a quota entity names a user, a client id or both');
}

/** The inverse of entityConfigPath (a /config/changes entity path); undefined when not a quota entity. */
export function entityOfConfigPath(path: string): QuotaEntity | undefined {
  const parts = path.split('/');
  if (parts.some((p) => p === '')) return undefined;
  if (parts[0] === 'users' && parts.length === 2) return { user: desanitize(parts[1]!) };
  if (parts[0] === 'users' && parts.length === 4 && parts[2] === 'clients') return { user: desanitize(parts[1]!), clientId: desanitize(parts[3]!) };
  if (parts[0] === 'clients' && parts.length === 2) return { clientId: desanitize(parts[1]!) };
  return undefined;
}

/** How Kafka writes a value to ZooKeeper: byte rates as longs, the others as doubles (`200.0`). */
export function formatQuotaValue(key: QuotaKey, value: number): string {
  if (key === 'producer_byte_rate' || key === 'consumer_byte_rate') return String(Math.trunc(value));
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

export const entityKey = (e: QuotaEntity): string => entityConfigPath(e);

/** The user name of a principal (`User:alice` → alice); Kafka's quota entities name users without the type. */
export function quotaUserOf(principal: string): string {
  return principal.startsWith('User:') ? principal.slice('User:'.length) : principal;
}

/**
 * The entities a connection's quota is looked up in, most specific first (Kafka's
 * DefaultQuotaCallback order): user+client, user+default-client, user, default-user+client,
 * default-user+default-client, default-user, client, default-client.
 */
export function precedence(user: string, clientId: string): QuotaEntity[] {
  const D = DEFAULT_ENTITY;
  return [
    { user, clientId },
    { user, clientId: D },
    { user },
    { user: D, clientId },
    { user: D, clientId: D },
    { user: D },
    { clientId },
    { clientId: D },
  ];
}

/**
 * The quota that applies and the entity whose sensor is charged. The sensor is the entity the
 * quota came from with defaults replaced by the real names (Kafka's metric tags): every client of
 * alice shares `<user=alice>`'s quota, each client id has its own under `<client-id=<default>>`.
 */
export interface ResolvedQuota {
  readonly bound: number;
  /** Where the value is configured. */
  readonly source: QuotaEntity;
  /** Which usage is measured against it (Kafka's quota metric tags user/client-id). */
  readonly sensor: { readonly user: string; readonly clientId: string };
}

export function resolveQuota(lookup: (e: QuotaEntity) => QuotaValues | undefined, key: QuotaKey, user: string, clientId: string): ResolvedQuota | undefined {
  for (const e of precedence(user, clientId)) {
    const bound = lookup(e)?.[key];
    if (bound === undefined) continue;
    return {
      bound,
      source: e,
      sensor: { user: e.user === undefined ? '' : user, clientId: e.clientId === undefined ? '' : clientId },
    };
  }
  return undefined;
}

/** Kafka's DynamicConfig.Client validation: every quota is a number ≥ 0 (byte rates whole numbers), request_percentage > 0. */
export function validateQuotaValue(key: string, value: number): void {
  if (!isQuotaKey(key)) throw new QuotaError('BRK_QUOTA_INVALID_KEY', `${key} is not a quota: use one of ${QUOTA_KEYS.join(', ')}`);
  if (!Number.isFinite(value) || value <= 0) throw new QuotaError('BRK_QUOTA_INVALID_VALUE', `${key} must be a positive number, got ${value}`);
  if (key !== 'request_percentage' && key !== 'controller_mutation_rate' && !Number.isInteger(value)) {
    throw new QuotaError('BRK_QUOTA_INVALID_VALUE', `${key} is a whole number of bytes per second, got ${value}`);
  }
}

/** The quota values among an entity's config (which may also hold SCRAM credentials); unreadable values are reported, not applied. */
export function quotaValuesOf(config: Readonly<Record<string, string>>, onBad?: (key: string, value: string) => void): QuotaValues {
  const out: QuotaValues = {};
  for (const [k, v] of Object.entries(config)) {
    if (!isQuotaKey(k)) continue;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n <= 0) onBad?.(k, v);
    else out[k] = n;
  }
  return out;
}
