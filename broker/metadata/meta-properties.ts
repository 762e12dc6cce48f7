/**
 * `meta.properties` in every log dir (Kafka's BrokerMetadataCheckpoint, version 0): pins the
 * broker id and the cluster id to the data. A dir written for another broker or cluster refuses
 * to start, so a misconfigured broker cannot serve (and then truncate) someone else's logs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isIoError, writeFileAtomic } from '../../storage/index.js';
import { ConfigError, parseProperties } from '../config/index.js';
import { BrokerError } from '../errors.js';

const META_PROPERTIES = 'meta.properties';

export interface BrokerMetadata {
  readonly brokerId: number;
  readonly clusterId: string | null;
}

export class MetaPropertiesError extends BrokerError<'BRK_META_PROPERTIES'> {
  override readonly name = 'MetaPropertiesError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('BRK_META_PROPERTIES', message, options);
  }
}

export function readMetaProperties(dir: string): BrokerMetadata | null {
  const file = join(dir, META_PROPERTIES);
  if (!existsSync(file)) return null;
  let props: Map<string, string>;
  try {
    props = new Map(parseProperties(readFileSync(file, 'utf8'), file).map((e) => [e.key, e.value]));
  } catch (err) {
    if (err instanceof ConfigError) throw new MetaPropertiesError(err.message, { cause: err });
    throw err;
  }
  const version = props.get('version');
  if (version !== '0') throw new MetaPropertiesError(`${file}: unsupported meta.properties version ${version ?? '(missing)'}`);
  const id = Number(props.get('broker.id'));
  if (!Number.isInteger(id)) throw new MetaPropertiesError(`${file}: broker.id is missing or not an integer`);
  return { brokerId: id, clusterId: props.get('cluster.id') ?? null };
}

/** Written as every checkpoint is (storage's writeFileAtomic): a crash leaves the old file or the new one. */
export async function writeMetaProperties(dir: string, meta: BrokerMetadata, now: Date = new Date()): Promise<void> {
  await mkdir(dir, { recursive: true });
  const lines = [`#`, `#${now.toString()}`, `version=0`, `broker.id=${meta.brokerId}`];
  if (meta.clusterId !== null) lines.splice(2, 0, `cluster.id=${meta.clusterId}`);
  await writeFileAtomic(join(dir, META_PROPERTIES), `${lines.join('\n')}\n`);
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
export async function pinLogDirs(dirs: readonly string[], brokerId: number, clusterId: string, offline?: Set<string>): Promise<void> {
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
      await writeMetaProperties(dir, { brokerId, clusterId });
    } catch (err) {
      if (offline === undefined || !isIoError(err)) throw err;
      offline.add(dir);
    }
  }
}
