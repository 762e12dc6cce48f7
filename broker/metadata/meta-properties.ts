/**
 * `meta.properties` in every log dir (Kafka's BrokerMetadataCheckpoint, version 0): pins the
 * broker id and the cluster id to the data. A dir written for another broker or cluster refuses
 * to start, so a misconfigured broker cannot serve (and then truncate) someone else's logs.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { isIoError } from '../../storage/index.js';

export const META_PROPERTIES = 'meta.properties';

export interface BrokerMetadata {
  readonly brokerId: number;
  readonly clusterId: string | null;
}

export class MetaPropertiesError extends Error {
  override readonly name = 'MetaPropertiesError';
  readonly code = 'BRK_META_PROPERTIES';
  readonly retriable = false;
}

export function readMetaProperties(dir: string): BrokerMetadata | null {
  const file = join(dir, META_PROPERTIES);
  if (!existsSync(file)) return null;
  const props = new Map<string, string>();
  for (const raw of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const eq = line.indexOf('=');
    if (eq > 0) props.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  const version = props.get('version');
  if (version !== '0') throw new MetaPropertiesError(`${file}: unsupported meta.properties version ${version ?? '(missing)'}`);
  const id = Number(props.get('broker.id'));
  if (!Number.isInteger(id)) throw new MetaPropertiesError(`${file}: broker.id is missing or not an integer`);
  return { brokerId: id, clusterId: props.get('cluster.id') ?? null };
}

export function writeMetaProperties(dir: string, meta: BrokerMetadata, now: Date = new Date()): void {
  mkdirSync(dir, { recursive: true });
  const lines = [`#`, `#${now.toString()}`, `version=0`, `broker.id=${meta.brokerId}`];
  if (meta.clusterId !== null) lines.splice(2, 0, `cluster.id=${meta.clusterId}`);
  const file = join(dir, META_PROPERTIES);
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${lines.join('\n')}\n`);
  const fd = openSync(tmp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/**
 * Checks every log dir against each other and against the configured broker id and the
 * cluster id from ZooKeeper; returns the broker id the dirs pin (or null if all are new).
 */
export function checkLogDirs(dirs: readonly string[], configuredBrokerId: number, offline?: Set<string>): number | null {
  let pinned: number | null = null;
  for (const dir of dirs) {
    if (offline?.has(dir)) continue;
    const meta = readOrOffline(dir, offline);
    if (meta === null) continue;
    if (pinned !== null && meta.brokerId !== pinned) {
      throw new MetaPropertiesError(`log dirs disagree on broker.id (${pinned} vs ${meta.brokerId} in ${dir}); they belong to different brokers`);
    }
    pinned = meta.brokerId;
  }
  if (pinned !== null && configuredBrokerId !== -1 && pinned !== configuredBrokerId) {
    throw new MetaPropertiesError(
      `configured broker.id ${configuredBrokerId} does not match broker.id ${pinned} stored in meta.properties of the log dirs; ` +
        'the log dirs belong to another broker',
    );
  }
  return pinned;
}

/**
 * Reads a dir's meta.properties; with `offline` given, a dir whose disk fails (an errno error
 * such as EIO) is added to it and skipped instead of failing the start.
 */
function readOrOffline(dir: string, offline: Set<string> | undefined): BrokerMetadata | null {
  try {
    return readMetaProperties(dir);
  } catch (err) {
    if (offline === undefined || !isIoError(err)) throw err;
    offline.add(dir);
    return null;
  }
}

/** Refuses a dir stamped with another cluster id, then stamps every dir (skipping failed ones, see checkLogDirs). */
export function pinLogDirs(dirs: readonly string[], brokerId: number, clusterId: string, offline?: Set<string>): void {
  for (const dir of dirs) {
    if (offline?.has(dir)) continue;
    const meta = readOrOffline(dir, offline);
    if (meta?.clusterId != null && meta.clusterId !== clusterId) {
      throw new MetaPropertiesError(
        `the cluster id ${clusterId} in ZooKeeper does not match the cluster.id ${meta.clusterId} in ${join(dir, META_PROPERTIES)}; ` +
          'the broker is connecting to the wrong cluster (check zookeeper.connect and its chroot)',
      );
    }
  }
  for (const dir of dirs) {
    if (offline?.has(dir)) continue;
    const meta = readOrOffline(dir, offline);
    if (offline?.has(dir)) continue;
    if (meta?.brokerId === brokerId && meta.clusterId === clusterId) continue;
    try {
      writeMetaProperties(dir, { brokerId, clusterId });
    } catch (err) {
      if (offline === undefined || !isIoError(err)) throw err;
      offline.add(dir);
    }
  }
}
