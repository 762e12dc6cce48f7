/**
 * The background work Kafka's LogManager schedules at startup: retention, the time-based flush,
 * the recovery-point / log-start-offset and high-watermark checkpoints, the log cleaner and
 * producer-id expiration. A failed run is logged and the task runs again at its next interval,
 * as in Kafka: one bad pass must not stop retention for good.
 */
import type { Logger } from 'pino';
import { every, type Cancellable, type Scheduler } from '../common/index.js';
import type { LogCleanerManager } from './cleaner/cleaner-manager.js';
import type { LogCheckpoints } from './log-checkpoints.js';
import type { LogManagerIntervals } from './log-manager-options.js';
import type { PartitionLog } from './partition-log.js';

/** What the scheduled tasks need of their LogManager. */
export interface LogTaskHost {
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly checkpoints: LogCheckpoints;
  readonly cleaner: LogCleanerManager;
  allLogs(): PartitionLog[];
}

export class LogManagerTasks {
  private readonly running: Cancellable[] = [];

  constructor(private readonly h: LogTaskHost) {}

  start(i: LogManagerIntervals, cleanerEnabled: boolean): void {
    const periodic = (name: string, ms: number, task: () => Promise<unknown>): void => {
      this.running.push(every(this.h.scheduler, ms, task, (err) => this.failed(name, err)));
    };
    periodic('log-retention', i.retentionCheckMs, () => this.runRetention());
    periodic('log-flusher', i.flushCheckMs, () => this.flushDirtyLogs());
    periodic('recovery-point-checkpoint', i.recoveryPointCheckpointMs, async () => {
      await this.h.checkpoints.recoveryPoints();
      await this.h.checkpoints.logStartOffsets();
    });
    periodic('highwatermark-checkpoint', i.highWatermarkCheckpointMs, () => this.h.checkpoints.highWatermarks());
    if (cleanerEnabled) periodic('log-cleaner', i.cleanerBackoffMs, () => this.h.cleaner.cleanFilthiest());
    periodic('producer-id-expiration', i.producerIdExpirationCheckMs, () => this.removeExpiredProducers());
  }

  stop(): void {
    for (const t of this.running.splice(0)) t.cancel();
  }

  failed(task: string, err: unknown): void {
    this.h.logger.error({ err, task }, 'storage task failed');
  }

  /** Deletes segments past retention in every log. Returns how many. */
  async runRetention(): Promise<number> {
    let deleted = 0;
    await this.eachLog('retention', async (log) => void (deleted += (await log.deleteOldSegments()).length));
    return deleted;
  }

  /** Forgets idle idempotent producers in every log. Returns how many. */
  async removeExpiredProducers(): Promise<number> {
    let removed = 0;
    await this.eachLog('producer-id-expiration', async (log) => void (removed += await log.removeExpiredProducers()));
    return removed;
  }

  async flushDirtyLogs(): Promise<void> {
    await this.eachLog('flush', (log) => log.maybeFlushOnTime());
  }

  /** Runs `task` on every log; a log whose directory fails meanwhile does not stop the others. */
  private async eachLog(name: string, task: (log: PartitionLog) => Promise<void>): Promise<void> {
    for (const log of this.h.allLogs()) {
      try {
        await task(log);
      } catch (err) {
        if (!log.isOffline) throw err;
        this.h.logger.debug({ task: name, topic: log.topic, partition: log.partition }, 'skipped a log whose directory failed');
      }
    }
  }
}
