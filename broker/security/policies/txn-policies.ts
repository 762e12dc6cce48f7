/**
 * Producer ids and transactions, as Kafka 2.8's KafkaApis: InitProducerId needs Write on its
 * transactional id, or, for an idempotent producer without one, IdempotentWrite on the cluster
 * or Write on some topic (KIP-679); AddPartitionsToTxn Write on the transactional id and on each
 * topic (when one topic is refused nothing is added: the others answer OPERATION_NOT_ATTEMPTED);
 * AddOffsetsToTxn Write on the transactional id and Read on the group; EndTxn Write on the
 * transactional id; DescribeTransactions Describe per id; ListTransactions lists only the ids the
 * caller may Describe. `authorizeTransactionalId` is the check for any other transactional path.
 */
import { ApiKey, ErrorCode } from '../../../protocol/index.js';
import { ALLOWED, answer, deny, hideInResponse, narrowList, Op, requireOn, Res, type ApiPolicy, type AuthzView } from './kit.js';

const TXN_DENIED = ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;

/** Write on the transactional id (what every transactional request of a producer needs). */
export function authorizeTransactionalId(view: AuthzView, transactionalId: string): boolean {
  return view.can(Op.WRITE, Res.TRANSACTIONAL_ID, transactionalId);
}

const writeTxnId = requireOn(Op.WRITE, Res.TRANSACTIONAL_ID, (r) => r.transactionalId, TXN_DENIED);

const initProducerId: ApiPolicy = (request, view) => {
  if (request.transactionalId !== null && request.transactionalId !== undefined) return writeTxnId(request, view);
  return view.canCluster(Op.IDEMPOTENT_WRITE) || view.canAnyOfType(Op.WRITE, Res.TOPIC) ? ALLOWED : deny(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
};

const addPartitionsToTxn: ApiPolicy = (request, view) => {
  if (!authorizeTransactionalId(view, request.transactionalId)) return deny(TXN_DENIED);
  const refused = request.topics.filter((t: any) => !view.can(Op.WRITE, Res.TOPIC, t.name));
  if (refused.length === 0) return ALLOWED;
  const refusedNames = new Set(refused.map((t: any) => t.name));
  return answer({
    throttleTimeMs: 0,
    results: request.topics.map((t: any) => ({
      name: t.name,
      results: t.partitions.map((partitionIndex: number) => ({ partitionIndex, errorCode: refusedNames.has(t.name) ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : ErrorCode.OPERATION_NOT_ATTEMPTED })),
    })),
  });
};

const addOffsetsToTxn: ApiPolicy = (request, view) => {
  if (!authorizeTransactionalId(view, request.transactionalId)) return deny(TXN_DENIED);
  return view.can(Op.READ, Res.GROUP, request.groupId) ? ALLOWED : deny(ErrorCode.GROUP_AUTHORIZATION_FAILED);
};

const describeTransactions: ApiPolicy = (request, view) =>
  narrowList<string>(request, 'transactionalIds', (id) => id, (id) => view.can(Op.DESCRIBE, Res.TRANSACTIONAL_ID, id), 'transactionStates', (transactionalId) => ({
    errorCode: TXN_DENIED, transactionalId, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: -1n, producerId: -1n, producerEpoch: -1, topics: [],
  }));

const listTransactions: ApiPolicy = (request, view) => ({
  kind: 'narrow',
  request,
  complete: hideInResponse<any>('transactionStates', (t) => t.transactionalId, (id) => view.can(Op.DESCRIBE, Res.TRANSACTIONAL_ID, id)),
});

export const TXN_POLICIES: ReadonlyMap<number, ApiPolicy> = new Map<number, ApiPolicy>([
  [ApiKey.InitProducerId, initProducerId],
  [ApiKey.AddPartitionsToTxn, addPartitionsToTxn],
  [ApiKey.AddOffsetsToTxn, addOffsetsToTxn],
  [ApiKey.EndTxn, writeTxnId],
  [ApiKey.DescribeTransactions, describeTransactions],
  [ApiKey.ListTransactions, listTransactions],
]);
