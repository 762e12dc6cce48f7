/**
 * What a principal without any ACL gets from each Kafka API Samsa serves, as Kafka 2.8's
 * KafkaApis answers it: the authorization error(s) its response may carry, or HIDDEN for the
 * listing APIs that answer without error but leave out what may not be described (ListGroups,
 * ListTransactions, DescribeLogDirs). The matrix sends each API its golden request body (the
 * protocol tests' full bodies: every field set) at the highest version the broker advertises, and
 * checks this table covers exactly the APIs ApiVersions advertises, so a new API cannot slip by.
 */
import { ApiKey, ErrorCode } from '../../../protocol/index.js';
import type { ApiCase } from '../../unit/protocol/golden/case.js';
import { clusterCases } from '../../unit/protocol/golden/cases-cluster.js';
import { configCases } from '../../unit/protocol/golden/cases-configs.js';
import { dataCases } from '../../unit/protocol/golden/cases-data.js';
import { groupCases } from '../../unit/protocol/golden/cases-groups.js';
import { metadataCases, NO_ID } from '../../unit/protocol/golden/cases-metadata.js';
import { offsetCases } from '../../unit/protocol/golden/cases-offsets.js';
import { securityCases } from '../../unit/protocol/golden/cases-security.js';
import { txnCases } from '../../unit/protocol/golden/cases-txn.js';

export const HIDDEN = 'hidden';
const TOPIC = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
const GROUP = ErrorCode.GROUP_AUTHORIZATION_FAILED;
const CLUSTER = ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
const TXN = ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;

/** Per API: the codes its refusal may answer (the golden body decides which applies: a transactional produce, a follower fetch…). */
export const UNAUTHORIZED_ANSWER: ReadonlyMap<number, readonly number[] | typeof HIDDEN> = new Map<number, readonly number[] | typeof HIDDEN>([
  [ApiKey.Produce, [TOPIC, TXN]],
  [ApiKey.Fetch, [TOPIC, CLUSTER]],
  [ApiKey.ListOffsets, [TOPIC]],
  [ApiKey.Metadata, [TOPIC]],
  [ApiKey.OffsetForLeaderEpoch, [TOPIC, CLUSTER]],
  [ApiKey.DeleteRecords, [TOPIC]],
  [ApiKey.CreateTopics, [TOPIC]],
  [ApiKey.DeleteTopics, [TOPIC]],
  [ApiKey.CreatePartitions, [TOPIC]],
  [ApiKey.DescribeConfigs, [TOPIC, CLUSTER]],
  [ApiKey.AlterConfigs, [TOPIC, CLUSTER]],
  [ApiKey.IncrementalAlterConfigs, [TOPIC, CLUSTER]],
  [ApiKey.DescribeCluster, [CLUSTER]],
  [ApiKey.ElectLeaders, [CLUSTER]],
  [ApiKey.AlterPartitionReassignments, [CLUSTER]],
  [ApiKey.ListPartitionReassignments, [CLUSTER]],
  [ApiKey.DescribeLogDirs, HIDDEN],
  [ApiKey.AlterReplicaLogDirs, [CLUSTER]],
  [ApiKey.DescribeProducers, [TOPIC]],
  [ApiKey.UpdateFeatures, [CLUSTER]],
  [ApiKey.FindCoordinator, [GROUP, TXN]],
  [ApiKey.JoinGroup, [GROUP]],
  [ApiKey.SyncGroup, [GROUP]],
  [ApiKey.Heartbeat, [GROUP]],
  [ApiKey.LeaveGroup, [GROUP]],
  [ApiKey.OffsetCommit, [GROUP]],
  [ApiKey.OffsetFetch, [GROUP]],
  [ApiKey.DescribeGroups, [GROUP]],
  [ApiKey.ListGroups, HIDDEN],
  [ApiKey.DeleteGroups, [GROUP]],
  [ApiKey.OffsetDelete, [GROUP]],
  [ApiKey.TxnOffsetCommit, [TXN]],
  [ApiKey.InitProducerId, [TXN, CLUSTER]],
  [ApiKey.AddPartitionsToTxn, [TXN]],
  [ApiKey.AddOffsetsToTxn, [TXN]],
  [ApiKey.EndTxn, [TXN]],
  [ApiKey.DescribeTransactions, [TXN]],
  [ApiKey.ListTransactions, HIDDEN],
  [ApiKey.CreateAcls, [CLUSTER]],
  [ApiKey.DescribeAcls, [CLUSTER]],
  [ApiKey.DeleteAcls, [CLUSTER]],
  [ApiKey.DescribeUserScramCredentials, [CLUSTER]],
  [ApiKey.AlterUserScramCredentials, [CLUSTER]],
  [ApiKey.DescribeClientQuotas, [CLUSTER]],
  [ApiKey.AlterClientQuotas, [CLUSTER]],
]);

/** The listing of each HIDDEN API, empty for a principal that may describe nothing. */
export const HIDDEN_LISTING: ReadonlyMap<number, string> = new Map([
  [ApiKey.DescribeLogDirs, 'results'],
  [ApiKey.ListGroups, 'groups'],
  [ApiKey.ListTransactions, 'transactionStates'],
]);

/** Refusals that may stand next to the authorization error in one response (Kafka's own words for "the rest was not tried"). */
export const ALONGSIDE: readonly number[] = [ErrorCode.NONE, ErrorCode.OPERATION_NOT_ATTEMPTED];

const GOLDEN: ReadonlyMap<number, ApiCase> = new Map(
  [...clusterCases, ...configCases, ...dataCases, ...groupCases, ...metadataCases, ...offsetCases, ...securityCases, ...txnCases].map((c) => [c.api as number, c]),
);

/** The golden request body of `apiKey` at `version`. */
export function goldenRequest(apiKey: number, version: number): unknown {
  const c = GOLDEN.get(apiKey);
  if (c === undefined) throw new Error(`no golden case for api ${apiKey}`);
  const body = c.request.body(version) as Record<string, unknown>;
  // The golden Metadata names a topic by id alone (v10+): Kafka refuses that as INVALID_REQUEST
  // before authorizing, so the matrix asks by name.
  if (apiKey === ApiKey.Metadata && Array.isArray(body['topics'])) return { ...body, topics: [{ topicId: NO_ID, name: 'orders' }] };
  return body;
}

/** Every numeric `errorCode` anywhere in a response. */
export function errorCodesIn(value: unknown, out: number[] = []): number[] {
  if (Array.isArray(value)) for (const v of value) errorCodesIn(v, out);
  else if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'errorCode' && typeof v === 'number') out.push(v);
      else errorCodesIn(v, out);
    }
  }
  return out;
}
