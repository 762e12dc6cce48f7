/**
 * The per-log-directory checkpoint files of one LogManager (Kafka's recovery-point,
 * replication-offset, log-start-offset and cleaner-offset checkpoints): one file per live log
 * directory, written one at a time. A directory whose write fails goes offline; the others are
 * still written, so one bad disk does not stop the broker remembering where the good ones are.
 */
import {
  CLEANER_OFFSET_CHECKPOINT, LOG_START_OFFSET_CHECKPOINT, RECOVERY_POINT_CHECKPOINT, REPLICATION_OFFSET_CHECKPOINT,
} from './files.js';
import { checkpointEntries, writeCheckpointPerDir } from './log-dirs.js';
import type { LogEntry } from './log-moves.js';
import type { PartitionLog } from './partition-log.js';
import { SerialQueue } from './serial-queue.js';

/** What the checkpoints need of their LogManager. */
export interface CheckpointHost {
  readonly logs: ReadonlyMap<string, LogEntry>;
  liveLogDirs(): string[];
  /** An I/O error takes `logDir` offline and is rethrown; anything else is rethrown as is. */
  failed(logDir: string, err: unknown): never;
  cleanerCheckpoint(topic: string, partition: number): bigint | undefined;
}

export class LogCheckpoints {
  private readonly queue = new SerialQueue();

  constructor(private readonly h: CheckpointHost) {}

  recoveryPoints(): Promise<void> {
    return this.write(RECOVERY_POINT_CHECKPOINT, (l) => l.recoveryPoint);
  }

  highWatermarks(): Promise<void> {
    return this.write(REPLICATION_OFFSET_CHECKPOINT, (l) => l.highWatermark);
  }

  logStartOffsets(): Promise<void> {
    return this.write(LOG_START_OFFSET_CHECKPOINT, (l) => l.logStartOffset);
  }

  cleanerOffsets(): Promise<void> {
    return this.write(CLEANER_OFFSET_CHECKPOINT, (l) => this.h.cleanerCheckpoint(l.topic, l.partition));
  }

  async all(): Promise<void> {
    await this.recoveryPoints();
    await this.highWatermarks();
    await this.logStartOffsets();
    await this.cleanerOffsets();
  }

  private write(name: string, value: (log: PartitionLog) => bigint | undefined): Promise<void> {
    const entriesOf = (logDir: string) => checkpointEntries(this.h.logs.values(), logDir, value);
    const onFailure = (logDir: string, err: unknown): unknown => {
      try {
        return this.h.failed(logDir, err);
      } catch (e) {
        return e;
      }
    };
    return this.queue.run(() => writeCheckpointPerDir(this.h.liveLogDirs(), name, entriesOf, onFailure));
  }
}
