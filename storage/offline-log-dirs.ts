/**
 * Which log directories of one LogManager are in service (Kafka's LogDirFailureChannel with the
 * bookkeeping of LogManager.handleLogDirFailure). A directory goes offline once, for the life of
 * its LogManager, and its owner is told once: Kafka never brings a failed directory back without
 * a restart, because the logs in it may be half written.
 */
import type { Logger } from 'pino';
import { ioError, isIoError, StorageError } from './errors.js';
import type { LogDirFailure } from './log-manager-options.js';

/** What the directory bookkeeping needs of its LogManager. */
export interface LogDirHost {
  readonly logger: Logger;
  /** Stops every log (current and future) in `logDir` without touching the disk and forgets it. */
  dropLogsIn(logDir: string): { topic: string; partition: number }[];
  onLogDirFailure?: (failure: LogDirFailure) => void;
}

export class OfflineLogDirs {
  private readonly offline = new Set<string>();

  constructor(
    private readonly logDirs: readonly string[],
    initialOffline: readonly string[] | undefined,
    private readonly h: LogDirHost,
  ) {
    for (const d of initialOffline ?? []) if (logDirs.includes(d)) this.offline.add(d);
  }

  /** Log directories still in service. */
  live(): string[] {
    return this.logDirs.filter((d) => !this.offline.has(d));
  }

  offlineDirs(): string[] {
    return this.logDirs.filter((d) => this.offline.has(d));
  }

  isOnline(dir: string): boolean {
    return this.logDirs.includes(dir) && !this.offline.has(dir);
  }

  isOffline(dir: string): boolean {
    return this.offline.has(dir);
  }

  get anyOffline(): boolean {
    return this.offline.size > 0;
  }

  /**
   * Takes `logDir` offline (once): its logs stop without touching the disk and are forgotten,
   * then the owner is told. Any later call for the same directory is a no-op.
   */
  fail(logDir: string, err: unknown): void {
    if (!this.logDirs.includes(logDir) || this.offline.has(logDir)) return;
    this.offline.add(logDir);
    const error = err instanceof StorageError ? err : ioError(`log directory ${logDir}`, err);
    const partitions = this.h.dropLogsIn(logDir);
    const allOffline = this.live().length === 0;
    this.h.logger.error({ err: error, logDir, partitions: partitions.length, liveLogDirs: this.live() }, allOffline ? 'every log directory has failed' : 'log directory failed; its logs are offline');
    try {
      this.h.onLogDirFailure?.({ logDir, error, partitions, allOffline });
    } catch (e) {
      this.h.logger.error({ err: e, logDir }, 'log directory failure listener failed');
    }
  }

  /** An I/O error from `logDir` takes it offline; anything else is rethrown as is. */
  failed(logDir: string, err: unknown): never {
    if (isIoError(err)) {
      const e = ioError(`log directory ${logDir}`, err);
      this.fail(logDir, e);
      throw e;
    }
    throw err;
  }
}
