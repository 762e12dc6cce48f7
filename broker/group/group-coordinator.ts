/**
 * The group coordinator: owns the groups of the `__consumer_offsets` partitions this broker
 * leads, runs one operation at a time per group, and persists through an injected OffsetsStore.
 * API methods mirror JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch,
 * DescribeGroups, ListGroups and DeleteGroups; the Kafka handlers translate wire versions.
 */
import { randomUUID } from 'node:crypto';
import { backgroundScheduler, type Scheduler, withTimeout } from '../../common/index.js';
import { silentLogger, type Logger } from '../logging.js';
import { DEFAULT_GROUP_COORDINATOR_CONFIG, type GroupCoordinatorConfig } from './config.js';
import { ErrorCode as E } from '../../protocol/index.js';
import { appendErrorToGroupError, OffsetsLogError } from './errors.js';
import type { GroupContext } from './group-context.js';
import { loadGroups } from './group-loader.js';
import { GroupMetadata, joinError } from './group-metadata.js';
import type { GroupState } from './group-state.js';
import { Membership } from './membership.js';
import { OffsetManager } from './offsets.js';
import type { OffsetsRecord, OffsetsStore, TxnProducer } from './offsets-store.js';
import { partitionFor } from './partition-for.js';
import { ProducerGroups } from './producer-groups.js';
import { TimerTable } from './timer-table.js';
import { KeyedSerialQueue } from './serial-queue.js';
import type {
  DeleteGroupsResult, DescribedGroup, HeartbeatRequest, OffsetDeleteResult, JoinGroupRequest, JoinGroupResult, LeaveGroupRequest, LeaveGroupResult,
  ListGroupsResult, OffsetCommitRequest, OffsetCommitResult, OffsetFetchRequest, OffsetFetchResult, SyncGroupRequest, SyncGroupResult,
  TxnOffsetCommitRequest,
} from './types.js';

export interface GroupCoordinatorOptions {
  store: OffsetsStore;
  config?: Partial<GroupCoordinatorConfig>;
  scheduler?: Scheduler;
  logger?: Logger;
  /** Member id generator; Kafka's is `<client.id or group.instance.id>-<UUID>`. */
  newMemberId?: (prefix: string) => string;
}

type Ownership = { status: 'loading' | 'loaded'; token: number };

const RETENTION_TIMER = 'offsets-retention-check';

export class GroupCoordinator {
  readonly config: GroupCoordinatorConfig;
  private readonly store: OffsetsStore;
  private readonly scheduler: Scheduler;
  private readonly logger: Logger;
  private readonly timers: TimerTable;
  private readonly queue = new KeyedSerialQueue();
  private readonly groups = new Map<string, GroupMetadata>();
  private readonly partitions = new Map<number, Ownership>();
  private readonly producerGroups = new ProducerGroups();
  private readonly membership: Membership;
  private readonly offsets: OffsetManager;
  private nextToken = 0;
  private active = true;

  constructor(options: GroupCoordinatorOptions) {
    this.config = { ...DEFAULT_GROUP_COORDINATOR_CONFIG, ...options.config };
    this.store = options.store;
    this.scheduler = options.scheduler ?? backgroundScheduler;
    this.logger = (options.logger ?? silentLogger()).child({ module: 'group-coordinator' });
    this.timers = new TimerTable(this.scheduler);
    const newMemberId = options.newMemberId ?? ((prefix: string) => `${prefix}-${randomUUID()}`);
    const ctx: GroupContext = {
      config: this.config,
      scheduler: this.scheduler,
      logger: this.logger,
      newMemberId,
      setTimer: (group, name, delayMs, fn) => this.setGroupTimer(group, name, delayMs, fn),
      clearTimer: (group, name) => this.timers.clear(`${group.groupId}\u0000${name}`),
      append: async (group, records, forOffsetCommit) => (await this.append(group, records, forOffsetCommit)).errorCode,
      appendOffsets: (group, records, txn) => this.append(group, records, true, txn),
      removeGroup: (group) => this.removeGroup(group),
    };
    this.membership = new Membership(ctx);
    this.offsets = new OffsetManager(ctx, (group, memberId) => this.membership.heartbeat(group, { groupId: group.groupId, memberId, groupInstanceId: null, generationId: group.generationId }));
    this.armRetentionCheck();
  }

  /** Which `__consumer_offsets` partition (and so which broker) coordinates a group. */
  partitionFor(groupId: string): number {
    return partitionFor(groupId, this.config.offsetsTopicNumPartitions);
  }

  // ---- ownership -------------------------------------------------------------------------

  /** This broker now leads `partition`: replay it; its groups answer LOAD_IN_PROGRESS meanwhile. */
  async onBecomeLeader(partition: number): Promise<void> {
    if (this.partitions.has(partition)) return;
    const token = ++this.nextToken;
    this.partitions.set(partition, { status: 'loading', token });
    const current = (): boolean => this.partitions.get(partition)?.token === token;
    const started = this.scheduler.now();
    try {
      const loaded = await loadGroups(this.store.replay(partition), this.scheduler.now(), this.logger, current);
      if (loaded === null || !current()) return;
      await Promise.all(
        [...loaded.groups].map(([groupId, group]) =>
          this.queue.run(groupId, () => {
            if (!current()) return;
            this.groups.set(groupId, group);
            this.producerGroups.addGroup(group);
            this.membership.onGroupLoaded(group);
          }),
        ),
      );
      if (!current()) return;
      this.partitions.set(partition, { status: 'loaded', token });
      this.logger.info({ partition, groups: loaded.groups.size, skipped: loaded.skipped, ms: this.scheduler.now() - started }, 'loaded groups of offsets partition');
    } catch (err) {
      this.logger.error({ err, partition }, 'failed to load offsets partition; not coordinating its groups');
      if (current()) this.partitions.delete(partition);
    }
  }

  /** Leadership of `partition` moved away: unload its groups, answering waiters NOT_COORDINATOR. */
  async onResign(partition: number): Promise<void> {
    this.partitions.delete(partition);
    const victims = [...this.groups.values()].filter((g) => this.partitionFor(g.groupId) === partition);
    await Promise.all(victims.map((g) => this.queue.run(g.groupId, () => this.unload(g))));
  }

  /** Stop coordinating anything (broker shutdown). */
  async shutdown(): Promise<void> {
    this.active = false;
    this.timers.clear(RETENTION_TIMER);
    const owned = [...this.partitions.keys()];
    await Promise.all(owned.map((p) => this.onResign(p)));
  }

  /** Owned partitions and their load status (metrics, admin, tests). */
  ownedPartitions(): Map<number, 'loading' | 'loaded'> {
    return new Map([...this.partitions].map(([p, o]) => [p, o.status] as const));
  }

  /** A group's current state, undefined when not loaded here. */
  groupState(groupId: string): GroupState | undefined {
    return this.groups.get(groupId)?.state;
  }

  // ---- membership ------------------------------------------------------------------------

  async joinGroup(req: JoinGroupRequest): Promise<JoinGroupResult> {
    const pending = await this.queue.run(req.groupId, async () => {
      const error = this.validate(req.groupId, true);
      if (error !== E.NONE) return { result: joinError(req.memberId, error) };
      if (req.sessionTimeoutMs < this.config.groupMinSessionTimeoutMs || req.sessionTimeoutMs > this.config.groupMaxSessionTimeoutMs) {
        return { result: joinError(req.memberId, E.INVALID_SESSION_TIMEOUT) };
      }
      let group = this.groups.get(req.groupId);
      if (group === undefined) {
        if (req.memberId !== '') return { result: joinError(req.memberId, E.UNKNOWN_MEMBER_ID) };
        group = new GroupMetadata(req.groupId, 'Empty', this.scheduler.now());
        this.groups.set(req.groupId, group);
      }
      return this.membership.join(group, req);
    });
    return pending.result;
  }

  async syncGroup(req: SyncGroupRequest): Promise<SyncGroupResult> {
    const fail = (errorCode: number): { result: SyncGroupResult } => ({ result: { errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) } });
    const pending = await this.queue.run(req.groupId, async () => {
      const error = this.validate(req.groupId, true);
      if (error !== E.NONE) return fail(error);
      const group = this.groups.get(req.groupId);
      if (group === undefined) return fail(E.UNKNOWN_MEMBER_ID);
      return this.membership.sync(group, req);
    });
    return pending.result;
  }

  async heartbeat(req: HeartbeatRequest): Promise<{ errorCode: number }> {
    return this.queue.run(req.groupId, () => {
      const error = this.validate(req.groupId, true);
      // As Kafka: while loading, heartbeats are answered blindly so members do not rejoin.
      if (error === E.COORDINATOR_LOAD_IN_PROGRESS) return { errorCode: E.NONE };
      if (error !== E.NONE) return { errorCode: error };
      const group = this.groups.get(req.groupId);
      if (group === undefined) return { errorCode: E.UNKNOWN_MEMBER_ID };
      return { errorCode: this.membership.heartbeat(group, req) };
    });
  }

  async leaveGroup(req: LeaveGroupRequest): Promise<LeaveGroupResult> {
    return this.queue.run(req.groupId, async () => {
      const error = this.validate(req.groupId, true);
      if (error !== E.NONE) return { errorCode: error, members: [] };
      const group = this.groups.get(req.groupId);
      if (group === undefined) {
        return { errorCode: E.NONE, members: req.members.map((m) => ({ ...m, errorCode: E.UNKNOWN_MEMBER_ID })) };
      }
      return this.membership.leave(group, req);
    });
  }

  // ---- offsets ---------------------------------------------------------------------------

  async commitOffsets(req: OffsetCommitRequest): Promise<OffsetCommitResult> {
    return this.queue.run(req.groupId, async () => {
      const all = (errorCode: number): OffsetCommitResult => ({ partitions: req.partitions.map((p) => ({ topic: p.topic, partition: p.partition, errorCode })) });
      const error = this.validate(req.groupId, false);
      if (error !== E.NONE) return all(error);
      let group = this.groups.get(req.groupId);
      if (group === undefined) {
        // Only a client without group management (generation -1) may create a group by committing.
        if (req.generationId >= 0) return all(E.ILLEGAL_GENERATION);
        group = new GroupMetadata(req.groupId, 'Empty', this.scheduler.now());
        this.groups.set(req.groupId, group);
      }
      return this.offsets.commit(group, req);
    });
  }

  /** TxnOffsetCommit: the group is created (Empty) when unknown, as for a standalone commit. */
  async commitTxnOffsets(req: TxnOffsetCommitRequest): Promise<OffsetCommitResult> {
    return this.queue.run(req.groupId, async () => {
      const error = this.validate(req.groupId, true);
      if (error !== E.NONE) return { partitions: req.partitions.map((p) => ({ topic: p.topic, partition: p.partition, errorCode: error })) };
      let group = this.groups.get(req.groupId);
      if (group === undefined) {
        group = new GroupMetadata(req.groupId, 'Empty', this.scheduler.now());
        this.groups.set(req.groupId, group);
      }
      const result = await this.offsets.commitTxn(group, req);
      if (group.pendingTxnOffsets.has(req.producerId)) this.producerGroups.add(req.producerId, req.groupId);
      return result;
    });
  }

  /**
   * A COMMIT or ABORT marker of `producerId` is durable on these `__consumer_offsets` partitions
   * (WriteTxnMarkers on this broker): its pending offsets in their groups are applied or dropped.
   */
  async completeTransaction(producerId: bigint, partitions: readonly number[], commit: boolean): Promise<void> {
    const wanted = new Set(partitions);
    const groupIds = this.producerGroups.groupsOf(producerId).filter((g) => wanted.has(this.partitionFor(g)));
    await Promise.all(
      groupIds.map((groupId) =>
        this.queue.run(groupId, () => {
          const group = this.groups.get(groupId);
          if (group !== undefined && !group.is('Dead')) {
            const applied = group.completePendingTxnOffsetCommit(producerId, commit);
            this.logger.debug({ groupId, producerId: String(producerId), commit, applied }, 'transactional offsets completed');
          }
          this.producerGroups.remove(producerId, groupId);
        }),
      ),
    );
  }

  async fetchOffsets(req: OffsetFetchRequest): Promise<OffsetFetchResult> {
    return this.queue.run(req.groupId, () => {
      const error = this.validate(req.groupId, false);
      if (error !== E.NONE) return { errorCode: error, partitions: [] };
      return { errorCode: E.NONE, partitions: this.offsets.fetch(this.groups.get(req.groupId), req) };
    });
  }

  /** Expire offsets of every loaded group now (also runs every offsets.retention.check.interval.ms). */
  async runOffsetExpiry(): Promise<number> {
    const counts = await Promise.all(
      [...this.groups.values()].map((g) =>
        this.queue.run(g.groupId, () => (this.groups.get(g.groupId) === g ? this.offsets.expire(g, this.scheduler.now()) : 0)),
      ),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  // ---- admin -----------------------------------------------------------------------------

  async describeGroups(groupIds: string[]): Promise<DescribedGroup[]> {
    return Promise.all(groupIds.map((id) => this.queue.run(id, (): DescribedGroup => {
      const error = this.validate(id, false);
      const group = error === E.NONE ? this.groups.get(id) : undefined;
      return group?.summary() ?? { errorCode: error, groupId: id, state: 'Dead', protocolType: '', protocolName: '', members: [] };
    })));
  }

  async listGroups(states: readonly GroupState[] = []): Promise<ListGroupsResult> {
    if (!this.active) return { errorCode: E.COORDINATOR_NOT_AVAILABLE, groups: [] };
    const loading = [...this.partitions.values()].some((o) => o.status === 'loading');
    const groups = [...this.groups.values()]
      .filter((g) => states.length === 0 || states.includes(g.state))
      .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', state: g.state }));
    return { errorCode: loading ? E.COORDINATOR_LOAD_IN_PROGRESS : E.NONE, groups };
  }

  async deleteGroups(groupIds: string[]): Promise<DeleteGroupsResult[]> {
    return Promise.all(
      groupIds.map((groupId) =>
        this.queue.run(groupId, async () => {
          const error = this.validate(groupId, false);
          if (error !== E.NONE) return { groupId, errorCode: error };
          return { groupId, errorCode: await this.offsets.delete(this.groups.get(groupId)) };
        }),
      ),
    );
  }

  async deleteOffsets(groupId: string, tps: ReadonlyArray<{ topic: string; partition: number }>): Promise<OffsetDeleteResult> {
    return this.queue.run(groupId, async () => {
      const error = this.validate(groupId, false);
      if (error !== E.NONE) return { errorCode: error, partitions: [] };
      return this.offsets.deleteSome(this.groups.get(groupId), tps);
    });
  }

  // ---- internals -------------------------------------------------------------------------

  /** Kafka's validateGroupStatus: group id, active, loading, ownership, in that order. */
  private validate(groupId: string, requireNonEmptyId: boolean): number {
    if (requireNonEmptyId && groupId === '') return E.INVALID_GROUP_ID;
    if (!this.active) return E.COORDINATOR_NOT_AVAILABLE;
    const owned = this.partitions.get(this.partitionFor(groupId));
    if (owned?.status === 'loading') return E.COORDINATOR_LOAD_IN_PROGRESS;
    if (owned === undefined) return E.NOT_COORDINATOR;
    return E.NONE;
  }

  private unload(group: GroupMetadata): void {
    if (this.groups.get(group.groupId) !== group) return;
    this.producerGroups.removeGroup(group);
    this.timers.clearPrefix(`${group.groupId}\u0000`);
    this.membership.onGroupUnloaded(group);
    group.transitionTo('Dead', this.scheduler.now());
    this.groups.delete(group.groupId);
  }

  private removeGroup(group: GroupMetadata): void {
    if (this.groups.get(group.groupId) !== group) return;
    this.producerGroups.removeGroup(group);
    this.timers.clearPrefix(`${group.groupId}\u0000`);
    this.groups.delete(group.groupId);
  }

  private setGroupTimer(group: GroupMetadata, name: string, delayMs: number, fn: () => Promise<void> | void): void {
    this.timers.set(`${group.groupId}\u0000${name}`, delayMs, () => {
      this.queue
        .run(group.groupId, async () => {
          if (this.groups.get(group.groupId) === group) await fn();
        })
        .catch((err: unknown) => this.logger.error({ err, groupId: group.groupId, timer: name }, 'group timer failed'));
    });
  }

  private async append(group: GroupMetadata, records: OffsetsRecord[], forOffsetCommit: boolean, txn?: TxnProducer): Promise<{ errorCode: number; baseOffset: bigint }> {
    const partition = this.partitionFor(group.groupId);
    const appended = this.store.append(partition, records, txn);
    // A late failure after the timeout must not surface as an unhandled rejection.
    appended.catch(() => {});
    try {
      const baseOffset = await withTimeout(this.scheduler, appended, this.config.offsetsCommitTimeoutMs, () => new OffsetsLogError('BRK_GROUP_OFFSETS_TIMEOUT', `append to partition ${partition} timed out`));
      return { errorCode: E.NONE, baseOffset };
    } catch (err) {
      this.logger.warn({ err, groupId: group.groupId, partition }, 'offsets append failed');
      return { errorCode: appendErrorToGroupError(err, forOffsetCommit), baseOffset: -1n };
    }
  }

  private armRetentionCheck(): void {
    this.timers.set(RETENTION_TIMER, this.config.offsetsRetentionCheckIntervalMs, () => {
      this.runOffsetExpiry()
        .catch((err: unknown) => this.logger.error({ err }, 'offset expiry failed'))
        .finally(() => {
          if (this.active) this.armRetentionCheck();
        });
    });
  }
}
