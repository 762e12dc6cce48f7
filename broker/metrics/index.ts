// broker/metrics: Prometheus metrics of one broker, Kafka-named, in a per-broker registry.
export {
  BrokerMetrics,
  type BrokerMetricsOptions,
  type FetchEvent,
  type LeaderElectionEvent,
  type MetricsSample,
  type RequestTimeSample,
  type TopicCountersSample,
  type ProduceEvent,
  type ZooKeeperSessionObserver,
} from './broker-metrics.js';
export { METRIC_NAMES, ZOOKEEPER_SESSION_STATES, type MetricKey, type ZooKeeperSessionState } from './names.js';
export type {
  ControllerSnapshot,
  GroupLagSnapshot,
  GroupsSnapshot,
  LogSnapshot,
  LogDirsSnapshot,
  MetricProviders,
  ProviderName,
  PurgatorySnapshot,
  ReplicaManagerSnapshot,
} from './providers.js';
