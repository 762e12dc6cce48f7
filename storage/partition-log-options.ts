/** What opening a partition log takes, and what an append answers. */
import type { Logger } from 'pino';
import type { Clock, Scheduler } from '../common/index.js';
import type { LogConfig } from './config.js';
import type { StorageError } from './errors.js';
import type { PartitionLog } from './partition-log.js';
import type { WriterFs } from './segment-writer.js';

export interface PartitionLogOptions {
  /** The partition directory itself (`<logDir>/<topic>-<partition>`); created if missing. */
  dir: string;
  topic: string;
  partition: number;
  config?: Partial<LogConfig>;
  clock?: Clock;
  scheduler?: Scheduler;
  logger?: Logger;
  /** From recovery-point-offset-checkpoint; after an unclean shutdown batches from here on are re-validated (default 0: all). */
  recoveryPoint?: bigint;
  /** From log-start-offset-checkpoint (DeleteRecords may have moved it inside a segment). */
  logStartOffset?: bigint;
  /** From replication-offset-checkpoint. */
  highWatermark?: bigint;
  /** Source of segment roll jitter (default Math.random). */
  random?: () => number;
  /** Told after logStartOffset moved, so the owner can checkpoint it promptly. */
  onLogStartOffsetChange?: (log: PartitionLog) => void;
  /** `producer.id.expiration.ms` (default 1 day): idle idempotent producers are forgotten after this. */
  producerIdExpirationMs?: number;
  /**
   * Told once when an operation hits an I/O error (Kafka's LogDirFailureChannel): the log is
   * offline from then on, and the owner takes the whole log directory offline.
   */
  onIoError?: (err: StorageError, log: PartitionLog) => void;
  /** The writes of segments created from now on (default node:fs); tests slow them down or fail them. */
  writerFs?: WriterFs;
}

export interface AppendResult {
  firstOffset: bigint;
  lastOffset: bigint;
  /** The broker time stamped into the batches with LogAppendTime, else -1. */
  logAppendTime: bigint;
  recordCount: number;
  /**
   * True when the batches were retries of batches already in the log (idempotent producer whose
   * response was lost): nothing was written and the offsets are those of the ORIGINAL append.
   */
  duplicate?: boolean;
}

export const DEFAULT_PRODUCER_ID_EXPIRATION_MS = 86_400_000;
