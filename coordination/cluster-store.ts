/**
 * Reads of cluster metadata for the controller and the admin service: brokers with their epochs,
 * topic assignments, partition states, configs and admin requests. Bulk reads are pipelined
 * (all requests in flight at once, in bounded chunks) because failover is O(partitions).
 */
import { tpKey } from '../common/index.js';
import { isCoordinationError } from './errors.js';
import {
  BROKER_IDS_PATH,
  BROKER_TOPICS_PATH,
  brokerIdPath,
  configEntityPath,
  type ConfigEntityType,
  partitionStatePath,
  topicPath,
} from './paths.js';
import type { CoordinationStore, Watcher } from './store.js';
import {
  type BrokerInfo,
  decodeBrokerInfo,
  decodeEntityConfig,
  decodePartitionState,
  decodeTopicAssignment,
  type LeaderIsrAndControllerEpoch,
  type TopicAssignment,
} from './znodes/codecs.js';

const CHUNK = 2000;

export interface RegisteredBroker {
  readonly info: BrokerInfo;
  /** czxid of /brokers/ids/<id> (KIP-380). */
  readonly brokerEpoch: bigint;
}

export interface PartitionStateWithVersion {
  readonly state: LeaderIsrAndControllerEpoch;
  readonly zkVersion: number;
  /** zxid of the last write of the state: a broker registered later (czxid above it) was not vouched for by this ISR. */
  readonly mzxid?: bigint;
}

/** Runs `fn` over items with at most CHUNK requests in flight. */
export async function pipelined<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(...(await Promise.all(items.slice(i, i + CHUNK).map(fn))));
  return out;
}

async function getOrNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    if (isCoordinationError(err, 'CRD_NO_NODE')) return null;
    throw err;
  }
}

export async function readBrokerIds(store: CoordinationStore, watcher?: Watcher): Promise<number[]> {
  const children = await store.getChildren(BROKER_IDS_PATH, watcher);
  return children.map(Number).filter((n) => Number.isInteger(n)).sort((a, b) => a - b);
}

async function readBroker(store: CoordinationStore, id: number): Promise<RegisteredBroker | null> {
  const path = brokerIdPath(id);
  const node = await getOrNull(store.getData(path));
  if (node === null) return null;
  return { info: decodeBrokerInfo(id, node.data, path), brokerEpoch: node.stat.czxid };
}

/** All registered brokers; `watcher` is armed on the /brokers/ids children. */
export async function readBrokers(store: CoordinationStore, watcher?: Watcher): Promise<Map<number, RegisteredBroker>> {
  const ids = await readBrokerIds(store, watcher);
  const brokers = await pipelined(ids, (id) => readBroker(store, id));
  const out = new Map<number, RegisteredBroker>();
  for (const b of brokers) if (b !== null) out.set(b.info.id, b);
  return out;
}

export async function readTopicNames(store: CoordinationStore, watcher?: Watcher): Promise<string[]> {
  return (await store.getChildren(BROKER_TOPICS_PATH, watcher)).sort();
}

export interface TopicAssignmentWithVersion {
  readonly assignment: TopicAssignment;
  readonly zkVersion: number;
}

export async function readTopicAssignment(
  store: CoordinationStore,
  topic: string,
  watcher?: Watcher,
): Promise<TopicAssignmentWithVersion | null> {
  const path = topicPath(topic);
  const node = await getOrNull(store.getData(path, watcher));
  if (node === null) return null;
  return { assignment: decodeTopicAssignment(node.data, path), zkVersion: node.stat.version };
}

export async function readTopicAssignments(
  store: CoordinationStore,
  topics: readonly string[],
  watcherFor?: (topic: string) => Watcher,
): Promise<Map<string, TopicAssignmentWithVersion>> {
  const read = await pipelined(topics, async (t) => [t, await readTopicAssignment(store, t, watcherFor?.(t))] as const);
  const out = new Map<string, TopicAssignmentWithVersion>();
  for (const [t, a] of read) if (a !== null) out.set(t, a);
  return out;
}

export async function readPartitionState(store: CoordinationStore, topic: string, partition: number): Promise<PartitionStateWithVersion | null> {
  const path = partitionStatePath(topic, partition);
  const node = await getOrNull(store.getData(path));
  if (node === null) return null;
  return { state: decodePartitionState(node.data, path), zkVersion: node.stat.version, mzxid: node.stat.mzxid };
}

export interface TopicPartitionKey {
  readonly topic: string;
  readonly partition: number;
}

/** Partition states keyed `topic-partition`; partitions without a state znode are absent. */
export async function readPartitionStates(
  store: CoordinationStore,
  partitions: readonly TopicPartitionKey[],
): Promise<Map<string, PartitionStateWithVersion>> {
  const read = await pipelined(partitions, async (p) => [tpKey(p.topic, p.partition), await readPartitionState(store, p.topic, p.partition)] as const);
  const out = new Map<string, PartitionStateWithVersion>();
  for (const [k, s] of read) if (s !== null) out.set(k, s);
  return out;
}

export async function readTopicConfig(store: CoordinationStore, topic: string): Promise<Record<string, string>> {
  return readEntityConfig(store, 'topics', topic);
}

/** `/config/<type>/<name>` (e.g. brokers/<default>), {} when absent. */
export async function readEntityConfig(store: CoordinationStore, type: ConfigEntityType, name: string): Promise<Record<string, string>> {
  const path = configEntityPath(type, name);
  const node = await getOrNull(store.getData(path));
  return node === null ? {} : decodeEntityConfig(node.data, path);
}

export async function readChildrenOrEmpty(store: CoordinationStore, path: string, watcher?: Watcher): Promise<string[]> {
  try {
    return await store.getChildren(path, watcher);
  } catch (err) {
    if (!isCoordinationError(err, 'CRD_NO_NODE')) throw err;
    // Arm an existence watch so the caller still hears about the node being created.
    if (watcher !== undefined) await store.exists(path, watcher);
    return [];
  }
}

export async function getDataOrNull(store: CoordinationStore, path: string, watcher?: Watcher) {
  return getOrNull(store.getData(path, watcher));
}
