/**
 * TEST DOUBLE: a minimal group coordinator for fake-broker.ts — the classic join/sync barrier
 * with generations, MEMBER_ID_REQUIRED (KIP-394), REBALANCE_IN_PROGRESS for members that must
 * rejoin, leave, and offset storage. No session timeouts. Not the broker's coordinator.
 */
import { ErrorCode } from '../../../protocol/index.js';

interface Member {
  memberId: string;
  groupInstanceId: string | null;
  protocols: Array<{ name: string; metadata: Buffer }>;
  joined: boolean;
}

interface Group {
  generation: number;
  state: 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable';
  members: Map<string, Member>;
  leader: string;
  protocol: string;
  pendingJoins: Map<string, (body: object) => void>;
  pendingSyncs: Map<string, (body: object) => void>;
  assignments: Map<string, Buffer>;
  timer: NodeJS.Timeout | undefined;
}

export interface JoinRequestBody {
  groupId: string;
  rebalanceTimeoutMs?: number;
  memberId: string;
  groupInstanceId?: string | null;
  protocols: Array<{ name: string; metadata: Buffer }>;
}

export class FakeGroupCoordinator {
  readonly groups = new Map<string, Group>();
  readonly offsets = new Map<string, Map<string, { offset: bigint; metadata: string | null }>>();
  /** How long a rebalance waits for members that have not rejoined yet. */
  rebalanceDelayMs = 150;
  requireMemberId = true;
  private nextId = 1;

  private group(id: string): Group {
    let g = this.groups.get(id);
    if (g === undefined) {
      g = { generation: 0, state: 'Empty', members: new Map(), leader: '', protocol: '', pendingJoins: new Map(), pendingSyncs: new Map(), assignments: new Map(), timer: undefined };
      this.groups.set(id, g);
    }
    return g;
  }

  join(req: JoinRequestBody, version: number): Promise<object> {
    const g = this.group(req.groupId);
    const fail = (errorCode: number, memberId = req.memberId) =>
      Promise.resolve({ errorCode, generationId: -1, protocolName: '', leader: '', memberId, members: [] });
    let memberId = req.memberId;
    if (memberId === '') {
      memberId = `member-${this.nextId++}`;
      if (this.requireMemberId && version >= 4 && !req.groupInstanceId) return fail(ErrorCode.MEMBER_ID_REQUIRED, memberId);
    } else if (!g.members.has(memberId) && !(this.requireMemberId && memberId.startsWith('member-'))) {
      return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    }
    g.members.set(memberId, { memberId, groupInstanceId: req.groupInstanceId ?? null, protocols: req.protocols, joined: true });
    this.prepareRebalance(g);
    return new Promise((resolve) => {
      g.pendingJoins.set(memberId, resolve);
      if ([...g.members.values()].every((m) => m.joined)) this.completeJoin(g);
      // Kafka waits for known members up to the rebalance timeout before dropping them.
      else g.timer ??= setTimeout(() => this.completeJoin(g), Math.max(this.rebalanceDelayMs, req.rebalanceTimeoutMs ?? 0));
    });
  }

  private prepareRebalance(g: Group): void {
    if (g.state === 'PreparingRebalance') return;
    g.state = 'PreparingRebalance';
    for (const resolve of g.pendingSyncs.values()) resolve({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: Buffer.alloc(0) });
    g.pendingSyncs.clear();
  }

  private completeJoin(g: Group): void {
    if (g.timer !== undefined) clearTimeout(g.timer);
    g.timer = undefined;
    for (const [id, m] of g.members) if (!m.joined) g.members.delete(id);
    const members = [...g.members.values()];
    if (members.length === 0) {
      g.state = 'Empty';
      return;
    }
    g.generation++;
    if (!g.members.has(g.leader)) g.leader = members[0]!.memberId;
    const leader = g.members.get(g.leader)!;
    g.protocol = leader.protocols.find((p) => members.every((m) => m.protocols.some((q) => q.name === p.name)))?.name ?? '';
    g.state = 'CompletingRebalance';
    g.assignments.clear();
    for (const [id, resolve] of g.pendingJoins) {
      resolve({
        errorCode: 0,
        generationId: g.generation,
        protocolName: g.protocol,
        leader: g.leader,
        memberId: id,
        members: id === g.leader ? members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.protocols.find((p) => p.name === g.protocol)!.metadata })) : [],
      });
    }
    g.pendingJoins.clear();
    for (const m of members) m.joined = false;
  }

  sync(req: { groupId: string; generationId: number; memberId: string; assignments: Array<{ memberId: string; assignment: Buffer }> }): Promise<object> {
    const g = this.group(req.groupId);
    const fail = (errorCode: number) => Promise.resolve({ errorCode, assignment: Buffer.alloc(0) });
    if (!g.members.has(req.memberId)) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    if (req.generationId !== g.generation) return fail(ErrorCode.ILLEGAL_GENERATION);
    if (g.state === 'PreparingRebalance') return fail(ErrorCode.REBALANCE_IN_PROGRESS);
    if (req.memberId === g.leader) {
      for (const a of req.assignments) g.assignments.set(a.memberId, a.assignment);
      g.state = 'Stable';
      for (const [id, resolve] of g.pendingSyncs) resolve({ errorCode: 0, assignment: g.assignments.get(id) ?? Buffer.alloc(0) });
      g.pendingSyncs.clear();
    }
    if (g.state === 'Stable') return Promise.resolve({ errorCode: 0, assignment: g.assignments.get(req.memberId) ?? Buffer.alloc(0) });
    return new Promise((resolve) => g.pendingSyncs.set(req.memberId, resolve));
  }

  heartbeat(req: { groupId: string; generationId: number; memberId: string }): number {
    const g = this.group(req.groupId);
    if (!g.members.has(req.memberId)) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (g.state === 'PreparingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    if (req.generationId !== g.generation) return ErrorCode.ILLEGAL_GENERATION;
    return 0;
  }

  leave(groupId: string, memberIds: string[]): void {
    const g = this.group(groupId);
    for (const id of memberIds) g.members.delete(id);
    if (g.members.size === 0) {
      g.state = 'Empty';
      return;
    }
    for (const m of g.members.values()) m.joined = false;
    this.prepareRebalance(g);
    g.timer ??= setTimeout(() => this.completeJoin(g), this.rebalanceDelayMs);
  }

  /** Force a rebalance, as when a member joins or the topic changes. */
  triggerRebalance(groupId: string): void {
    const g = this.group(groupId);
    for (const m of g.members.values()) m.joined = false;
    this.prepareRebalance(g);
    g.timer ??= setTimeout(() => this.completeJoin(g), this.rebalanceDelayMs * 4);
  }

  commit(groupId: string, generationId: number, topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; committedOffset: bigint; committedMetadata: string | null }> }>): object[] {
    const g = this.group(groupId);
    const error = generationId >= 0 && generationId !== g.generation ? ErrorCode.ILLEGAL_GENERATION : 0;
    let stored = this.offsets.get(groupId);
    if (stored === undefined) this.offsets.set(groupId, (stored = new Map()));
    return topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        if (error === 0) stored!.set(`${t.name}/${p.partitionIndex}`, { offset: p.committedOffset, metadata: p.committedMetadata });
        return { partitionIndex: p.partitionIndex, errorCode: error };
      }),
    }));
  }

  committed(groupId: string, topic: string, partition: number): bigint | undefined {
    return this.offsets.get(groupId)?.get(`${topic}/${partition}`)?.offset;
  }

  fetch(groupId: string, topics: Array<{ name: string; partitionIndexes: number[] }>): object[] {
    return topics.map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((p) => {
        const o = this.offsets.get(groupId)?.get(`${t.name}/${p}`);
        return { partitionIndex: p, committedOffset: o?.offset ?? -1n, committedLeaderEpoch: -1, metadata: o?.metadata ?? null, errorCode: 0 };
      }),
    }));
  }

  describe(groupId: string): object {
    const g = this.groups.get(groupId);
    if (g === undefined) return { errorCode: 0, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [], authorizedOperations: -2147483648 };
    return {
      errorCode: 0,
      groupId,
      groupState: g.state,
      protocolType: 'consumer',
      protocolData: g.protocol,
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: 'fake',
        clientHost: '/127.0.0.1',
        memberMetadata: m.protocols.find((p) => p.name === g.protocol)?.metadata ?? Buffer.alloc(0),
        memberAssignment: g.assignments.get(m.memberId) ?? Buffer.alloc(0),
      })),
      authorizedOperations: -2147483648,
    };
  }

  /** Kafka refuses to delete a group with members (NON_EMPTY_GROUP). */
  delete(groupId: string): number {
    const g = this.groups.get(groupId);
    if (g === undefined) return ErrorCode.GROUP_ID_NOT_FOUND;
    if (g.members.size > 0) return ErrorCode.NON_EMPTY_GROUP;
    this.groups.delete(groupId);
    this.offsets.delete(groupId);
    return 0;
  }

  close(): void {
    for (const g of this.groups.values()) if (g.timer !== undefined) clearTimeout(g.timer);
  }
}
