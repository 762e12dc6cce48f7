/**
 * Creation of `__consumer_offsets` on first use, as Kafka's KafkaApis.createInternalTopic does:
 * offsets.topic.num.partitions partitions, offsets.topic.replication.factor replicas, compacted,
 * and refused (the caller answers COORDINATOR_NOT_AVAILABLE) while fewer brokers are alive than
 * the replication factor, so that a cluster starting up does not get an under-replicated offsets
 * topic forever.
 */
import { kafkaErrorOf } from '../../common/index.js';
import type { Logger } from '../logging.js';
import { OffsetsLogError } from './errors.js';
import { OFFSETS_TOPIC_NAME } from './partition-for.js';

export interface OffsetsTopicSpec {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
}

export interface OffsetsTopicEnsurerOptions {
  /** offsets.topic.num.partitions */
  numPartitions: number;
  /** offsets.topic.replication.factor */
  replicationFactor: number;
  /** offsets.topic.segment.bytes (Kafka's default 100 MiB when omitted). */
  segmentBytes?: number;
  /** True once the topic is known (the MetadataCache has it). */
  topicExists(): boolean;
  liveBrokerCount(): number;
  /** TopicAdmin.createTopic or equivalent; "already exists" counts as success. */
  createTopic(spec: OffsetsTopicSpec): Promise<unknown>;
  logger?: Logger;
}

const DEFAULT_SEGMENT_BYTES = 104857600;

function alreadyExists(err: unknown): boolean {
  return kafkaErrorOf(err) === 'TOPIC_ALREADY_EXISTS';
}

/**
 * Creation on first use of an internal topic (Kafka's createInternalTopic): `numPartitions`
 * partitions, `replicationFactor` replicas, the given configs, refused while fewer brokers are
 * alive than the replication factor (`replicationFactorKey` names the setting in the message).
 * Concurrent callers share one creation attempt; once the topic exists it costs nothing.
 */
export function internalTopicEnsurer(o: {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  replicationFactorKey: string;
  configs: Record<string, string>;
  topicExists(): boolean;
  liveBrokerCount(): number;
  createTopic(spec: OffsetsTopicSpec): Promise<unknown>;
  logger?: Logger;
}): () => Promise<void> {
  let inFlight: Promise<void> | null = null;
  const create = async (): Promise<void> => {
    const alive = o.liveBrokerCount();
    if (alive < o.replicationFactor) {
      throw new OffsetsLogError(
        'BRK_GROUP_OFFSETS_TOPIC_UNAVAILABLE',
        `Number of alive brokers '${alive}' does not meet the required replication factor '${o.replicationFactor}' for the ${o.name} topic ` +
          `(configured via '${o.replicationFactorKey}'). This error can be ignored if the cluster is starting up and not all brokers are up yet.`,
      );
    }
    try {
      await o.createTopic({ name: o.name, numPartitions: o.numPartitions, replicationFactor: o.replicationFactor, configs: o.configs });
      o.logger?.info({ topic: o.name, partitions: o.numPartitions, replicationFactor: o.replicationFactor }, 'created internal topic');
    } catch (err) {
      if (alreadyExists(err)) return;
      throw err;
    }
  };
  return async () => {
    if (o.topicExists()) return;
    inFlight ??= create().finally(() => {
      inFlight = null;
    });
    return inFlight;
  };
}

/** `ensureOffsetsTopic()` for GroupApiDeps: `__consumer_offsets`, compacted. */
export function offsetsTopicEnsurer(o: OffsetsTopicEnsurerOptions): () => Promise<void> {
  return internalTopicEnsurer({
    ...o,
    name: OFFSETS_TOPIC_NAME,
    replicationFactorKey: 'offsets.topic.replication.factor',
    configs: {
      'cleanup.policy': 'compact',
      'compression.type': 'producer',
      'segment.bytes': String(o.segmentBytes ?? DEFAULT_SEGMENT_BYTES),
    },
  });
}
