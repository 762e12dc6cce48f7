/**
 * `__consumer_offsets` record keys and values in Kafka's own binary layouts
 * (GroupMetadataManager): an int16 schema version, then a struct of Kafka primitive types.
 * Keys v0/v1 = offset commit (group, topic, partition); key v2 = group metadata (group).
 * Offset values v0–v3, group values v0–v3 (v3 adds group_instance_id to members).
 * protocol/'s Reader bounds-checks every read, so a corrupt record is an error, never a crash
 * or a garbage group; its ProtocolError surfaces as BRK_GROUP_CODEC.
 */
import { ProtocolError, Reader, Writer } from '../../protocol/index.js';
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

/** Runs a codec step, turning protocol/'s ProtocolError into this module's own error. */
function codec<T>(what: string, step: () => T): T {
  try {
    return step();
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
    throw new GroupCoordinatorError('BRK_GROUP_CODEC', `${what}: ${err.message}`, { cause: err });
  }
}

/** A copy: loaded groups outlive the replay buffers they came from (Reader.bytes is a view). */
function ownedBytes(r: Reader): Buffer {
  return Buffer.from(r.bytes());
}

export function encodeOffsetCommitKey(groupId: string, topic: string, partition: number): Buffer {
  return codec('__consumer_offsets key', () => new Writer(64).int16(OFFSET_KEY_VERSION).string(groupId).string(topic).int32(partition).finish());
}

export function encodeGroupMetadataKey(groupId: string): Buffer {
  return codec('__consumer_offsets key', () => new Writer(64).int16(GROUP_KEY_VERSION).string(groupId).finish());
}

export function decodeOffsetsKey(buf: Buffer): OffsetsKey {
  return codec('__consumer_offsets key', () => {
    const r = new Reader(buf);
    const version = r.int16();
    if (version === 0 || version === 1) {
      return { type: 'offset', version, groupId: r.string(), topic: r.string(), partition: r.int32() };
    }
    if (version === 2) return { type: 'group', version, groupId: r.string() };
    throw new GroupCoordinatorError('BRK_GROUP_CODEC', `unknown __consumer_offsets key version ${version}`);
  });
}

/** Value v1 when an explicit expiry is set (as Kafka), else v3. */
export function encodeOffsetCommitValue(v: OffsetCommitValue): Buffer {
  return codec('offset commit value', () => {
    const w = new Writer(64);
    if (v.expireTimestamp !== null) {
      return w.int16(1).int64(v.offset).string(v.metadata).int64(v.commitTimestamp).int64(v.expireTimestamp).finish();
    }
    return w.int16(3).int64(v.offset).int32(v.leaderEpoch).string(v.metadata).int64(v.commitTimestamp).finish();
  });
}

export function decodeOffsetCommitValue(buf: Buffer): OffsetCommitValue & { version: number } {
  return codec('offset commit value', () => {
    const r = new Reader(buf);
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
  });
}

export function encodeGroupMetadataValue(v: GroupMetadataValue, version = 3): Buffer {
  if (version < 0 || version > 3) throw new GroupCoordinatorError('BRK_GROUP_CODEC', `unknown group metadata value version ${version}`);
  return codec('group metadata value', () => {
    const w = new Writer().int16(version).string(v.protocolType).int32(v.generationId).nullableString(v.protocolName).nullableString(v.leader);
    if (version >= 2) w.int64(v.currentStateTimestamp ?? NO_TIMESTAMP);
    w.array(v.members, (mw, m) => {
      mw.string(m.memberId);
      if (version >= 3) mw.nullableString(m.groupInstanceId);
      mw.string(m.clientId).string(m.clientHost);
      if (version >= 1) mw.int32(m.rebalanceTimeoutMs);
      mw.int32(m.sessionTimeoutMs).bytes(m.subscription).bytes(m.assignment);
    });
    return w.finish();
  });
}

export function decodeGroupMetadataValue(buf: Buffer): GroupMetadataValue & { version: number } {
  return codec('group metadata value', () => {
    const r = new Reader(buf);
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
    // Reader.array refuses a count above the bytes left, so a corrupt count is no huge allocation.
    const members = r.array((mr): StoredMember => {
      const memberId = mr.string();
      const groupInstanceId = version >= 3 ? mr.nullableString() : null;
      const clientId = mr.string();
      const clientHost = mr.string();
      const sessionOrRebalance = mr.int32();
      // v0 has no rebalance timeout: Kafka then uses the session timeout for both.
      const rebalanceTimeoutMs = sessionOrRebalance;
      const sessionTimeoutMs = version >= 1 ? mr.int32() : sessionOrRebalance;
      return { memberId, groupInstanceId, clientId, clientHost, rebalanceTimeoutMs, sessionTimeoutMs, subscription: ownedBytes(mr), assignment: ownedBytes(mr) };
    });
    return { version, protocolType, generationId, protocolName, leader, currentStateTimestamp, members };
  });
}
