/**
 * Kafka's ConsumerProtocol payloads: the opaque `metadata` a member puts in JoinGroup and the
 * opaque `assignment` the leader puts in SyncGroup (ConsumerProtocolSubscription.json /
 * ConsumerProtocolAssignment.json). Same bytes as the Java client, librdkafka and KafkaJS, so
 * mixed groups interoperate. Non-flexible encoding: int16 version, int32 array counts, int16
 * string lengths, int32 byte lengths (-1 = null). Readers accept newer versions and ignore
 * the fields they do not know, as Kafka's do.
 */
import { KafkaClientError } from '../../errors.js';

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

class Writer {
  private chunks: Buffer[] = [];
  int16(v: number): this {
    const b = Buffer.allocUnsafe(2);
    b.writeInt16BE(v);
    this.chunks.push(b);
    return this;
  }
  int32(v: number): this {
    const b = Buffer.allocUnsafe(4);
    b.writeInt32BE(v);
    this.chunks.push(b);
    return this;
  }
  string(s: string | null): this {
    if (s === null) return this.int16(-1);
    const bytes = Buffer.from(s, 'utf8');
    this.int16(bytes.length);
    this.chunks.push(bytes);
    return this;
  }
  bytes(b: Buffer | null): this {
    if (b === null) return this.int32(-1);
    this.int32(b.length);
    this.chunks.push(b);
    return this;
  }
  topicPartitions(list: readonly TopicPartitions[]): this {
    this.int32(list.length);
    for (const tp of list) {
      this.string(tp.topic);
      this.int32(tp.partitions.length);
      for (const p of tp.partitions) this.int32(p);
    }
    return this;
  }
  done(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

class Reader {
  private pos = 0;
  constructor(
    private readonly buf: Buffer,
    private readonly what: string,
  ) {}
  get remaining(): number {
    return this.buf.length - this.pos;
  }
  private need(n: number): void {
    if (n < 0 || this.pos + n > this.buf.length) {
      throw new KafkaClientError('CLI_INVALID_ASSIGNMENT', `${this.what}: truncated at byte ${this.pos}`);
    }
  }
  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  string(): string | null {
    const n = this.int16();
    if (n === -1) return null;
    this.need(n);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  requiredString(): string {
    const s = this.string();
    if (s === null) throw new KafkaClientError('CLI_INVALID_ASSIGNMENT', `${this.what}: null topic name`);
    return s;
  }
  bytes(): Buffer | null {
    const n = this.int32();
    if (n === -1) return null;
    this.need(n);
    const b = Buffer.from(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return b;
  }
  count(): number {
    const n = this.int32();
    // Each element takes at least 2 bytes, so a count beyond that is corrupt (bounds allocation).
    if (n < 0 || n > this.remaining / 2) {
      throw new KafkaClientError('CLI_INVALID_ASSIGNMENT', `${this.what}: bad array length ${n}`);
    }
    return n;
  }
  topicPartitions(): TopicPartitions[] {
    const n = this.count();
    const out: TopicPartitions[] = [];
    for (let i = 0; i < n; i++) {
      const topic = this.requiredString();
      const m = this.count();
      const partitions: number[] = [];
      for (let j = 0; j < m; j++) partitions.push(this.int32());
      out.push({ topic, partitions });
    }
    return out;
  }
}

/** Encode a subscription. Version 0 drops ownedPartitions; 1 is what cooperative members send. */
export function encodeSubscription(sub: Partial<Subscription> & { topics: string[] }, version = 1): Buffer {
  const w = new Writer().int16(version);
  w.int32(sub.topics.length);
  for (const t of sub.topics) w.string(t);
  w.bytes(sub.userData ?? null);
  if (version >= 1) w.topicPartitions(sub.ownedPartitions ?? []);
  if (version >= 2) w.int32(sub.generationId ?? -1);
  if (version >= 3) w.string(sub.rackId ?? null);
  return w.done();
}

export function decodeSubscription(buf: Buffer): Subscription & { version: number } {
  const r = new Reader(buf, 'ConsumerProtocolSubscription');
  const version = r.int16();
  if (version < 0) throw new KafkaClientError('CLI_INVALID_ASSIGNMENT', `ConsumerProtocolSubscription: version ${version}`);
  const n = r.count();
  const topics: string[] = [];
  for (let i = 0; i < n; i++) topics.push(r.requiredString());
  // KafkaJS omits userData entirely when it has none; tolerate the short form.
  const userData = r.remaining >= 4 ? r.bytes() : null;
  const ownedPartitions = version >= 1 && r.remaining >= 4 ? r.topicPartitions() : [];
  const generationId = version >= 2 && r.remaining >= 4 ? r.int32() : -1;
  const rackId = version >= 3 && r.remaining >= 2 ? r.string() : null;
  return { version, topics, userData, ownedPartitions, generationId, rackId };
}

export function encodeAssignment(a: Partial<Assignment> & { assignedPartitions: TopicPartitions[] }, version = 1): Buffer {
  return new Writer().int16(version).topicPartitions(a.assignedPartitions).bytes(a.userData ?? null).done();
}

export function decodeAssignment(buf: Buffer): Assignment & { version: number } {
  // An empty assignment (a member that got nothing, from some clients) is zero bytes.
  if (buf.length === 0) return { version: 0, assignedPartitions: [], userData: null };
  const r = new Reader(buf, 'ConsumerProtocolAssignment');
  const version = r.int16();
  if (version < 0) throw new KafkaClientError('CLI_INVALID_ASSIGNMENT', `ConsumerProtocolAssignment: version ${version}`);
  const assignedPartitions = r.topicPartitions();
  const userData = r.remaining >= 4 ? r.bytes() : null;
  return { version, assignedPartitions, userData };
}
