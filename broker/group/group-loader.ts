/**
 * Rebuild a partition's groups and offsets by replaying its `__consumer_offsets` records in log
 * order: the last value of a key wins, a tombstone removes it (what compaction would leave).
 */
import { tpKey } from '../../common/index.js';
import type { Logger } from '../logging.js';
import { GroupMetadata, type StoredOffset } from './group-metadata.js';
import { MemberMetadata } from './member-metadata.js';
import { decodeGroupMetadataValue, decodeOffsetCommitValue, decodeOffsetsKey, type GroupMetadataValue } from './offsets-codec.js';
import type { OffsetsRecord } from './offsets-store.js';

interface LoadedPartition {
  groups: Map<string, GroupMetadata>;
  /** Records that could not be decoded (logged and skipped, never fatal). */
  skipped: number;
}

export async function loadGroups(records: AsyncIterable<OffsetsRecord>, now: number, logger: Logger, stillWanted: () => boolean = () => true): Promise<LoadedPartition | null> {
  const groupValues = new Map<string, GroupMetadataValue | null>();
  const offsets = new Map<string, Map<string, StoredOffset>>();
  let skipped = 0;
  for await (const record of records) {
    // Leadership moved while replaying: the result would be thrown away anyway.
    if (!stillWanted()) return null;
    try {
      const key = decodeOffsetsKey(record.key);
      if (key.type === 'group') {
        groupValues.set(key.groupId, record.value === null ? null : decodeGroupMetadataValue(record.value));
        continue;
      }
      const perGroup = offsets.get(key.groupId) ?? new Map<string, StoredOffset>();
      offsets.set(key.groupId, perGroup);
      const k = tpKey(key.topic, key.partition);
      if (record.value === null) {
        perGroup.delete(k);
      } else {
        const v = decodeOffsetCommitValue(record.value);
        perGroup.set(k, { topic: key.topic, partition: key.partition, offset: v.offset, leaderEpoch: v.leaderEpoch, metadata: v.metadata, commitTimestamp: v.commitTimestamp, expireTimestamp: v.expireTimestamp });
      }
    } catch (err) {
      skipped++;
      logger.warn({ err }, 'skipping undecodable __consumer_offsets record');
    }
  }
  const groups = new Map<string, GroupMetadata>();
  for (const [groupId, value] of groupValues) {
    if (value === null) continue;
    groups.set(groupId, groupFromValue(groupId, value, now));
  }
  for (const [groupId, perGroup] of offsets) {
    if (perGroup.size === 0) continue;
    // Offsets without group metadata belong to a standalone consumer: an Empty, protocol-less group.
    const group = groups.get(groupId) ?? new GroupMetadata(groupId, 'Empty', now);
    groups.set(groupId, group);
    for (const [k, o] of perGroup) group.offsets.set(k, o);
  }
  return { groups, skipped };
}

function groupFromValue(groupId: string, v: GroupMetadataValue, now: number): GroupMetadata {
  const group = new GroupMetadata(groupId, v.members.length > 0 ? 'Stable' : 'Empty', v.currentStateTimestamp === null ? null : Number(v.currentStateTimestamp));
  group.generationId = v.generationId;
  group.protocolType = v.protocolType === '' ? null : v.protocolType;
  group.protocolName = v.protocolName;
  for (const m of v.members) {
    const member = new MemberMetadata({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      sessionTimeoutMs: m.sessionTimeoutMs,
      protocolType: v.protocolType,
      protocols: [{ name: v.protocolName ?? '', metadata: m.subscription }],
    });
    member.assignment = m.assignment;
    group.add(member, null);
  }
  group.leaderId = v.leader;
  group.subscribedTopics = group.computeSubscribedTopics();
  if (group.currentStateTimestamp === null && v.members.length > 0) group.currentStateTimestamp = now;
  return group;
}
