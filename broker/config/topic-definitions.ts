/**
 * Per-topic configuration keys (the ones `/config/topics/<t>` may hold), each with the broker key
 * that supplies its default, as in Kafka's LogConfig.
 */
import { type ConfigDef, INT_MAX } from './types.js';

const LONG_MAX = Number.MAX_SAFE_INTEGER;

/** Kafka 2.8's ApiVersion.allVersions: what message.format.version may name. */
const KAFKA_API_VERSIONS = [
  '0.8.0', '0.8.1', '0.8.2', '0.9.0', '0.10.0-IV0', '0.10.0-IV1', '0.10.1-IV0', '0.10.1-IV1', '0.10.1-IV2', '0.10.2-IV0',
  '0.11.0-IV0', '0.11.0-IV1', '0.11.0-IV2', '1.0-IV0', '1.1-IV0', '2.0-IV0', '2.0-IV1', '2.1-IV0', '2.1-IV1', '2.1-IV2',
  '2.2-IV0', '2.2-IV1', '2.3-IV0', '2.3-IV1', '2.4-IV0', '2.4-IV1', '2.5-IV0', '2.6-IV0', '2.7-IV0', '2.7-IV1', '2.7-IV2',
  '2.8-IV0', '2.8-IV1',
];

/** ApiVersion.apply: a full name, or its release ("2.8", "2.8.1", "0.10.0", "0.10.0.1"). */
function releaseOf(v: string): string {
  const parts = v.replace(/-IV\d+$/, '').split('.');
  return parts.slice(0, parts[0] === '0' ? 3 : 2).join('.');
}
const KNOWN_RELEASES = new Set(KAFKA_API_VERSIONS.map(releaseOf));

export const apiVersionCheck = (v: unknown): string | undefined =>
  typeof v === 'string' && (KAFKA_API_VERSIONS.includes(v) || (!/-IV/.test(v) && KNOWN_RELEASES.has(releaseOf(v))))
    ? undefined
    : `a Kafka version such as 2.8, 2.8-IV1 or 0.10.0 (up to ${KAFKA_API_VERSIONS[KAFKA_API_VERSIONS.length - 1]})`;

/** Kafka 2.8's ApiVersion.latestVersion: the default inter-broker protocol and message format. */
export const LATEST_API_VERSION = '2.8-IV1';

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
  t('message.format.version', 'string', 'log.message.format.version', LATEST_API_VERSION, 'Accepted for compatibility; batches are always stored as sent (format v2).', {
    check: apiVersionCheck,
  }),
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
