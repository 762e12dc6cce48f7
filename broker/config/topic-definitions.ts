/**
 * Per-topic configuration keys (the ones `/config/topics/<t>` may hold), each with the broker key
 * that supplies its default, as in Kafka's LogConfig.
 */
import { type ConfigDef, INT_MAX } from './types.js';

const LONG_MAX = Number.MAX_SAFE_INTEGER;

const t = (
  key: string,
  type: ConfigDef['type'],
  brokerSynonym: string | undefined,
  dflt: ConfigDef['default'],
  doc: string,
  extra: Partial<ConfigDef> = {},
): ConfigDef => ({ key, type, default: dflt, doc, ...(brokerSynonym ? { brokerSynonym } : {}), ...extra });

export const TOPIC_CONFIG_DEFS: readonly ConfigDef[] = [
  t('cleanup.policy', 'list', 'log.cleanup.policy', ['delete'], 'delete, compact or both.', { oneOf: ['delete', 'compact'] }),
  t('compression.type', 'string', 'compression.type', 'producer', 'Compression of stored batches.', {
    oneOf: ['producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd'],
  }),
  t('delete.retention.ms', 'long', 'log.cleaner.delete.retention.ms', 86400000, 'Tombstone retention after cleaning.', { min: 0 }),
  t('file.delete.delay.ms', 'long', 'log.segment.delete.delay.ms', 60000, 'Delay before a deleted segment leaves the disk.', { min: 0 }),
  t('flush.messages', 'long', 'log.flush.interval.messages', LONG_MAX, 'fsync after this many messages.', { min: 1 }),
  t('flush.ms', 'long', 'log.flush.interval.ms', LONG_MAX, 'fsync when unflushed data is this old.', { min: 0 }),
  t('index.interval.bytes', 'int', 'log.index.interval.bytes', 4096, 'Bytes between offset index entries.', { min: 0, max: INT_MAX }),
  t('max.compaction.lag.ms', 'long', 'log.cleaner.max.compaction.lag.ms', LONG_MAX, 'Longest a dirty record waits for cleaning.', { min: 1 }),
  t('max.message.bytes', 'int', 'message.max.bytes', 1048588, 'Largest record batch.', { min: 0, max: INT_MAX }),
  t('message.timestamp.type', 'string', 'log.message.timestamp.type', 'CreateTime', 'CreateTime or LogAppendTime.', {
    oneOf: ['CreateTime', 'LogAppendTime'],
  }),
  t('message.timestamp.difference.max.ms', 'long', 'log.message.timestamp.difference.max.ms', LONG_MAX, 'Largest CreateTime skew.', { min: 0 }),
  t('message.downconversion.enable', 'boolean', undefined, true, 'Accepted for compatibility.'),
  t('min.cleanable.dirty.ratio', 'double', 'log.cleaner.min.cleanable.ratio', 0.5, 'Dirty ratio that triggers cleaning.', { min: 0, max: 1 }),
  t('min.compaction.lag.ms', 'long', 'log.cleaner.min.compaction.lag.ms', 0, 'Newest records stay uncompacted this long.', { min: 0 }),
  t('min.insync.replicas', 'int', 'min.insync.replicas', 1, 'In-sync replicas an acks=all write needs.', { min: 1, max: INT_MAX }),
  t('preallocate', 'boolean', 'log.preallocate', false, 'Preallocate segment files.'),
  t('retention.bytes', 'long', 'log.retention.bytes', -1, 'Largest partition size (-1: no limit).', { min: -1 }),
  t('retention.ms', 'long', 'log.retention.ms', 604800000, 'Segment age limit (-1: forever).', { min: -1 }),
  t('segment.bytes', 'int', 'log.segment.bytes', 1073741824, 'Largest segment file.', { min: 14, max: INT_MAX }),
  t('segment.index.bytes', 'int', 'log.index.size.max.bytes', 10485760, 'Largest offset index file.', { min: 4, max: INT_MAX }),
  t('segment.jitter.ms', 'long', 'log.roll.jitter.ms', 0, 'Jitter subtracted from segment.ms.', { min: 0 }),
  t('segment.ms', 'long', 'log.roll.ms', 604800000, 'Roll a segment after this long.', { min: 1 }),
  t('unclean.leader.election.enable', 'boolean', 'unclean.leader.election.enable', false, 'Allow out-of-sync leaders.'),
  t('leader.replication.throttled.replicas', 'list', undefined, [], 'Accepted for compatibility; no throttling yet.'),
  t('follower.replication.throttled.replicas', 'list', undefined, [], 'Accepted for compatibility; no throttling yet.'),
];
