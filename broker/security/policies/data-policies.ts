/**
 * The data path's checks, as Kafka 2.8's KafkaApis: Produce needs Write on each topic (and Write
 * on the transactional id for transactional records); Fetch Read on each topic (a replica id —
 * a follower speaking the Kafka protocol — needs ClusterAction); ListOffsets,
 * OffsetForLeaderEpoch Describe; DeleteRecords Delete; DescribeProducers Read. Metadata lists only
 * topics the caller may Describe, refuses named ones it may not, and creates a missing topic only
 * with Create on the cluster or the topic.
 */
import { ApiKey, ErrorCode } from '../../../protocol/index.js';
import { BrokerError } from '../../errors.js';
import type { AuthorizationVerdict } from '../../request-context.js';
import { ALLOWED, both, deny, hideInResponse, narrowList, Op, operationsBits, Res, type ApiPolicy, type AuthzView } from './kit.js';

/** The all-zero topic id as protocol/ decodes it (base64), as the Metadata handler compares it. */
const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

const TOPIC_DENIED = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
const INT32_MIN = -2147483648;

const topicsBy = (view: AuthzView, op: number) => (name: string): boolean => view.can(op as never, Res.TOPIC, name);

const produce: ApiPolicy = (request, view) => {
  const txnId: string | null = request.transactionalId ?? null;
  if (txnId !== null && !view.can(Op.WRITE, Res.TRANSACTIONAL_ID, txnId)) return deny(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  const v = narrowList<any>(request, 'topicData', (t) => t.name, topicsBy(view, Op.WRITE), 'responses', (t) => ({
    name: t.name,
    partitionResponses: t.partitionData.map((p: any) => ({ index: p.index, errorCode: TOPIC_DENIED, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n })),
  }));
  if (v === 'ALLOWED' || request.acks !== 0) return v;
  // acks=0 has no response to carry the refusal: close the connection, as Kafka does on failure.
  return { ...(v as Extract<AuthorizationVerdict, { kind: 'narrow' }>), complete: () => {
    throw new BrokerError('BRK_CLOSE_CONNECTION', 'acks=0 produce to a topic the principal may not Write; closing the connection');
  } };
};

// A refused partition carries empty records, as Kafka's (MemoryRecords.EMPTY), never null:
// librdkafka takes a record set of size -1 for a protocol error and never reports the refusal.
const fetch: ApiPolicy = (request, view) => {
  if (request.replicaId >= 0) return view.canCluster(Op.CLUSTER_ACTION) ? ALLOWED : deny(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
  return narrowList<any>(request, 'topics', (t) => t.topic, topicsBy(view, Op.READ), 'responses', (t) => ({
    topic: t.topic,
    partitions: t.partitions.map((p: any) => ({ partitionIndex: p.partition, errorCode: TOPIC_DENIED, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, abortedTransactions: null, preferredReadReplica: -1, records: Buffer.alloc(0) })),
  }));
};

const listOffsets: ApiPolicy = (request, view) =>
  narrowList<any>(request, 'topics', (t) => t.name, topicsBy(view, Op.DESCRIBE), 'topics', (t) => ({
    name: t.name,
    partitions: t.partitions.map((p: any) => ({ partitionIndex: p.partitionIndex, errorCode: TOPIC_DENIED, oldStyleOffsets: [], timestamp: -1n, offset: -1n, leaderEpoch: -1 })),
  }));

const offsetForLeaderEpoch: ApiPolicy = (request, view) => {
  if (request.replicaId >= 0) return view.canCluster(Op.CLUSTER_ACTION) ? ALLOWED : deny(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
  return narrowList<any>(request, 'topics', (t) => t.topic, topicsBy(view, Op.DESCRIBE), 'topics', (t) => ({
    topic: t.topic,
    partitions: t.partitions.map((p: any) => ({ errorCode: TOPIC_DENIED, partition: p.partition, leaderEpoch: -1, endOffset: -1n })),
  }));
};

const deleteRecords: ApiPolicy = (request, view) =>
  narrowList<any>(request, 'topics', (t) => t.name, topicsBy(view, Op.DELETE), 'topics', (t) => ({
    name: t.name,
    partitions: t.partitions.map((p: any) => ({ partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode: TOPIC_DENIED })),
  }));

const describeProducers: ApiPolicy = (request, view) =>
  narrowList<any>(request, 'topics', (t) => t.name, topicsBy(view, Op.READ), 'topics', (t) => ({
    name: t.name,
    partitions: t.partitionIndexes.map((p: number) => ({ partitionIndex: p, errorCode: TOPIC_DENIED, errorMessage: null, activeProducers: [] })),
  }));

const metadata: ApiPolicy = (request, view) => {
  const canDescribe = topicsBy(view, Op.DESCRIBE);
  const fillOps = (response: any): any => {
    if (response === undefined) return response;
    const topics = request.includeTopicAuthorizedOperations
      ? response.topics.map((t: any) => (t.errorCode === TOPIC_DENIED ? t : { ...t, topicAuthorizedOperations: operationsBits(Res.TOPIC, (op) => view.can(op, Res.TOPIC, t.name)) }))
      : response.topics;
    const cluster = request.includeClusterAuthorizedOperations ? view.operations(Res.CLUSTER, 'kafka-cluster') : response.clusterAuthorizedOperations ?? INT32_MIN;
    return { ...response, topics, clusterAuthorizedOperations: cluster };
  };
  if (request.topics === null || (view.apiVersion === 0 && request.topics.length === 0)) {
    const hide = hideInResponse<any>('topics', (t) => t.name, canDescribe);
    return { kind: 'narrow', request, complete: (r: any) => fillOps(hide(r)) };
  }
  // Topics named by id only (v10+): Kafka 2.8 refuses the whole request as INVALID_REQUEST before
  // authorizing anything, and so does the handler; there is no name to authorize.
  if (request.topics.some((t: any) => t.name === null || (t.topicId !== undefined && t.topicId !== ZERO_UUID))) return ALLOWED;
  const refused = (t: any): unknown => ({ errorCode: TOPIC_DENIED, name: t.name, topicId: t.topicId, isInternal: false, partitions: [], topicAuthorizedOperations: INT32_MIN });
  const described = narrowList<any>(request, 'topics', (t) => t.name, canDescribe, 'topics', refused, fillOps);
  // Auto-creation: a missing topic the caller may not Create is refused rather than created.
  const mayCreate = !(request.allowAutoTopicCreation && view.autoCreateTopics) || view.canCluster(Op.CREATE);
  if (mayCreate) return described;
  return both(described, (req) => narrowList<any>(req, 'topics', (t) => t.name, (name) => view.topicExists(name) || view.can(Op.CREATE, Res.TOPIC, name), 'topics', refused), request);
};

export const DATA_POLICIES: ReadonlyMap<number, ApiPolicy> = new Map<number, ApiPolicy>([
  [ApiKey.Produce, produce],
  [ApiKey.Fetch, fetch],
  [ApiKey.ListOffsets, listOffsets],
  [ApiKey.Metadata, metadata],
  [ApiKey.OffsetForLeaderEpoch, offsetForLeaderEpoch],
  [ApiKey.DeleteRecords, deleteRecords],
  [ApiKey.DescribeProducers, describeProducers],
]);
