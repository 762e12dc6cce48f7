// Public surface of client/: Producer, Consumer (manual assignment and consumer groups), Admin,
// and their building blocks (accumulator, partitioners, serializers, assignors and the
// ConsumerProtocol codecs, connection, cluster metadata, typed errors).
export { KafkaClientError, CLIENT_ERROR_CODES, isRetriable, isStaleMetadata, type ClientErrorCode } from './errors.js';
export { systemClock, systemScheduler, type Clock, type Scheduler, type TimerHandle } from './clock.js';
export { bytesSerde, stringSerde, jsonSerde, msgpackSerde, type Serializer, type Deserializer, type Serde } from './serializers.js';
export { murmur2, toPositive } from './partitioners/murmur2.js';
export { loadXxhash, xxhash32 } from './partitioners/xxhash.js';
export {
  defaultPartitioner,
  murmur2Partitioner,
  roundRobinPartitioner,
  customPartitioner,
  StickyPartitionCache,
  type Partitioner,
  type PartitionerArgs,
} from './partitioners/partitioner.js';
export { Connection, type ConnectionOptions, type SendOptions, type VersionRange } from './connection.js';
export { Cluster, parseHostPort, type ClusterOptions, type TopicMetadata, type PartitionMetadata } from './cluster.js';
export { API, CLIENT_API_VERSIONS } from './wire.js';
export {
  Producer,
  autoSerializer,
  type ProducerOptions,
  type ProducerRecord,
  type DeliveryCallback,
  type CompressionName,
} from './producer/producer.js';
export { RecordAccumulator, type AccumulatorOptions, type AppendResult } from './producer/accumulator.js';
export { ProducerBatch, type RecordMetadata, type RecordHeader, type BatchResult } from './producer/batch.js';
export * from './consumer/assignors/index.js';
export { Admin, type AdminOptions, type NewTopic, type ClusterDescription, type ConfigResourceType } from './admin/admin.js';
export type { GroupListing, GroupDescription, GroupMemberDescription } from './admin/groups.js';
export { Consumer, type ConsumerOptions, type ConsumerRecord, type RebalanceListener, type EachBatchPayload } from './consumer/consumer.js';
export type { OffsetAndMetadata } from './consumer/group/group-client.js';
export type { TopicPartition, OffsetResetPolicy } from './consumer/fetcher.js';
export type { PartitionOffset, OffsetSpec, ConfigEntry } from './admin/offsets.js';
export * as mirror from './mirror/index.js';
