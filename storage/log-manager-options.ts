/** The log manager's options (LogManager.start) and what it tells its owner about failed directories. */
import type { KeyHasher } from './cleaner/offset-map.js';
import type { Clock, Scheduler } from '../common/index.js';
import type { LogConfig } from './config.js';
import type { StorageError } from './errors.js';
import type { Logger } from 'pino';

export interface LogManagerIntervals {
  /** log.retention.check.interval.ms */
  retentionCheckMs: number;
  /** log.flush.scheduler.interval.ms: how often flushIntervalMs is checked. */
  flushCheckMs: number;
  /** log.flush.offset.checkpoint.interval.ms (also log start offsets). */
  recoveryPointCheckpointMs: number;
  /** replica.high.watermark.checkpoint.interval.ms */
  highWatermarkCheckpointMs: number;
  /** log.cleaner.backoff.ms */
  cleanerBackoffMs: number;
  /** producer.id.expiration.check.interval.ms */
  producerIdExpirationCheckMs: number;
}

export interface LogManagerOptions {
  logDirs: readonly string[];
  /** Broker-wide defaults for every log (topic overrides come through getOrCreateLog / updateTopicConfig). */
  defaultConfig?: Partial<LogConfig>;
  /** Per-topic overrides known at startup (e.g. from /config/topics). */
  topicConfig?: (topic: string) => Partial<LogConfig> | undefined;
  clock?: Clock;
  scheduler?: Scheduler;
  logger?: Logger;
  /**
   * Kafka's recovery threads (num.recovery.threads.per.data.dir × log dirs). Opening or closing a
   * log mostly waits on the disk (fsyncs), not on this thread, so each "thread" keeps
   * OPENS_PER_RECOVERY_THREAD logs in flight.
   */
  openParallelism?: number;
  intervals?: Partial<LogManagerIntervals>;
  /** log.cleaner.dedupe.buffer.size */
  cleanerDedupeBufferBytes?: number;
  /** log.cleaner.enable */
  cleanerEnabled?: boolean;
  /** Key hasher for compaction (default xxhash64 from xxhash-wasm). */
  hasher?: KeyHasher;
  /** producer.id.expiration.ms (default 1 day): idle idempotent producers are forgotten after this. */
  producerIdExpirationMs?: number;
  /** Directories known to be unusable before start (their meta.properties could not be read). */
  initialOfflineDirs?: readonly string[];
  /** Told once per directory that goes offline; `allOffline` = no log directory is left (Kafka halts). */
  onLogDirFailure?: (failure: LogDirFailure) => void;
}

export interface LogDirFailure {
  readonly logDir: string;
  readonly error: StorageError;
  /** The logs that were in it (now offline), as `{ topic, partition }`. */
  readonly partitions: readonly { topic: string; partition: number }[];
  readonly allOffline: boolean;
}

export const DEFAULT_INTERVALS: LogManagerIntervals = {
  retentionCheckMs: 300_000,
  flushCheckMs: 1_000,
  recoveryPointCheckpointMs: 60_000,
  highWatermarkCheckpointMs: 5_000,
  cleanerBackoffMs: 15_000,
  producerIdExpirationCheckMs: 600_000,
};

/** Logs in flight per recovery thread at start and shutdown: the disk, not the CPU, is what they wait on. */
export const OPENS_PER_RECOVERY_THREAD = 32;
