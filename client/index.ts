// Public surface of client/: Producer, Consumer (manual assignment and consumer groups), Admin,
// and their building blocks (accumulator, partitioners, serializers, assignors, connection,
// cluster metadata, typed errors; the ConsumerProtocol codec is protocol/'s).
export { KafkaClientError, CLIENT_ERRORS, asClientError, isStaleMetadata, type ClientErrorCode } from './errors.js';
export { isRetriable } from '../common/index.js';
export { systemClock, systemScheduler, type Clock, type Scheduler, type TimerHandle } from '../common/index.js';
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
export { Connection, type ConnectionOptions, type SendOptions, type VersionRange, type ThrottleEvent } from './connection.js';
export { Cluster, type ClusterOptions, type TopicMetadata, type PartitionMetadata } from './cluster.js';
export { API, CLIENT_API_VERSIONS } from './wire.js';
export {
  Producer,
  autoSerializer,
  type ProducerOptions,
  type ProducerRecord,
  type DeliveryCallback,
  type CompressionName,
} from './producer/producer.js';
export { Transaction } from './producer/transaction.js';
export { isFatalTxnError, type TransactionState, type ConsumerGroupMetadata, type TopicPartitionOffset } from './producer/transaction-manager.js';
export { consumeTransformProduce, nextOffsets, type ConsumeTransformProduceOptions, type TransformResult } from './consume-transform-produce.js';
export { RecordAccumulator, type AccumulatorOptions, type AppendResult } from './producer/accumulator.js';
export { ProducerBatch, type RecordMetadata, type RecordHeader, type BatchResult } from './producer/batch.js';
export * from './consumer/assignors/index.js';
export type { ScramCredentialAlteration, ScramCredentialInfo } from './admin/scram.js';
export type { ClientQuotaAlteration, ClientQuotaEntity, ClientQuotaFilter, ClientQuotaKey } from './admin/quotas.js';
export type { SaslOptions, SslOptions, SecurityOptions, SaslMechanismName } from './security.js';
export { Admin, type AdminOptions, type NewTopic, type ClusterDescription, type ConfigResourceType } from './admin/admin.js';
export type { GroupListing, GroupDescription, GroupMemberDescription } from './admin/groups.js';
export type { TransactionListing, TransactionDescription, ListTransactionsFilter } from './admin/transactions.js';
export type { LogDirDescription, LogDirReplica, ReplicaLogDirMove } from './admin/log-dirs.js';
export { Consumer, type ConsumerOptions, type ConsumerRecord, type RebalanceListener, type EachBatchPayload } from './consumer/consumer.js';
export type { OffsetAndMetadata } from './consumer/group/group-client.js';
export type { TopicPartition, OffsetResetPolicy } from './consumer/fetcher.js';
export type { PartitionOffset, OffsetSpec, ConfigEntry } from './admin/offsets.js';
export * as mirror from './mirror/index.js';
