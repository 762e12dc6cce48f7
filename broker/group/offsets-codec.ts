/**
 * `__consumer_offsets` record keys and values in Kafka's own binary layouts
 * (GroupMetadataManager): an int16 schema version, then a struct of Kafka primitive types.
 * Keys v0/v1 = offset commit (group, topic, partition); key v2 = group metadata (group).
 * Offset values v0–v3, group values v0–v3 (v3 adds group_instance_id to members).
 * Self-contained on purpose: every read is bounds-checked, so a corrupt record is an error,
 * never a crash or a garbage group.
 */
import { GroupCoordinatorError } from './errors.js';

export type OffsetsKey =
  | { type: 'offset'; version: number; groupId: string; topic: string; partition: number }
  | { type: 'group'; version: number; groupId: string };

export interface OffsetCommitValue {
  offset: bigint;
  /** -1 when unknown; only value v3 stores it. */
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: bigint;
  /** Only value v1 stores it (explicit retention from OffsetCommit v2–v4); null otherwise. */
  expireTimestamp: bigint | null;
}

export interface StoredMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  subscription: Buffer;
  assignment: Buffer;
}

export interface GroupMetadataValue {
  protocolType: string;
  generationId: number;
  protocolName: string | null;
  leader: string | null;
  /** When the group entered its current state; null when unknown (value v0/v1 or -1). */
  currentStateTimestamp: bigint | null;
  members: StoredMember[];
}

const OFFSET_KEY_VERSION = 1;
const GROUP_KEY_VERSION = 2;
const NO_TIMESTAMP = -1n;

class Writer {
  private readonly chunks: Buffer[] = [];
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
  int64(v: bigint): this {
    const b = Buffer.allocUnsafe(8);
    b.writeBigInt64BE(v);
    this.chunks.push(b);
    return this;
  }
  string(v: string): this {
    const bytes = Buffer.from(v, 'utf8');
    if (bytes.length > 0x7fff) throw new GroupCoordinatorError('BRK_GROUP_CODEC', `string of ${bytes.length} bytes does not fit an int16 length`);
    this.int16(bytes.length);
    this.chunks.push(bytes);
    return this;
  }
  nullableString(v: string | null): this {
    return v === null ? this.int16(-1) : this.string(v);
  }
  bytes(v: Buffer): this {
    this.int32(v.length);
    this.chunks.push(v);
    return this;
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

class Reader {
  private pos = 0;
  constructor(
    private readonly buf: Buffer,
    private readonly what: string,
  ) {}
  private need(n: number): void {
    if (n < 0 || this.pos + n > this.buf.length) {
      throw new GroupCoordinatorError('BRK_GROUP_CODEC', `${this.what}: truncated at byte ${this.pos} (need ${n}, have ${this.buf.length - this.pos})`);
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
  int64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
  string(): string {
    const s = this.nullableString();
    if (s === null) throw new GroupCoordinatorError('BRK_GROUP_CODEC', `${this.what}: null in a non-nullable string`);
    return s;
  }
  nullableString(): string | null {
    const len = this.int16();
    if (len === -1) return null;
    this.need(len);
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }
  bytes(): Buffer {
    const len = this.int32();
    this.need(len);
    // A copy: loaded groups outlive the replay buffers they came from.
    const b = Buffer.from(this.buf.subarray(this.pos, this.pos + len));
    this.pos += len;
    return b;
  }
  arrayLength(): number {
    const n = this.int32();
    if (n < 0) throw new GroupCoordinatorError('BRK_GROUP_CODEC', `${this.what}: negative array length ${n}`);
    // Every element takes at least one byte: a larger count is corrupt, not a huge allocation.
    this.need(Math.min(n, this.buf.length + 1));
    return n;
  }
}

export function encodeOffsetCommitKey(groupId: string, topic: string, partition: number): Buffer {
  return new Writer().int16(OFFSET_KEY_VERSION).string(groupId).string(topic).int32(partition).toBuffer();
}

export function encodeGroupMetadataKey(groupId: string): Buffer {
  return new Writer().int16(GROUP_KEY_VERSION).string(groupId).toBuffer();
}

export function decodeOffsetsKey(buf: Buffer): OffsetsKey {
  const r = new Reader(buf, '__consumer_offsets key');
  const version = r.int16();
  if (version === 0 || version === 1) {
    return { type: 'offset', version, groupId: r.string(), topic: r.string(), partition: r.int32() };
  }
  if (version === 2) return { type: 'group', version, groupId: r.string() };
  throw new GroupCoordinatorError('BRK_GROUP_CODEC', `unknown __consumer_offsets key version ${version}`);
}

/** Value v1 when an explicit expiry is set (as Kafka), else v3. */
export function encodeOffsetCommitValue(v: OffsetCommitValue): Buffer {
  const w = new Writer();
  if (v.expireTimestamp !== null) {
    return w.int16(1).int64(v.offset).string(v.metadata).int64(v.commitTimestamp).int64(v.expireTimestamp).toBuffer();
  }
  return w.int16(3).int64(v.offset).int32(v.leaderEpoch).string(v.metadata).int64(v.commitTimestamp).toBuffer();
}

export function decodeOffsetCommitValue(buf: Buffer): OffsetCommitValue & { version: number } {
  const r = new Reader(buf, 'offset commit value');
  const version = r.int16();
  switch (version) {
    case 0:
    case 2:
      return { version, offset: r.int64(), leaderEpoch: -1, metadata: r.string(), commitTimestamp: r.int64(), expireTimestamp: null };
    case 1: {
      const offset = r.int64();
      const metadata = r.string();
      const commitTimestamp = r.int64();
      const expire = r.int64();
      return { version, offset, leaderEpoch: -1, metadata, commitTimestamp, expireTimestamp: expire === NO_TIMESTAMP ? null : expire };
    }
    case 3:
      return { version, offset: r.int64(), leaderEpoch: r.int32(), metadata: r.string(), commitTimestamp: r.int64(), expireTimestamp: null };
    default:
      throw new GroupCoordinatorError('BRK_GROUP_CODEC', `unknown offset commit value version ${version}`);
  }
}

export function encodeGroupMetadataValue(v: GroupMetadataValue, version = 3): Buffer {
  if (version < 0 || version > 3) throw new GroupCoordinatorError('BRK_GROUP_CODEC', `unknown group metadata value version ${version}`);
  const w = new Writer().int16(version).string(v.protocolType).int32(v.generationId).nullableString(v.protocolName).nullableString(v.leader);
  if (version >= 2) w.int64(v.currentStateTimestamp ?? NO_TIMESTAMP);
  w.int32(v.members.length);
  for (const m of v.members) {
    w.string(m.memberId);
    if (version >= 3) w.nullableString(m.groupInstanceId);
    w.string(m.clientId).string(m.clientHost);
    if (version >= 1) w.int32(m.rebalanceTimeoutMs);
    w.int32(m.sessionTimeoutMs).bytes(m.subscription).bytes(m.assignment);
  }
  return w.toBuffer();
}

export function decodeGroupMetadataValue(buf: Buffer): GroupMetadataValue & { version: number } {
  const r = new Reader(buf, 'group metadata value');
  const version = r.int16();
  if (version < 0 || version > 3) throw new GroupCoordinatorError('BRK_GROUP_CODEC', `unknown group metadata value version ${version}`);
  const protocolType = r.string();
  const generationId = r.int32();
  const protocolName = r.nullableString();
  const leader = r.nullableString();
  let currentStateTimestamp: bigint | null = null;
  if (version >= 2) {
    const ts = r.int64();
    currentStateTimestamp = ts === NO_TIMESTAMP ? null : ts;
  }
  const count = r.arrayLength();
  const members: StoredMember[] = [];
  for (let i = 0; i < count; i++) {
    const memberId = r.string();
    const groupInstanceId = version >= 3 ? r.nullableString() : null;
    const clientId = r.string();
    const clientHost = r.string();
    const sessionOrRebalance = r.int32();
    // v0 has no rebalance timeout: Kafka then uses the session timeout for both.
    const rebalanceTimeoutMs = sessionOrRebalance;
    const sessionTimeoutMs = version >= 1 ? r.int32() : sessionOrRebalance;
    members.push({ memberId, groupInstanceId, clientId, clientHost, rebalanceTimeoutMs, sessionTimeoutMs, subscription: r.bytes(), assignment: r.bytes() });
  }
  return { version, protocolType, generationId, protocolName, leader, currentStateTimestamp, members };
}
