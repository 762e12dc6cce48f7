/** Kafka's znode paths (ZkData.scala), in one place. */
export const BROKERS_PATH = '/brokers';
export const BROKER_IDS_PATH = `${BROKERS_PATH}/ids`;
export const BROKER_TOPICS_PATH = `${BROKERS_PATH}/topics`;
export const BROKER_SEQUENCE_ID_PATH = `${BROKERS_PATH}/seqid`;
export const CONTROLLER_PATH = '/controller';
export const CONTROLLER_EPOCH_PATH = '/controller_epoch';
export const CONFIG_PATH = '/config';
export const CONFIG_CHANGES_PATH = `${CONFIG_PATH}/changes`;
export const CONFIG_CHANGE_PREFIX = 'config_change_';
export const ADMIN_PATH = '/admin';
export const DELETE_TOPICS_PATH = `${ADMIN_PATH}/delete_topics`;
export const REASSIGN_PARTITIONS_PATH = `${ADMIN_PATH}/reassign_partitions`;
export const PREFERRED_REPLICA_ELECTION_PATH = `${ADMIN_PATH}/preferred_replica_election`;
export const ISR_CHANGE_NOTIFICATION_PATH = '/isr_change_notification';
export const LOG_DIR_EVENT_NOTIFICATION_PATH = '/log_dir_event_notification';
export const LOG_DIR_EVENT_PREFIX = 'log_dir_event_';
export const CLUSTER_ID_PATH = '/cluster/id';
export const PRODUCER_ID_BLOCK_PATH = '/latest_producer_id_block';
export const CONSUMERS_PATH = '/consumers';

export type ConfigEntityType = 'topics' | 'clients' | 'users' | 'brokers';

/** ZkData.PersistentZkPaths: created at every broker start. */
export const PERSISTENT_PATHS: readonly string[] = [
  CONSUMERS_PATH,
  BROKER_IDS_PATH,
  BROKER_TOPICS_PATH,
  CONFIG_CHANGES_PATH,
  DELETE_TOPICS_PATH,
  BROKER_SEQUENCE_ID_PATH,
  ISR_CHANGE_NOTIFICATION_PATH,
  PRODUCER_ID_BLOCK_PATH,
  LOG_DIR_EVENT_NOTIFICATION_PATH,
  `${CONFIG_PATH}/topics`,
  `${CONFIG_PATH}/clients`,
  `${CONFIG_PATH}/users`,
  `${CONFIG_PATH}/brokers`,
];

export const brokerIdPath = (id: number): string => `${BROKER_IDS_PATH}/${id}`;
export const topicPath = (topic: string): string => `${BROKER_TOPICS_PATH}/${topic}`;
export const topicPartitionsPath = (topic: string): string => `${topicPath(topic)}/partitions`;
export const partitionPath = (topic: string, partition: number): string => `${topicPartitionsPath(topic)}/${partition}`;
export const partitionStatePath = (topic: string, partition: number): string => `${partitionPath(topic, partition)}/state`;
/** The entity name of cluster-wide defaults (`/config/brokers/<default>`, Kafka's ConfigEntityName.Default). */
export const DEFAULT_CONFIG_ENTITY = '<default>';
export const configEntityPath = (type: ConfigEntityType, name: string): string => `${CONFIG_PATH}/${type}/${name}`;
export const topicConfigPath = (topic: string): string => configEntityPath('topics', topic);
export const deleteTopicPath = (topic: string): string => `${DELETE_TOPICS_PATH}/${topic}`;

/** AclAuthorizer's znodes (ZkData: AclZNode, ExtendedAclZNode, their change stores). */
export const ACL_LITERAL_PATH = '/kafka-acl';
export const ACL_PREFIXED_PATH = '/kafka-acl-extended/prefixed';
export const ACL_LITERAL_CHANGES_PATH = '/kafka-acl-changes';
export const ACL_EXTENDED_CHANGES_PATH = '/kafka-acl-extended-changes';
export const ACL_CHANGE_PREFIX = 'acl_changes_';
export type AclPatternStore = 'LITERAL' | 'PREFIXED';
/** `/kafka-acl/Topic/foo` or `/kafka-acl-extended/prefixed/Topic/fo`; the type is Kafka's Pascal-case name. */
export const aclResourcePath = (pattern: AclPatternStore, resourceType: string, name: string): string =>
  `${pattern === 'LITERAL' ? ACL_LITERAL_PATH : ACL_PREFIXED_PATH}/${resourceType}/${name}`;
