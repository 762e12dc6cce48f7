/**
 * Kafka's ConsumerProtocol payloads: the opaque `metadata` a member puts in JoinGroup and the
 * opaque `assignment` the leader puts in SyncGroup (ConsumerProtocolSubscription.json /
 * ConsumerProtocolAssignment.json), for protocol type "consumer". Same bytes as the Java client,
 * librdkafka and KafkaJS, so mixed groups interoperate; the client's members and the broker's
 * coordinator (which reads subscriptions to expire offsets) share this one codec. Non-flexible
 * encoding: int16 version, int32 array counts, int16 string lengths, int32 byte lengths (-1 =
 * null). Readers accept newer versions and ignore the fields they do not know, as Kafka's do.
 * Malformed bytes fail with ProtocolError.
 */
import { ProtocolError } from './errors.js';
import { Reader, Writer } from './primitives/index.js';

export const CONSUMER_PROTOCOL_TYPE = 'consumer';

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

export interface Subscription {
  topics: string[];
  userData: Buffer | null;
  /** v1+: what the member owns now (cooperative rebalancing). */
  ownedPartitions: TopicPartitions[];
  /** v2+: generation of `ownedPartitions`; -1 when unknown. */
  generationId: number;
  /** v3+: the member's rack. */
  rackId: string | null;
}

export interface Assignment {
  assignedPartitions: TopicPartitions[];
  userData: Buffer | null;
}

const SUBSCRIPTION = 'ConsumerProtocolSubscription';
const ASSIGNMENT = 'ConsumerProtocolAssignment';

function writeTopicPartitions(w: Writer, list: readonly TopicPartitions[]): void {
  w.array(list, (tw, tp) => {
    tw.string(tp.topic);
    tw.array(tp.partitions, (pw, p) => pw.int32(p));
  });
}

/** Array count; every element (a string or an int32) takes at least 2 bytes, so more is corrupt. */
function readCount(r: Reader, what: string): number {
  const n = r.int32();
  if (n < 0 || n > r.remaining() / 2) throw new ProtocolError('PRT_INVALID_LENGTH', `${what}: bad array length ${n}`);
  return n;
}

function readVersion(r: Reader, what: string): number {
  const version = r.int16();
  if (version < 0) throw new ProtocolError('PRT_UNSUPPORTED_VERSION', `${what}: version ${version}`);
  return version;
}

function readTopicPartitions(r: Reader, what: string): TopicPartitions[] {
  const n = readCount(r, what);
  const out: TopicPartitions[] = [];
  for (let i = 0; i < n; i++) {
    const topic = r.string();
    const m = readCount(r, what);
    const partitions: number[] = [];
    for (let j = 0; j < m; j++) partitions.push(r.int32());
    out.push({ topic, partitions });
  }
  return out;
}

/** A copy: the payload outlives the response buffer it came in (Reader.nullableBytes is a view). */
function readUserData(r: Reader): Buffer | null {
  const b = r.nullableBytes();
  return b === null ? null : Buffer.from(b);
}

/** Encode a subscription. Version 0 drops ownedPartitions; 1 is what cooperative members send. */
export function encodeSubscription(sub: Partial<Subscription> & { topics: string[] }, version = 1): Buffer {
  const w = new Writer(64).int16(version);
  w.array(sub.topics, (tw, t) => tw.string(t));
  w.nullableBytes(sub.userData ?? null);
  if (version >= 1) writeTopicPartitions(w, sub.ownedPartitions ?? []);
  if (version >= 2) w.int32(sub.generationId ?? -1);
  if (version >= 3) w.nullableString(sub.rackId ?? null);
  return w.finish();
}

export function decodeSubscription(buf: Buffer): Subscription & { version: number } {
  const r = new Reader(buf);
  const version = readVersion(r, SUBSCRIPTION);
  const n = readCount(r, SUBSCRIPTION);
  const topics: string[] = [];
  for (let i = 0; i < n; i++) topics.push(r.string());
  // KafkaJS omits userData entirely when it has none; tolerate the short form.
  const userData = r.remaining() >= 4 ? readUserData(r) : null;
  const ownedPartitions = version >= 1 && r.remaining() >= 4 ? readTopicPartitions(r, SUBSCRIPTION) : [];
  const generationId = version >= 2 && r.remaining() >= 4 ? r.int32() : -1;
  const rackId = version >= 3 && r.remaining() >= 2 ? r.nullableString() : null;
  return { version, topics, userData, ownedPartitions, generationId, rackId };
}

export function encodeAssignment(a: Partial<Assignment> & { assignedPartitions: TopicPartitions[] }, version = 1): Buffer {
  const w = new Writer(64).int16(version);
  writeTopicPartitions(w, a.assignedPartitions);
  return w.nullableBytes(a.userData ?? null).finish();
}

export function decodeAssignment(buf: Buffer): Assignment & { version: number } {
  // An empty assignment (a member that got nothing, from some clients) is zero bytes.
  if (buf.length === 0) return { version: 0, assignedPartitions: [], userData: null };
  const r = new Reader(buf);
  const version = readVersion(r, ASSIGNMENT);
  const assignedPartitions = readTopicPartitions(r, ASSIGNMENT);
  const userData = r.remaining() >= 4 ? readUserData(r) : null;
  return { version, assignedPartitions, userData };
}
