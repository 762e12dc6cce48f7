/** The `__consumer_offsets` records the coordinator writes, built from in-memory state. */
import type { GroupMetadata, StoredOffset } from './group-metadata.js';
import { encodeGroupMetadataKey, encodeGroupMetadataValue, encodeOffsetCommitKey, encodeOffsetCommitValue } from './offsets-codec.js';
import type { OffsetsRecord } from './offsets-store.js';

/** The group as it will be once `assignment` is in force (Kafka's storeGroup payload). */
export function groupMetadataRecord(group: GroupMetadata, assignment: ReadonlyMap<string, Buffer>): OffsetsRecord {
  const protocol = group.protocolName ?? '';
  const value = encodeGroupMetadataValue({
    protocolType: group.protocolType ?? '',
    generationId: group.generationId,
    protocolName: group.protocolName,
    leader: group.leaderId,
    currentStateTimestamp: group.currentStateTimestamp === null ? null : BigInt(group.currentStateTimestamp),
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      sessionTimeoutMs: m.sessionTimeoutMs,
      subscription: m.metadataFor(protocol),
      assignment: assignment.get(m.memberId) ?? Buffer.alloc(0),
    })),
  });
  return { key: encodeGroupMetadataKey(group.groupId), value };
}

export function groupTombstone(groupId: string): OffsetsRecord {
  return { key: encodeGroupMetadataKey(groupId), value: null };
}

export function offsetRecord(groupId: string, o: StoredOffset): OffsetsRecord {
  return { key: encodeOffsetCommitKey(groupId, o.topic, o.partition), value: encodeOffsetCommitValue(o) };
}

export function offsetTombstone(groupId: string, topic: string, partition: number): OffsetsRecord {
  return { key: encodeOffsetCommitKey(groupId, topic, partition), value: null };
}
