/**
 * What the dashboard reads and does beyond the admin API's own routes, for the whole cluster from
 * any broker (the browser talks to one broker only): a sample of every broker's counters, the
 * leaders' log figures of a topic, records of a partition read from its leader, a test record
 * produced on the leader, and a preferred election asked of the controller. Each broker serves
 * its own part as the internal api `DashboardData` (`serveDashboardData`); `ClusterDashboard`
 * routes each question to the brokers that can answer it, like ClusterGroupOps does for groups.
 */
import { encodeRecordBatch, ErrorCode, errorInfo, iterateBatches, iterateRecords, type ErrorName } from '../protocol/index.js';
import type { BrokerConfig } from './config/index.js';
import { effectiveTopicConfig } from './config/index.js';
import type { Controller } from './controller/index.js';
import { tpKey } from '../common/index.js';
import { BrokerError, toWireError } from './errors.js';
import type {
  BrokerSample,
  ClusterStats,
  DashboardOps,
  MessagePage,
  PartitionFigures,
  ProducedMessage,
  ReadPosition,
  ReassignmentProgress,
  TestMessage,
  TopicConfigEntry,
} from './http/index.js';
import type { BrokerMetrics } from './metrics/index.js';
import type { MetadataCache } from './metadata/index.js';
import { appendRecords, EARLIEST_TIMESTAMP, fetchRecords, LATEST_TIMESTAMP, listOffset, type ReplicaManager, type TopicConfigs } from './replica/index.js';

export const DASHBOARD_DATA_API = 'DashboardData';

/** Bytes read for one page of records at most (a page is also cut at `limit` records). */
const PAGE_MAX_BYTES = 1024 * 1024;
/** A broker that does not answer a sample in this time is shown as down. */
const SAMPLE_TIMEOUT_MS = 2_000;

export type DashboardDataRequest =
  | { readonly op: 'sample' }
  | { readonly op: 'logs'; readonly topic: string }
  | { readonly op: 'read'; readonly topic: string; readonly partition: number; readonly from: ReadPosition; readonly limit: number }
  | { readonly op: 'produce'; readonly topic: string; readonly partition: number; readonly message: TestMessage }
  | { readonly op: 'elect'; readonly partitions: ReadonlyArray<{ readonly topic: string; readonly partition: number }> };

/** A refusal with a Kafka error name, which the HTTP layer turns into a status. */
/** A dashboard read or action refused with a Kafka error (its `kafkaError`; the HTTP layer maps it to a status). */
export class DashboardDataError extends BrokerError<'BRK_DASHBOARD_DATA'> {
  override readonly name = 'DashboardDataError';
  constructor(errorName: ErrorName, message: string) {
    super('BRK_DASHBOARD_DATA', message, { kafkaError: errorName });
  }
}

const refusal = (code: number, what: string): DashboardDataError => {
  const info = errorInfo(code);
  return new DashboardDataError(info.name as ErrorName, `${what}: ${info.message}`);
};

export interface LocalDashboardParts {
  readonly brokerId: number;
  readonly metrics: BrokerMetrics;
  readonly replicaManager: () => ReplicaManager | undefined;
  readonly controller: () => Controller | undefined;
}

function replicas(parts: LocalDashboardParts): ReplicaManager {
  const rm = parts.replicaManager();
  if (rm === undefined) throw new DashboardDataError('BROKER_NOT_AVAILABLE', `broker ${parts.brokerId} has no replica manager yet`);
  return rm;
}

async function localSample(parts: LocalDashboardParts): Promise<BrokerSample> {
  const all = parts.replicaManager()?.allPartitions() ?? [];
  const led = all.filter((p) => p.isLeader);
  const topicSizes: Record<string, number> = {};
  for (const p of led) topicSizes[p.topic] = (topicSizes[p.topic] ?? 0) + p.log.size;
  const controller = parts.controller();
  const isController = controller?.current !== undefined;
  return {
    brokerId: parts.brokerId,
    timeMs: Date.now(),
    leaderCount: led.length,
    partitionCount: all.filter((p) => p.role !== 'none').length,
    topicSizes,
    metrics: await parts.metrics.sample(),
    ...(isController && controller !== undefined
      ? { controller: { epoch: controller.controllerEpoch, reassignments: await controller.listPartitionReassignments() } }
      : {}),
  };
}

/** The first offset with a timestamp at or after `timestamp`; the high watermark (nothing to show) when there is none. */
async function offsetForTime(rm: ReplicaManager, topic: string, partition: number, timestamp: bigint): Promise<bigint> {
  const at = (await listOffset(rm, topic, partition, timestamp, -1)).offset;
  return at >= 0n ? at : (await listOffset(rm, topic, partition, LATEST_TIMESTAMP, -1)).offset;
}

async function readLocal(rm: ReplicaManager, topic: string, partition: number, from: ReadPosition, limit: number): Promise<MessagePage> {
  const start = from.kind === 'offset' ? from.offset : await offsetForTime(rm, topic, partition, from.timestamp);
  const [r] = await fetchRecords(rm, {
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: PAGE_MAX_BYTES,
    isolationLevel: 0,
    partitions: [{ topic, partition, fetchOffset: start < 0n ? 0n : start, partitionMaxBytes: PAGE_MAX_BYTES, currentLeaderEpoch: -1 }],
  });
  if (r === undefined || r.errorCode !== ErrorCode.NONE) throw refusal(r?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR, `reading ${topic}-${partition}`);
  const messages: MessagePage['messages'][number][] = [];
  for (const batch of iterateBatches(r.records)) {
    if (batch.header.attributes & 0x20) continue; // control batches are not records a user wrote
    for (const rec of iterateRecords(r.records.subarray(batch.start, batch.end))) {
      const offset = batch.header.baseOffset + BigInt(rec.offsetDelta);
      if (offset < start) continue;
      if (messages.length >= limit) break;
      messages.push({
        offset,
        timestamp: batch.header.baseTimestamp + rec.timestampDelta,
        key: rec.key === null ? null : rec.key.toString('base64'),
        value: rec.value === null ? null : rec.value.toString('base64'),
        headers: rec.headers.map((h) => ({ key: h.key, value: h.value === null ? null : h.value.toString('base64') })),
      });
    }
  }
  return { topic, partition, from: start < r.logStartOffset ? r.logStartOffset : start, logStartOffset: r.logStartOffset, highWatermark: r.highWatermark, messages };
}

async function produceLocal(rm: ReplicaManager, topic: string, partition: number, m: TestMessage): Promise<ProducedMessage> {
  const utf8 = (s: string | null | undefined): Buffer | null => (s === null || s === undefined ? null : Buffer.from(s, 'utf8'));
  const records = encodeRecordBatch([{ key: utf8(m.key), value: utf8(m.value), headers: (m.headers ?? []).map((h) => ({ key: h.key, value: utf8(h.value) })) }]);
  const [r] = await appendRecords(rm, [{ topic, partition, records }], { acks: -1, timeoutMs: 10_000 });
  if (r === undefined || r.errorCode !== ErrorCode.NONE) throw refusal(r?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR, `producing to ${topic}-${partition}`);
  return { topic, partition, offset: r.baseOffset };
}

/** The local side of `DashboardData`. */
export function serveDashboardData(parts: LocalDashboardParts): (req: DashboardDataRequest) => Promise<unknown> {
  return async (req) => {
    switch (req.op) {
      case 'sample':
        return localSample(parts);
      case 'logs':
        return replicas(parts)
          .allPartitions()
          .filter((p) => p.isLeader && p.topic === req.topic)
          .map((p): PartitionFigures => ({ partition: p.partition, logStartOffset: p.log.logStartOffset, highWatermark: p.log.highWatermark, logEndOffset: p.log.logEndOffset, sizeBytes: p.log.size }));
      case 'read':
        return readLocal(replicas(parts), req.topic, req.partition, req.from, req.limit);
      case 'produce':
        return produceLocal(replicas(parts), req.topic, req.partition, req.message);
      case 'elect': {
        const controller = parts.controller();
        if (controller?.current === undefined) throw new DashboardDataError('NOT_CONTROLLER', `broker ${parts.brokerId} is not the controller`);
        const answers = await controller.electLeaders(req.partitions, 'preferred');
        return req.partitions.map((p) => {
          const error = answers.get(tpKey(p.topic, p.partition)) ?? null;
          return { topic: p.topic, partition: p.partition, error: error === 'NONE' ? null : error };
        });
      }
      default:
        throw new DashboardDataError('INVALID_REQUEST', `unknown DashboardData op ${(req as { op?: unknown }).op as string}`);
    }
  };
}

export interface ClusterDashboardParts {
  readonly metadata: Pick<MetadataCache, 'aliveBrokers' | 'controllerId' | 'controllerEpoch' | 'topicNames' | 'getTopic' | 'getPartition'>;
  readonly config: BrokerConfig;
  readonly topicConfigs: () => TopicConfigs | undefined;
  readonly describeTopicConfig: (topic: string) => Promise<Record<string, string>>;
  /** The local side for this broker, `DashboardData` over the inter-broker listener for others. */
  readonly call: (brokerId: number, req: DashboardDataRequest, timeoutMs?: number) => Promise<unknown>;
}

/** `DashboardOps` for the HTTP API: any broker answers for the whole cluster. */
export class ClusterDashboard implements DashboardOps {
  constructor(private readonly p: ClusterDashboardParts) {}

  private async call(brokerId: number, req: DashboardDataRequest, timeoutMs?: number): Promise<unknown> {
    try {
      return await this.p.call(brokerId, req, timeoutMs);
    } catch (err) {
      throw dashboardError(err);
    }
  }

  async stats(): Promise<ClusterStats> {
    const live = this.p.metadata.aliveBrokers();
    const topics = this.p.metadata.topicNames();
    const assigned = new Set<number>();
    for (const t of topics) for (const part of this.p.metadata.getTopic(t) ?? []) part.replicas.forEach((r) => assigned.add(r));
    const ids = [...new Set([...live.map((b) => b.id), ...assigned])].sort((a, b) => a - b);
    const liveIds = new Set(live.map((b) => b.id));
    const answers = await Promise.all(
      ids.map(async (id) => {
        if (!liveIds.has(id)) return { id, sample: undefined, error: 'not registered in ZooKeeper' };
        try {
          return { id, sample: (await this.p.call(id, { op: 'sample' }, SAMPLE_TIMEOUT_MS)) as BrokerSample, error: undefined };
        } catch (err) {
          return { id, sample: undefined, error: (err as Error).message ?? String(err) };
        }
      }),
    );
    // A replica on a broker that does not answer is counted out of sync at once: the ISR in the
    // metadata only shrinks once ZooKeeper's session timeout has passed.
    const up = new Set(answers.filter((a) => a.sample !== undefined).map((a) => a.id));
    let offline = 0;
    let underReplicated = 0;
    let underMinIsr = 0;
    let preferredImbalance = 0;
    let partitions = 0;
    const minIsr = (t: string): number => this.p.topicConfigs()?.get(t).minInsyncReplicas ?? 1;
    for (const t of topics) {
      for (const part of this.p.metadata.getTopic(t) ?? []) {
        partitions++;
        const inSync = part.isr.filter((r) => up.has(r)).length;
        if (part.leader < 0 || !up.has(part.leader)) offline++;
        if (inSync < part.replicas.length) underReplicated++;
        if (inSync < minIsr(t)) underMinIsr++;
        if (part.leader >= 0 && part.leader !== part.replicas[0]) preferredImbalance++;
      }
    }
    const controllerSample = answers.find((a) => a.sample?.controller !== undefined)?.sample;
    const reassignments: ReassignmentProgress[] = (controllerSample?.controller?.reassignments ?? []).map((r) => {
      const isr = this.p.metadata.getPartition(r.topic, r.partition)?.isr ?? [];
      return { ...r, addingInSync: r.addingReplicas.filter((b) => isr.includes(b)) };
    });
    return {
      timeMs: Date.now(),
      controllerId: this.p.metadata.controllerId,
      controllerEpoch: this.p.metadata.controllerEpoch,
      topicCount: topics.length,
      partitionCount: partitions,
      offlinePartitions: offline,
      underReplicatedPartitions: underReplicated,
      underMinIsrPartitions: underMinIsr,
      preferredReplicaImbalance: preferredImbalance,
      reassignments,
      brokers: answers.map((a) => ({
        id: a.id,
        alive: liveIds.has(a.id),
        reachable: a.sample !== undefined,
        ...(a.sample === undefined ? { error: a.error ?? 'no answer' } : { sample: a.sample }),
      })),
    };
  }

  private leaderOf(topic: string, partition: number): number {
    const part = this.p.metadata.getPartition(topic, partition);
    if (part === undefined) throw new DashboardDataError('UNKNOWN_TOPIC_OR_PARTITION', `${topic}-${partition} does not exist`);
    if (part.leader < 0) throw new DashboardDataError('LEADER_NOT_AVAILABLE', `${topic}-${partition} has no leader`);
    return part.leader;
  }

  async partitionFigures(topic: string): Promise<readonly PartitionFigures[] | null> {
    const parts = this.p.metadata.getTopic(topic);
    if (parts === undefined) return null;
    const leaders = [...new Set(parts.map((x) => x.leader).filter((l) => l >= 0))];
    const answers = await Promise.all(leaders.map((id) => this.p.call(id, { op: 'logs', topic }, SAMPLE_TIMEOUT_MS).catch(() => [])));
    return (answers as PartitionFigures[][]).flat().sort((a, b) => a.partition - b.partition);
  }

  async topicConfigEntries(topic: string): Promise<readonly TopicConfigEntry[] | null> {
    if (this.p.metadata.getTopic(topic) === undefined) return null;
    const overrides = await this.p.describeTopicConfig(topic);
    return [...effectiveTopicConfig(overrides, this.p.config)].map(([name, e]) => ({ name, value: e.text, source: e.source }));
  }

  async readMessages(topic: string, partition: number, from: ReadPosition, limit: number): Promise<MessagePage> {
    return (await this.call(this.leaderOf(topic, partition), { op: 'read', topic, partition, from, limit })) as MessagePage;
  }

  async produce(topic: string, partition: number, message: TestMessage): Promise<ProducedMessage> {
    return (await this.call(this.leaderOf(topic, partition), { op: 'produce', topic, partition, message })) as ProducedMessage;
  }

  async electPreferred(topic: string): Promise<ReadonlyArray<{ topic: string; partition: number; error: string | null }>> {
    const parts = this.p.metadata.getTopic(topic);
    if (parts === undefined) throw new DashboardDataError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${topic}' does not exist.`);
    const controller = this.p.metadata.controllerId;
    if (controller < 0) throw new DashboardDataError('NOT_CONTROLLER', 'no controller is known');
    const asked = parts.map((x) => ({ topic, partition: x.partition }));
    return (await this.call(controller, { op: 'elect', partitions: asked })) as Array<{ topic: string; partition: number; error: string | null }>;
  }
}

/** A remote broker's refusal arrives as an error carrying the wire code: keep its Kafka name. */
export function dashboardError(err: unknown): unknown {
  if (err instanceof DashboardDataError) return err;
  const code = toWireError(err);
  return code === ErrorCode.UNKNOWN_SERVER_ERROR ? err : refusal(code, (err as Error).message ?? 'dashboard data');
}
