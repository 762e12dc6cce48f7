/**
 * The broker's configuration: read once from a `.properties` file plus `--override key=value`
 * arguments, validated against BROKER_CONFIG_DEFS, then frozen. Modules receive plain option
 * objects derived from it; they never parse configuration themselves.
 */
import { readFileSync } from 'node:fs';
import { BROKER_CONFIG_DEFS } from './broker-definitions.js';
import { ConfigError } from './errors.js';
import { type Listener, parseListeners, parseProtocolMap, type SecurityProtocol } from './listeners.js';
import { parseProperties } from './properties.js';
import type { ConfigDef, ConfigValue, ResolvedValue } from './types.js';
import { formatValue, parseValue } from './values.js';
import { closestKey } from './suggest.js';

export interface AdminHttpListener {
  readonly host: string;
  readonly port: number;
}

export interface BrokerConfig {
  readonly source: string;
  readonly values: ReadonlyMap<string, ResolvedValue>;
  /** Keys that were set but have no effect in Samsa (warned about at startup). */
  readonly ignoredKeys: readonly string[];
  readonly brokerId: number;
  readonly listeners: readonly Listener[];
  readonly advertisedListeners: readonly Listener[];
  readonly securityProtocolMap: ReadonlyMap<string, SecurityProtocol>;
  readonly interBrokerListenerName: string;
  readonly adminHttp: AdminHttpListener | null;
  readonly zookeeperConnect: string;
  readonly zookeeperSessionTimeoutMs: number;
  readonly zookeeperConnectionTimeoutMs: number;
  readonly logDirs: readonly string[];
  readonly logRetentionMs: number;
  readonly logRollMs: number;
  readonly logRollJitterMs: number;
  int(key: string): number;
  bool(key: string): boolean;
  str(key: string): string;
  optionalStr(key: string): string | null;
  list(key: string): readonly string[];
  /**
   * A per-listener value: `listener.name.<listener>.<key>` when set, else the broker-wide `key`
   * (null when neither exists, e.g. `plain.sasl.jaas.config` without a listener prefix).
   */
  listenerValue(listener: string, key: string): ConfigValue;
}

/** Keys Kafka lets an operator set per listener (`listener.name.<name>.<key>`). */
const PER_LISTENER = (key: string): boolean =>
  key.startsWith('ssl.') || key === 'sasl.enabled.mechanisms' || key === 'connections.max.reauth.ms';
const LISTENER_PREFIX_RE = /^listener\.name\.([A-Za-z_][A-Za-z0-9_]*)\.(.+)$/;
const JAAS_RE = /^([a-z0-9-]+)\.sasl\.jaas\.config$/;

/** The definition of a key, prefixed per-listener keys included (stored under a lower-case listener name, as Kafka does). */
function lookupDef(rawKey: string): { key: string; def: ConfigDef | undefined } {
  const direct = DEFS.get(rawKey);
  if (direct !== undefined) return { key: rawKey, def: direct };
  const m = LISTENER_PREFIX_RE.exec(rawKey);
  if (m === null) return { key: rawKey, def: undefined };
  const key = `listener.name.${m[1]!.toLowerCase()}.${m[2]!}`;
  const inner = m[2]!;
  if (JAAS_RE.test(inner)) {
    return { key, def: { key, type: 'password', default: null, doc: 'JAAS login module configuration of one SASL mechanism on one listener.' } };
  }
  const base = DEFS.get(inner);
  return { key, def: base !== undefined && PER_LISTENER(inner) ? { ...base, key } : undefined };
}

const DEFS = new Map(BROKER_CONFIG_DEFS.map((d) => [d.key, d]));

/** What a SASL listener can offer (GSSAPI and OAUTHBEARER are not implemented). */
export const SUPPORTED_SASL_MECHANISMS: readonly string[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];

export interface LoadOptions {
  /** Path of a `.properties` file; omitted means defaults plus overrides only. */
  file?: string;
  /** `key=value` strings, as given to `--override`. */
  overrides?: readonly string[];
}

export function loadBrokerConfig(options: LoadOptions): BrokerConfig {
  const resolved = new Map<string, ResolvedValue>();
  const ignoredKeys: string[] = [];
  const apply = (rawKey: string, text: string, source: string, origin: 'file' | 'override', line?: number): void => {
    const { key, def } = lookupDef(rawKey);
    if (def === undefined) {
      const hint = closestKey(key, [...DEFS.keys()]);
      throw new ConfigError(
        'CFG_UNKNOWN_KEY',
        `Unknown configuration "${key}" (${line === undefined ? source : `${source}:${line}`})` +
          (hint ? `; did you mean "${hint}"?` : '') +
          '; run scripts/broker-start.sh --help for the accepted keys',
        { key, source, line },
      );
    }
    const value = parseValue(def, text, { source, line });
    if (def.ignored) ignoredKeys.push(key);
    resolved.set(key, { value, text: formatValue(def, value), source: origin });
  };

  const source = options.file ?? '--override';
  if (options.file !== undefined) {
    let text: string;
    try {
      text = readFileSync(options.file, 'utf8');
    } catch (cause) {
      throw new ConfigError('CFG_FILE_UNREADABLE', `Cannot read config file ${options.file}: ${(cause as Error).message}`, {
        source: options.file,
        cause,
      });
    }
    for (const e of parseProperties(text, options.file)) apply(e.key, e.value, options.file, 'file', e.line);
  }
  for (const o of options.overrides ?? []) {
    const eq = o.indexOf('=');
    if (eq <= 0) {
      throw new ConfigError('CFG_SYNTAX', `--override "${o}" is not of the form key=value`, { source: '--override' });
    }
    apply(o.slice(0, eq).trim(), o.slice(eq + 1), '--override', 'override');
  }
  for (const def of BROKER_CONFIG_DEFS) {
    if (resolved.has(def.key)) continue;
    if (def.required) {
      throw new ConfigError('CFG_MISSING_REQUIRED', `Missing required configuration "${def.key}" in ${source}: ${def.doc}`, {
        key: def.key,
        source,
      });
    }
    resolved.set(def.key, { value: def.default, text: formatValue(def, def.default), source: 'default' });
  }
  return Object.freeze(build(resolved, source, ignoredKeys));
}

/**
 * The same configuration with some values replaced (dynamic broker configs): re-derived through
 * the one `build`, so derived figures (logRetentionMs, …) follow the new values.
 */
export function overlayBrokerConfig(base: BrokerConfig, overlay: ReadonlyMap<string, ResolvedValue>): BrokerConfig {
  if (overlay.size === 0) return base;
  const values = new Map(base.values);
  for (const [k, v] of overlay) values.set(k, v);
  return Object.freeze(build(values, base.source, [...base.ignoredKeys]));
}

function build(values: Map<string, ResolvedValue>, source: string, ignoredKeys: string[]): BrokerConfig {
  const raw = (key: string): ConfigValue => {
    const v = values.get(key);
    if (v === undefined) throw new Error(`no broker configuration named ${key}`);
    return v.value;
  };
  const typed = <T>(key: string, kind: string, ok: (v: ConfigValue) => boolean): T => {
    const v = raw(key);
    if (!ok(v)) throw new Error(`configuration ${key} is not ${kind} (it is ${JSON.stringify(v)})`);
    return v as T;
  };
  const int = (key: string): number => typed<number>(key, 'a number', (v) => typeof v === 'number');
  const bool = (key: string): boolean => typed<boolean>(key, 'a boolean', (v) => typeof v === 'boolean');
  const str = (key: string): string => typed<string>(key, 'a string', (v) => typeof v === 'string');
  const optionalStr = (key: string): string | null => {
    const v = raw(key);
    return typeof v === 'string' ? v : null;
  };
  const list = (key: string): readonly string[] => typed<readonly string[]>(key, 'a list', (v) => Array.isArray(v));
  const optionalNumber = (key: string): number | null => {
    const v = raw(key);
    return typeof v === 'number' ? v : null;
  };
  const listenerValue = (listener: string, key: string): ConfigValue =>
    values.get(`listener.name.${listener.toLowerCase()}.${key}`)?.value ?? values.get(key)?.value ?? null;
  const inconsistent = (key: string, message: string): never => {
    throw new ConfigError('CFG_INCONSISTENT', `Invalid configuration "${key}" (${source}): ${message}`, { key, source });
  };

  const listeners = parseListeners(list('listeners'));
  const advertisedRaw = raw('advertised.listeners');
  const advertisedListeners = Array.isArray(advertisedRaw) ? parseListeners(advertisedRaw) : listeners;
  const securityProtocolMap = parseProtocolMap(list('listener.security.protocol.map'));
  for (const l of listeners) {
    if (!securityProtocolMap.has(l.name)) {
      inconsistent('listener.security.protocol.map', `listener ${l.name} has no security protocol; add ${l.name}:PLAINTEXT`);
    }
  }
  for (const l of advertisedListeners) {
    if (!listeners.some((x) => x.name === l.name)) {
      inconsistent('advertised.listeners', `listener ${l.name} is advertised but not in listeners`);
    }
    if (l.host === '0.0.0.0' || l.host === '::') {
      inconsistent('advertised.listeners', `${l.name} advertises the wildcard address ${l.host}; clients cannot connect to it`);
    }
  }
  const interBrokerListenerName = str('inter.broker.listener.name').toUpperCase();
  if (!listeners.some((l) => l.name === interBrokerListenerName)) {
    inconsistent('inter.broker.listener.name', `${interBrokerListenerName} is not one of the listeners (${listeners.map((l) => l.name).join(', ')})`);
  }
  if (!listeners.some((l) => l.name !== interBrokerListenerName)) {
    inconsistent('listeners', 'at least one client listener besides the inter-broker listener is needed');
  }

  for (const l of listeners) {
    const protocol = securityProtocolMap.get(l.name);
    if (protocol !== 'SASL_PLAINTEXT' && protocol !== 'SASL_SSL') continue;
    const mechanisms = listenerValue(l.name, 'sasl.enabled.mechanisms') as readonly string[];
    const unsupported = mechanisms.filter((x) => !SUPPORTED_SASL_MECHANISMS.includes(x));
    if (unsupported.length > 0 || mechanisms.length === 0) {
      inconsistent('sasl.enabled.mechanisms', `listener ${l.name} is ${protocol} and enables ${mechanisms.join(', ') || 'nothing'}; Samsa supports ${SUPPORTED_SASL_MECHANISMS.join(', ')}`);
    }
  }
  const interProtocol = securityProtocolMap.get(interBrokerListenerName);
  if (interProtocol === 'SASL_PLAINTEXT' || interProtocol === 'SASL_SSL') {
    const m = str('sasl.mechanism.inter.broker.protocol');
    const enabled = listenerValue(interBrokerListenerName, 'sasl.enabled.mechanisms') as readonly string[];
    if (!enabled.includes(m)) {
      inconsistent('sasl.mechanism.inter.broker.protocol', `${m} is not enabled on the inter-broker listener ${interBrokerListenerName} (${enabled.join(', ')})`);
    }
  }

  const brokerId = int('broker.id');
  if (brokerId === -1 && !bool('broker.id.generation.enable')) {
    inconsistent('broker.id', 'broker.id is -1 but broker.id.generation.enable is false; set a broker.id');
  }
  if (brokerId > int('reserved.broker.max.id')) {
    inconsistent('broker.id', `${brokerId} is above reserved.broker.max.id (${int('reserved.broker.max.id')})`);
  }
  if (int('group.min.session.timeout.ms') > int('group.max.session.timeout.ms')) {
    inconsistent('group.min.session.timeout.ms', 'it is larger than group.max.session.timeout.ms');
  }

  const adminText = str('admin.http.listener');
  let adminHttp: AdminHttpListener | null = null;
  if (adminText !== '') {
    const colon = adminText.lastIndexOf(':');
    const host = adminText.slice(0, colon).replace(/^\[|\]$/g, '');
    adminHttp = { host, port: Number(adminText.slice(colon + 1)) };
  }

  const dirsRaw = raw('log.dirs');
  const logDirs = Array.isArray(dirsRaw) && dirsRaw.length > 0 ? [...dirsRaw] : [str('log.dir')];

  const retentionMs =
    optionalNumber('log.retention.ms') ??
    (optionalNumber('log.retention.minutes') !== null
      ? minutesOrForever(optionalNumber('log.retention.minutes')!)
      : hoursOrForever(int('log.retention.hours')));
  const rollMs = optionalNumber('log.roll.ms') ?? int('log.roll.hours') * 3_600_000;
  const rollJitterMs = optionalNumber('log.roll.jitter.ms') ?? int('log.roll.jitter.hours') * 3_600_000;

  return {
    source,
    values,
    ignoredKeys,
    brokerId,
    listeners,
    advertisedListeners,
    securityProtocolMap,
    interBrokerListenerName,
    adminHttp,
    zookeeperConnect: str('zookeeper.connect'),
    zookeeperSessionTimeoutMs: int('zookeeper.session.timeout.ms'),
    zookeeperConnectionTimeoutMs: optionalNumber('zookeeper.connection.timeout.ms') ?? int('zookeeper.session.timeout.ms'),
    logDirs,
    logRetentionMs: retentionMs,
    logRollMs: rollMs,
    logRollJitterMs: rollJitterMs,
    int,
    bool,
    str,
    optionalStr,
    list,
    listenerValue,
  };
}

function minutesOrForever(m: number): number {
  return m < 0 ? -1 : m * 60_000;
}

function hoursOrForever(h: number): number {
  return h < 0 ? -1 : h * 3_600_000;
}
