/**
 * Topic, config and cluster administration, as Kafka 2.8's KafkaApis: CreateTopics needs Create
 * on the cluster or on each topic; DeleteTopics Delete; CreatePartitions Alter; DescribeConfigs
 * DescribeConfigs and (Incremental)AlterConfigs AlterConfigs, on the topic for TOPIC resources
 * and on the cluster for BROKER and BROKER_LOGGER ones; the controller APIs (ElectLeaders,
 * reassignments, UpdateFeatures) and CreateAcls/DeleteAcls Alter on the cluster,
 * ListPartitionReassignments, DescribeAcls and DescribeCluster Describe on it (SCRAM credentials:
 * Describe/AlterUserScramCredentials Describe/Alter on the cluster; client quotas:
 * DescribeClientQuotas DescribeConfigs, AlterClientQuotas AlterConfigs on the cluster); AlterReplicaLogDirs Alter on
 * the cluster (every replica answers CLUSTER_AUTHORIZATION_FAILED); DescribeLogDirs without
 * Describe on the cluster answers an empty list.
 */
import { ApiKey, ErrorCode } from '../../../protocol/index.js';
import { ALLOWED, answer, narrowList, Op, requireCluster, Res, type ApiPolicy, type AuthzView } from './kit.js';

const TOPIC_DENIED = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
const CLUSTER_DENIED = ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
const CONFIG_RESOURCE_TOPIC = 2;
const INT32_MIN = -2147483648;

const createTopics: ApiPolicy = (request, view) => {
  if (view.canCluster(Op.CREATE)) return ALLOWED;
  return narrowList<any>(request, 'topics', (t) => t.name, (name) => view.can(Op.CREATE, Res.TOPIC, name), 'topics', (t) => ({
    name: t.name, errorCode: TOPIC_DENIED, errorMessage: 'Authorization failed.', topicConfigErrorCode: TOPIC_DENIED, numPartitions: -1, replicationFactor: -1, configs: [],
  }));
};

const deleteTopics: ApiPolicy = (request, view) =>
  narrowList<string>(request, 'topicNames', (n) => n, (name) => view.can(Op.DELETE, Res.TOPIC, name), 'responses', (name) => ({ name, errorCode: TOPIC_DENIED, errorMessage: null }));

const createPartitions: ApiPolicy = (request, view) =>
  narrowList<any>(request, 'topics', (t) => t.name, (name) => view.can(Op.ALTER, Res.TOPIC, name), 'results', (t) => ({ name: t.name, errorCode: TOPIC_DENIED, errorMessage: null }));

/** Config resources: TOPIC ones on their topic, BROKER/BROKER_LOGGER ones on the cluster. */
function configPolicy(op: typeof Op.DESCRIBE_CONFIGS | typeof Op.ALTER_CONFIGS, responseField: string, refusedExtra: object): ApiPolicy {
  return (request, view) => {
    const key = (r: any): string => `${r.resourceType}\u0000${r.resourceName}`;
    const allowed = new Set<string>();
    for (const r of request.resources) if (r.resourceType === CONFIG_RESOURCE_TOPIC ? view.can(op, Res.TOPIC, r.resourceName) : view.canCluster(op)) allowed.add(key(r));
    return narrowList<any>(request, 'resources', key, (k) => allowed.has(k), responseField, (r) => ({
      errorCode: r.resourceType === CONFIG_RESOURCE_TOPIC ? TOPIC_DENIED : CLUSTER_DENIED,
      errorMessage: null,
      resourceType: r.resourceType,
      resourceName: r.resourceName,
      ...refusedExtra,
    }));
  };
}

const describeCluster: ApiPolicy = (request, view) => {
  if (!view.canCluster(Op.DESCRIBE)) {
    return answer({ throttleTimeMs: 0, errorCode: CLUSTER_DENIED, errorMessage: null, clusterId: '', controllerId: -1, brokers: [], clusterAuthorizedOperations: INT32_MIN });
  }
  if (!request.includeClusterAuthorizedOperations) return ALLOWED;
  return { kind: 'narrow', request, complete: (r: any) => ({ ...r, clusterAuthorizedOperations: view.operations(Res.CLUSTER, 'kafka-cluster') }) };
};

const describeLogDirs: ApiPolicy = (_request, view: AuthzView) => (view.canCluster(Op.DESCRIBE) ? ALLOWED : answer({ throttleTimeMs: 0, results: [] }));

export const ADMIN_POLICIES: ReadonlyMap<number, ApiPolicy> = new Map<number, ApiPolicy>([
  [ApiKey.CreateTopics, createTopics],
  [ApiKey.DeleteTopics, deleteTopics],
  [ApiKey.CreatePartitions, createPartitions],
  [ApiKey.DescribeConfigs, configPolicy(Op.DESCRIBE_CONFIGS, 'results', { configs: [] })],
  [ApiKey.AlterConfigs, configPolicy(Op.ALTER_CONFIGS, 'responses', {})],
  [ApiKey.IncrementalAlterConfigs, configPolicy(Op.ALTER_CONFIGS, 'responses', {})],
  [ApiKey.DescribeCluster, describeCluster],
  [ApiKey.DescribeLogDirs, describeLogDirs],
  [ApiKey.AlterReplicaLogDirs, requireCluster(Op.ALTER, CLUSTER_DENIED)],
  [ApiKey.ElectLeaders, requireCluster(Op.ALTER, CLUSTER_DENIED)],
  [ApiKey.AlterPartitionReassignments, requireCluster(Op.ALTER, CLUSTER_DENIED)],
  [ApiKey.ListPartitionReassignments, requireCluster(Op.DESCRIBE, CLUSTER_DENIED)],
  [ApiKey.UpdateFeatures, requireCluster(Op.ALTER, CLUSTER_DENIED)],
  [ApiKey.CreateAcls, requireCluster(Op.ALTER, CLUSTER_DENIED)],
  [ApiKey.DeleteAcls, requireCluster(Op.ALTER, CLUSTER_DENIED)],
  [ApiKey.DescribeAcls, requireCluster(Op.DESCRIBE, CLUSTER_DENIED)],
  [ApiKey.DescribeUserScramCredentials, requireCluster(Op.DESCRIBE, CLUSTER_DENIED)],
  [ApiKey.AlterUserScramCredentials, requireCluster(Op.ALTER, CLUSTER_DENIED)],
  [ApiKey.DescribeClientQuotas, requireCluster(Op.DESCRIBE_CONFIGS, CLUSTER_DENIED)],
  [ApiKey.AlterClientQuotas, requireCluster(Op.ALTER_CONFIGS, CLUSTER_DENIED)],
]);
