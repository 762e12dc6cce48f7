/**
 * Talks to a consumer group's coordinator: finds it (FindCoordinator), sends group requests to
 * it, rediscovers it when it moves (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, connection
 * loss), and commits/fetches offsets (OffsetCommit/OffsetFetch).
 */
import { tpKey } from '../../../common/index.js';
import type {
  FindCoordinatorRequest,
  FindCoordinatorResponse,
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetFetchRequest,
  OffsetFetchResponse,
} from '../../../protocol/index.js';
import type { Cluster } from '../../cluster.js';
import type { Connection } from '../../connection.js';
import { KafkaClientError, brokerError } from '../../errors.js';
import { API, errorInfo } from '../../wire.js';
import type { TopicPartition } from '../fetcher.js';

export const GroupErrors = {
  COORDINATOR_LOAD_IN_PROGRESS: 14,
  COORDINATOR_NOT_AVAILABLE: 15,
  NOT_COORDINATOR: 16,
  ILLEGAL_GENERATION: 22,
  UNKNOWN_MEMBER_ID: 25,
  REBALANCE_IN_PROGRESS: 27,
  MEMBER_ID_REQUIRED: 79,
  FENCED_INSTANCE_ID: 82,
} as const;

const COORDINATOR_MOVED = new Set<number>([GroupErrors.COORDINATOR_NOT_AVAILABLE, GroupErrors.NOT_COORDINATOR]);

export interface OffsetAndMetadata {
  offset: bigint;
  metadata?: string | null;
}

export interface MemberIdentity {
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export class GroupClient {
  private coordinator: Connection | undefined;
  private finding: Promise<Connection> | undefined;

  constructor(
    private readonly cluster: Cluster,
    readonly groupId: string,
  ) {}

  /** The coordinator connection, discovering it if needed. */
  coordinatorConnection(): Promise<Connection> {
    if (this.coordinator !== undefined && !this.coordinator.closed) return Promise.resolve(this.coordinator);
    this.finding ??= this.find().finally(() => {
      this.finding = undefined;
    });
    return this.finding;
  }

  private async find(): Promise<Connection> {
    const req: FindCoordinatorRequest = { key: this.groupId, keyType: 0 };
    const res = await this.cluster.withAnyBroker((c) => c.send<FindCoordinatorResponse>(API.FindCoordinator, req));
    if (res.errorCode !== undefined && res.errorCode !== 0) {
      throw brokerError(errorInfo(res.errorCode), `find coordinator of group ${this.groupId}`);
    }
    if (res.nodeId === undefined || res.host === undefined || res.port === undefined) {
      throw new KafkaClientError('CLI_PROTOCOL', 'FindCoordinator answered without a node');
    }
    this.coordinator = this.cluster.coordinatorConnection(res.nodeId, res.host, res.port);
    return this.coordinator;
  }

  /** Forget the coordinator (it moved or its connection failed). */
  markCoordinatorDead(): void {
    this.coordinator = undefined;
  }

  /**
   * Send to the coordinator. A top-level coordinator error or a connection failure marks it
   * dead and rejects retriably; callers retry (after a backoff) through their own loop.
   */
  async send<T extends { errorCode?: number }>(apiKey: number, body: unknown, timeoutMs?: number): Promise<T> {
    const c = await this.coordinatorConnection();
    let res: T;
    try {
      res = await c.send<T>(apiKey, body, timeoutMs === undefined ? {} : { timeoutMs });
    } catch (err) {
      if (err instanceof KafkaClientError && (err.code === 'CLI_CONNECTION' || err.code === 'CLI_REQUEST_TIMEOUT')) this.markCoordinatorDead();
      throw err;
    }
    if (res.errorCode !== undefined && COORDINATOR_MOVED.has(res.errorCode)) this.markCoordinatorDead();
    return res;
  }

  isCoordinatorError(code: number): boolean {
    return COORDINATOR_MOVED.has(code) || code === GroupErrors.COORDINATOR_LOAD_IN_PROGRESS;
  }

  async commitOffsets(offsets: ReadonlyMap<TopicPartition, OffsetAndMetadata>, member: MemberIdentity | undefined): Promise<void> {
    if (offsets.size === 0) return;
    const topics = new Map<string, OffsetCommitRequest['topics'][number]['partitions']>();
    for (const [tp, o] of offsets) {
      let l = topics.get(tp.topic);
      if (l === undefined) topics.set(tp.topic, (l = []));
      l.push({ partitionIndex: tp.partition, committedOffset: o.offset, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: o.metadata ?? null });
    }
    const req: OffsetCommitRequest = {
      groupId: this.groupId,
      generationIdOrMemberEpoch: member?.generationId ?? -1,
      memberId: member?.memberId ?? '',
      groupInstanceId: member?.groupInstanceId ?? null,
      retentionTimeMs: -1n,
      topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
    };
    const res = await this.send<OffsetCommitResponse & { errorCode?: number }>(API.OffsetCommit, req);
    for (const t of res.topics) {
      for (const p of t.partitions) {
        if (p.errorCode === 0) continue;
        if (COORDINATOR_MOVED.has(p.errorCode)) this.markCoordinatorDead();
        throw brokerError(errorInfo(p.errorCode), `commit offset of ${t.name}/${p.partitionIndex} for group ${this.groupId}`);
      }
    }
  }

  /** Committed offsets (absent = nothing committed). */
  async fetchOffsets(tps: readonly TopicPartition[]): Promise<Map<string, OffsetAndMetadata>> {
    const topics = new Map<string, number[]>();
    for (const tp of tps) {
      let l = topics.get(tp.topic);
      if (l === undefined) topics.set(tp.topic, (l = []));
      l.push(tp.partition);
    }
    const req: OffsetFetchRequest = {
      groupId: this.groupId,
      topics: [...topics].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
    };
    const res = await this.send<OffsetFetchResponse>(API.OffsetFetch, req);
    if (res.errorCode !== undefined && res.errorCode !== 0) throw brokerError(errorInfo(res.errorCode), `fetch offsets of group ${this.groupId}`);
    const out = new Map<string, OffsetAndMetadata>();
    for (const t of res.topics ?? []) {
      for (const p of t.partitions ?? []) {
        const name = t.name ?? '';
        const index = p.partitionIndex ?? -1;
        if (p.errorCode !== undefined && p.errorCode !== 0) {
          if (COORDINATOR_MOVED.has(p.errorCode)) this.markCoordinatorDead();
          throw brokerError(errorInfo(p.errorCode), `fetch offset of ${name}/${index} for group ${this.groupId}`);
        }
        if (p.committedOffset !== undefined && p.committedOffset >= 0n) out.set(tpKey(name, index), { offset: p.committedOffset, metadata: p.metadata ?? null });
      }
    }
    return out;
  }
}
