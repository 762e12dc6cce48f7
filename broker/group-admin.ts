/**
 * Consumer-group administration for the HTTP API and consumer lag for /metrics. A group lives on
 * the coordinator of its `__consumer_offsets` partition (whichever broker leads it) and a
 * partition's offsets on its leader, so, like Kafka's consumer-groups tool, any broker answers
 * for the whole cluster by asking them: `list` asks every live broker, the other operations ask
 * the group's coordinator, offsets come from the partitions' leaders. The asking travels on the
 * inter-broker listener as the internal api `GroupAdmin`, which every broker serves from its own
 * coordinator and replicas (`serveGroupAdmin`).
 */
import { ErrorCode, errorInfo, type ErrorName } from '../protocol/index.js';
import { BrokerError, toWireError } from './errors.js';
import { assignedPartitionsOf, OFFSETS_TOPIC_NAME, type DescribedGroup, type GroupCoordinator, type ListGroupsResult, type OffsetFetchResult } from './group/index.js';
import type { GroupListing, GroupOps, GroupSnapshot, OffsetResetRequest, OffsetResetResult } from './http/index.js';
import type { GroupLagSnapshot, GroupsSnapshot } from './metrics/index.js';
import type { MetadataCache } from './metadata/index.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, listOffset, type ReplicaManager } from './replica/index.js';

export const GROUP_ADMIN_API = 'GroupAdmin';

interface PartitionRef {
  readonly topic: string;
  readonly partition: number;
}

/** A leader's figures of one partition; `offsetForTimestamp` -1 when none or not asked. */
export interface PartitionFigures extends PartitionRef {
  readonly errorCode: number;
  readonly logStartOffset: bigint;
  readonly highWatermark: bigint;
  readonly offsetForTimestamp: bigint;
}

export type GroupAdminRequest =
  | { readonly op: 'list' }
  | { readonly op: 'describe'; readonly groupId: string }
  | { readonly op: 'delete'; readonly groupId: string }
  | { readonly op: 'commit'; readonly groupId: string; readonly offsets: ReadonlyArray<PartitionRef & { readonly offset: bigint }> }
  | { readonly op: 'figures'; readonly partitions: ReadonlyArray<PartitionRef & { readonly timestamp: bigint | null }> };

/** A group operation refused with a Kafka error (its `kafkaError`; the HTTP layer maps it to a status). */
export class GroupAdminError extends BrokerError<'BRK_GROUP_ADMIN'> {
  override readonly name = 'GroupAdminError';
  constructor(errorName: ErrorName, message: string, options?: { cause?: unknown }) {
    super('BRK_GROUP_ADMIN', message, { ...options, kafkaError: errorName });
  }
}

const fail = (code: number, what: string): GroupAdminError => {
  const info = errorInfo(code);
  return new GroupAdminError(info.name as ErrorName, `${what}: ${info.message}`);
};

/** The local side of `GroupAdmin`: this broker's coordinator and leader replicas. */
export function serveGroupAdmin(coordinator: GroupCoordinator, rm: ReplicaManager): (req: GroupAdminRequest) => Promise<unknown> {
  const figures = async (p: PartitionRef & { timestamp: bigint | null }): Promise<PartitionFigures> => {
    try {
      const start = await listOffset(rm, p.topic, p.partition, EARLIEST_TIMESTAMP, -1);
      const hw = await listOffset(rm, p.topic, p.partition, LATEST_TIMESTAMP, -1);
      const at = p.timestamp === null ? -1n : (await listOffset(rm, p.topic, p.partition, BigInt(p.timestamp), -1)).offset;
      return { topic: p.topic, partition: p.partition, errorCode: ErrorCode.NONE, logStartOffset: start.offset, highWatermark: hw.offset, offsetForTimestamp: at };
    } catch (err) {
      return { topic: p.topic, partition: p.partition, errorCode: toWireError(err), logStartOffset: -1n, highWatermark: -1n, offsetForTimestamp: -1n };
    }
  };
  return async (req) => {
    switch (req.op) {
      case 'list':
        return coordinator.listGroups();
      case 'describe': {
        const [group] = await coordinator.describeGroups([req.groupId]);
        return { group, offsets: await coordinator.fetchOffsets({ groupId: req.groupId, partitions: null }) };
      }
      case 'delete':
        return (await coordinator.deleteGroups([req.groupId]))[0];
      case 'commit':
        return coordinator.commitOffsets({
          groupId: req.groupId,
          generationId: -1,
          memberId: '',
          groupInstanceId: null,
          partitions: req.offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: BigInt(o.offset), leaderEpoch: -1, metadata: '' })),
        });
      case 'figures':
        return { partitions: await Promise.all(req.partitions.map(figures)) };
      default:
        throw new BrokerError('BRK_INVALID_REQUEST', `unknown GroupAdmin op ${String((req as { op?: unknown }).op)}`);
    }
  };
}

export interface ClusterGroupOpsOptions {
  readonly metadata: Pick<MetadataCache, 'aliveBrokers' | 'getTopic' | 'leaderFor'>;
  /** Which `__consumer_offsets` partition holds a group. */
  readonly partitionFor: (groupId: string) => number;
  /** `GroupAdmin` on a broker (a local call for this broker). */
  readonly call: (brokerId: number, req: GroupAdminRequest) => Promise<unknown>;
}

/** The cluster-wide group operations behind /groups (any broker serves them). */
export class ClusterGroupOps implements GroupOps {
  constructor(private readonly o: ClusterGroupOpsOptions) {}

  async listGroups(): Promise<GroupListing[]> {
    const answers = await Promise.all(this.o.metadata.aliveBrokers().map((b) => this.ask<ListGroupsResult>(b.id, { op: 'list' })));
    const out = new Map<string, GroupListing>();
    for (const a of answers) {
      // COORDINATOR_LOAD_IN_PROGRESS lists the groups already loaded; anything else is a failure.
      if (a.errorCode !== ErrorCode.NONE && a.errorCode !== ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) throw fail(a.errorCode, 'ListGroups');
      for (const g of a.groups) out.set(g.groupId, { groupId: g.groupId, state: g.state, protocolType: g.protocolType });
    }
    return [...out.values()];
  }

  async describeGroup(groupId: string): Promise<GroupSnapshot | null> {
    const coordinator = this.coordinatorOf(groupId);
    if (coordinator === null) return null;
    const { group, offsets } = await this.ask<{ group: DescribedGroup; offsets: OffsetFetchResult }>(coordinator, { op: 'describe', groupId });
    if (group.errorCode !== ErrorCode.NONE) throw fail(group.errorCode, `DescribeGroups ${groupId}`);
    if (offsets.errorCode !== ErrorCode.NONE) throw fail(offsets.errorCode, `OffsetFetch ${groupId}`);
    const committed = offsets.partitions.filter((p) => p.errorCode === ErrorCode.NONE && BigInt(p.offset) >= 0n);
    if (group.state === 'Dead' && committed.length === 0) return null;
    const figures = await this.figures(committed.map((p) => ({ topic: p.topic, partition: p.partition, timestamp: null })), false);
    return {
      groupId,
      state: group.state,
      protocolType: group.protocolType,
      protocol: group.protocolName,
      members: group.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        assignment: group.protocolType === 'consumer' ? (assignedPartitionsOf(Buffer.from(m.assignment)) ?? []) : [],
      })),
      offsets: committed.map((p) => ({
        topic: p.topic,
        partition: p.partition,
        committedOffset: BigInt(p.offset),
        metadata: p.metadata,
        highWatermark: figures.get(key(p))?.highWatermark ?? null,
      })),
    };
  }

  async deleteGroup(groupId: string): Promise<void> {
    const coordinator = this.coordinatorOf(groupId);
    if (coordinator === null) throw new GroupAdminError('GROUP_ID_NOT_FOUND', `Group '${groupId}' does not exist.`);
    const r = await this.ask<{ errorCode: number }>(coordinator, { op: 'delete', groupId });
    if (r.errorCode !== ErrorCode.NONE) throw fail(r.errorCode, `DeleteGroups ${groupId}`);
  }

  async resetOffsets(groupId: string, req: OffsetResetRequest): Promise<OffsetResetResult[]> {
    const coordinator = this.coordinatorOf(groupId);
    if (coordinator === null) throw new GroupAdminError('COORDINATOR_NOT_AVAILABLE', 'The offsets topic does not exist yet; a consumer creates it on its first FindCoordinator.');
    const parts = this.o.metadata.getTopic(req.topic);
    if (parts === undefined) throw new GroupAdminError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${req.topic}' does not exist.`);
    const wanted = req.partitions ?? parts.map((p) => p.partition);
    const missing = wanted.filter((n) => !parts.some((p) => p.partition === n));
    if (missing.length > 0) throw new GroupAdminError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${req.topic}' has no partition ${missing.join(', ')}.`);

    const { group, offsets } = await this.ask<{ group: DescribedGroup; offsets: OffsetFetchResult }>(coordinator, { op: 'describe', groupId });
    if (group.errorCode !== ErrorCode.NONE) throw fail(group.errorCode, `DescribeGroups ${groupId}`);
    // Kafka's rule: offsets of a group with live members would be overwritten by their commits.
    if (group.state !== 'Empty' && group.state !== 'Dead') {
      throw new GroupAdminError('NON_EMPTY_GROUP', `Assignments can only be reset if the group '${groupId}' is inactive, but the current state is ${group.state}.`);
    }
    const current = new Map(offsets.partitions.filter((p) => p.errorCode === ErrorCode.NONE && BigInt(p.offset) >= 0n).map((p) => [key(p), BigInt(p.offset)]));
    const timestamp = req.to.kind === 'timestamp' ? req.to.timestamp : null;
    const figures = await this.figures(wanted.map((partition) => ({ topic: req.topic, partition, timestamp })), true);
    const results = wanted.map((partition): OffsetResetResult => {
      const tp = { topic: req.topic, partition };
      const f = figures.get(key(tp))!;
      const previous = current.get(key(tp)) ?? null;
      const clamp = (o: bigint): bigint => (o < f.logStartOffset ? f.logStartOffset : o > f.highWatermark ? f.highWatermark : o);
      let next: bigint;
      switch (req.to.kind) {
        case 'earliest': next = f.logStartOffset; break;
        case 'latest': next = f.highWatermark; break;
        case 'offset': next = clamp(req.to.offset); break;
        // No record at or after the time: the end, as Kafka's tool does.
        case 'timestamp': next = f.offsetForTimestamp < 0n ? f.highWatermark : f.offsetForTimestamp; break;
        case 'shift':
          if (previous === null) throw new GroupAdminError('INVALID_REQUEST', `Cannot shift offset for partition ${req.topic}-${partition} since there is no current committed offset.`);
          next = clamp(previous + req.to.by);
          break;
      }
      return { ...tp, previousOffset: previous, newOffset: next };
    });
    if (!req.dryRun) {
      const r = await this.ask<{ partitions: Array<PartitionRef & { errorCode: number }> }>(coordinator, {
        op: 'commit',
        groupId,
        offsets: results.map((x) => ({ topic: x.topic, partition: x.partition, offset: x.newOffset })),
      });
      const refused = r.partitions.find((p) => p.errorCode !== ErrorCode.NONE);
      // A member joined since the check above: the coordinator refuses a generation -1 commit.
      if (refused?.errorCode === ErrorCode.UNKNOWN_MEMBER_ID || refused?.errorCode === ErrorCode.ILLEGAL_GENERATION) {
        throw new GroupAdminError('NON_EMPTY_GROUP', `Group '${groupId}' got members while its offsets were being reset; nothing was committed.`);
      }
      if (refused !== undefined) throw fail(refused.errorCode, `OffsetCommit ${groupId} ${refused.topic}-${refused.partition}`);
    }
    return results;
  }

  /** Leaders' figures per `topic\0partition`; `strict` throws on a partition that cannot tell. */
  async figures(partitions: ReadonlyArray<PartitionRef & { timestamp: bigint | null }>, strict: boolean): Promise<Map<string, PartitionFigures>> {
    const byLeader = new Map<number, Array<PartitionRef & { timestamp: bigint | null }>>();
    for (const p of partitions) {
      const leader = this.o.metadata.leaderFor(p.topic, p.partition);
      if (leader < 0) {
        if (strict) throw new GroupAdminError('LEADER_NOT_AVAILABLE', `${p.topic}-${p.partition} has no leader.`);
        continue;
      }
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), p]);
    }
    const out = new Map<string, PartitionFigures>();
    await Promise.all(
      [...byLeader].map(async ([leader, ps]) => {
        let answer: { partitions: PartitionFigures[] };
        try {
          answer = await this.ask(leader, { op: 'figures', partitions: ps });
        } catch (err) {
          if (strict) throw err;
          return;
        }
        for (const f of answer.partitions) {
          if (f.errorCode !== ErrorCode.NONE) {
            if (strict) throw fail(f.errorCode, `ListOffsets ${f.topic}-${f.partition}`);
            continue;
          }
          out.set(key(f), { ...f, logStartOffset: BigInt(f.logStartOffset), highWatermark: BigInt(f.highWatermark), offsetForTimestamp: BigInt(f.offsetForTimestamp) });
        }
      }),
    );
    return out;
  }

  /** The broker leading the group's offsets partition; null when the offsets topic does not exist. */
  private coordinatorOf(groupId: string): number | null {
    const parts = this.o.metadata.getTopic(OFFSETS_TOPIC_NAME);
    if (parts === undefined) return null;
    const leader = this.o.metadata.leaderFor(OFFSETS_TOPIC_NAME, this.o.partitionFor(groupId));
    if (leader < 0) throw new GroupAdminError('COORDINATOR_NOT_AVAILABLE', `The coordinator of group '${groupId}' is not available.`);
    return leader;
  }

  private async ask<T>(brokerId: number, req: GroupAdminRequest): Promise<T> {
    try {
      return (await this.o.call(brokerId, req)) as T;
    } catch (err) {
      if (err instanceof GroupAdminError) throw err;
      throw new GroupAdminError('COORDINATOR_NOT_AVAILABLE', `Broker ${brokerId} did not answer ${req.op}: ${(err as Error).message}`, { cause: err });
    }
  }
}

const key = (p: PartitionRef): string => `${p.topic}\u0000${p.partition}`;

/**
 * /metrics' group gauges: groups this broker coordinates, by state, and per committed partition
 * kafka_exporter's lag (high watermark − committed offset, never negative) from the leaders.
 */
export async function groupsSnapshot(coordinator: GroupCoordinator, ops: Pick<ClusterGroupOps, 'figures'>): Promise<GroupsSnapshot> {
  const listed = await coordinator.listGroups();
  const byState: Record<string, number> = {};
  const committed: Array<{ group: string; topic: string; partition: number; offset: bigint }> = [];
  for (const g of listed.groups) {
    byState[g.state] = (byState[g.state] ?? 0) + 1;
    const r = await coordinator.fetchOffsets({ groupId: g.groupId, partitions: null });
    for (const p of r.partitions) if (p.errorCode === ErrorCode.NONE && p.offset >= 0n) committed.push({ group: g.groupId, topic: p.topic, partition: p.partition, offset: p.offset });
  }
  const unique = new Map(committed.map((c) => [key(c), { topic: c.topic, partition: c.partition, timestamp: null }]));
  const figures = await ops.figures([...unique.values()], false);
  const lag: GroupLagSnapshot[] = [];
  for (const c of committed) {
    const hw = figures.get(key(c))?.highWatermark;
    if (hw === undefined) continue;
    lag.push({ group: c.group, topic: c.topic, partition: c.partition, committedOffset: c.offset, lag: hw > c.offset ? hw - c.offset : 0n });
  }
  return { byState, lag };
}
