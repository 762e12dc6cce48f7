/**
 * All partition logs of one broker across its `log.dirs`: opening them at startup (bounded
 * parallelism), creating and deleting them, and the periodic work Kafka's LogManager schedules:
 * retention, time-based flush, compaction and the per-log-dir checkpoint files.
 * `meta.properties` belongs to coordination/, not here.
 *
 * Log directory failure (Kafka's LogDirFailureChannel + LogManager.handleLogDirFailure): an I/O
 * error in any operation on a log, a checkpoint or a directory takes that log directory offline
 * for the life of this LogManager: its logs are closed without touching the disk and forgotten,
 * no checkpoint is written there any more, no log is created there, and `onLogDirFailure` is
 * told once (with `allOffline` when no directory is left). A directory that fails while logs are
 * loaded at start is offline from the start.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import type { CleanStats } from './cleaner/cleaner.js';
import { LogCleanerManager } from './cleaner/cleaner-manager.js';
import { backgroundScheduler, runAfter, systemClock, type Clock, type Scheduler, tpKey } from '../common/index.js';
import type { LogConfig } from './config.js';
import { isIoError, StorageError } from './errors.js';
import { fsyncDir, partitionDirName } from './files.js';
import { LogCheckpoints } from './log-checkpoints.js';
import { leastLoadedLogDir, mapBounded, scanLogDir, type FoundLog } from './log-dirs.js';
import { DEFAULT_INTERVALS, type LogManagerOptions, OPENS_PER_RECOVERY_THREAD } from './log-manager-options.js';
import { DirectorySyncs } from './log-manager-dir-sync.js';
import { LogManagerTasks } from './log-manager-tasks.js';
import { LogMoves } from './log-moves.js';
import { OfflineLogDirs } from './offline-log-dirs.js';
import { PartitionLog } from './partition-log.js';

export type { LogDirFailure, LogManagerIntervals, LogManagerOptions } from './log-manager-options.js';

export class LogManager {
  private readonly logs = new Map<string, { log: PartitionLog; logDir: string }>();
  private readonly moves: LogMoves;
  private readonly creating = new Map<string, Promise<PartitionLog>>();
  private readonly creatingIn = new Map<string, string>();
  private readonly topicOverrides = new Map<string, Partial<LogConfig>>();
  private readonly cleaner: LogCleanerManager;
  private readonly checkpoints: LogCheckpoints;
  private readonly tasks: LogManagerTasks;
  private readonly clock: Clock;
  private readonly scheduler: Scheduler;
  private readonly logger: Logger;
  private readonly logLogger: Logger;
  private stopped = false;
  private readonly dirs: OfflineLogDirs;
  private readonly dirSyncs = new DirectorySyncs(fsyncDir);

  private constructor(private readonly o: LogManagerOptions) {
    this.clock = o.clock ?? systemClock;
    const root = o.logger ?? pino({ level: 'silent' });
    this.logger = root.child({ module: 'storage.log-manager' });
    this.logLogger = root.child({ module: 'storage.log' });
    this.scheduler = o.scheduler ?? backgroundScheduler;
    this.dirs = new OfflineLogDirs(o.logDirs, o.initialOfflineDirs, {
      logger: this.logger,
      dropLogsIn: (logDir) => this.dropLogsIn(logDir),
      onLogDirFailure: o.onLogDirFailure,
    });
    const failed = (logDir: string, err: unknown): never => this.dirs.failed(logDir, err);
    this.moves = new LogMoves({
      logs: this.logs,
      logDirs: o.logDirs,
      logger: this.logger,
      isLogDirOnline: (d) => this.isLogDirOnline(d),
      offlineLogDirs: () => this.offlineLogDirs(),
      openOptions: (logDir, topic, partition, dir) => this.openOptions(logDir, topic, partition, this.configFor(topic), dir),
      failed,
      handleLogDirFailure: (logDir, err) => this.dirs.fail(logDir, err),
      retireDir: (logDir, dir, topic, partition, delayMs) => this.retireDir(logDir, dir, topic, partition, delayMs),
      checkpointAll: () => this.checkpointAll(),
    });
    this.cleaner = new LogCleanerManager({
      clock: this.clock,
      logger: this.logger,
      allLogs: () => this.allLogs(),
      logDirOf: (topic, partition) => this.logs.get(tpKey(topic, partition))?.logDir,
      failed,
      checkpointCleanerOffsets: () => this.checkpoints.cleanerOffsets(),
    }, o.cleanerDedupeBufferBytes, o.hasher);
    this.checkpoints = new LogCheckpoints({
      logs: this.logs,
      liveLogDirs: () => this.liveLogDirs(),
      failed,
      cleanerCheckpoint: (topic, partition) => this.cleaner.checkpointOf(topic, partition),
    });
    this.tasks = new LogManagerTasks({
      scheduler: this.scheduler, logger: this.logger, checkpoints: this.checkpoints, cleaner: this.cleaner, allLogs: () => this.allLogs(),
    });
  }

  /** Opens every log found in the log dirs and starts the periodic tasks. */
  static async start(o: LogManagerOptions): Promise<LogManager> {
    const m = new LogManager(o);
    await m.loadAll();
    if (m.liveLogDirs().length === 0) {
      throw new StorageError('STG_LOG_DIR_OFFLINE', `every log directory failed (${o.logDirs.join(', ')}); the broker cannot start`);
    }
    m.tasks.start({ ...DEFAULT_INTERVALS, ...o.intervals }, o.cleanerEnabled ?? true);
    return m;
  }

  /** Log directories still in service. */
  liveLogDirs(): string[] {
    return this.dirs.live();
  }

  offlineLogDirs(): string[] {
    return this.dirs.offlineDirs();
  }

  isLogDirOnline(dir: string): boolean {
    return this.dirs.isOnline(dir);
  }

  /** The log directory holding a partition's log (undefined when not hosted here). */
  logDirOf(topic: string, partition: number): string | undefined {
    return this.logs.get(tpKey(topic, partition))?.logDir ?? this.creatingIn.get(tpKey(topic, partition));
  }

  /** Takes `logDir` offline (once; offline-log-dirs.ts). */
  handleLogDirFailure(logDir: string, err: unknown): void {
    this.dirs.fail(logDir, err);
  }

  /** Stops and forgets the logs of a failed directory, without touching the disk. */
  private dropLogsIn(logDir: string): { topic: string; partition: number }[] {
    const partitions: { topic: string; partition: number }[] = [];
    for (const [k, e] of [...this.logs]) {
      if (e.logDir !== logDir) continue;
      this.logs.delete(k);
      this.cleaner.checkpoints.delete(k);
      e.log.markOffline();
      partitions.push({ topic: e.log.topic, partition: e.log.partition });
    }
    for (const [k, f] of [...this.moves.futures]) {
      if (f.logDir !== logDir) continue;
      this.moves.futures.delete(k);
      f.log.markOffline();
    }
    return partitions;
  }

  private configFor(topic: string, extra?: Partial<LogConfig>): Partial<LogConfig> {
    return { ...this.o.defaultConfig, ...this.o.topicConfig?.(topic), ...this.topicOverrides.get(topic), ...extra };
  }

  private openOptions(logDir: string, topic: string, partition: number, config: Partial<LogConfig>, dir = join(logDir, partitionDirName(topic, partition))) {
    return {
      dir, topic, partition, config,
      clock: this.clock, scheduler: this.scheduler, logger: this.logLogger, producerIdExpirationMs: this.o.producerIdExpirationMs,
      onLogStartOffsetChange: () => void this.checkpointLogStartOffsets().catch((err: unknown) => this.logger.warn({ err }, 'log start offset checkpoint failed')),
      onIoError: (err: StorageError) => this.handleLogDirFailure(logDir, err),
    };
  }

  /** Logs opened (or closed) at once. */
  private get inFlight(): number {
    return Math.max(1, this.o.openParallelism ?? 1) * OPENS_PER_RECOVERY_THREAD;
  }

  private async loadAll(): Promise<void> {
    const jobs: FoundLog[] = [];
    for (const logDir of this.liveLogDirs()) {
      try {
        const found = await scanLogDir(logDir, this.logger);
        for (const [k, v] of found.cleanerOffsets) this.cleaner.checkpoints.set(k, v);
        jobs.push(...found.logs);
      } catch (err) {
        if (!isIoError(err)) throw err;
        // Kafka: a directory that cannot be read at start is offline, the others serve.
        this.handleLogDirFailure(logDir, err);
      }
    }
    const started = this.clock.now();
    await mapBounded(await this.moves.settleInterruptedSwaps(jobs), this.inFlight, async (j) => {
      if (this.dirs.isOffline(j.logDir)) return;
      const k = tpKey(j.topic, j.partition);
      let log: PartitionLog;
      try {
        log = await PartitionLog.open({
          ...this.openOptions(j.logDir, j.topic, j.partition, this.configFor(j.topic), j.dir),
          recoveryPoint: j.recoveryPoint, logStartOffset: j.logStartOffset, highWatermark: j.highWatermark,
        });
      } catch (err) {
        if (!isIoError(err)) throw err;
        this.handleLogDirFailure(j.logDir, err);
        return;
      }
      if (this.dirs.isOffline(j.logDir)) {
        log.markOffline();
        return;
      }
      if (j.future === true) {
        if (this.moves.futures.has(k)) throw new StorageError('STG_DUPLICATE_LOG', `${j.topic}-${j.partition} has two future logs (${j.dir})`);
        this.moves.futures.set(k, { log, logDir: j.logDir });
        return;
      }
      const other = this.logs.get(k);
      if (other) throw new StorageError('STG_DUPLICATE_LOG', `${j.topic}-${j.partition} exists in both ${other.logDir} and ${j.logDir}`);
      this.logs.set(k, { log, logDir: j.logDir });
    });
    this.logger.info({ logs: jobs.length, elapsedMs: this.clock.now() - started }, 'loaded logs');
  }

  getLog(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(tpKey(topic, partition))?.log;
  }

  allLogs(): PartitionLog[] {
    return [...this.logs.values()].map((e) => e.log);
  }

  /**
   * The existing log, or a new one in the live log dir holding the fewest logs. `isNew: false`
   * (a replica the controller says existed before) is refused while any directory is offline:
   * its data may be in that directory, and an empty copy elsewhere would claim to be it (Kafka's
   * rule).
   */
  getOrCreateLog(topic: string, partition: number, config?: Partial<LogConfig>, opts: { isNew?: boolean } = {}): Promise<PartitionLog> {
    if (this.stopped) return Promise.reject(new StorageError('STG_LOG_CLOSED', 'log manager is shut down'));
    const k = tpKey(topic, partition);
    const existing = this.logs.get(k);
    if (existing) return Promise.resolve(existing.log);
    let pending = this.creating.get(k);
    if (!pending) {
      const live = this.liveLogDirs();
      if (live.length === 0 || (opts.isNew === false && this.dirs.anyOffline)) {
        return Promise.reject(
          new StorageError('STG_LOG_DIR_OFFLINE', `cannot create a log for ${topic}-${partition}: log directories ${this.offlineLogDirs().join(', ')} are offline`),
        );
      }
      // Chosen synchronously, counting creations in flight, so concurrent creates spread out.
      const preferred = this.moves.preferredDirs.get(k);
      const logDir = preferred !== undefined && live.includes(preferred)
        ? preferred
        : live.length === 1 ? live[0]! : leastLoadedLogDir(live, [...[...this.logs.values()].map((e) => e.logDir), ...this.creatingIn.values()]);
      this.creatingIn.set(k, logDir);
      pending = (async () => {
        if (config) this.topicOverrides.set(topic, { ...this.topicOverrides.get(topic), ...config });
        let log: PartitionLog;
        try {
          log = await PartitionLog.open(this.openOptions(logDir, topic, partition, this.configFor(topic)));
          await this.dirSyncs.sync(logDir);
        } catch (err) {
          this.dirs.failed(logDir, err);
        }
        if (this.dirs.isOffline(logDir)) {
          log.markOffline();
          throw new StorageError('STG_LOG_DIR_OFFLINE', `log directory ${logDir} of ${topic}-${partition} failed`);
        }
        this.logs.set(k, { log, logDir });
        return log;
      })().finally(() => {
        this.creating.delete(k);
        this.creatingIn.delete(k);
      });
      this.creating.set(k, pending);
    }
    return pending;
  }

  /**
   * Applies new per-topic settings to every open log of the topic. The same settings again are
   * a no-op: every LeaderAndIsr for a new partition re-reads its topic's config, and walking all
   * logs each time would make creating N partitions cost N².
   */
  updateTopicConfig(topic: string, config: Partial<LogConfig>): void {
    const before = this.topicOverrides.get(topic);
    this.topicOverrides.set(topic, config);
    if (before !== undefined && JSON.stringify(before) === JSON.stringify(config)) return;
    const effective = this.configFor(topic);
    for (const { log } of this.logs.values()) if (log.topic === topic) log.updateConfig(effective);
  }

  /** Closes the log, renames its directory `<topic>-<partition>.<id>-delete` and removes it. */
  async deleteLog(topic: string, partition: number): Promise<boolean> {
    const k = tpKey(topic, partition);
    const entry = this.logs.get(k);
    if (!entry) return false;
    this.logs.delete(k);
    this.cleaner.checkpoints.delete(k);
    this.moves.preferredDirs.delete(k);
    await this.abortFutureLog(topic, partition);
    await entry.log.close({ clean: false });
    try {
      await this.retireDir(entry.logDir, entry.log.dir, topic, partition, entry.log.config.fileDeleteDelayMs);
    } catch (err) {
      this.dirs.failed(entry.logDir, err);
    }
    await this.checkpointAll();
    this.logger.info({ topic, partition }, 'deleted log');
    return true;
  }

  /** Renames a closed log's directory `<topic>-<partition>.<id>-delete` and removes it after `delayMs`. */
  private async retireDir(logDir: string, dir: string, topic: string, partition: number, delayMs: number): Promise<void> {
    const doomed = join(logDir, `${partitionDirName(topic, partition)}.${randomBytes(16).toString('hex')}-delete`);
    await fsp.rename(dir, doomed);
    await fsyncDir(logDir);
    const remove = async (): Promise<void> => fsp.rm(doomed, { recursive: true, force: true });
    if (delayMs === 0) await remove();
    else runAfter(this.scheduler, delayMs, remove, (err) => this.tasks.failed(`delete-dir-${topic}-${partition}`, err));
  }

  // ---- moves between log directories (KIP-113, log-moves.ts) ---------------------------------------

  futureLog(topic: string, partition: number): PartitionLog | undefined {
    return this.moves.futures.get(tpKey(topic, partition))?.log;
  }

  futureLogDirOf(topic: string, partition: number): string | undefined {
    return this.moves.futures.get(tpKey(topic, partition))?.logDir;
  }

  /** Partitions with a future log (moves in progress, also those found at start). */
  futurePartitions(): { topic: string; partition: number; logDir: string }[] {
    return [...this.moves.futures.values()].map((e) => ({ topic: e.log.topic, partition: e.log.partition, logDir: e.logDir }));
  }

  /** A replica not hosted yet will be created in `logDir` (AlterReplicaLogDirs before the replica exists). */
  setPreferredLogDir(topic: string, partition: number, logDir: string): void {
    if (this.o.logDirs.includes(logDir)) this.moves.preferredDirs.set(tpKey(topic, partition), logDir);
  }

  /** See LogMoves.createFutureLog. */
  createFutureLog(topic: string, partition: number, logDir: string): Promise<PartitionLog> {
    return this.moves.createFutureLog(topic, partition, logDir);
  }

  abortFutureLog(topic: string, partition: number): Promise<void> {
    return this.moves.abortFutureLog(topic, partition);
  }

  /** See LogMoves.swapInFutureLog. */
  swapInFutureLog(topic: string, partition: number, install: (log: PartitionLog) => void): Promise<PartitionLog> {
    return this.moves.swapInFutureLog(topic, partition, install);
  }

  /** Deletes segments past retention in every log. Returns how many. */
  runRetention(): Promise<number> {
    return this.tasks.runRetention();
  }

  /** Forgets idle idempotent producers in every log. Returns how many. */
  removeExpiredProducers(): Promise<number> {
    return this.tasks.removeExpiredProducers();
  }

  flushDirtyLogs(): Promise<void> {
    return this.tasks.flushDirtyLogs();
  }

  cleanerCheckpoint(topic: string, partition: number): bigint | undefined {
    return this.cleaner.checkpointOf(topic, partition);
  }

  /** Compacts the dirtiest eligible log, if any (one per call, like one cleaner thread). */
  runCleaner(opts: { force?: boolean } = {}): Promise<CleanStats | undefined> {
    return this.cleaner.cleanFilthiest(opts);
  }

  checkpointRecoveryPoints(): Promise<void> {
    return this.checkpoints.recoveryPoints();
  }

  checkpointHighWatermarks(): Promise<void> {
    return this.checkpoints.highWatermarks();
  }

  checkpointLogStartOffsets(): Promise<void> {
    return this.checkpoints.logStartOffsets();
  }

  checkpointAll(): Promise<void> {
    return this.checkpoints.all();
  }

  /** Stops the tasks, closes every log cleanly (markers written) and writes all checkpoints. */
  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.tasks.stop();
    await Promise.allSettled([...this.creating.values()]);
    // A log whose directory fails while closing is reported (offline) and must not stop the others.
    await mapBounded([...this.allLogs(), ...[...this.moves.futures.values()].map((f) => f.log)], this.inFlight, (log) => log.close().catch((err: unknown) => {
      if (!log.isOffline) throw err;
    }));
    await this.checkpointAll().catch((err: unknown) => {
      if (!isIoError(err)) throw err;
    });
    this.logger.info({ logs: this.logs.size }, 'log manager shut down');
  }
}
