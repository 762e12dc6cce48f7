/**
 * Per-log configuration as a plain object with units in the names. The broker maps Kafka's
 * topic keys (`segment.bytes`, `retention.ms`, ...) onto it; storage never reads properties files.
 */
import { StorageError } from './errors.js';

export type CleanupPolicy = 'delete' | 'compact';
export type TimestampType = 'CreateTime' | 'LogAppendTime';

export interface LogConfig {
  /** Roll when the active segment would exceed this size (`segment.bytes`). */
  segmentBytes: number;
  /** Roll when the first batch of the active segment is older than this (`segment.ms`). */
  segmentMs: number;
  /** Random per-segment amount subtracted from segmentMs so logs do not all roll at once. */
  segmentJitterMs: number;
  /** Maximum size of one offset or time index (`segment.index.bytes`); a full index rolls. */
  segmentIndexBytes: number;
  /** Bytes appended between sparse index entries (`index.interval.bytes`). */
  indexIntervalBytes: number;
  /** Delete segments whose newest record is older than this; -1 keeps forever (`retention.ms`). */
  retentionMs: number;
  /** Delete old segments while the log is larger than this; -1 disables (`retention.bytes`). */
  retentionBytes: number;
  cleanupPolicy: readonly CleanupPolicy[];
  /** How long tombstones survive after the segment holding them was cleaned (`delete.retention.ms`). */
  deleteRetentionMs: number;
  /** Records younger than this are never compacted (`min.compaction.lag.ms`). */
  minCompactionLagMs: number;
  /** Compact only when dirty bytes / cleanable bytes exceed this (`min.cleanable.dirty.ratio`). */
  minCleanableDirtyRatio: number;
  /** fsync after this many messages (`flush.messages`); Infinity = never. */
  flushIntervalMessages: number;
  /** fsync when the last flush is older than this (`flush.ms`); Infinity = never. */
  flushIntervalMs: number;
  /** Delay between renaming a segment `.deleted` and removing it (`file.delete.delay.ms`). */
  fileDeleteDelayMs: number;
  /** Largest batch accepted from a producer, in bytes (`max.message.bytes`). */
  maxMessageBytes: number;
  messageTimestampType: TimestampType;
}

/** Kafka 2.x topic defaults. */
const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 3600 * 1000,
  segmentJitterMs: 0,
  segmentIndexBytes: 10 * 1024 * 1024,
  indexIntervalBytes: 4096,
  retentionMs: 7 * 24 * 3600 * 1000,
  retentionBytes: -1,
  cleanupPolicy: Object.freeze(['delete'] as CleanupPolicy[]),
  deleteRetentionMs: 24 * 3600 * 1000,
  minCompactionLagMs: 0,
  minCleanableDirtyRatio: 0.5,
  flushIntervalMessages: Number.POSITIVE_INFINITY,
  flushIntervalMs: Number.POSITIVE_INFINITY,
  fileDeleteDelayMs: 60_000,
  maxMessageBytes: 1024 * 1024 + 12,
  messageTimestampType: 'CreateTime' as TimestampType,
});

/** Fills defaults and rejects values that would break the on-disk format. */
export function resolveLogConfig(partial: Partial<LogConfig> = {}): Readonly<LogConfig> {
  const c: LogConfig = { ...DEFAULT_LOG_CONFIG, ...partial };
  const bad = (key: keyof LogConfig, rule: string): never => {
    throw new StorageError('STG_INVALID_CONFIG', `LogConfig.${key} = ${String(c[key])}: ${rule}`);
  };
  // Positions in the offset index are int32, so a segment must stay below 2 GiB.
  if (!Number.isInteger(c.segmentBytes) || c.segmentBytes < 14 || c.segmentBytes > 0x7fffffff) bad('segmentBytes', 'integer in [14, 2^31-1]');
  if (!(c.segmentMs > 0)) bad('segmentMs', 'must be > 0');
  if (!(c.segmentJitterMs >= 0)) bad('segmentJitterMs', 'must be >= 0');
  if (!Number.isInteger(c.segmentIndexBytes) || c.segmentIndexBytes < 12) bad('segmentIndexBytes', 'integer >= 12');
  if (!Number.isInteger(c.indexIntervalBytes) || c.indexIntervalBytes < 0) bad('indexIntervalBytes', 'integer >= 0');
  if (!(c.retentionMs >= -1)) bad('retentionMs', 'must be >= -1');
  if (!(c.retentionBytes >= -1)) bad('retentionBytes', 'must be >= -1');
  if (c.cleanupPolicy.length === 0 || c.cleanupPolicy.some((p) => p !== 'delete' && p !== 'compact')) bad('cleanupPolicy', "non-empty list of 'delete' | 'compact'");
  if (!(c.deleteRetentionMs >= 0)) bad('deleteRetentionMs', 'must be >= 0');
  if (!(c.minCompactionLagMs >= 0)) bad('minCompactionLagMs', 'must be >= 0');
  if (!(c.minCleanableDirtyRatio >= 0 && c.minCleanableDirtyRatio <= 1)) bad('minCleanableDirtyRatio', 'in [0, 1]');
  if (!(c.flushIntervalMessages >= 1)) bad('flushIntervalMessages', 'must be >= 1');
  if (!(c.flushIntervalMs >= 0)) bad('flushIntervalMs', 'must be >= 0');
  if (!(c.fileDeleteDelayMs >= 0)) bad('fileDeleteDelayMs', 'must be >= 0');
  if (!Number.isInteger(c.maxMessageBytes) || c.maxMessageBytes < 0) bad('maxMessageBytes', 'integer >= 0');
  if (c.messageTimestampType !== 'CreateTime' && c.messageTimestampType !== 'LogAppendTime') bad('messageTimestampType', "'CreateTime' | 'LogAppendTime'");
  return Object.freeze(c);
}
