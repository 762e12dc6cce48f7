/**
 * Rebuild a partition's groups and offsets by replaying its `__consumer_offsets` records in log
 * order: the last value of a key wins, a tombstone removes it (what compaction would leave).
 * Transactional offset commits wait for their producer's marker (Kafka's loadGroupsAndOffsets):
 * COMMIT applies them unless a later plain commit is already there, ABORT drops them, and those
 * still without a marker at the end stay pending in their group.
 */
import { tpKey } from '../../common/index.js';
import type { Logger } from '../logging.js';
import { GroupMetadata, storedBefore, type StoredOffset } from './group-metadata.js';
import { MemberMetadata } from './member-metadata.js';
import { decodeGroupMetadataValue, decodeOffsetCommitValue, decodeOffsetsKey, type GroupMetadataValue } from './offsets-codec.js';
import type { ReplayedRecord } from './offsets-store.js';

interface LoadedPartition {
  groups: Map<string, GroupMetadata>;
  /** Records that could not be decoded (logged and skipped, never fatal). */
  skipped: number;
}

export async function loadGroups(records: AsyncIterable<ReplayedRecord>, now: number, logger: Logger, stillWanted: () => boolean = () => true): Promise<LoadedPartition | null> {
  const groupValues = new Map<string, GroupMetadataValue | null>();
  const offsets = new Map<string, Map<string, StoredOffset>>();
  /** producer id → group id → partition key → offset written in its open transaction */
  const pending = new Map<bigint, Map<string, Map<string, StoredOffset | null>>>();
  const perGroupOf = (groupId: string): Map<string, StoredOffset> => {
    const m = offsets.get(groupId) ?? new Map<string, StoredOffset>();
    offsets.set(groupId, m);
    return m;
  };
  let skipped = 0;
  for await (const record of records) {
    // Leadership moved while replaying: the result would be thrown away anyway.
    if (!stillWanted()) return null;
    if (record.control !== undefined) {
      const txn = record.producerId === undefined ? undefined : pending.get(record.producerId);
      if (record.producerId !== undefined) pending.delete(record.producerId);
      if (txn === undefined || record.control === 'ABORT') continue;
      for (const [groupId, written] of txn) {
        const perGroup = perGroupOf(groupId);
        for (const [k, o] of written) {
          if (o === null) continue;
          const current = perGroup.get(k);
          if (current === undefined || storedBefore(current, o)) perGroup.set(k, o);
        }
      }
      continue;
    }
    try {
      const key = decodeOffsetsKey(record.key);
      if (key.type === 'group') {
        groupValues.set(key.groupId, record.value === null ? null : decodeGroupMetadataValue(record.value));
        continue;
      }
      const k = tpKey(key.topic, key.partition);
      let stored: StoredOffset | null = null;
      if (record.value !== null) {
        const v = decodeOffsetCommitValue(record.value);
        stored = { topic: key.topic, partition: key.partition, offset: v.offset, leaderEpoch: v.leaderEpoch, metadata: v.metadata, commitTimestamp: v.commitTimestamp, expireTimestamp: v.expireTimestamp, recordOffset: record.batchOffset };
      }
      if (record.producerId !== undefined) {
        const txn = pending.get(record.producerId) ?? new Map<string, Map<string, StoredOffset | null>>();
        pending.set(record.producerId, txn);
        const written = txn.get(key.groupId) ?? new Map<string, StoredOffset | null>();
        txn.set(key.groupId, written);
        written.set(k, stored);
        continue;
      }
      const perGroup = perGroupOf(key.groupId);
      if (stored === null) perGroup.delete(k);
      else perGroup.set(k, stored);
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
  // Offsets without group metadata belong to a standalone consumer: an Empty, protocol-less group.
  const groupOf = (groupId: string): GroupMetadata => {
    const group = groups.get(groupId) ?? new GroupMetadata(groupId, 'Empty', now);
    groups.set(groupId, group);
    return group;
  };
  for (const [groupId, perGroup] of offsets) {
    if (perGroup.size === 0) continue;
    const group = groupOf(groupId);
    for (const [k, o] of perGroup) group.offsets.set(k, o);
  }
  for (const [producerId, txn] of pending) {
    for (const [groupId, written] of txn) {
      const live = [...written].filter((e): e is [string, StoredOffset] => e[1] !== null);
      if (live.length > 0) groupOf(groupId).pendingTxnOffsets.set(producerId, new Map(live));
    }
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
