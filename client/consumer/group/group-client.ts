/**
 * Talks to a consumer group's coordinator (found and rediscovered by CoordinatorClient) and
 * commits/fetches offsets (OffsetCommit/OffsetFetch).
 */
import { sleep, tpKey } from '../../../common/index.js';

/** A transaction's markers land within seconds; 200 × 50 ms bounds the wait at ~10 s. */
const UNSTABLE_RETRIES = 200;
const UNSTABLE_BACKOFF_MS = 50;
import type {
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetFetchRequest,
  OffsetFetchResponse,
} from '../../../protocol/index.js';
import type { Cluster } from '../../cluster.js';
import { CoordinatorClient } from '../../coordinator-client.js';
import { brokerError, KafkaClientError } from '../../errors.js';
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

export interface OffsetAndMetadata {
  offset: bigint;
  metadata?: string | null;
}

export interface MemberIdentity {
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export class GroupClient extends CoordinatorClient {
  constructor(
    cluster: Cluster,
    readonly groupId: string,
  ) {
    super(cluster, groupId, 0);
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
        this.noteError(p.errorCode);
        throw brokerError(errorInfo(p.errorCode), `commit offset of ${t.name}/${p.partitionIndex} for group ${this.groupId}`);
      }
    }
  }

  /** Committed offsets (absent = nothing committed). */
  async fetchOffsets(tps: readonly TopicPartition[], requireStable = false): Promise<Map<string, OffsetAndMetadata>> {
    // With requireStable, a partition whose offset a pending transaction may still change answers
    // UNSTABLE_OFFSET_COMMIT until that transaction ends: wait for it (bounded), as Kafka does.
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.fetchOffsetsOnce(tps, requireStable);
      } catch (err) {
        if (!(err instanceof KafkaClientError) || err.kafkaError !== 'UNSTABLE_OFFSET_COMMIT' || attempt >= UNSTABLE_RETRIES) throw err;
        await sleep(this.cluster.scheduler, UNSTABLE_BACKOFF_MS);
      }
    }
  }

  private async fetchOffsetsOnce(tps: readonly TopicPartition[], requireStable: boolean): Promise<Map<string, OffsetAndMetadata>> {
    const topics = new Map<string, number[]>();
    for (const tp of tps) {
      let l = topics.get(tp.topic);
      if (l === undefined) topics.set(tp.topic, (l = []));
      l.push(tp.partition);
    }
    const req: OffsetFetchRequest = {
      groupId: this.groupId,
      topics: [...topics].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
      requireStable,
    };
    const res = await this.send<OffsetFetchResponse>(API.OffsetFetch, req);
    if (res.errorCode !== undefined && res.errorCode !== 0) throw brokerError(errorInfo(res.errorCode), `fetch offsets of group ${this.groupId}`);
    const out = new Map<string, OffsetAndMetadata>();
    for (const t of res.topics ?? []) {
      for (const p of t.partitions ?? []) {
        const name = t.name ?? '';
        const index = p.partitionIndex ?? -1;
        if (p.errorCode !== undefined && p.errorCode !== 0) {
          this.noteError(p.errorCode);
          throw brokerError(errorInfo(p.errorCode), `fetch offset of ${name}/${index} for group ${this.groupId}`);
        }
        if (p.committedOffset !== undefined && p.committedOffset >= 0n) out.set(tpKey(name, index), { offset: p.committedOffset, metadata: p.metadata ?? null });
      }
    }
    return out;
  }
}
