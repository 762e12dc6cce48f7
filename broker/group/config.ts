/** The group coordinator's settings, with Kafka's defaults and Kafka's config keys. */
export interface GroupCoordinatorConfig {
  /** group.min.session.timeout.ms */
  groupMinSessionTimeoutMs: number;
  /** group.max.session.timeout.ms */
  groupMaxSessionTimeoutMs: number;
  /** group.initial.rebalance.delay.ms */
  groupInitialRebalanceDelayMs: number;
  /** group.max.size */
  groupMaxSize: number;
  /** offsets.retention.minutes × 60000 */
  offsetsRetentionMs: number;
  /** offsets.retention.check.interval.ms */
  offsetsRetentionCheckIntervalMs: number;
  /** offsets.topic.num.partitions */
  offsetsTopicNumPartitions: number;
  /** offsets.commit.timeout.ms: longest wait for a durable append before answering. */
  offsetsCommitTimeoutMs: number;
  /** offset.metadata.max.bytes */
  offsetMetadataMaxBytes: number;
}

export const DEFAULT_GROUP_COORDINATOR_CONFIG: Readonly<GroupCoordinatorConfig> = Object.freeze({
  groupMinSessionTimeoutMs: 6000,
  groupMaxSessionTimeoutMs: 1800000,
  groupInitialRebalanceDelayMs: 3000,
  groupMaxSize: 2147483647,
  offsetsRetentionMs: 10080 * 60000,
  offsetsRetentionCheckIntervalMs: 600000,
  offsetsTopicNumPartitions: 50,
  offsetsCommitTimeoutMs: 5000,
  offsetMetadataMaxBytes: 4096,
});

/** Read the coordinator's settings from a loaded broker config (anything with `int(key)`). */
export function groupCoordinatorConfigFrom(config: { int(key: string): number }): GroupCoordinatorConfig {
  return {
    groupMinSessionTimeoutMs: config.int('group.min.session.timeout.ms'),
    groupMaxSessionTimeoutMs: config.int('group.max.session.timeout.ms'),
    groupInitialRebalanceDelayMs: config.int('group.initial.rebalance.delay.ms'),
    groupMaxSize: config.int('group.max.size'),
    offsetsRetentionMs: config.int('offsets.retention.minutes') * 60000,
    offsetsRetentionCheckIntervalMs: config.int('offsets.retention.check.interval.ms'),
    offsetsTopicNumPartitions: config.int('offsets.topic.num.partitions'),
    offsetsCommitTimeoutMs: config.int('offsets.commit.timeout.ms'),
    offsetMetadataMaxBytes: DEFAULT_GROUP_COORDINATOR_CONFIG.offsetMetadataMaxBytes,
  };
}
