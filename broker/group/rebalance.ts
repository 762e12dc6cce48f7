/**
 * The rebalance machinery behind Membership: the join phase and its timers (initial delay,
 * rebalance timeout), generation changes, assignment propagation, pending-sync and session
 * expiry, and member removal. Runs inside the group's queue like everything else.
 */
import { ErrorCode as E } from '../../protocol/index.js';
import type { GroupContext } from './group-context.js';
import { joinError, type GroupMetadata } from './group-metadata.js';
import { groupMetadataRecord } from './group-records.js';
import type { MemberMetadata } from './member-metadata.js';
import type { JoinGroupResult, SyncGroupRequest, SyncGroupResult } from './types.js';

/** New members cannot heartbeat until their JoinGroup returns; expire stuck joins after this. */
const NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000;

const JOIN_TIMER = 'join';
const SYNC_TIMER = 'sync';
export const hbTimer = (memberId: string): string => `hb\u0000${memberId}`;
export const pendingTimer = (memberId: string): string => `pending\u0000${memberId}`;

export function syncError(errorCode: number): SyncGroupResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
}

export class Rebalancer {
  constructor(private readonly ctx: GroupContext) {}

  currentGenerationFor(group: GroupMetadata, memberId: string, leader: string): JoinGroupResult {
    return {
      errorCode: E.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader,
      memberId,
      members: group.isLeader(memberId) && leader === memberId ? group.currentMemberMetadata() : [],
    };
  }

  async maybePrepareRebalance(group: GroupMetadata): Promise<void> {
    if (group.canRebalance()) await this.prepareRebalance(group);
  }

  async prepareRebalance(group: GroupMetadata): Promise<void> {
    if (group.is('CompletingRebalance')) this.resetAndPropagateAssignmentError(group, E.REBALANCE_IN_PROGRESS);
    this.ctx.clearTimer(group, SYNC_TIMER);
    const now = this.ctx.scheduler.now();
    if (group.is('Empty')) {
      const delay = this.ctx.config.groupInitialRebalanceDelayMs;
      group.delayedJoin = { kind: 'initial', remainingMs: Math.max(group.rebalanceTimeoutMs() - delay, 0) };
      group.transitionTo('PreparingRebalance', now);
      this.ctx.setTimer(group, JOIN_TIMER, delay, () => this.onInitialDelayExpired(group));
    } else {
      group.delayedJoin = { kind: 'normal', remainingMs: 0 };
      group.transitionTo('PreparingRebalance', now);
      this.ctx.setTimer(group, JOIN_TIMER, group.rebalanceTimeoutMs(), () => this.completeJoin(group));
    }
    this.ctx.logger.info({ groupId: group.groupId, generationId: group.generationId, members: group.size }, 'preparing to rebalance group');
    await this.tryCompleteJoin(group);
  }

  private async onInitialDelayExpired(group: GroupMetadata): Promise<void> {
    const pending = group.delayedJoin;
    if (!group.is('PreparingRebalance') || pending?.kind !== 'initial') return;
    if (group.newMemberAdded && pending.remainingMs > 0) {
      // Members are still arriving: wait once more, never beyond the rebalance timeout in total.
      group.newMemberAdded = false;
      const delay = Math.min(this.ctx.config.groupInitialRebalanceDelayMs, pending.remainingMs);
      group.delayedJoin = { kind: 'initial', remainingMs: pending.remainingMs - delay };
      this.ctx.setTimer(group, JOIN_TIMER, delay, () => this.onInitialDelayExpired(group));
      return;
    }
    await this.completeJoin(group);
  }

  async tryCompleteJoin(group: GroupMetadata): Promise<void> {
    if (group.is('PreparingRebalance') && group.delayedJoin?.kind === 'normal' && group.hasAllMembersJoined()) {
      await this.completeJoin(group);
    }
  }

  /** End of the join phase: drop dynamic members that did not rejoin, bump the generation, answer. */
  private async completeJoin(group: GroupMetadata): Promise<void> {
    if (!group.is('PreparingRebalance')) return;
    this.ctx.clearTimer(group, JOIN_TIMER);
    group.delayedJoin = null;
    for (const m of group.notYetRejoinedMembers()) {
      if (m.isStatic) continue;
      group.remove(m.memberId);
      this.ctx.clearTimer(group, hbTimer(m.memberId));
    }
    if (!group.maybeElectNewJoinedLeader() && group.size > 0) {
      // Only static members that have not come back remain: wait for them or their session end.
      group.delayedJoin = { kind: 'normal', remainingMs: 0 };
      this.ctx.setTimer(group, JOIN_TIMER, group.rebalanceTimeoutMs(), () => this.completeJoin(group));
      return;
    }
    const now = this.ctx.scheduler.now();
    group.initNextGeneration(now);
    if (group.is('Empty')) {
      const error = await this.ctx.append(group, [groupMetadataRecord(group, new Map())], false);
      // Harmless if lost: an empty generation has no members to confuse.
      if (error !== E.NONE) this.ctx.logger.warn({ groupId: group.groupId, errorCode: error }, 'failed to persist empty group');
      return;
    }
    this.ctx.logger.info({ groupId: group.groupId, generationId: group.generationId, members: group.size, protocol: group.protocolName }, 'stabilized group');
    for (const m of group.members.values()) {
      group.invokeJoin(m, this.currentGenerationFor(group, m.memberId, group.leaderId ?? ''));
      m.isNew = false;
      this.scheduleHeartbeatExpiry(group, m);
    }
    const generationId = group.generationId;
    this.ctx.setTimer(group, SYNC_TIMER, group.pendingSyncTimeoutMs(), () => this.onPendingSyncExpired(group, generationId));
  }

  async storeAssignment(group: GroupMetadata, req: SyncGroupRequest): Promise<void> {
    const assignment = new Map<string, Buffer>();
    for (const m of group.members.keys()) assignment.set(m, Buffer.alloc(0));
    for (const a of req.assignments) if (assignment.has(a.memberId)) assignment.set(a.memberId, a.assignment);
    const generationId = group.generationId;
    const error = await this.ctx.append(group, [groupMetadataRecord(group, assignment)], false);
    if (!group.is('CompletingRebalance') || group.generationId !== generationId) return;
    if (error !== E.NONE) {
      this.resetAndPropagateAssignmentError(group, error);
      await this.maybePrepareRebalance(group);
      return;
    }
    for (const m of group.members.values()) {
      m.assignment = assignment.get(m.memberId) ?? Buffer.alloc(0);
      const answered = group.invokeSync(m, { errorCode: E.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment: m.assignment });
      if (answered) this.scheduleHeartbeatExpiry(group, m);
    }
    group.transitionTo('Stable', this.ctx.scheduler.now());
  }

  private resetAndPropagateAssignmentError(group: GroupMetadata, errorCode: number): void {
    for (const m of group.members.values()) {
      m.assignment = Buffer.alloc(0);
      group.invokeSync(m, syncError(errorCode));
    }
  }

  receivedSync(group: GroupMetadata, memberId: string): void {
    group.pendingSyncMembers.delete(memberId);
    if (group.pendingSyncMembers.size === 0) this.ctx.clearTimer(group, SYNC_TIMER);
  }

  /** Members that joined but never sent SyncGroup in time (pendingSyncTimeoutMs) are dropped. */
  private async onPendingSyncExpired(group: GroupMetadata, generationId: number): Promise<void> {
    if (group.generationId !== generationId || !(group.is('CompletingRebalance') || group.is('Stable'))) return;
    if (group.pendingSyncMembers.size === 0) return;
    for (const id of [...group.pendingSyncMembers]) {
      const m = group.members.get(id);
      if (m !== undefined) group.invokeSync(m, syncError(E.UNKNOWN_MEMBER_ID));
      group.remove(id);
      this.ctx.clearTimer(group, hbTimer(id));
    }
    await this.prepareRebalance(group);
  }

  scheduleHeartbeatExpiry(group: GroupMetadata, member: MemberMetadata): void {
    const delay = member.isNew ? NEW_MEMBER_JOIN_TIMEOUT_MS : member.sessionTimeoutMs;
    const memberId = member.memberId;
    this.ctx.setTimer(group, hbTimer(memberId), delay, () => this.onHeartbeatExpired(group, memberId, member));
  }

  private async onHeartbeatExpired(group: GroupMetadata, memberId: string, member: MemberMetadata): Promise<void> {
    if (group.members.get(memberId) !== member) return;
    if (!member.isNew && (member.awaitingJoin !== null || member.awaitingSync !== null)) {
      // A member parked in a rebalance cannot heartbeat; the rebalance's own timers bound it.
      this.scheduleHeartbeatExpiry(group, member);
      return;
    }
    this.ctx.logger.info({ groupId: group.groupId, memberId, generationId: group.generationId }, 'member session expired');
    await this.removeMemberAndUpdateGroup(group, member);
  }

  async removeMemberAndUpdateGroup(group: GroupMetadata, member: MemberMetadata): Promise<void> {
    // Answer a parked JoinGroup first: the client retries with a fresh join if it is still alive.
    group.invokeJoin(member, joinError('', E.UNKNOWN_MEMBER_ID));
    group.invokeSync(member, syncError(E.UNKNOWN_MEMBER_ID));
    group.remove(member.memberId);
    this.ctx.clearTimer(group, hbTimer(member.memberId));
    if (group.is('Stable') || group.is('CompletingRebalance')) await this.maybePrepareRebalance(group);
    else if (group.is('PreparingRebalance')) await this.tryCompleteJoin(group);
  }

  async removePendingMember(group: GroupMetadata, memberId: string): Promise<void> {
    if (!group.pendingMembers.delete(memberId)) return;
    this.ctx.clearTimer(group, pendingTimer(memberId));
    await this.tryCompleteJoin(group);
  }
}
