/**
 * JoinGroup, SyncGroup, Heartbeat and LeaveGroup for one group at a time (Kafka's
 * GroupCoordinator request paths; the phases and timers behind them live in rebalance.ts). Every method runs inside the group's queue; requests
 * that must wait (JoinGroup until the join phase ends, SyncGroup until the leader's assignment
 * is durable) get a promise back instead of holding the queue.
 */
import { ErrorCode as E } from '../../protocol/index.js';
import type { GroupContext } from './group-context.js';
import { joinError, type GroupMetadata } from './group-metadata.js';
import { groupMetadataRecord } from './group-records.js';
import { acceptJoiningMember, heartbeatDecision, knownMemberJoinDecision, syncDecision } from './group-state.js';
import { MemberMetadata } from './member-metadata.js';
import { hbTimer, pendingTimer, Rebalancer, syncError } from './rebalance.js';
import type { HeartbeatRequest, JoinGroupRequest, JoinGroupResult, LeaveGroupRequest, LeaveGroupResult, SyncGroupRequest, SyncGroupResult } from './types.js';

/** A result now, or a promise of one that does not hold the group's queue. */
export interface Pending<T> {
  result: T | Promise<T>;
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export class Membership {
  private readonly rebalance: Rebalancer;

  constructor(private readonly ctx: GroupContext) {
    this.rebalance = new Rebalancer(ctx);
  }

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
      if (existing !== undefined) await this.rebalance.removeMemberAndUpdateGroup(group, existing);
      result = { result: joinError('', E.GROUP_MAX_SIZE_REACHED) };
    } else if (req.memberId === '') {
      result = await this.joinNewMember(group, req);
    } else {
      result = await this.joinKnownMember(group, req);
    }
    await this.rebalance.tryCompleteJoin(group);
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
        this.rebalance.receivedSync(group, member.memberId);
        if (group.isLeader(member.memberId)) await this.rebalance.storeAssignment(group, req);
        return { result: promise };
      }
      case 'RETURN_CURRENT':
        this.rebalance.receivedSync(group, member.memberId);
        this.rebalance.scheduleHeartbeatExpiry(group, member);
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
    if (decision.keepAlive) this.rebalance.scheduleHeartbeatExpiry(group, group.get(req.memberId));
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
          await this.rebalance.removeMemberAndUpdateGroup(group, group.get(current));
          answer(E.NONE);
        }
      } else if (group.pendingMembers.has(leaving.memberId)) {
        await this.rebalance.removePendingMember(group, leaving.memberId);
        answer(E.NONE);
      } else if (group.isStaticMemberFenced(leaving.memberId, leaving.groupInstanceId)) {
        answer(E.FENCED_INSTANCE_ID);
      } else if (!group.has(leaving.memberId)) {
        answer(E.UNKNOWN_MEMBER_ID);
      } else {
        await this.rebalance.removeMemberAndUpdateGroup(group, group.get(leaving.memberId));
        answer(E.NONE);
      }
    }
    return { errorCode: E.NONE, members };
  }

  /** Start the session clock of every member of a group just loaded from the log. */
  onGroupLoaded(group: GroupMetadata): void {
    for (const m of group.members.values()) this.rebalance.scheduleHeartbeatExpiry(group, m);
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
      this.ctx.setTimer(group, pendingTimer(newMemberId), req.sessionTimeoutMs, () => this.rebalance.removePendingMember(group, newMemberId));
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
        await this.rebalance.maybePrepareRebalance(group);
        return { result: promise };
      }
      case 'RETURN_CURRENT':
        return { result: this.rebalance.currentGenerationFor(group, member.memberId, group.leaderId ?? '') };
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
    this.rebalance.scheduleHeartbeatExpiry(group, member);
    await this.rebalance.maybePrepareRebalance(group);
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
    this.rebalance.scheduleHeartbeatExpiry(group, member);
    const oldProtocols = member.protocols;
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    group.updateMember(member, req.protocols, resolve);
    switch (group.state) {
      case 'Stable': {
        if (group.protocolName !== group.selectProtocol()) {
          await this.rebalance.maybePrepareRebalance(group);
          break;
        }
        const assignment = new Map([...group.members.values()].map((m) => [m.memberId, m.assignment] as const));
        const error = await this.ctx.append(group, [groupMetadataRecord(group, assignment)], false);
        if (error !== E.NONE) {
          // Not durable: the old incarnation stays the member of record.
          group.updateMember(member, oldProtocols, null);
          this.ctx.clearTimer(group, hbTimer(newMemberId));
          group.replaceStaticMember(instanceId, newMemberId, oldMemberId);
          this.rebalance.scheduleHeartbeatExpiry(group, member);
          return { result: joinError('', error) };
        }
        // The old leader id is returned so that a restarted leader does not reassign a Stable group.
        group.invokeJoin(member, { ...this.rebalance.currentGenerationFor(group, newMemberId, currentLeader), members: [] });
        break;
      }
      case 'CompletingRebalance':
        // The leader may already be assigning to the old member id: start over.
        await this.rebalance.prepareRebalance(group);
        break;
      default:
        break;
    }
    return { result: promise };
  }
}
