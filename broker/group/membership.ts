/**
 * Join, sync, heartbeat, leave and session expiry for one group at a time (Kafka's
 * GroupCoordinator rebalance protocol). Every method runs inside the group's queue; requests
 * that must wait (JoinGroup until the join phase ends, SyncGroup until the leader's assignment
 * is durable) get a promise back instead of holding the queue.
 */
import { GroupErrorCode as E } from './errors.js';
import type { GroupContext } from './group-context.js';
import { joinError, type GroupMetadata } from './group-metadata.js';
import { groupMetadataRecord } from './group-records.js';
import { acceptJoiningMember, heartbeatDecision, knownMemberJoinDecision, syncDecision } from './group-state.js';
import { MemberMetadata } from './member-metadata.js';
import type { HeartbeatRequest, JoinGroupRequest, JoinGroupResult, LeaveGroupRequest, LeaveGroupResult, SyncGroupRequest, SyncGroupResult } from './types.js';

/** New members cannot heartbeat until their JoinGroup returns; expire stuck joins after this. */
export const NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000;

/** A result now, or a promise of one that does not hold the group's queue. */
export interface Pending<T> {
  result: T | Promise<T>;
}

const JOIN_TIMER = 'join';
const SYNC_TIMER = 'sync';
const hbTimer = (memberId: string): string => `hb\u0000${memberId}`;
const pendingTimer = (memberId: string): string => `pending\u0000${memberId}`;

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function syncError(errorCode: number): SyncGroupResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
}

export class Membership {
  constructor(private readonly ctx: GroupContext) {}

  async join(group: GroupMetadata, req: JoinGroupRequest): Promise<Pending<JoinGroupResult>> {
    const existing = group.members.get(req.memberId);
    const fits = acceptJoiningMember({
      state: group.state,
      maxSize: this.ctx.config.groupMaxSize,
      isMember: existing !== undefined,
      memberAwaitingJoin: existing?.awaitingJoin != null,
      numAwaitingJoin: group.numAwaitingJoin,
      numMembers: group.size,
    });
    let result: Pending<JoinGroupResult>;
    if (!fits) {
      if (existing !== undefined) await this.removeMemberAndUpdateGroup(group, existing);
      result = { result: joinError('', E.GROUP_MAX_SIZE_REACHED) };
    } else if (req.memberId === '') {
      result = await this.joinNewMember(group, req);
    } else {
      result = await this.joinKnownMember(group, req);
    }
    await this.tryCompleteJoin(group);
    return result;
  }

  async sync(group: GroupMetadata, req: SyncGroupRequest): Promise<Pending<SyncGroupResult>> {
    if (group.is('Dead')) return { result: syncError(E.COORDINATOR_NOT_AVAILABLE) };
    if (group.isStaticMemberFenced(req.memberId, req.groupInstanceId)) return { result: syncError(E.FENCED_INSTANCE_ID) };
    if (!group.has(req.memberId)) return { result: syncError(E.UNKNOWN_MEMBER_ID) };
    if (req.generationId !== group.generationId) return { result: syncError(E.ILLEGAL_GENERATION) };
    if ((req.protocolType !== null && req.protocolType !== group.protocolType) || (req.protocolName !== null && req.protocolName !== group.protocolName)) {
      return { result: syncError(E.INCONSISTENT_GROUP_PROTOCOL) };
    }
    const member = group.get(req.memberId);
    switch (syncDecision(group.state)) {
      case 'AWAIT_ASSIGNMENT': {
        const { promise, resolve } = deferred<SyncGroupResult>();
        // A client never has two SyncGroups in flight; an older one belongs to a dead connection.
        group.invokeSync(member, syncError(E.REBALANCE_IN_PROGRESS));
        member.awaitingSync = resolve;
        this.receivedSync(group, member.memberId);
        if (group.isLeader(member.memberId)) await this.storeAssignment(group, req);
        return { result: promise };
      }
      case 'RETURN_CURRENT':
        this.receivedSync(group, member.memberId);
        this.scheduleHeartbeatExpiry(group, member);
        return { result: { errorCode: E.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment } };
      case 'REBALANCE_IN_PROGRESS':
        return { result: syncError(E.REBALANCE_IN_PROGRESS) };
      case 'UNKNOWN_MEMBER_ID':
        return { result: syncError(E.UNKNOWN_MEMBER_ID) };
      case 'COORDINATOR_NOT_AVAILABLE':
        return { result: syncError(E.COORDINATOR_NOT_AVAILABLE) };
    }
  }

  heartbeat(group: GroupMetadata, req: HeartbeatRequest): number {
    if (group.is('Dead')) return E.COORDINATOR_NOT_AVAILABLE;
    if (group.isStaticMemberFenced(req.memberId, req.groupInstanceId)) return E.FENCED_INSTANCE_ID;
    if (!group.has(req.memberId)) return E.UNKNOWN_MEMBER_ID;
    if (req.generationId !== group.generationId) return E.ILLEGAL_GENERATION;
    const decision = heartbeatDecision(group.state);
    if (decision.keepAlive) this.scheduleHeartbeatExpiry(group, group.get(req.memberId));
    return E[decision.errorCode];
  }

  async leave(group: GroupMetadata, req: LeaveGroupRequest): Promise<LeaveGroupResult> {
    if (group.is('Dead')) return { errorCode: E.COORDINATOR_NOT_AVAILABLE, members: [] };
    const members: LeaveGroupResult['members'] = [];
    for (const leaving of req.members) {
      const answer = (errorCode: number): void => {
        members.push({ memberId: leaving.memberId, groupInstanceId: leaving.groupInstanceId, errorCode });
      };
      if (leaving.memberId === '') {
        // Administrative removal of a static member by instance id (KIP-345).
        const current = leaving.groupInstanceId === null ? undefined : group.staticMembers.get(leaving.groupInstanceId);
        if (current === undefined) {
          answer(E.UNKNOWN_MEMBER_ID);
        } else {
          await this.removeMemberAndUpdateGroup(group, group.get(current));
          answer(E.NONE);
        }
      } else if (group.pendingMembers.has(leaving.memberId)) {
        await this.removePendingMember(group, leaving.memberId);
        answer(E.NONE);
      } else if (group.isStaticMemberFenced(leaving.memberId, leaving.groupInstanceId)) {
        answer(E.FENCED_INSTANCE_ID);
      } else if (!group.has(leaving.memberId)) {
        answer(E.UNKNOWN_MEMBER_ID);
      } else {
        await this.removeMemberAndUpdateGroup(group, group.get(leaving.memberId));
        answer(E.NONE);
      }
    }
    return { errorCode: E.NONE, members };
  }

  /** Start the session clock of every member of a group just loaded from the log. */
  onGroupLoaded(group: GroupMetadata): void {
    for (const m of group.members.values()) this.scheduleHeartbeatExpiry(group, m);
  }

  /** The partition moved away: answer every waiting request NOT_COORDINATOR. */
  onGroupUnloaded(group: GroupMetadata): void {
    for (const m of group.members.values()) {
      group.invokeJoin(m, joinError(m.memberId, E.NOT_COORDINATOR));
      group.invokeSync(m, syncError(E.NOT_COORDINATOR));
    }
  }

  private async joinNewMember(group: GroupMetadata, req: JoinGroupRequest): Promise<Pending<JoinGroupResult>> {
    if (group.is('Dead')) return { result: joinError('', E.COORDINATOR_NOT_AVAILABLE) };
    if (!group.supportsProtocols(req.protocolType, req.protocols.map((p) => p.name))) {
      return { result: joinError('', E.INCONSISTENT_GROUP_PROTOCOL) };
    }
    const newMemberId = this.ctx.newMemberId(req.groupInstanceId ?? req.clientId);
    if (req.groupInstanceId !== null) {
      const oldMemberId = group.staticMembers.get(req.groupInstanceId);
      if (oldMemberId !== undefined) return this.replaceStaticMember(group, req.groupInstanceId, oldMemberId, newMemberId, req);
      return this.addMemberAndRebalance(group, newMemberId, req);
    }
    if (req.requireKnownMemberId) {
      // KIP-394: the id is reserved for a session timeout; the member must come back with it.
      group.pendingMembers.add(newMemberId);
      this.ctx.setTimer(group, pendingTimer(newMemberId), req.sessionTimeoutMs, () => this.removePendingMember(group, newMemberId));
      return { result: joinError(newMemberId, E.MEMBER_ID_REQUIRED) };
    }
    return this.addMemberAndRebalance(group, newMemberId, req);
  }

  private async joinKnownMember(group: GroupMetadata, req: JoinGroupRequest): Promise<Pending<JoinGroupResult>> {
    if (group.is('Dead')) return { result: joinError(req.memberId, E.COORDINATOR_NOT_AVAILABLE) };
    if (!group.supportsProtocols(req.protocolType, req.protocols.map((p) => p.name))) {
      return { result: joinError(req.memberId, E.INCONSISTENT_GROUP_PROTOCOL) };
    }
    if (group.pendingMembers.has(req.memberId)) {
      return this.addMemberAndRebalance(group, req.memberId, req);
    }
    if (group.isStaticMemberFenced(req.memberId, req.groupInstanceId)) return { result: joinError(req.memberId, E.FENCED_INSTANCE_ID) };
    if (!group.has(req.memberId)) return { result: joinError(req.memberId, E.UNKNOWN_MEMBER_ID) };
    const member = group.get(req.memberId);
    switch (knownMemberJoinDecision(group.state, group.isLeader(member.memberId), member.matches(req.protocols))) {
      case 'REBALANCE': {
        const { promise, resolve } = deferred<JoinGroupResult>();
        group.invokeJoin(member, joinError(member.memberId, E.REBALANCE_IN_PROGRESS));
        member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
        member.sessionTimeoutMs = req.sessionTimeoutMs;
        group.updateMember(member, req.protocols, resolve);
        await this.maybePrepareRebalance(group);
        return { result: promise };
      }
      case 'RETURN_CURRENT':
        return { result: this.currentGenerationFor(group, member.memberId, group.leaderId ?? '') };
      case 'UNKNOWN_MEMBER_ID':
        return { result: joinError(req.memberId, E.UNKNOWN_MEMBER_ID) };
    }
  }

  private async addMemberAndRebalance(group: GroupMetadata, memberId: string, req: JoinGroupRequest): Promise<Pending<JoinGroupResult>> {
    const { promise, resolve } = deferred<JoinGroupResult>();
    const member = new MemberMetadata({ ...req, memberId });
    member.isNew = true;
    // Only a first generation waits for more newcomers (group.initial.rebalance.delay.ms).
    if (group.is('PreparingRebalance') && group.generationId === 0) group.newMemberAdded = true;
    group.add(member, resolve);
    this.ctx.clearTimer(group, pendingTimer(memberId));
    this.scheduleHeartbeatExpiry(group, member);
    await this.maybePrepareRebalance(group);
    return { result: promise };
  }

  /**
   * A static member restarted (same instance id, new member id). In a Stable group whose
   * protocol choice would not change, it gets its old assignment back without a rebalance.
   */
  private async replaceStaticMember(group: GroupMetadata, instanceId: string, oldMemberId: string, newMemberId: string, req: JoinGroupRequest): Promise<Pending<JoinGroupResult>> {
    const { promise, resolve } = deferred<JoinGroupResult>();
    const currentLeader = group.leaderId ?? '';
    this.ctx.clearTimer(group, hbTimer(oldMemberId));
    const member = group.replaceStaticMember(instanceId, oldMemberId, newMemberId);
    this.scheduleHeartbeatExpiry(group, member);
    const oldProtocols = member.protocols;
    group.updateMember(member, req.protocols, resolve);
    switch (group.state) {
      case 'Stable': {
        if (group.protocolName !== group.selectProtocol()) {
          await this.maybePrepareRebalance(group);
          break;
        }
        const assignment = new Map([...group.members.values()].map((m) => [m.memberId, m.assignment] as const));
        const error = await this.ctx.append(group, [groupMetadataRecord(group, assignment)], false);
        if (error !== E.NONE) {
          // Not durable: the old incarnation stays the member of record.
          group.updateMember(member, oldProtocols, null);
          this.ctx.clearTimer(group, hbTimer(newMemberId));
          group.replaceStaticMember(instanceId, newMemberId, oldMemberId);
          this.scheduleHeartbeatExpiry(group, member);
          return { result: joinError('', error) };
        }
        // The old leader id is returned so that a restarted leader does not reassign a Stable group.
        group.invokeJoin(member, { ...this.currentGenerationFor(group, newMemberId, currentLeader), members: [] });
        break;
      }
      case 'CompletingRebalance':
        // The leader may already be assigning to the old member id: start over.
        await this.prepareRebalance(group);
        break;
      default:
        break;
    }
    return { result: promise };
  }

  private currentGenerationFor(group: GroupMetadata, memberId: string, leader: string): JoinGroupResult {
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

  private async maybePrepareRebalance(group: GroupMetadata): Promise<void> {
    if (group.canRebalance()) await this.prepareRebalance(group);
  }

  private async prepareRebalance(group: GroupMetadata): Promise<void> {
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
      await this.tryCompleteJoin(group);
    }
    this.ctx.logger.info({ groupId: group.groupId, generationId: group.generationId, members: group.size }, 'preparing to rebalance group');
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

  private async tryCompleteJoin(group: GroupMetadata): Promise<void> {
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
    this.ctx.setTimer(group, SYNC_TIMER, group.rebalanceTimeoutMs(), () => this.onPendingSyncExpired(group, generationId));
  }

  private async storeAssignment(group: GroupMetadata, req: SyncGroupRequest): Promise<void> {
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

  private receivedSync(group: GroupMetadata, memberId: string): void {
    group.pendingSyncMembers.delete(memberId);
    if (group.pendingSyncMembers.size === 0) this.ctx.clearTimer(group, SYNC_TIMER);
  }

  /** Members that joined but never sent SyncGroup within the rebalance timeout are dropped. */
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

  private scheduleHeartbeatExpiry(group: GroupMetadata, member: MemberMetadata): void {
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

  private async removeMemberAndUpdateGroup(group: GroupMetadata, member: MemberMetadata): Promise<void> {
    // Answer a parked JoinGroup first: the client retries with a fresh join if it is still alive.
    group.invokeJoin(member, joinError('', E.UNKNOWN_MEMBER_ID));
    group.invokeSync(member, syncError(E.UNKNOWN_MEMBER_ID));
    group.remove(member.memberId);
    this.ctx.clearTimer(group, hbTimer(member.memberId));
    if (group.is('Stable') || group.is('CompletingRebalance')) await this.maybePrepareRebalance(group);
    else if (group.is('PreparingRebalance')) await this.tryCompleteJoin(group);
  }

  private async removePendingMember(group: GroupMetadata, memberId: string): Promise<void> {
    if (!group.pendingMembers.delete(memberId)) return;
    this.ctx.clearTimer(group, pendingTimer(memberId));
    await this.tryCompleteJoin(group);
  }
}
