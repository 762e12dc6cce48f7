/**
 * One log's lifecycle and single writer (Kafka's UnifiedLog lock plus its closeHandlers): open →
 * closed, or offline after an I/O error. Every mutation runs through one SerialQueue, and an I/O
 * error anywhere turns into a failed log directory: the log stops at once (no flush, no marker;
 * what is on disk is left for recovery) and the owner is told, once, so it can take the whole
 * directory offline.
 */
import type { Logger } from 'pino';
import { ioError, isIoError, StorageError } from './errors.js';
import { SerialQueue } from './serial-queue.js';

export interface LogGuardHost {
  /** `<topic>-<partition>`, for error messages. */
  readonly name: string;
  readonly dir: string;
  readonly logger: Logger;
  /** Close file descriptors once in-flight reads finish, touching nothing on disk. */
  readonly abandon: () => void;
  /** The owner's failure handler (takes the directory offline). */
  readonly onIoError: (err: StorageError) => void;
}

export class LogGuard {
  private readonly queue = new SerialQueue();
  private closedFlag = false;
  private offlineFlag = false;

  constructor(private readonly h: LogGuardHost) {}

  get closed(): boolean { return this.closedFlag; }
  /** Writes queued or running (a replica move swaps logs only when none is). */
  get pending(): number { return this.queue.size; }
  get offline(): boolean { return this.offlineFlag; }
  /** Closed or offline: background work (flush, retention, expiry) does nothing. */
  get stopped(): boolean { return this.closedFlag || this.offlineFlag; }

  ensureOpen(): void {
    if (this.offlineFlag) throw new StorageError('STG_LOG_DIR_OFFLINE', `log ${this.h.name} is offline: its log directory failed`);
    if (this.closedFlag) throw new StorageError('STG_LOG_CLOSED', `log ${this.h.name} is closed`);
  }

  /** A clean or unclean close was decided (inside the queue). */
  markClosed(): void {
    this.closedFlag = true;
  }

  /** The single writer's queue, without the I/O-error translation (tasks that cannot hit the disk). */
  queued<T>(task: () => T | Promise<T>): Promise<T> {
    return this.queue.run(task);
  }

  /** The single writer's queue, with I/O errors turned into a failed log directory. */
  run<T>(task: () => Promise<T>): Promise<T> {
    return this.queue.run(() => this.guard(task));
  }

  /** Outside the queue (reads): I/O errors still take the log offline. */
  async guard<T>(task: () => Promise<T>, what = this.h.name): Promise<T> {
    try {
      return await task();
    } catch (err) {
      if (!isIoError(err)) throw err;
      const failure = ioError(what, err);
      this.reportIoError(failure);
      throw failure;
    }
  }

  reportIoError(err: StorageError): void {
    if (this.offlineFlag) return;
    this.h.logger.error({ err, dir: this.h.dir }, 'I/O error: the log goes offline');
    this.markOffline();
    try {
      this.h.onIoError(err);
    } catch (e) {
      this.h.logger.error({ err: e }, 'log directory failure handler failed');
    }
  }

  /**
   * Offline without touching the disk: later operations fail with STG_LOG_DIR_OFFLINE; file
   * descriptors close once in-flight reads finish.
   */
  markOffline(): void {
    if (this.offlineFlag) return;
    this.offlineFlag = true;
    this.closedFlag = true;
    this.h.abandon();
  }
}
