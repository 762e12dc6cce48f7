/**
 * Metric names, in the JMX-exporter spelling of Kafka's own MBeans so that dashboards and alerts
 * written for Kafka work unchanged. The rule: `kafka.server:type=ReplicaManager,name=LeaderCount`
 * becomes `kafka_server_replicamanager_leadercount` (domain dots and type/name joined with `_`,
 * lowercased); MBean tags (`topic`, `partition`, `request`, …) become labels; a meter
 * (`BytesInPerSec`) becomes a counter without `PerSec` and with `_total` (rates belong to
 * PromQL's `rate()`); a timer in ms keeps its name and unit (`TotalTimeMs`) as a histogram.
 * Where Kafka has no MBean, the name comes from kafka_exporter (consumer lag) or starts with
 * `samsa_`.
 */
export const METRIC_NAMES = Object.freeze({
  // kafka.server:type=ReplicaManager
  underReplicatedPartitions: 'kafka_server_replicamanager_underreplicatedpartitions',
  underMinIsrPartitionCount: 'kafka_server_replicamanager_underminisrpartitioncount',
  atMinIsrPartitionCount: 'kafka_server_replicamanager_atminisrpartitioncount',
  offlineReplicaCount: 'kafka_server_replicamanager_offlinereplicacount',
  leaderCount: 'kafka_server_replicamanager_leadercount',
  partitionCount: 'kafka_server_replicamanager_partitioncount',
  isrShrinks: 'kafka_server_replicamanager_isrshrinks_total',
  isrExpands: 'kafka_server_replicamanager_isrexpands_total',
  /** Kafka has no such fence: 1 while this broker may have lost its ZooKeeper session. */
  zooKeeperFenced: 'samsa_server_replicamanager_zookeeperfenced',
  zooKeeperFencedPartitions: 'samsa_server_replicamanager_zookeeperfencedpartitions',
  // kafka.controller:type=KafkaController
  activeControllerCount: 'kafka_controller_kafkacontroller_activecontrollercount',
  offlinePartitionsCount: 'kafka_controller_kafkacontroller_offlinepartitionscount',
  globalTopicCount: 'kafka_controller_kafkacontroller_globaltopiccount',
  globalPartitionCount: 'kafka_controller_kafkacontroller_globalpartitioncount',
  preferredReplicaImbalanceCount: 'kafka_controller_kafkacontroller_preferredreplicaimbalancecount',
  controllerEpoch: 'kafka_controller_kafkacontroller_controllerepoch',
  // kafka.controller:type=ControllerStats
  leaderElectionRateAndTimeMs: 'kafka_controller_controllerstats_leaderelectionrateandtimems',
  uncleanLeaderElections: 'kafka_controller_controllerstats_uncleanleaderelections_total',
  // kafka.server:type=BrokerTopicMetrics,topic=<t>
  bytesIn: 'kafka_server_brokertopicmetrics_bytesin_total',
  bytesOut: 'kafka_server_brokertopicmetrics_bytesout_total',
  messagesIn: 'kafka_server_brokertopicmetrics_messagesin_total',
  bytesRejected: 'kafka_server_brokertopicmetrics_bytesrejected_total',
  replicationBytesIn: 'kafka_server_brokertopicmetrics_replicationbytesin_total',
  replicationBytesOut: 'kafka_server_brokertopicmetrics_replicationbytesout_total',
  totalProduceRequests: 'kafka_server_brokertopicmetrics_totalproducerequests_total',
  totalFetchRequests: 'kafka_server_brokertopicmetrics_totalfetchrequests_total',
  failedProduceRequests: 'kafka_server_brokertopicmetrics_failedproducerequests_total',
  failedFetchRequests: 'kafka_server_brokertopicmetrics_failedfetchrequests_total',
  /** Kafka counts only bytes out; records sent to consumers, from the batch headers. */
  messagesOut: 'samsa_server_brokertopicmetrics_messagesout_total',
  // kafka.server:type=FetchSessionCache
  numIncrementalFetchSessions: 'kafka_server_fetchsessioncache_numincrementalfetchsessions',
  numIncrementalFetchPartitionsCached: 'kafka_server_fetchsessioncache_numincrementalfetchpartitionscached',
  incrementalFetchSessionEvictions: 'kafka_server_fetchsessioncache_incrementalfetchsessionevictions_total',
  // kafka.server:type=Produce|Fetch|Request|ControllerMutation,user=<u>,client-id=<c> (client quotas)
  produceByteRate: 'kafka_server_produce_byte_rate',
  produceThrottleTime: 'kafka_server_produce_throttle_time',
  fetchByteRate: 'kafka_server_fetch_byte_rate',
  fetchThrottleTime: 'kafka_server_fetch_throttle_time',
  requestRequestTime: 'kafka_server_request_request_time',
  requestThrottleTime: 'kafka_server_request_throttle_time',
  controllerMutationRate: 'kafka_server_controllermutation_mutation_rate',
  controllerMutationThrottleTime: 'kafka_server_controllermutation_throttle_time',
  // kafka.network:type=RequestMetrics,request=<api>
  requests: 'kafka_network_requestmetrics_requests_total',
  requestTotalTimeMs: 'kafka_network_requestmetrics_totaltimems',
  /** Kafka has no MBean for requests that closed the connection instead of answering. */
  requestConnectionCloses: 'samsa_network_requestmetrics_connectioncloses_total',
  // kafka.server:type=socket-server-metrics,listener=<l> successful/failed-authentication-total
  authentications: 'kafka_server_socket_server_metrics_authentication_total',
  // kafka.server:type=DelayedOperationPurgatory,delayedOperation=Produce|Fetch
  purgatorySize: 'kafka_server_delayedoperationpurgatory_purgatorysize',
  // kafka.coordinator.group:type=GroupMetadataManager
  numGroups: 'kafka_coordinator_group_groupmetadatamanager_numgroups',
  numGroupsPreparingRebalance: 'kafka_coordinator_group_groupmetadatamanager_numgroupspreparingrebalance',
  numGroupsCompletingRebalance: 'kafka_coordinator_group_groupmetadatamanager_numgroupscompletingrebalance',
  numGroupsStable: 'kafka_coordinator_group_groupmetadatamanager_numgroupsstable',
  numGroupsDead: 'kafka_coordinator_group_groupmetadatamanager_numgroupsdead',
  numGroupsEmpty: 'kafka_coordinator_group_groupmetadatamanager_numgroupsempty',
  // Kafka 2.8 exports no per-state count of transactional ids nor a marker backlog by id
  // (its TransactionMarkerChannelManager queues count requests): Samsa's own names.
  transactionalIds: 'samsa_coordinator_transaction_transactionalids',
  transactionsPendingMarkers: 'samsa_coordinator_transaction_pendingmarkers',
  // kafka_exporter's names: Kafka brokers do not export lag themselves.
  consumerGroupLag: 'kafka_consumergroup_lag',
  consumerGroupCurrentOffset: 'kafka_consumergroup_current_offset',
  // kafka.server:type=SessionExpireListener
  zooKeeperSessionState: 'kafka_server_sessionexpirelistener_sessionstate',
  zooKeeperExpires: 'kafka_server_sessionexpirelistener_zookeeperexpires_total',
  zooKeeperSyncConnects: 'kafka_server_sessionexpirelistener_zookeepersyncconnects_total',
  // kafka.log:type=LogManager (LogDirectoryOffline is tagged logDirectory=<dir>)
  offlineLogDirectoryCount: 'kafka_log_logmanager_offlinelogdirectorycount',
  logDirectoryOffline: 'kafka_log_logmanager_logdirectoryoffline',
  // kafka.log:type=Log,topic=<t>,partition=<p>
  logSize: 'kafka_log_log_size',
  logStartOffset: 'kafka_log_log_logstartoffset',
  logEndOffset: 'kafka_log_log_logendoffset',
  logNumSegments: 'kafka_log_log_numlogsegments',
});

export type MetricKey = keyof typeof METRIC_NAMES;

/** Kafka's SessionState values (ZooKeeper's KeeperState names). */
export const ZOOKEEPER_SESSION_STATES = ['CONNECTED', 'DISCONNECTED', 'EXPIRED', 'CLOSED'] as const;
export type ZooKeeperSessionState = (typeof ZOOKEEPER_SESSION_STATES)[number];
