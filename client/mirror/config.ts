/**
 * MirrorMaker 2's configuration, from the entries of a `.properties` file (read by the one
 * properties reader, in the process entry): `clusters`, `<alias>.bootstrap.servers`,
 * `<a>-><b>.enabled`, flow keys for every flow or one flow (`<a>-><b>.<key>`), and the mirror's
 * HTTP listener. Validated once: an unknown key or a bad value is an error naming the key, the
 * file and line, and what is allowed.
 */
import { parseHostPort } from '../cluster.js';
import { KafkaClientError } from '../errors.js';
import { CLUSTER_KEYS, FLOW_KEYS, GLOBAL_KEYS, policyClassName, type KeyDef } from './config-keys.js';
import { compilePatternList, replicationPolicy, type IncludeExclude, type ReplicationPolicy } from './policy.js';

export interface ConfigEntry {
  key: string;
  value: string;
  line?: number;
}

export interface FlowConfig {
  source: string;
  target: string;
  sourceBootstrap: string[];
  targetBootstrap: string[];
  policy: ReplicationPolicy;
  topics: IncludeExclude;
  groups: IncludeExclude;
  /** Topic config keys never synced. */
  configPropertiesExclude: RegExp | null;
  replicationFactor: number;
  offsetSyncsTopicReplicationFactor: number;
  checkpointsTopicReplicationFactor: number;
  heartbeatsTopicReplicationFactor: number;
  offsetStorageReplicationFactor: number;
  /** null: the feature is off. */
  syncTopicConfigsIntervalMs: number | null;
  refreshTopicsIntervalMs: number | null;
  refreshGroupsIntervalMs: number | null;
  emitCheckpointsIntervalMs: number | null;
  syncGroupOffsetsIntervalMs: number | null;
  emitHeartbeatsIntervalMs: number | null;
  offsetLagMax: number;
  tasksMax: number;
  offsetFlushIntervalMs: number;
  exactlyOnce: boolean;
}

export interface MirrorMakerConfig {
  /** alias → bootstrap servers. */
  clusters: ReadonlyMap<string, string[]>;
  /** Enabled flows only. */
  flows: FlowConfig[];
  httpListener: { host: string; port: number } | null;
}

const ALIAS = /^[A-Za-z0-9_-]+$/;
const FLOW_KEY = /^([A-Za-z0-9_-]+?)->([A-Za-z0-9_-]+?)\.(.+)$/;

function fail(source: string, line: number | undefined, message: string): never {
  throw new KafkaClientError('CLI_INVALID_CONFIG', `${source}${line === undefined ? '' : `:${line}`}: ${message}`);
}

function check(def: KeyDef, value: string, where: (m: string) => never): void {
  switch (def.type) {
    case 'int': {
      if (!/^-?\d+$/.test(value)) where(`${def.key} wants an integer, got "${value}"`);
      if (def.min !== undefined && Number(value) < def.min) where(`${def.key} must be at least ${def.min}, got ${value}`);
      if (def.min === -1 && Number(value) === 0) where(`${def.key} must be -1 or at least 1, got 0`);
      return;
    }
    case 'bool':
      if (!/^(true|false)$/i.test(value)) where(`${def.key} wants true or false, got "${value}"`);
      return;
    case 'class':
      if (policyClassName(value) === undefined) where(`${def.key} wants DefaultReplicationPolicy or IdentityReplicationPolicy (optionally with the package org.apache.kafka.connect.mirror.), got "${value}"`);
      return;
    case 'choice':
      if (!def.choices!.includes(value)) where(`${def.key} wants one of ${def.choices!.join(', ')}, got "${value}"`);
      return;
    case 'list':
      try {
        compilePatternList(value);
      } catch (err) {
        where(`${def.key}: bad regular expression in "${value}": ${(err as Error).message}`);
      }
      return;
    case 'string':
      return;
  }
}

const allowedList = (defs: readonly KeyDef[]): string => defs.map((d) => d.key).join(', ');

export function parseMirrorMakerConfig(entries: readonly ConfigEntry[], source = 'mirror-maker.properties'): MirrorMakerConfig {
  const global = new Map(GLOBAL_KEYS.map((d) => [d.key, d] as const));
  const flowDefs = new Map(FLOW_KEYS.map((d) => [d.key, d] as const));
  const clusterDefs = new Map(CLUSTER_KEYS.map((d) => [d.key, d] as const));

  const clustersEntry = entries.find((e) => e.key === 'clusters');
  if (clustersEntry === undefined) fail(source, undefined, 'clusters is required (e.g. "clusters = A, B")');
  const aliases = clustersEntry.value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (aliases.length < 2) fail(source, clustersEntry.line, `clusters needs at least two aliases, got "${clustersEntry.value}"`);
  for (const a of aliases) if (!ALIAS.test(a)) fail(source, clustersEntry.line, `cluster alias "${a}" may only use letters, digits, _ and -`);
  if (new Set(aliases).size !== aliases.length) fail(source, clustersEntry.line, `clusters lists an alias twice: "${clustersEntry.value}"`);

  const globals = new Map<string, string>();
  const flowDefaults = new Map<string, string>();
  const perFlow = new Map<string, Map<string, string>>();
  const perCluster = new Map<string, Map<string, string>>();

  for (const e of entries) {
    const where: (m: string) => never = (m) => fail(source, e.line, m);
    const flowMatch = FLOW_KEY.exec(e.key);
    if (global.has(e.key)) {
      check(global.get(e.key)!, e.value, where);
      globals.set(e.key, e.value);
    } else if (flowMatch !== null) {
      const [, src, tgt, rest] = flowMatch as unknown as [string, string, string, string];
      for (const a of [src, tgt]) if (!aliases.includes(a)) where(`${e.key}: "${a}" is not in clusters (${aliases.join(', ')})`);
      if (src === tgt) where(`${e.key}: a flow needs two different clusters`);
      const def = flowDefs.get(rest);
      if (def === undefined) where(`unknown flow key "${rest}" in ${e.key} (allowed after "${src}->${tgt}.": ${allowedList(FLOW_KEYS)})`);
      check(def, e.value, where);
      let m = perFlow.get(`${src}->${tgt}`);
      if (m === undefined) perFlow.set(`${src}->${tgt}`, (m = new Map()));
      m.set(rest, e.value);
    } else if (aliases.some((a) => e.key.startsWith(`${a}.`)) && clusterDefs.has(e.key.slice(e.key.indexOf('.') + 1))) {
      const alias = e.key.slice(0, e.key.indexOf('.'));
      const def = clusterDefs.get(e.key.slice(alias.length + 1))!;
      check(def, e.value, where);
      let m = perCluster.get(alias);
      if (m === undefined) perCluster.set(alias, (m = new Map()));
      m.set(def.key, e.value);
    } else if (flowDefs.has(e.key) && e.key !== 'enabled') {
      check(flowDefs.get(e.key)!, e.value, where);
      flowDefaults.set(e.key, e.value);
    } else {
      where(
        `unknown key "${e.key}" (allowed: ${allowedList(GLOBAL_KEYS)}; <alias>.{${allowedList(CLUSTER_KEYS)}}; ` +
          `<source>-><target>.enabled; flow keys, alone or after <source>-><target>.: ${allowedList(FLOW_KEYS.filter((d) => d.key !== 'enabled'))})`,
      );
    }
  }

  const clusters = new Map<string, string[]>();
  for (const a of aliases) {
    const servers = (perCluster.get(a)?.get('bootstrap.servers') ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    if (servers.length === 0) fail(source, clustersEntry.line, `${a}.bootstrap.servers is required for cluster ${a}`);
    for (const s of servers) {
      try {
        parseHostPort(s);
      } catch {
        fail(source, undefined, `${a}.bootstrap.servers: bad address "${s}" (want host:port)`);
      }
    }
    clusters.set(a, servers);
  }

  const flows: FlowConfig[] = [];
  for (const src of aliases) {
    for (const tgt of aliases) {
      if (src === tgt) continue;
      const own = perFlow.get(`${src}->${tgt}`) ?? new Map<string, string>();
      const value = (key: string): string => own.get(key) ?? flowDefaults.get(key) ?? flowDefs.get(key)!.default;
      if (value('enabled').toLowerCase() !== 'true') continue;
      const bool = (key: string): boolean => value(key).toLowerCase() === 'true';
      const int = (key: string): number => Number(value(key));
      const seconds = (enabledKey: string, key: string): number | null => (bool(enabledKey) ? int(key) * 1000 : null);
      const exactlyOnce = value('exactly.once.source.support') === 'enabled';
      flows.push({
        source: src,
        target: tgt,
        sourceBootstrap: clusters.get(src)!,
        targetBootstrap: clusters.get(tgt)!,
        policy: replicationPolicy(policyClassName(value('replication.policy.class'))!, value('replication.policy.separator')),
        topics: { include: compilePatternList(value('topics')), exclude: compilePatternList(value('topics.exclude')) },
        groups: { include: compilePatternList(value('groups')), exclude: compilePatternList(value('groups.exclude')) },
        configPropertiesExclude: compilePatternList(value('config.properties.exclude')),
        replicationFactor: int('replication.factor'),
        offsetSyncsTopicReplicationFactor: int('offset-syncs.topic.replication.factor'),
        checkpointsTopicReplicationFactor: int('checkpoints.topic.replication.factor'),
        heartbeatsTopicReplicationFactor: int('heartbeats.topic.replication.factor'),
        offsetStorageReplicationFactor: int('offset.storage.replication.factor'),
        syncTopicConfigsIntervalMs: seconds('sync.topic.configs.enabled', 'sync.topic.configs.interval.seconds'),
        refreshTopicsIntervalMs: seconds('refresh.topics.enabled', 'refresh.topics.interval.seconds'),
        refreshGroupsIntervalMs: seconds('refresh.groups.enabled', 'refresh.groups.interval.seconds'),
        emitCheckpointsIntervalMs: seconds('emit.checkpoints.enabled', 'emit.checkpoints.interval.seconds'),
        syncGroupOffsetsIntervalMs: bool('sync.group.offsets.enabled') ? int('sync.group.offsets.interval.seconds') * 1000 : null,
        emitHeartbeatsIntervalMs: seconds('emit.heartbeats.enabled', 'emit.heartbeats.interval.seconds'),
        offsetLagMax: int('offset.lag.max'),
        tasksMax: int('tasks.max'),
        offsetFlushIntervalMs: int('offset.flush.interval.ms'),
        exactlyOnce,
      });
    }
  }
  if (flows.length === 0) fail(source, undefined, `no flow is enabled: set e.g. ${aliases[0]}->${aliases[1]}.enabled = true`);

  const listener = globals.get('admin.http.listener') ?? '';
  let httpListener: MirrorMakerConfig['httpListener'] = null;
  if (listener !== '') {
    try {
      httpListener = parseHostPort(listener);
    } catch {
      fail(source, entries.find((e) => e.key === 'admin.http.listener')?.line, `admin.http.listener wants host:port, got "${listener}"`);
    }
  }
  return { clusters, flows, httpListener };
}
