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
import { cleanLog, filthiestLog, type CleanStats } from './cleaner/cleaner.js';
import { loadKeyHasher, OffsetMap } from './cleaner/offset-map.js';
import { backgroundScheduler, every, runAfter, systemClock, type Cancellable, type Clock, type Scheduler, tpKey } from '../common/index.js';
import type { LogConfig } from './config.js';
import { ioError, isIoError, StorageError } from './errors.js';
import {
  CLEANER_OFFSET_CHECKPOINT, fsyncDir, LOG_START_OFFSET_CHECKPOINT, partitionDirName, RECOVERY_POINT_CHECKPOINT, REPLICATION_OFFSET_CHECKPOINT,
} from './files.js';
import { checkpointEntries, leastLoadedLogDir, mapBounded, scanLogDir, writeCheckpointPerDir, type FoundLog } from './log-dirs.js';
import { DEFAULT_INTERVALS, type LogManagerIntervals, type LogManagerOptions, OPENS_PER_RECOVERY_THREAD } from './log-manager-options.js';
import { DirectorySyncs } from './log-manager-dir-sync.js';
import { LogMoves } from './log-moves.js';
import { PartitionLog } from './partition-log.js';
import { SerialQueue } from './serial-queue.js';

export type { LogDirFailure, LogManagerIntervals, LogManagerOptions } from './log-manager-options.js';

export class LogManager {
  private readonly logs = new Map<string, { log: PartitionLog; logDir: string }>();
  private readonly moves: LogMoves;
  private readonly creating = new Map<string, Promise<PartitionLog>>();
  private readonly creatingIn = new Map<string, string>();
  private readonly cleanerOffsets = new Map<string, bigint>();
  private readonly topicOverrides = new Map<string, Partial<LogConfig>>();
  private readonly checkpointQueue = new SerialQueue();
  private readonly tasks: Cancellable[] = [];
  private readonly clock: Clock;
  private readonly scheduler: Scheduler;
  private readonly logger: Logger;
  private readonly logLogger: Logger;
  private readonly intervals: LogManagerIntervals;
  private offsetMap: OffsetMap | undefined;
  private stopped = false;
  private readonly offline = new Set<string>();
  private readonly dirSyncs = new DirectorySyncs(fsyncDir);

  private constructor(private readonly o: LogManagerOptions) {
    for (const d of o.initialOfflineDirs ?? []) if (o.logDirs.includes(d)) this.offline.add(d);
    this.clock = o.clock ?? systemClock;
    const root = o.logger ?? pino({ level: 'silent' });
    this.logger = root.child({ module: 'storage.log-manager' });
    this.logLogger = root.child({ module: 'storage.log' });
    this.scheduler = o.scheduler ?? backgroundScheduler;
    this.intervals = { ...DEFAULT_INTERVALS, ...o.intervals };
    this.moves = new LogMoves({
      logs: this.logs,
      logDirs: o.logDirs,
      logger: this.logger,
      isLogDirOnline: (d) => this.isLogDirOnline(d),
      offlineLogDirs: () => this.offlineLogDirs(),
      openOptions: (logDir, topic, partition, dir) => this.openOptions(logDir, topic, partition, this.configFor(topic), dir),
      failed: (logDir, err) => this.failed(logDir, err),
      handleLogDirFailure: (logDir, err) => this.handleLogDirFailure(logDir, err),
      retireDir: (logDir, dir, topic, partition, delayMs) => this.retireDir(logDir, dir, topic, partition, delayMs),
      checkpointAll: () => this.checkpointAll(),
    });
  }

  /** Opens every log found in the log dirs and starts the periodic tasks. */
  static async start(o: LogManagerOptions): Promise<LogManager> {
    const m = new LogManager(o);
    await m.loadAll();
    if (m.liveLogDirs().length === 0) {
      throw new StorageError('STG_LOG_DIR_OFFLINE', `every log directory failed (${o.logDirs.join(', ')}); the broker cannot start`);
    }
    m.schedule();
    return m;
  }

  /** Log directories still in service. */
  liveLogDirs(): string[] {
    return this.o.logDirs.filter((d) => !this.offline.has(d));
  }

  offlineLogDirs(): string[] {
    return this.o.logDirs.filter((d) => this.offline.has(d));
  }

  isLogDirOnline(dir: string): boolean {
    return this.o.logDirs.includes(dir) && !this.offline.has(dir);
  }

  /** The log directory holding a partition's log (undefined when not hosted here). */
  logDirOf(topic: string, partition: number): string | undefined {
    return this.logs.get(tpKey(topic, partition))?.logDir ?? this.creatingIn.get(tpKey(topic, partition));
  }

  /**
   * Takes `logDir` offline (once): its logs stop without touching the disk and are forgotten,
   * then the owner is told. Any later call for the same directory is a no-op.
   */
  handleLogDirFailure(logDir: string, err: unknown): void {
    if (!this.o.logDirs.includes(logDir) || this.offline.has(logDir)) return;
    this.offline.add(logDir);
    const error = err instanceof StorageError ? err : ioError(`log directory ${logDir}`, err);
    const partitions: { topic: string; partition: number }[] = [];
    for (const [k, e] of [...this.logs]) {
      if (e.logDir !== logDir) continue;
      this.logs.delete(k);
      this.cleanerOffsets.delete(k);
      e.log.markOffline();
      partitions.push({ topic: e.log.topic, partition: e.log.partition });
    }
    for (const [k, f] of [...this.moves.futures]) {
      if (f.logDir !== logDir) continue;
      this.moves.futures.delete(k);
      f.log.markOffline();
    }
    const allOffline = this.liveLogDirs().length === 0;
    this.logger.error({ err: error, logDir, partitions: partitions.length, liveLogDirs: this.liveLogDirs() }, allOffline ? 'every log directory has failed' : 'log directory failed; its logs are offline');
    try {
      this.o.onLogDirFailure?.({ logDir, error, partitions, allOffline });
    } catch (e) {
      this.logger.error({ err: e, logDir }, 'log directory failure listener failed');
    }
  }

  /** An I/O error from `logDir` takes it offline; anything else is rethrown as is. */
  private failed(logDir: string, err: unknown): never {
    if (isIoError(err)) {
      const e = ioError(`log directory ${logDir}`, err);
      this.handleLogDirFailure(logDir, e);
      throw e;
    }
    throw err;
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
        for (const [k, v] of found.cleanerOffsets) this.cleanerOffsets.set(k, v);
        jobs.push(...found.logs);
      } catch (err) {
        if (!isIoError(err)) throw err;
        // Kafka: a directory that cannot be read at start is offline, the others serve.
        this.handleLogDirFailure(logDir, err);
      }
    }
    const started = this.clock.now();
    await mapBounded(await this.moves.settleInterruptedSwaps(jobs), this.inFlight, async (j) => {
      if (this.offline.has(j.logDir)) return;
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
      if (this.offline.has(j.logDir)) {
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

  private schedule(): void {
    const i = this.intervals;
    const periodic = (name: string, ms: number, task: () => Promise<unknown>): void => {
      this.tasks.push(every(this.scheduler, ms, task, (err) => this.taskFailed(name, err)));
    };
    periodic('log-retention', i.retentionCheckMs, () => this.runRetention());
    periodic('log-flusher', i.flushCheckMs, () => this.flushDirtyLogs());
    periodic('recovery-point-checkpoint', i.recoveryPointCheckpointMs, async () => {
      await this.checkpointRecoveryPoints();
      await this.checkpointLogStartOffsets();
    });
    periodic('highwatermark-checkpoint', i.highWatermarkCheckpointMs, () => this.checkpointHighWatermarks());
    if (this.o.cleanerEnabled ?? true) periodic('log-cleaner', i.cleanerBackoffMs, () => this.runCleaner());
    periodic('producer-id-expiration', i.producerIdExpirationCheckMs, () => this.removeExpiredProducers());
  }

  private taskFailed(task: string, err: unknown): void {
    this.logger.error({ err, task }, 'storage task failed');
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
      if (live.length === 0 || (opts.isNew === false && this.offline.size > 0)) {
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
          this.failed(logDir, err);
        }
        if (this.offline.has(logDir)) {
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
    this.cleanerOffsets.delete(k);
    this.moves.preferredDirs.delete(k);
    await this.abortFutureLog(topic, partition);
    await entry.log.close({ clean: false });
    try {
      await this.retireDir(entry.logDir, entry.log.dir, topic, partition, entry.log.config.fileDeleteDelayMs);
    } catch (err) {
      this.failed(entry.logDir, err);
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
    else runAfter(this.scheduler, delayMs, remove, (err) => this.taskFailed(`delete-dir-${topic}-${partition}`, err));
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

  /** Runs `task` on every log; a log whose directory fails meanwhile does not stop the others. */
  private async eachLog(name: string, task: (log: PartitionLog) => Promise<void>): Promise<void> {
    for (const log of this.allLogs()) {
      try {
        await task(log);
      } catch (err) {
        if (!log.isOffline) throw err;
        this.logger.debug({ task: name, topic: log.topic, partition: log.partition }, 'skipped a log whose directory failed');
      }
    }
  }

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

  cleanerCheckpoint(topic: string, partition: number): bigint | undefined {
    return this.cleanerOffsets.get(tpKey(topic, partition));
  }

  /** Compacts the dirtiest eligible log, if any (one per call, like one cleaner thread). */
  async runCleaner(opts: { force?: boolean } = {}): Promise<CleanStats | undefined> {
    const best = filthiestLog(this.allLogs(), (log) => this.cleanerOffsets.get(tpKey(log.topic, log.partition)), this.clock.now(), opts.force === true);
    if (!best) return undefined;
    this.offsetMap ??= new OffsetMap(this.o.cleanerDedupeBufferBytes ?? 32 * 1024 * 1024, this.o.hasher ?? (await loadKeyHasher()));
    const k = tpKey(best.log.topic, best.log.partition);
    const logDir = this.logs.get(k)?.logDir;
    let stats: CleanStats;
    try {
      stats = await cleanLog(best.log, this.cleanerOffsets.get(k), { map: this.offsetMap, clock: this.clock, logger: this.logger, force: opts.force });
    } catch (err) {
      // The cleaner writes its .cleaned output outside the log's queue: its I/O errors land here.
      if (logDir !== undefined) this.failed(logDir, err);
      throw err;
    }
    if (stats.cleaned) {
      this.cleanerOffsets.set(k, stats.cleanedUpTo);
      await this.checkpointCleanerOffsets();
    }
    return stats;
  }

  /** One file per live log dir; a directory whose write fails goes offline, the others are still written. */
  private writeCheckpoint(name: string, value: (log: PartitionLog) => bigint | undefined): Promise<void> {
    const entriesOf = (logDir: string) => checkpointEntries(this.logs.values(), logDir, value);
    const onFailure = (logDir: string, err: unknown): unknown => {
      try {
        return this.failed(logDir, err);
      } catch (e) {
        return e;
      }
    };
    return this.checkpointQueue.run(() => writeCheckpointPerDir(this.liveLogDirs(), name, entriesOf, onFailure));
  }

  checkpointRecoveryPoints(): Promise<void> {
    return this.writeCheckpoint(RECOVERY_POINT_CHECKPOINT, (l) => l.recoveryPoint);
  }

  checkpointHighWatermarks(): Promise<void> {
    return this.writeCheckpoint(REPLICATION_OFFSET_CHECKPOINT, (l) => l.highWatermark);
  }

  checkpointLogStartOffsets(): Promise<void> {
    return this.writeCheckpoint(LOG_START_OFFSET_CHECKPOINT, (l) => l.logStartOffset);
  }

  checkpointCleanerOffsets(): Promise<void> {
    return this.writeCheckpoint(CLEANER_OFFSET_CHECKPOINT, (l) => this.cleanerOffsets.get(tpKey(l.topic, l.partition)));
  }

  async checkpointAll(): Promise<void> {
    await this.checkpointRecoveryPoints();
    await this.checkpointHighWatermarks();
    await this.checkpointLogStartOffsets();
    await this.checkpointCleanerOffsets();
  }

  /** Stops the tasks, closes every log cleanly (markers written) and writes all checkpoints. */
  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.tasks.splice(0)) t.cancel();
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
