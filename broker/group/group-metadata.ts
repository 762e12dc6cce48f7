/**
 * One group's bookkeeping (Kafka's GroupMetadata): state, generation, members, pending members,
 * static members, protocol votes, leader, committed offsets. No timers, no I/O, no promises:
 * the coordinator drives it and owns all scheduling.
 */
import { tpKey } from '../../common/index.js';
import { groupSubscribedTopics } from './consumer-subscription.js';
import { CONSUMER_PROTOCOL_TYPE, ErrorCode } from '../../protocol/index.js';
import { GroupCoordinatorError } from './errors.js';
import { canRebalance, canTransition, type GroupState } from './group-state.js';
import type { MemberMetadata } from './member-metadata.js';
import type { DescribedGroup, JoinGroupMember, JoinGroupProtocol, JoinGroupResult, SyncGroupResult } from './types.js';

export interface StoredOffset {
  topic: string;
  partition: number;
  offset: bigint;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: bigint;
  expireTimestamp: bigint | null;
  /** Base offset of the `__consumer_offsets` batch that stored it; decides between a transactional and a plain commit (Kafka's olderThan). */
  recordOffset?: bigint;
}

/** Kafka's CommitRecordMetadataAndOffset.olderThan: an offset with no known position is older than any. */
export function storedBefore(a: StoredOffset, b: StoredOffset): boolean {
  return (a.recordOffset ?? -1n) < (b.recordOffset ?? -1n);
}

export class GroupMetadata {
  state: GroupState;
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  /** When the current state was entered (ms); drives offset expiry of empty groups. */
  currentStateTimestamp: number | null;
  /** A member joined during the initial delay: extend the delay once more. */
  newMemberAdded = false;
  /** Which join-phase timer the coordinator armed; `remainingMs` bounds the initial delay's extensions. */
  delayedJoin: { kind: 'initial' | 'normal'; remainingMs: number } | null = null;
  readonly members = new Map<string, MemberMetadata>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, not yet back with a JoinGroup. */
  readonly pendingMembers = new Set<string>();
  /** Members of the current generation that have not sent SyncGroup yet. */
  readonly pendingSyncMembers = new Set<string>();
  readonly staticMembers = new Map<string, string>();
  readonly offsets = new Map<string, StoredOffset>();
  /** Transactional offset commits in the log whose transaction has no marker yet, per producer id. */
  readonly pendingTxnOffsets = new Map<bigint, Map<string, StoredOffset>>();
  /** Topics the current generation subscribes to (consumer protocol only); null when unknown. */
  subscribedTopics: Set<string> | null = null;
  private readonly protocolVotes = new Map<string, number>();

  constructor(
    readonly groupId: string,
    state: GroupState,
    now: number | null,
  ) {
    this.state = state;
    this.currentStateTimestamp = now;
  }

  is(state: GroupState): boolean {
    return this.state === state;
  }

  transitionTo(to: GroupState, now: number): void {
    if (!canTransition(this.state, to)) {
      throw new GroupCoordinatorError('BRK_GROUP_ILLEGAL_TRANSITION', `group ${this.groupId}: illegal transition ${this.state} -> ${to}`);
    }
    this.state = to;
    this.currentStateTimestamp = now;
  }

  canRebalance(): boolean {
    return canRebalance(this.state);
  }

  has(memberId: string): boolean {
    return this.members.has(memberId);
  }

  get(memberId: string): MemberMetadata {
    const m = this.members.get(memberId);
    if (m === undefined) throw new GroupCoordinatorError('BRK_GROUP_INTERNAL', `group ${this.groupId} has no member ${memberId}`);
    return m;
  }

  get size(): number {
    return this.members.size;
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  add(member: MemberMetadata, onJoin: ((r: JoinGroupResult) => void) | null): void {
    if (this.members.size === 0) this.protocolType = member.protocolType;
    if (this.leaderId === null) this.leaderId = member.memberId;
    this.members.set(member.memberId, member);
    this.countVotes(member.protocols, 1);
    member.awaitingJoin = onJoin;
    this.pendingMembers.delete(member.memberId);
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId);
  }

  remove(memberId: string): MemberMetadata | undefined {
    const member = this.members.get(memberId);
    if (member === undefined) return undefined;
    this.members.delete(memberId);
    this.countVotes(member.protocols, -1);
    this.pendingSyncMembers.delete(memberId);
    if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === memberId) {
      this.staticMembers.delete(member.groupInstanceId);
    }
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value ?? null;
    return member;
  }

  updateMember(member: MemberMetadata, protocols: JoinGroupProtocol[], onJoin: ((r: JoinGroupResult) => void) | null): void {
    this.countVotes(member.protocols, -1);
    member.protocols = protocols;
    this.countVotes(protocols, 1);
    member.awaitingJoin = onJoin;
  }

  /**
   * A static member came back with a new member id: the old id is fenced (its waiting requests
   * answered FENCED_INSTANCE_ID) and the member continues under the new id, assignment intact.
   */
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMemberId: string): MemberMetadata {
    const member = this.get(oldMemberId);
    this.members.delete(oldMemberId);
    this.invokeJoin(member, joinError(oldMemberId, FENCED));
    this.invokeSync(member, { errorCode: FENCED, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });
    member.memberId = newMemberId;
    this.members.set(newMemberId, member);
    if (this.pendingSyncMembers.delete(oldMemberId)) this.pendingSyncMembers.add(newMemberId);
    if (this.leaderId === oldMemberId) this.leaderId = newMemberId;
    this.staticMembers.set(groupInstanceId, newMemberId);
    return member;
  }

  /** The instance id is mapped to a different member id: that caller is a stale incarnation. */
  /** Whether a transaction not yet ended has written an offset for this partition (OffsetFetch require_stable). */
  hasPendingTxnOffsetCommit(topic: string, partition: number): boolean {
    const key = tpKey(topic, partition);
    for (const pending of this.pendingTxnOffsets.values()) if (pending.has(key)) return true;
    return false;
  }

  /** Offsets, committed or pending in a transaction: a group with any is not removed by expiry. */
  get hasOffsets(): boolean {
    return this.offsets.size > 0 || this.pendingTxnOffsets.size > 0;
  }

  /**
   * The marker of `producerId`'s transaction reached this group's partition: on commit its offsets
   * become the group's unless a later plain commit already replaced them; on abort they vanish.
   */
  completePendingTxnOffsetCommit(producerId: bigint, commit: boolean): number {
    const pending = this.pendingTxnOffsets.get(producerId);
    this.pendingTxnOffsets.delete(producerId);
    if (pending === undefined || !commit) return 0;
    let applied = 0;
    for (const [key, o] of pending) {
      const current = this.offsets.get(key);
      if (current === undefined || storedBefore(current, o)) {
        this.offsets.set(key, o);
        applied++;
      }
    }
    return applied;
  }

  isStaticMemberFenced(memberId: string, groupInstanceId: string | null): boolean {
    if (groupInstanceId === null) return false;
    const current = this.staticMembers.get(groupInstanceId);
    return current !== undefined && current !== memberId;
  }

  invokeJoin(member: MemberMetadata, result: JoinGroupResult): void {
    const cb = member.awaitingJoin;
    if (cb === null) return;
    member.awaitingJoin = null;
    cb(result);
  }

  invokeSync(member: MemberMetadata, result: SyncGroupResult): boolean {
    const cb = member.awaitingSync;
    if (cb === null) return false;
    member.awaitingSync = null;
    cb(result);
    return true;
  }

  get numAwaitingJoin(): number {
    let n = 0;
    for (const m of this.members.values()) if (m.awaitingJoin !== null) n++;
    return n;
  }

  hasAllMembersJoined(): boolean {
    return this.numAwaitingJoin === this.members.size && this.pendingMembers.size === 0;
  }

  notYetRejoinedMembers(): MemberMetadata[] {
    return [...this.members.values()].filter((m) => m.awaitingJoin === null);
  }

  /** Largest rebalance timeout of any member: the join phase waits that long at most. */
  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  /**
   * How long members have to send SyncGroup after the join phase: 3.x's pending-sync timeout,
   * the group's rebalance timeout. When that is 0 (some old clients send it) the timer would
   * drop every member before its SyncGroup could arrive; Kafka 2.8, which has no such timer,
   * bounds a member that has not synced by its session alone, so that is the bound then.
   */
  pendingSyncTimeoutMs(): number {
    const rebalance = this.rebalanceTimeoutMs();
    if (rebalance > 0) return rebalance;
    let session = 0;
    for (const m of this.members.values()) session = Math.max(session, m.sessionTimeoutMs);
    return session;
  }

  /** Keep the leader if it rejoined, else promote any member that did; false if none did. */
  maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === null) return false;
    const leader = this.members.get(this.leaderId);
    if (leader !== undefined && leader.awaitingJoin !== null) return true;
    for (const m of this.members.values()) {
      if (m.awaitingJoin !== null) {
        this.leaderId = m.memberId;
        return true;
      }
    }
    return false;
  }

  /** New members must share the protocol type and at least one protocol every member supports. */
  supportsProtocols(protocolType: string, protocolNames: readonly string[]): boolean {
    if (this.members.size === 0) return protocolType.length > 0 && protocolNames.length > 0;
    return this.protocolType === protocolType && protocolNames.some((n) => this.protocolVotes.get(n) === this.members.size);
  }

  /** Kafka's vote: each member names its most preferred protocol that all members support. */
  selectProtocol(): string {
    const candidates = new Set<string>();
    for (const [name, count] of this.protocolVotes) if (count === this.members.size) candidates.add(name);
    const tally = new Map<string, number>();
    for (const m of this.members.values()) {
      const vote = m.vote(candidates);
      if (vote !== undefined) tally.set(vote, (tally.get(vote) ?? 0) + 1);
    }
    let best: string | undefined;
    let bestVotes = 0;
    // Ties go to the protocol voted first, so the choice is deterministic.
    for (const [name, votes] of tally) {
      if (votes > bestVotes) {
        best = name;
        bestVotes = votes;
      }
    }
    if (best === undefined) throw new GroupCoordinatorError('BRK_GROUP_INTERNAL', `group ${this.groupId}: no protocol supported by all members`);
    return best;
  }

  initNextGeneration(now: number): void {
    this.generationId += 1;
    this.pendingSyncMembers.clear();
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol();
      this.transitionTo('CompletingRebalance', now);
      for (const id of this.members.keys()) this.pendingSyncMembers.add(id);
    } else {
      this.protocolName = null;
      this.transitionTo('Empty', now);
    }
    this.subscribedTopics = this.computeSubscribedTopics();
  }

  computeSubscribedTopics(): Set<string> | null {
    if (this.protocolType !== CONSUMER_PROTOCOL_TYPE || this.protocolName === null || this.members.size === 0) return null;
    const protocol = this.protocolName;
    return groupSubscribedTopics([...this.members.values()].map((m) => m.metadataFor(protocol)));
  }

  /** What the leader receives in its JoinGroup response. */
  currentMemberMetadata(): JoinGroupMember[] {
    const protocol = this.protocolName ?? '';
    return [...this.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadataFor(protocol) }));
  }

  /**
   * DescribeGroups of a loaded group (Kafka's GroupMetadata.summary): protocol, member metadata
   * and assignments are shown only once the group is Stable.
   */
  summary(): DescribedGroup {
    const stable = this.is('Stable');
    const protocol = stable ? (this.protocolName ?? '') : '';
    return {
      errorCode: ErrorCode.NONE,
      groupId: this.groupId,
      state: this.state,
      protocolType: this.protocolType ?? '',
      protocolName: protocol,
      members: [...this.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: stable ? m.metadataFor(protocol) : Buffer.alloc(0),
        assignment: stable ? m.assignment : Buffer.alloc(0),
      })),
    };
  }

  private countVotes(protocols: readonly JoinGroupProtocol[], delta: number): void {
    for (const p of protocols) {
      const n = (this.protocolVotes.get(p.name) ?? 0) + delta;
      if (n <= 0) this.protocolVotes.delete(p.name);
      else this.protocolVotes.set(p.name, n);
    }
  }
}

const FENCED = ErrorCode.FENCED_INSTANCE_ID;

export function joinError(memberId: string, errorCode: number): JoinGroupResult {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [] };
}
