/**
 * Kafka's znode payloads, byte for byte (ZkData.scala as written by Jackson in Kafka 2.x,
 * including its quirks: timestamps and producer-id bounds as JSON strings, `/cluster/id` with a
 * string version, `/controller_epoch` as bare integer text). Key order follows what Kafka
 * writes, so `zkCli.sh get` output matches a real cluster. Decoders accept any key order.
 */
import { randomBytes } from 'node:crypto';
import { bad, bigStr, encode, intArray, type Json, type JsonObject, num, optNum, parseJsonObject, str } from './json.js';

// ---- /brokers/ids/<id> -------------------------------------------------------------------------

export interface BrokerEndpoint {
  readonly listener: string;
  readonly host: string;
  readonly port: number;
  readonly securityProtocol: string;
}

export interface BrokerInfo {
  readonly id: number;
  readonly endpoints: readonly BrokerEndpoint[];
  readonly rack: string | null;
  readonly jmxPort: number;
  /** Registration time, ms since the epoch (written as a JSON string). */
  readonly timestamp: bigint;
  /** 4 (IBP 0.10–2.6) or 5 (adds "features", IBP ≥ 2.7). */
  readonly version: 4 | 5;
  readonly features?: Readonly<Record<string, { minVersion: number; maxVersion: number }>>;
}

export function encodeBrokerInfo(b: BrokerInfo): Buffer {
  const plaintext = b.endpoints.find((e) => e.securityProtocol === 'PLAINTEXT');
  const protocolMap: Record<string, string> = {};
  for (const e of b.endpoints) protocolMap[e.listener] = e.securityProtocol;
  const o: Record<string, unknown> = {
    listener_security_protocol_map: protocolMap,
    endpoints: b.endpoints.map((e) => `${e.listener}://${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`),
  };
  if (b.rack !== null) o['rack'] = b.rack;
  o['jmx_port'] = b.jmxPort;
  if (b.version === 5) {
    const features: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(b.features ?? {})) features[k] = { min_version: v.minVersion, max_version: v.maxVersion };
    o['features'] = features;
  }
  o['host'] = plaintext?.host ?? null;
  o['timestamp'] = b.timestamp.toString();
  o['port'] = plaintext?.port ?? -1;
  o['version'] = b.version;
  return encode(o);
}

const ENDPOINT_RE = /^([A-Za-z0-9_]+):\/\/(\[[^\]]*\]|[^:]*):(\d+)$/;

export function decodeBrokerInfo(id: number, data: Buffer | null, path: string): BrokerInfo {
  const o = parseJsonObject(data, path);
  const version = num(o, 'version', path);
  const map = (o['listener_security_protocol_map'] ?? {}) as Record<string, Json>;
  const endpoints: BrokerEndpoint[] = [];
  if (Array.isArray(o['endpoints'])) {
    for (const e of o['endpoints']) {
      const m = typeof e === 'string' ? ENDPOINT_RE.exec(e) : null;
      if (m === null) throw bad(path, `has a bad endpoint ${JSON.stringify(e)}`);
      const listener = m[1]!.toUpperCase();
      const host = m[2]!.startsWith('[') ? m[2]!.slice(1, -1) : m[2]!;
      const protocol = typeof map[listener] === 'string' ? (map[listener] as string) : listener;
      endpoints.push({ listener, host, port: Number(m[3]), securityProtocol: protocol });
    }
  } else if (typeof o['host'] === 'string') {
    endpoints.push({ listener: 'PLAINTEXT', host: o['host'], port: num(o, 'port', path), securityProtocol: 'PLAINTEXT' });
  }
  const features: Record<string, { minVersion: number; maxVersion: number }> = {};
  const f = o['features'];
  if (f !== null && typeof f === 'object' && !Array.isArray(f)) {
    for (const [k, v] of Object.entries(f)) {
      const r = v as JsonObject;
      features[k] = { minVersion: num(r, 'min_version', path), maxVersion: num(r, 'max_version', path) };
    }
  }
  return {
    id,
    endpoints,
    rack: typeof o['rack'] === 'string' ? o['rack'] : null,
    jmxPort: optNum(o, 'jmx_port', path, -1),
    timestamp: o['timestamp'] === undefined ? 0n : bigStr(o, 'timestamp', path),
    version: version >= 5 ? 5 : 4,
    ...(version >= 5 ? { features } : {}),
  };
}

// ---- /controller, /controller_epoch ------------------------------------------------------------

export interface ControllerInfo {
  readonly brokerId: number;
  readonly timestamp: bigint;
}

export function encodeController(brokerId: number, timestamp: bigint): Buffer {
  return encode({ version: 1, brokerid: brokerId, timestamp: timestamp.toString() });
}

export function decodeController(data: Buffer | null, path = '/controller'): ControllerInfo {
  // Very old Kafka wrote a bare broker id here.
  const text = data?.toString('utf8').trim() ?? '';
  if (/^-?\d+$/.test(text)) return { brokerId: Number(text), timestamp: 0n };
  const o = parseJsonObject(data, path);
  return { brokerId: num(o, 'brokerid', path), timestamp: o['timestamp'] === undefined ? 0n : bigStr(o, 'timestamp', path) };
}

export function encodeControllerEpoch(epoch: number): Buffer {
  return Buffer.from(String(epoch), 'utf8');
}

export function decodeControllerEpoch(data: Buffer | null, path = '/controller_epoch'): number {
  const text = data?.toString('utf8').trim() ?? '';
  if (!/^\d+$/.test(text)) throw bad(path, `is not an integer: ${JSON.stringify(text)}`);
  return Number(text);
}

// ---- /brokers/topics/<t> -----------------------------------------------------------------------

export interface TopicAssignment {
  /** partition → replicas, preferred leader first. */
  readonly partitions: ReadonlyMap<number, readonly number[]>;
  readonly addingReplicas: ReadonlyMap<number, readonly number[]>;
  readonly removingReplicas: ReadonlyMap<number, readonly number[]>;
  /** Kafka 2.8 topic id (version 3); absent in version 1/2 nodes. */
  readonly topicId?: string;
}

function mapToJson(m: ReadonlyMap<number, readonly number[]>): Record<string, number[]> {
  const o: Record<string, number[]> = {};
  for (const p of [...m.keys()].sort((a, b) => a - b)) o[String(p)] = [...m.get(p)!];
  return o;
}

export function encodeTopicAssignment(a: TopicAssignment): Buffer {
  const o: Record<string, unknown> = { version: a.topicId === undefined ? 2 : 3 };
  if (a.topicId !== undefined) o['topic_id'] = a.topicId;
  o['partitions'] = mapToJson(a.partitions);
  o['adding_replicas'] = mapToJson(a.addingReplicas);
  o['removing_replicas'] = mapToJson(a.removingReplicas);
  return encode(o);
}

function jsonToMap(v: Json | undefined, path: string, what: string): Map<number, number[]> {
  const m = new Map<number, number[]>();
  if (v === undefined || v === null) return m;
  if (typeof v !== 'object' || Array.isArray(v)) throw bad(path, `has a bad ${what}`);
  for (const [k, replicas] of Object.entries(v)) {
    const p = Number(k);
    if (!Number.isInteger(p) || p < 0) throw bad(path, `has a bad partition id ${JSON.stringify(k)}`);
    m.set(p, intArray(replicas, path, `${what} of partition ${k}`));
  }
  return m;
}

export function decodeTopicAssignment(data: Buffer | null, path: string): TopicAssignment {
  const o = parseJsonObject(data, path);
  return {
    partitions: jsonToMap(o['partitions'], path, 'partitions'),
    addingReplicas: jsonToMap(o['adding_replicas'], path, 'adding_replicas'),
    removingReplicas: jsonToMap(o['removing_replicas'], path, 'removing_replicas'),
    ...(typeof o['topic_id'] === 'string' ? { topicId: o['topic_id'] } : {}),
  };
}

export function assignmentOf(partitions: ReadonlyMap<number, readonly number[]>): TopicAssignment {
  return { partitions, addingReplicas: new Map(), removingReplicas: new Map() };
}

// ---- /brokers/topics/<t>/partitions/<p>/state -----------------------------------------------------

export interface LeaderIsrAndControllerEpoch {
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  readonly controllerEpoch: number;
}

export function encodePartitionState(s: LeaderIsrAndControllerEpoch): Buffer {
  return encode({ controller_epoch: s.controllerEpoch, leader: s.leader, version: 1, leader_epoch: s.leaderEpoch, isr: s.isr });
}

export function decodePartitionState(data: Buffer | null, path: string): LeaderIsrAndControllerEpoch {
  const o = parseJsonObject(data, path);
  return {
    leader: num(o, 'leader', path),
    leaderEpoch: num(o, 'leader_epoch', path),
    isr: intArray(o['isr'], path, 'isr'),
    controllerEpoch: num(o, 'controller_epoch', path),
  };
}

// ---- /config/<type>/<name>, /config/changes ------------------------------------------------------

export function encodeEntityConfig(config: Readonly<Record<string, string>>): Buffer {
  return encode({ version: 1, config });
}

export function decodeEntityConfig(data: Buffer | null, path: string): Record<string, string> {
  if (data === null || data.length === 0) return {};
  const o = parseJsonObject(data, path);
  const c = o['config'];
  if (c === undefined || c === null) return {};
  if (typeof c !== 'object' || Array.isArray(c)) throw bad(path, 'has a bad "config"');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(c)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

export function encodeConfigChange(entityPath: string): Buffer {
  return encode({ version: 2, entity_path: entityPath });
}

export function decodeConfigChange(data: Buffer | null, path: string): string {
  const o = parseJsonObject(data, path);
  if (num(o, 'version', path) === 1) return `${str(o, 'entity_type', path)}/${str(o, 'entity_name', path)}`;
  return str(o, 'entity_path', path);
}

// ---- /admin/*, /isr_change_notification ------------------------------------------------------------

export interface TopicPartitionRef {
  readonly topic: string;
  readonly partition: number;
}

function encodePartitionList(list: readonly TopicPartitionRef[]): Buffer {
  return encode({ version: 1, partitions: list.map((p) => ({ topic: p.topic, partition: p.partition })) });
}

function decodePartitionList(data: Buffer | null, path: string): TopicPartitionRef[] {
  const o = parseJsonObject(data, path);
  const ps = o['partitions'];
  if (!Array.isArray(ps)) throw bad(path, 'has no "partitions" list');
  return ps.map((p) => {
    const r = p as JsonObject;
    return { topic: str(r, 'topic', path), partition: num(r, 'partition', path) };
  });
}

export const encodePreferredReplicaElection = encodePartitionList;
export const decodePreferredReplicaElection = decodePartitionList;
export const encodeIsrChangeNotification = encodePartitionList;
export const decodeIsrChangeNotification = decodePartitionList;

// ---- /log_dir_event_notification ---------------------------------------------------------------

/** The only event Kafka defines (LogDirUtils.LogDirFailureEvent). */
export const LOG_DIR_FAILURE_EVENT = 1;

export interface LogDirEvent {
  readonly brokerId: number;
  readonly event: number;
}

/** LogDirEventNotificationSequenceZNode: written by a broker whose log directory failed. */
export function encodeLogDirEventNotification(brokerId: number, event = LOG_DIR_FAILURE_EVENT): Buffer {
  return encode({ version: 1, broker: brokerId, event });
}

export function decodeLogDirEventNotification(data: Buffer | null, path: string): LogDirEvent {
  const o = parseJsonObject(data, path);
  return { brokerId: num(o, 'broker', path), event: optNum(o, 'event', path, LOG_DIR_FAILURE_EVENT) };
}

export interface PartitionReassignment extends TopicPartitionRef {
  readonly replicas: readonly number[];
}

export function encodeReassignPartitions(list: readonly PartitionReassignment[]): Buffer {
  return encode({ version: 1, partitions: list.map((p) => ({ topic: p.topic, partition: p.partition, replicas: p.replicas })) });
}

export function decodeReassignPartitions(data: Buffer | null, path: string): PartitionReassignment[] {
  const o = parseJsonObject(data, path);
  const ps = o['partitions'];
  if (!Array.isArray(ps)) throw bad(path, 'has no "partitions" list');
  return ps.map((p) => {
    const r = p as JsonObject;
    return { topic: str(r, 'topic', path), partition: num(r, 'partition', path), replicas: intArray(r['replicas'], path, 'replicas') };
  });
}

// ---- /cluster/id, /latest_producer_id_block ---------------------------------------------------------

export function encodeClusterId(id: string): Buffer {
  return encode({ version: '1', id });
}

export function decodeClusterId(data: Buffer | null, path = '/cluster/id'): string {
  return str(parseJsonObject(data, path), 'id', path);
}

/**
 * Kafka's Uuid.randomUuid().toString() form: 16 random bytes, URL-safe base64 without padding.
 * Never the zero uuid (Kafka's "no id") nor one printed with a leading '-' (Kafka re-draws those
 * too: command-line tools would read it as an option).
 */
export function randomKafkaUuid(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (id !== 'AAAAAAAAAAAAAAAAAAAAAA' && !id.startsWith('-')) return id;
  }
}

export function generateClusterId(): string {
  return randomKafkaUuid();
}

/** A new topic's id (KIP-516), stored as `topic_id` in /brokers/topics/<t> (version 3). */
export function generateTopicId(): string {
  return randomKafkaUuid();
}

export interface ProducerIdBlock {
  readonly brokerId: number;
  /** Inclusive bounds. */
  readonly blockStart: bigint;
  readonly blockEnd: bigint;
}

export function encodeProducerIdBlock(b: ProducerIdBlock): Buffer {
  return encode({ version: 1, broker: b.brokerId, block_start: b.blockStart.toString(), block_end: b.blockEnd.toString() });
}

export function decodeProducerIdBlock(data: Buffer | null, path = '/latest_producer_id_block'): ProducerIdBlock | null {
  if (data === null || data.length === 0) return null;
  const o = parseJsonObject(data, path);
  return { brokerId: num(o, 'broker', path), blockStart: bigStr(o, 'block_start', path), blockEnd: bigStr(o, 'block_end', path) };
}
