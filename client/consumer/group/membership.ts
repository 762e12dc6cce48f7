/**
 * Consumer group membership (the classic protocol): JoinGroup → (leader assigns) → SyncGroup,
 * then Heartbeats on a timer until the coordinator asks for a rebalance. Eager assignors give
 * up every partition before rejoining; when every configured assignor supports cooperative
 * rebalancing (KIP-429), only partitions that move are revoked, and revoking any triggers one
 * more rejoin so their new owners receive them. Static members (`groupInstanceId`, KIP-345) keep
 * their identity across restarts and do not send LeaveGroup on close.
 *
 * Concurrency contract: `ensureActive()` runs one join at a time (callers share it); heartbeats
 * run on the scheduler and only set `needsJoin` or call `onLost`.
 */
import type { HeartbeatRequest, HeartbeatResponse, JoinGroupRequest, JoinGroupResponse, LeaveGroupRequest, LeaveGroupResponse, SyncGroupRequest, SyncGroupResponse } from '../../../protocol/index.js';
import { sleep, type TimerHandle, tpKey } from '../../../common/index.js';
import type { Cluster } from '../../cluster.js';
import { asClientError, KafkaClientError, brokerError } from '../../errors.js';
import { API, errorInfo } from '../../wire.js';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription, ProtocolError, type TopicPartitions } from '../../../protocol/index.js';
import { revokedPartitions } from '../assignors/cooperative-sticky.js';
import type { Assignor, GroupMember } from '../assignors/types.js';
import type { TopicPartition } from '../fetcher.js';
import { GroupClient, GroupErrors, type MemberIdentity } from './group-client.js';

interface MembershipOptions {
  groupId: string;
  groupInstanceId: string | null;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  retryBackoffMs: number;
  requestTimeoutMs: number;
  assignors: readonly Assignor[];
}

/** What the consumer does when partitions come and go. */
interface MembershipHooks {
  revoked(tps: TopicPartition[]): Promise<void>;
  assigned(tps: TopicPartition[]): Promise<void>;
  lost(tps: TopicPartition[]): Promise<void>;
  /** A rebalance started: a poll waiting for data should return to rejoin promptly. */
  rejoinNeeded(): void;
  onError(err: KafkaClientError): void;
}

const flatten = (list: readonly TopicPartitions[]): TopicPartition[] => list.flatMap((tp) => tp.partitions.map((partition) => ({ topic: tp.topic, partition })));

export class GroupMembership {
  readonly client: GroupClient;
  memberId = '';
  generationId = -1;
  protocolName: string | null = null;
  owned: TopicPartitions[] = [];
  needsJoin = true;
  private topics: string[] = [];
  private joining: Promise<void> | undefined;
  private heartbeatTimer: TimerHandle | undefined;
  private closed = false;
  readonly cooperative: boolean;

  constructor(
    private readonly cluster: Cluster,
    private readonly opts: MembershipOptions,
    private readonly hooks: MembershipHooks,
  ) {
    if (opts.assignors.length === 0) throw new KafkaClientError('CLI_INVALID_CONFIG', 'at least one assignor is needed');
    this.client = new GroupClient(cluster, opts.groupId);
    this.cooperative = opts.assignors.every((a) => a.supportedProtocols.includes('cooperative'));
  }

  subscribe(topics: readonly string[]): void {
    this.topics = [...new Set(topics)].sort();
    this.needsJoin = true;
  }

  identity(): MemberIdentity | undefined {
    return this.generationId < 0 ? undefined : { generationId: this.generationId, memberId: this.memberId, groupInstanceId: this.opts.groupInstanceId };
  }

  /** Join (or rejoin) if needed; resolves once this member has a current assignment. */
  ensureActive(): Promise<void> {
    if (!this.needsJoin || this.closed) return Promise.resolve();
    this.joining ??= this.joinLoop().finally(() => {
      this.joining = undefined;
    });
    return this.joining;
  }

  private async joinLoop(): Promise<void> {
    // Bounded by attempts, each either progressing or backing off.
    for (let attempt = 0; this.needsJoin && !this.closed; attempt++) {
      if (attempt > 200) throw new KafkaClientError('CLI_BROKER_ERROR', `group ${this.opts.groupId}: could not join after ${attempt} attempts`, { retriable: true });
      this.stopHeartbeats();
      if (!this.cooperative && this.owned.length > 0) {
        const all = flatten(this.owned);
        this.owned = [];
        await this.hooks.revoked(all);
      }
      try {
        const backoff = await this.joinOnce();
        if (backoff) await sleep(this.cluster.scheduler, this.opts.retryBackoffMs);
      } catch (err) {
        if (!(err instanceof KafkaClientError) || !err.retriable) throw err;
        await sleep(this.cluster.scheduler, this.opts.retryBackoffMs);
      }
    }
    if (!this.closed) this.scheduleHeartbeat();
  }

  /** One JoinGroup + SyncGroup round. Returns true when the caller should back off first. */
  private async joinOnce(): Promise<boolean> {
    const join: JoinGroupRequest = {
      groupId: this.opts.groupId,
      sessionTimeoutMs: this.opts.sessionTimeoutMs,
      rebalanceTimeoutMs: this.opts.rebalanceTimeoutMs,
      memberId: this.memberId,
      groupInstanceId: this.opts.groupInstanceId,
      protocolType: 'consumer',
      protocols: this.opts.assignors.map((a) => ({
        name: a.name,
        metadata: encodeSubscription({
          topics: this.topics,
          userData: a.subscriptionUserData?.(this.topics) ?? null,
          ownedPartitions: this.cooperative ? this.owned : [],
          generationId: this.generationId,
        }),
      })),
    };
    // The coordinator may hold a JoinGroup until every member rejoined (up to the rebalance timeout).
    const res = await this.client.send<JoinGroupResponse>(API.JoinGroup, join, this.opts.rebalanceTimeoutMs + this.opts.requestTimeoutMs);
    if (res.errorCode !== 0) return this.onJoinError(res.errorCode, res.memberId, 'JoinGroup');
    this.generationId = res.generationId;
    this.memberId = res.memberId;
    this.protocolName = res.protocolName;
    const assignments = res.leader === res.memberId ? await this.assign(res) : [];
    const sync: SyncGroupRequest = {
      groupId: this.opts.groupId,
      generationId: this.generationId,
      memberId: this.memberId,
      groupInstanceId: this.opts.groupInstanceId,
      assignments,
    };
    const syncRes = await this.client.send<SyncGroupResponse>(API.SyncGroup, sync);
    if (syncRes.errorCode !== 0) return this.onJoinError(syncRes.errorCode, this.memberId, 'SyncGroup');
    await this.applyAssignment(consumerProtocol(() => decodeAssignment(syncRes.assignment)).assignedPartitions);
    return false;
  }

  private onJoinError(code: number, memberId: string, what: string): boolean {
    switch (code) {
      case GroupErrors.MEMBER_ID_REQUIRED:
        this.memberId = memberId; // KIP-394: rejoin at once with the id the broker gave us
        return false;
      case GroupErrors.UNKNOWN_MEMBER_ID:
      case GroupErrors.ILLEGAL_GENERATION:
        this.resetGeneration();
        return false;
      case GroupErrors.REBALANCE_IN_PROGRESS:
        return false;
      default:
        if (this.client.isCoordinatorError(code)) return true;
        throw brokerError(errorInfo(code), `${what} for group ${this.opts.groupId}`);
    }
  }

  private async assign(res: JoinGroupResponse): Promise<SyncGroupRequest['assignments']> {
    const assignor = this.opts.assignors.find((a) => a.name === res.protocolName);
    if (assignor === undefined) throw new KafkaClientError('CLI_INVALID_CONFIG', `the group chose assignor "${res.protocolName}", which this member lacks`);
    const members: GroupMember[] = res.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? null, subscription: consumerProtocol(() => decodeSubscription(m.metadata)) }));
    const topics = [...new Set(members.flatMap((m) => m.subscription.topics))];
    await this.cluster.refreshMetadata(topics);
    const partitionsPerTopic = new Map<string, number>();
    for (const t of topics) {
      const meta = this.cluster.topic(t);
      if (meta !== undefined && meta.partitions.length > 0) partitionsPerTopic.set(t, meta.partitions.length);
    }
    const result = assignor.assign(members, partitionsPerTopic);
    return members.map((m) => ({ memberId: m.memberId, assignment: encodeAssignment({ assignedPartitions: result.get(m.memberId) ?? [] }) }));
  }

  private async applyAssignment(assigned: TopicPartitions[]): Promise<void> {
    const before = new Set(flatten(this.owned).map((tp) => tpKey(tp.topic, tp.partition)));
    const revoked = this.cooperative ? flatten(revokedPartitions(this.owned, assigned)) : [];
    const added = flatten(assigned).filter((tp) => !before.has(tpKey(tp.topic, tp.partition)));
    this.owned = assigned;
    if (revoked.length > 0) await this.hooks.revoked(revoked);
    await this.hooks.assigned(added);
    // Cooperative: what we released goes to its new owner in a follow-up rebalance.
    this.needsJoin = revoked.length > 0;
  }

  private resetGeneration(): void {
    this.generationId = -1;
    if (this.opts.groupInstanceId === null) this.memberId = '';
  }

  private scheduleHeartbeat(): void {
    if (this.closed || this.heartbeatTimer !== undefined) return;
    this.heartbeatTimer = this.cluster.scheduler.setTimeout(() => {
      this.heartbeatTimer = undefined;
      this.heartbeat().catch((err: unknown) => this.hooks.onError(asClientError(err)));
    }, this.opts.heartbeatIntervalMs);
  }

  private stopHeartbeats(): void {
    if (this.heartbeatTimer !== undefined) this.cluster.scheduler.clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  private async heartbeat(): Promise<void> {
    if (this.closed || this.needsJoin || this.joining !== undefined) return;
    const req: HeartbeatRequest = { groupId: this.opts.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: this.opts.groupInstanceId };
    let code: number;
    try {
      code = (await this.client.send<HeartbeatResponse>(API.Heartbeat, req)).errorCode;
    } catch (err) {
      if (err instanceof KafkaClientError && !err.retriable) this.hooks.onError(err);
      this.scheduleHeartbeat();
      return;
    }
    if (this.closed) return;
    if (code === 0 || this.client.isCoordinatorError(code)) {
      this.scheduleHeartbeat();
    } else if (code === GroupErrors.REBALANCE_IN_PROGRESS) {
      this.needsJoin = true;
      this.hooks.rejoinNeeded();
    } else if (code === GroupErrors.UNKNOWN_MEMBER_ID || code === GroupErrors.ILLEGAL_GENERATION || code === GroupErrors.FENCED_INSTANCE_ID) {
      // The coordinator dropped us: our partitions may already be someone else's.
      const lost = flatten(this.owned);
      this.owned = [];
      this.resetGeneration();
      this.needsJoin = true;
      this.hooks.rejoinNeeded();
      await this.hooks.lost(lost).catch((err: unknown) => this.hooks.onError(asClientError(err)));
      if (code === GroupErrors.FENCED_INSTANCE_ID) this.hooks.onError(brokerError(errorInfo(code), `heartbeat for group ${this.opts.groupId}`));
    } else {
      this.hooks.onError(brokerError(errorInfo(code), `heartbeat for group ${this.opts.groupId}`));
      this.scheduleHeartbeat();
    }
  }

  /** Leave the group (dynamic members only; static members keep their slot until session timeout). */
  async close(): Promise<void> {
    this.closed = true;
    this.stopHeartbeats();
    if (this.opts.groupInstanceId !== null || this.generationId < 0 && this.memberId === '') return;
    const req: LeaveGroupRequest = {
      groupId: this.opts.groupId,
      memberId: this.memberId,
      members: [{ memberId: this.memberId, groupInstanceId: null }],
    };
    await this.client.send<LeaveGroupResponse>(API.LeaveGroup, req).catch(() => undefined);
  }
}

/** A ConsumerProtocol payload that does not decode is a broken group member, not a broken connection. */
function consumerProtocol<T>(decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    if (err instanceof ProtocolError) throw new KafkaClientError('CLI_INVALID_ASSIGNMENT', err.message, { cause: err });
    throw err;
  }
}
