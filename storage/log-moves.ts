/**
 * Moves of logs between the log directories of one LogManager (KIP-113): the future logs, the
 * preferred directory of replicas not hosted yet, the swap that ends a move, and what start does
 * with a swap a crash interrupted (future-logs.ts for the files and the order). Kept apart from
 * LogManager, which owns the current logs and decides what a failed directory means; it reaches
 * them through `LogMoveHost`.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { tpKey } from '../common/index.js';
import { isIoError, StorageError } from './errors.js';
import { fsyncDir } from './files.js';
import { copyTail, dropMovedMarker, futureDirName, markMoved, promoteFutureDir } from './future-logs.js';
import type { FoundLog } from './log-dirs.js';
import { PartitionLog } from './partition-log.js';
import type { PartitionLogOptions } from './partition-log-options.js';

export interface LogEntry {
  log: PartitionLog;
  logDir: string;
}

/** What LogMoves needs of its LogManager. */
export interface LogMoveHost {
  readonly logs: Map<string, LogEntry>;
  readonly logDirs: readonly string[];
  readonly logger: Logger;
  isLogDirOnline(dir: string): boolean;
  offlineLogDirs(): string[];
  openOptions(logDir: string, topic: string, partition: number, dir?: string): PartitionLogOptions;
  /** An I/O error takes `logDir` offline and is rethrown; anything else is rethrown as is. */
  failed(logDir: string, err: unknown): never;
  handleLogDirFailure(logDir: string, err: unknown): void;
  retireDir(logDir: string, dir: string, topic: string, partition: number, delayMs: number): Promise<void>;
  checkpointAll(): Promise<void>;
}

export class LogMoves {
  /** Future logs: replicas being moved to another log directory of this broker. */
  readonly futures = new Map<string, LogEntry>();
  /** Where AlterReplicaLogDirs asked a replica not hosted yet to be created (Kafka's preferred log dir). */
  readonly preferredDirs = new Map<string, string>();

  constructor(private readonly h: LogMoveHost) {}

  /**
   * A move whose swap was interrupted (future-logs.ts): a marked copy next to a current log of the
   * same partition elsewhere is the superseded one and goes; a marked copy alone keeps serving and
   * its move resumes from the future log.
   */
  async settleInterruptedSwaps(jobs: FoundLog[]): Promise<FoundLog[]> {
    const keep: FoundLog[] = [];
    for (const j of jobs) {
      if (j.moved !== true) {
        keep.push(j);
        continue;
      }
      const successor = jobs.some((o) => o !== j && o.future !== true && o.moved !== true && o.topic === j.topic && o.partition === j.partition);
      try {
        if (successor) await this.h.retireDir(j.logDir, j.dir, j.topic, j.partition, 0);
        else {
          await dropMovedMarker(j.dir);
          keep.push(j);
        }
      } catch (err) {
        if (!isIoError(err)) throw err;
        this.h.handleLogDirFailure(j.logDir, err);
      }
      this.h.logger.warn({ topic: j.topic, partition: j.partition, dir: j.dir, superseded: successor }, 'found a replica move interrupted during its swap');
    }
    return keep;
  }

  futureLog(topic: string, partition: number): PartitionLog | undefined {
    return this.futures.get(tpKey(topic, partition))?.log;
  }

  futureLogDirOf(topic: string, partition: number): string | undefined {
    return this.futures.get(tpKey(topic, partition))?.logDir;
  }

  /** Partitions with a future log (moves in progress, also those found at start). */
  futurePartitions(): { topic: string; partition: number; logDir: string }[] {
    return [...this.futures.values()].map((e) => ({ topic: e.log.topic, partition: e.log.partition, logDir: e.logDir }));
  }

  /** A replica not hosted yet will be created in `logDir` (AlterReplicaLogDirs before the replica exists). */
  setPreferredLogDir(topic: string, partition: number, logDir: string): void {
    if (this.h.logDirs.includes(logDir)) this.preferredDirs.set(tpKey(topic, partition), logDir);
  }

  /**
   * The future log of a hosted replica in `logDir` (created empty when there is none; an existing
   * one for another directory is dropped first). Refused while any directory is offline (Kafka's
   * rule: a future log must not duplicate data an offline directory may hold).
   */
  async createFutureLog(topic: string, partition: number, logDir: string): Promise<PartitionLog> {
    const k = tpKey(topic, partition);
    const existing = this.futures.get(k);
    if (existing?.logDir === logDir) return existing.log;
    if (existing) await this.abortFutureLog(topic, partition);
    if (!this.h.isLogDirOnline(logDir) || this.h.offlineLogDirs().length > 0) {
      throw new StorageError('STG_LOG_DIR_OFFLINE', `cannot move ${topic}-${partition} to ${logDir}: log directories ${[...this.h.offlineLogDirs(), ...(this.h.isLogDirOnline(logDir) ? [] : [logDir])].join(', ')} are offline`);
    }
    let log: PartitionLog;
    try {
      log = await PartitionLog.open(this.h.openOptions(logDir, topic, partition, join(logDir, futureDirName(topic, partition))));
      await fsyncDir(logDir);
    } catch (err) {
      this.h.failed(logDir, err);
    }
    this.futures.set(k, { log, logDir });
    this.h.logger.info({ topic, partition, logDir, dir: log.dir }, 'created future log');
    return log;
  }

  /** Drops a move in progress: its future log is closed and deleted. */
  async abortFutureLog(topic: string, partition: number): Promise<void> {
    const k = tpKey(topic, partition);
    const f = this.futures.get(k);
    if (!f) return;
    this.futures.delete(k);
    await f.log.close({ clean: false }).catch(() => undefined);
    await this.h.retireDir(f.logDir, f.log.dir, topic, partition, 0).catch((err: unknown) => this.h.failed(f.logDir, err));
  }

  /**
   * The end of a move: the caught-up future log replaces the current one (future-logs.ts for the
   * crash-safe order). `install` is called synchronously with the new log at a moment when the
   * current log holds nothing the new one lacks and has no write queued, so whatever the owner
   * routes to the new log from then on is never written to the old one. The caller stops leader
   * appends meanwhile so this converges under load.
   */
  async swapInFutureLog(topic: string, partition: number, install: (log: PartitionLog) => void): Promise<PartitionLog> {
    const k = tpKey(topic, partition);
    const cur = this.h.logs.get(k);
    const fut = this.futures.get(k);
    if (!cur || !fut) throw new StorageError('STG_LOG_CLOSED', `${topic}-${partition} has no move to finish`);
    await copyTail(cur.log, fut.log);
    await fut.log.close();
    this.futures.delete(k);
    let log: PartitionLog;
    await markMoved(cur.log.dir, fut.logDir).catch((err: unknown) => this.h.failed(cur.logDir, err));
    await promoteFutureDir(fut.log.dir, fut.logDir, topic, partition).catch((err: unknown) => this.h.failed(fut.logDir, err));
    try {
      log = await PartitionLog.open({ ...this.h.openOptions(fut.logDir, topic, partition), highWatermark: cur.log.highWatermark });
    } catch (err) {
      this.h.failed(fut.logDir, err);
    }
    // Whatever reached the current log since (a follower's fetch) is copied before the switch.
    for (;;) {
      await copyTail(cur.log, log);
      if (cur.log.pendingWrites === 0 && log.logEndOffset === cur.log.logEndOffset) break;
      await cur.log.flush();
    }
    log.resetHighWatermark(cur.log.highWatermark);
    this.h.logs.set(k, { log, logDir: fut.logDir });
    install(log);
    await cur.log.close({ clean: false }).catch(() => undefined);
    try {
      await this.h.retireDir(cur.logDir, cur.log.dir, topic, partition, 0);
    } catch (err) {
      this.h.failed(cur.logDir, err);
    }
    await this.h.checkpointAll();
    this.h.logger.info({ topic, partition, from: cur.logDir, to: fut.logDir, logEndOffset: log.logEndOffset }, 'replica moved to another log directory');
    return log;
  }
}
