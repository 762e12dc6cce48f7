/**
 * The transactional producer's requests (KIP-98, KIP-447) as the TransactionManager sends them:
 * each builds one request, sends it to the coordinator it is given and turns any error code in
 * the answer into a KafkaClientError, so the manager's retry loop and state machine decide what
 * it means. AddPartitionsToTxn's OPERATION_NOT_ATTEMPTED is no error of its own: another
 * partition of the same request failed, and that one is reported.
 */
import type {
  AddOffsetsToTxnRequest,
  AddOffsetsToTxnResponse,
  AddPartitionsToTxnRequest,
  AddPartitionsToTxnResponse,
  EndTxnRequest,
  EndTxnResponse,
  InitProducerIdRequest,
  InitProducerIdResponse,
  TxnOffsetCommitRequest,
  TxnOffsetCommitResponse,
} from '../../protocol/index.js';
import type { CoordinatorClient } from '../coordinator-client.js';
import { brokerError } from '../errors.js';
import { API, errorInfo } from '../wire.js';

/** What sendOffsets needs from the consumer (Consumer.groupMetadata()). */
export interface ConsumerGroupMetadata {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  /** The next offset to consume (the last processed + 1). */
  offset: bigint;
  metadata?: string | null;
}

/** The transactional id with the producer id and epoch it holds now. */
export interface TxnIds {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
}

const OPERATION_NOT_ATTEMPTED = 55;

function byTopic<T, P>(items: readonly T[], topicOf: (t: T) => string, entry: (t: T) => P): Map<string, P[]> {
  const topics = new Map<string, P[]>();
  for (const item of items) {
    let l = topics.get(topicOf(item));
    if (l === undefined) topics.set(topicOf(item), (l = []));
    l.push(entry(item));
  }
  return topics;
}

export async function sendInitProducerId(coordinator: CoordinatorClient, req: InitProducerIdRequest): Promise<InitProducerIdResponse> {
  const r = await coordinator.send<InitProducerIdResponse>(API.InitProducerId, req);
  if (r.errorCode !== 0) throw brokerError(errorInfo(r.errorCode), `InitProducerId for ${req.transactionalId}`);
  return r;
}

export async function sendAddPartitionsToTxn(coordinator: CoordinatorClient, ids: TxnIds, tps: ReadonlyArray<{ topic: string; partition: number }>): Promise<void> {
  const topics = byTopic(tps, (tp) => tp.topic, (tp) => tp.partition);
  const req: AddPartitionsToTxnRequest = { ...ids, topics: [...topics].map(([name, partitions]) => ({ name, partitions })) };
  const res = await coordinator.send<AddPartitionsToTxnResponse & { errorCode?: number }>(API.AddPartitionsToTxn, req);
  for (const t of res.results) {
    for (const p of t.results) {
      if (p.errorCode === 0 || p.errorCode === OPERATION_NOT_ATTEMPTED) continue;
      coordinator.noteError(p.errorCode);
      throw brokerError(errorInfo(p.errorCode), `add ${t.name}/${p.partitionIndex} to transaction ${ids.transactionalId}`);
    }
  }
}

export async function sendAddOffsetsToTxn(coordinator: CoordinatorClient, ids: TxnIds, groupId: string): Promise<void> {
  const req: AddOffsetsToTxnRequest = { ...ids, groupId };
  const res = await coordinator.send<AddOffsetsToTxnResponse>(API.AddOffsetsToTxn, req);
  if (res.errorCode !== 0) throw brokerError(errorInfo(res.errorCode), `add offsets of group ${groupId} to transaction ${ids.transactionalId}`);
}

/** To the group's coordinator, with the member's generation so a zombie member is fenced (KIP-447). */
export async function sendTxnOffsetCommit(gc: CoordinatorClient, ids: TxnIds, offsets: readonly TopicPartitionOffset[], group: ConsumerGroupMetadata): Promise<void> {
  const topics = byTopic(offsets, (o) => o.topic, (o) => ({ partitionIndex: o.partition, committedOffset: o.offset, committedLeaderEpoch: -1, committedMetadata: o.metadata ?? null }));
  const req: TxnOffsetCommitRequest = {
    ...ids,
    groupId: group.groupId,
    generationId: group.generationId,
    memberId: group.memberId,
    groupInstanceId: group.groupInstanceId,
    topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
  };
  const res = await gc.send<TxnOffsetCommitResponse & { errorCode?: number }>(API.TxnOffsetCommit, req);
  for (const t of res.topics) {
    for (const p of t.partitions) {
      if (p.errorCode === 0) continue;
      gc.noteError(p.errorCode);
      throw brokerError(errorInfo(p.errorCode), `commit offset of ${t.name}/${p.partitionIndex} for group ${group.groupId} in transaction ${ids.transactionalId}`);
    }
  }
}

export async function sendEndTxn(coordinator: CoordinatorClient, ids: TxnIds, committed: boolean): Promise<void> {
  const req: EndTxnRequest = { ...ids, committed };
  const res = await coordinator.send<EndTxnResponse>(API.EndTxn, req);
  if (res.errorCode !== 0) throw brokerError(errorInfo(res.errorCode), `${committed ? 'commit' : 'abort'} transaction ${ids.transactionalId}`);
}
