/**
 * What a broker does when a log directory fails (Kafka's LogDirFailureHandler thread,
 * ReplicaManager.handleLogDirFailure and LogManager's all-offline halt):
 *
 *   one directory of several: its replicas stop being served here (replica manager), then the
 *   controller is told with a persistent sequential /log_dir_event_notification child; it asks
 *   this broker (LeaderAndIsr → KAFKA_STORAGE_ERROR per offline replica) and moves leadership and
 *   ISR membership away from them.
 *
 *   every directory: nothing is left to serve; the broker halts (its ZooKeeper session is closed
 *   so that the controller moves leadership at once, then the process exits non-zero).
 *
 * Failures arrive from storage synchronously, in the middle of whatever I/O failed. The replicas
 * stop being served at once and a halt starts at once; only the notifications are queued, one at
 * a time, so a ZooKeeper outage delays the controller hearing of it but nothing else.
 */
import type { Logger } from 'pino';
import { propagateLogDirEvent, type CoordinationStore } from '../coordination/index.js';
import type { LogDirFailure } from '../storage/index.js';
import type { Scheduler } from '../common/index.js';
import type { ReplicaManager } from './replica/index.js';

export interface LogDirFailureHandlerOptions {
  readonly brokerId: () => number;
  readonly store: CoordinationStore;
  /** Undefined while the broker is still starting (failures found when logs are loaded). */
  readonly replicaManager: () => ReplicaManager | undefined;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** Stops the broker for good (every directory failed). */
  readonly halt: (reason: string) => Promise<void>;
}

/** Between attempts to write the notification while ZooKeeper is unreachable. */
const PROPAGATE_BACKOFF_MS = 1_000;

export class LogDirFailureHandler {
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly o: LogDirFailureHandlerOptions) {}

  /** Storage's callback: never throws. */
  onFailure = (f: LogDirFailure): void => {
    const fail = (err: unknown): void => this.o.logger.error({ err, logDir: f.logDir }, 'handling a log directory failure failed');
    if (f.allOffline) {
      this.o.logger.fatal({ logDir: f.logDir, err: f.error }, 'every log directory has failed: halting the broker');
      this.o.halt(`every log directory failed (last ${f.logDir}: ${f.error.message})`).catch(fail);
      return;
    }
    // The replicas stop being served now (the synchronous part runs before this returns).
    const stopped = this.o.replicaManager()?.handleLogDirFailure(f.logDir, f.partitions) ?? Promise.resolve();
    this.chain = this.chain.then(async () => {
      await stopped;
      await this.propagate(f.logDir);
    }).catch(fail);
  };

  /** Stops retrying notifications (broker shutdown). */
  stop(): void {
    this.stopped = true;
  }

  /** Resolves when every failure reported so far has been handled (tests). */
  idle(): Promise<void> {
    return this.chain;
  }

  /** The controller must hear of it, or it keeps leaders here that no longer serve: retry until written. */
  private async propagate(logDir: string): Promise<void> {
    // Bounded by the broker's life: each attempt is bounded by the session's request timeout.
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        const path = await propagateLogDirEvent(this.o.store, this.o.brokerId());
        this.o.logger.warn({ logDir, notification: path }, 'told the controller about the failed log directory');
        return;
      } catch (err) {
        if (attempt === 1 || attempt % 30 === 0) this.o.logger.warn({ err, logDir, attempt }, 'could not write the log directory failure notification; retrying');
        await new Promise<void>((resolve) => this.o.scheduler.setTimeout(resolve, PROPAGATE_BACKOFF_MS));
      }
    }
  }
}
