/**
 * Offset commit, fetch, expiry and group deletion for one group at a time (Kafka's
 * GroupCoordinator + GroupMetadataManager offset paths). Runs inside the group's queue; memory
 * changes only after the records are durable.
 */
import { tpKey } from '../../common/index.js';
import { CONSUMER_PROTOCOL_TYPE, ErrorCode as E } from '../../protocol/index.js';
import type { GroupContext } from './group-context.js';
import type { GroupMetadata, StoredOffset } from './group-metadata.js';
import { groupTombstone, offsetRecord, offsetTombstone } from './group-records.js';
import { commitDecision } from './group-state.js';
import type { OffsetsRecord } from './offsets-store.js';
import type { OffsetCommitRequest, OffsetCommitResult, OffsetDeleteResult, OffsetFetchPartition, OffsetFetchRequest, TxnOffsetCommitRequest } from './types.js';
import type { TxnProducer } from './offsets-store.js';

export class OffsetManager {
  constructor(
    private readonly ctx: GroupContext,
    /** Commits by a member count as a heartbeat. */
    private readonly touchMember: (group: GroupMetadata, memberId: string) => void,
  ) {}

  async commit(group: GroupMetadata, req: OffsetCommitRequest): Promise<OffsetCommitResult> {
    const all = (errorCode: number): OffsetCommitResult => ({ partitions: req.partitions.map((p) => ({ topic: p.topic, partition: p.partition, errorCode })) });
    if (group.is('Dead')) return all(E.COORDINATOR_NOT_AVAILABLE);
    if (group.isStaticMemberFenced(req.memberId, req.groupInstanceId)) return all(E.FENCED_INSTANCE_ID);
    // Without group management (generation -1) a group is only an offsets store.
    if (req.generationId < 0 && group.is('Empty')) return this.store(group, req);
    if (!group.has(req.memberId)) return all(E.UNKNOWN_MEMBER_ID);
    if (req.generationId !== group.generationId) return all(E.ILLEGAL_GENERATION);
    switch (commitDecision(group.state)) {
      case 'STORE':
        this.touchMember(group, req.memberId);
        return this.store(group, req);
      case 'REBALANCE_IN_PROGRESS':
        return all(E.REBALANCE_IN_PROGRESS);
      case 'UNKNOWN_MEMBER_ID':
        return all(E.UNKNOWN_MEMBER_ID);
      case 'COORDINATOR_NOT_AVAILABLE':
        return all(E.COORDINATOR_NOT_AVAILABLE);
    }
  }

  /**
   * TxnOffsetCommit (Kafka's doTxnCommitOffsets): the member and generation are checked only when
   * given (KIP-447, v3+); the offsets are written in the producer's transaction and stay pending
   * until its marker reaches this partition (completeTransaction).
   */
  async commitTxn(group: GroupMetadata, req: TxnOffsetCommitRequest): Promise<OffsetCommitResult> {
    const all = (errorCode: number): OffsetCommitResult => ({ partitions: req.partitions.map((p) => ({ topic: p.topic, partition: p.partition, errorCode })) });
    if (group.is('Dead')) return all(E.COORDINATOR_NOT_AVAILABLE);
    if (group.isStaticMemberFenced(req.memberId, req.groupInstanceId)) return all(E.FENCED_INSTANCE_ID);
    if (req.memberId !== '' && !group.has(req.memberId)) return all(E.UNKNOWN_MEMBER_ID);
    if (req.generationId >= 0 && req.generationId !== group.generationId) return all(E.ILLEGAL_GENERATION);
    return this.store(group, { groupId: req.groupId, generationId: req.generationId, memberId: req.memberId, groupInstanceId: req.groupInstanceId, partitions: req.partitions }, {
      producerId: req.producerId,
      producerEpoch: req.producerEpoch,
    });
  }

  /** Offsets of a group; a missing partition (or group) reads as offset -1 with no error. */
  fetch(group: GroupMetadata | undefined, req: OffsetFetchRequest): OffsetFetchPartition[] {
    const live = group !== undefined && !group.is('Dead');
    const known = live ? group.offsets : new Map<string, StoredOffset>();
    if (req.partitions === null) return [...known.values()].map(toFetched);
    return req.partitions.map(({ topic, partition }) => {
      if (req.requireStable === true && live && group.hasPendingTxnOffsetCommit(topic, partition)) {
        return { topic, partition, offset: -1n, leaderEpoch: -1, metadata: '', errorCode: E.UNSTABLE_OFFSET_COMMIT };
      }
      const o = known.get(tpKey(topic, partition));
      return o === undefined ? { topic, partition, offset: -1n, leaderEpoch: -1, metadata: '', errorCode: E.NONE } : toFetched(o);
    });
  }

  /**
   * Expire offsets as Kafka does since KIP-211: an Empty group's offsets once it has been empty
   * for the retention period; a standalone (no protocol) group's, and a consumer group's for
   * topics no member subscribes to, by commit time; an explicit expire timestamp wins. An Empty
   * group left without offsets dies.
   */
  async expire(group: GroupMetadata, now: number): Promise<number> {
    const retention = BigInt(this.ctx.config.offsetsRetentionMs);
    const nowTs = BigInt(now);
    let base: ((o: StoredOffset) => bigint) | null = null;
    let keep: ReadonlySet<string> = new Set();
    if (group.protocolType === null) {
      base = (o) => o.commitTimestamp;
    } else if (group.is('Empty')) {
      base = (o) => (group.currentStateTimestamp === null ? o.commitTimestamp : BigInt(group.currentStateTimestamp));
    } else if (group.protocolType === CONSUMER_PROTOCOL_TYPE && group.subscribedTopics !== null) {
      // Members exist: only topics nobody subscribes to any more can expire.
      base = (o) => o.commitTimestamp;
      keep = group.subscribedTopics;
    }
    const expired: StoredOffset[] = [];
    if (base !== null) {
      const since = base;
      for (const o of group.offsets.values()) {
        if (keep.has(o.topic)) continue;
        const gone = o.expireTimestamp !== null ? nowTs >= o.expireTimestamp : nowTs - since(o) >= retention;
        if (gone) expired.push(o);
      }
    }
    const dies = group.is('Empty') && expired.length === group.offsets.size && group.pendingTxnOffsets.size === 0 && group.pendingMembers.size === 0;
    const records: OffsetsRecord[] = expired.map((o) => offsetTombstone(group.groupId, o.topic, o.partition));
    if (dies && group.generationId > 0) records.push(groupTombstone(group.groupId));
    if (records.length > 0) {
      const error = await this.ctx.append(group, records, false);
      if (error !== E.NONE) {
        this.ctx.logger.warn({ groupId: group.groupId, errorCode: error }, 'failed to write offset expiry tombstones; retrying next interval');
        return 0;
      }
    }
    for (const o of expired) group.offsets.delete(tpKey(o.topic, o.partition));
    if (dies) {
      group.transitionTo('Dead', now);
      this.ctx.removeGroup(group);
    }
    if (expired.length > 0) this.ctx.logger.info({ groupId: group.groupId, expired: expired.length, dead: dies }, 'expired committed offsets');
    return expired.length;
  }

  /**
   * OffsetDelete (GroupCoordinator.handleDeleteOffsets): an Empty group loses the offsets asked
   * for; a live consumer group only those of topics no member subscribes to (the others answer
   * GROUP_SUBSCRIBED_TO_TOPIC); any other live group is NON_EMPTY_GROUP. Tombstones first, then
   * memory; an Empty group left without offsets dies (cleanupGroupMetadata).
   */
  async deleteSome(group: GroupMetadata | undefined, tps: ReadonlyArray<{ topic: string; partition: number }>): Promise<OffsetDeleteResult> {
    if (group === undefined || group.is('Dead')) return { errorCode: E.GROUP_ID_NOT_FOUND, partitions: [] };
    let eligible: Array<{ topic: string; partition: number }>;
    const partitions: OffsetDeleteResult['partitions'] = [];
    if (group.is('Empty')) eligible = [...tps];
    else if (group.protocolType === CONSUMER_PROTOCOL_TYPE) {
      const subscribed = (topic: string): boolean => group.subscribedTopics?.has(topic) ?? false;
      eligible = tps.filter((tp) => !subscribed(tp.topic));
      for (const tp of tps) if (subscribed(tp.topic)) partitions.push({ ...tp, errorCode: E.GROUP_SUBSCRIBED_TO_TOPIC });
    } else return { errorCode: E.NON_EMPTY_GROUP, partitions: [] };
    const stored = eligible.filter((tp) => group.offsets.has(tpKey(tp.topic, tp.partition)));
    if (stored.length > 0) {
      const error = await this.ctx.append(group, stored.map((tp) => offsetTombstone(group.groupId, tp.topic, tp.partition)), false);
      if (error !== E.NONE) return { errorCode: error, partitions: [] };
      for (const tp of stored) group.offsets.delete(tpKey(tp.topic, tp.partition));
      this.ctx.logger.info({ groupId: group.groupId, deleted: stored.length }, 'deleted committed offsets');
    }
    if (eligible.length > 0 && group.is('Empty') && group.offsets.size === 0 && group.pendingMembers.size === 0) {
      if (group.generationId > 0) {
        const error = await this.ctx.append(group, [groupTombstone(group.groupId)], false);
        if (error !== E.NONE) return { errorCode: error, partitions: [] };
      }
      group.transitionTo('Dead', this.ctx.scheduler.now());
      this.ctx.removeGroup(group);
    }
    for (const tp of eligible) partitions.push({ ...tp, errorCode: E.NONE });
    return { errorCode: E.NONE, partitions };
  }

  /** DeleteGroups for one group: only an Empty group goes, offsets and metadata tombstoned. */
  async delete(group: GroupMetadata | undefined): Promise<number> {
    if (group === undefined || group.is('Dead')) return E.GROUP_ID_NOT_FOUND;
    if (!group.is('Empty')) return E.NON_EMPTY_GROUP;
    const records = [...group.offsets.values()].map((o) => offsetTombstone(group.groupId, o.topic, o.partition));
    if (group.generationId > 0) records.push(groupTombstone(group.groupId));
    if (records.length > 0) {
      const error = await this.ctx.append(group, records, false);
      if (error !== E.NONE) return error;
    }
    group.offsets.clear();
    group.transitionTo('Dead', this.ctx.scheduler.now());
    this.ctx.removeGroup(group);
    return E.NONE;
  }

  private async store(group: GroupMetadata, req: OffsetCommitRequest, txn?: TxnProducer): Promise<OffsetCommitResult> {
    const now = BigInt(this.ctx.scheduler.now());
    const results: OffsetCommitResult['partitions'] = [];
    const accepted: StoredOffset[] = [];
    const retention = req.retentionTimeMs ?? -1n;
    for (const p of req.partitions) {
      const metadata = p.metadata ?? '';
      if (metadata.length > this.ctx.config.offsetMetadataMaxBytes) {
        results.push({ topic: p.topic, partition: p.partition, errorCode: E.OFFSET_METADATA_TOO_LARGE });
        continue;
      }
      const commitTimestamp = p.commitTimestamp === undefined || p.commitTimestamp < 0n ? now : p.commitTimestamp;
      accepted.push({
        topic: p.topic,
        partition: p.partition,
        offset: p.offset,
        leaderEpoch: p.leaderEpoch,
        metadata,
        commitTimestamp,
        expireTimestamp: retention >= 0n ? commitTimestamp + retention : null,
      });
    }
    if (accepted.length > 0) {
      const { errorCode: error, baseOffset } = await this.ctx.appendOffsets(group, accepted.map((o) => offsetRecord(group.groupId, o)), txn);
      if (error === E.NONE) {
        for (const o of accepted) o.recordOffset = baseOffset;
        const target = txn === undefined ? group.offsets : (group.pendingTxnOffsets.get(txn.producerId) ?? new Map<string, StoredOffset>());
        if (txn !== undefined) group.pendingTxnOffsets.set(txn.producerId, target);
        for (const o of accepted) target.set(tpKey(o.topic, o.partition), o);
      }
      for (const o of accepted) results.push({ topic: o.topic, partition: o.partition, errorCode: error });
    }
    // Answer in request order, whatever the validation split.
    const order = new Map(req.partitions.map((p, i) => [tpKey(p.topic, p.partition), i] as const));
    results.sort((a, b) => (order.get(tpKey(a.topic, a.partition)) ?? 0) - (order.get(tpKey(b.topic, b.partition)) ?? 0));
    return { partitions: results };
  }
}

function toFetched(o: StoredOffset): OffsetFetchPartition {
  return { topic: o.topic, partition: o.partition, offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata, errorCode: E.NONE };
}
