/**
 * All partition logs of one broker across its `log.dirs`: opening them at startup (bounded
 * parallelism), creating and deleting them, and the periodic work Kafka's LogManager schedules:
 * retention, time-based flush, compaction and the per-log-dir checkpoint files.
 * `meta.properties` belongs to coordination/, not here.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { readOffsetCheckpoint, writeOffsetCheckpoint, type TopicPartitionOffset } from './checkpoint.js';
import { cleanLog, cleanableRange, type CleanStats } from './cleaner/cleaner.js';
import { loadKeyHasher, OffsetMap, type KeyHasher } from './cleaner/offset-map.js';
import { backgroundScheduler, every, runAfter, systemClock, type Cancellable, type Clock, type Scheduler, tpKey } from '../common/index.js';
import type { LogConfig } from './config.js';
import { StorageError } from './errors.js';
import {
  CLEANER_OFFSET_CHECKPOINT, fsyncDir, LOG_START_OFFSET_CHECKPOINT, parsePartitionDirName, partitionDirName,
  RECOVERY_POINT_CHECKPOINT, REPLICATION_OFFSET_CHECKPOINT,
} from './files.js';
import { PartitionLog } from './partition-log.js';
import { SerialQueue } from './serial-queue.js';

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
  /** Logs opened concurrently at startup. */
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
}

const DEFAULT_INTERVALS: LogManagerIntervals = {
  retentionCheckMs: 300_000,
  flushCheckMs: 1_000,
  recoveryPointCheckpointMs: 60_000,
  highWatermarkCheckpointMs: 5_000,
  cleanerBackoffMs: 15_000,
  producerIdExpirationCheckMs: 600_000,
};

async function mapBounded<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item).catch((err: unknown) => errors.push(err));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (errors.length > 0) throw errors[0];
}

export class LogManager {
  private readonly logs = new Map<string, { log: PartitionLog; logDir: string }>();
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

  private constructor(private readonly o: LogManagerOptions) {
    this.clock = o.clock ?? systemClock;
    const root = o.logger ?? pino({ level: 'silent' });
    this.logger = root.child({ module: 'storage.log-manager' });
    this.logLogger = root.child({ module: 'storage.log' });
    this.scheduler = o.scheduler ?? backgroundScheduler;
    this.intervals = { ...DEFAULT_INTERVALS, ...o.intervals };
  }

  /** Opens every log found in the log dirs and starts the periodic tasks. */
  static async start(o: LogManagerOptions): Promise<LogManager> {
    const m = new LogManager(o);
    await m.loadAll();
    m.schedule();
    return m;
  }

  private async readCheckpoint(dir: string, name: string): Promise<Map<string, bigint>> {
    const entries = await readOffsetCheckpoint(join(dir, name)).catch((err: unknown) => {
      this.logger.warn({ err, file: join(dir, name) }, 'ignoring unreadable checkpoint');
      return [] as TopicPartitionOffset[];
    });
    return new Map(entries.map((e) => [tpKey(e.topic, e.partition), e.offset]));
  }

  private configFor(topic: string, extra?: Partial<LogConfig>): Partial<LogConfig> {
    return { ...this.o.defaultConfig, ...this.o.topicConfig?.(topic), ...this.topicOverrides.get(topic), ...extra };
  }

  private openOptions(logDir: string, topic: string, partition: number, config: Partial<LogConfig>) {
    return {
      dir: join(logDir, partitionDirName(topic, partition)), topic, partition, config,
      clock: this.clock, scheduler: this.scheduler, logger: this.logLogger, producerIdExpirationMs: this.o.producerIdExpirationMs,
      onLogStartOffsetChange: () => void this.checkpointLogStartOffsets().catch((err: unknown) => this.logger.warn({ err }, 'log start offset checkpoint failed')),
    };
  }

  private async loadAll(): Promise<void> {
    const jobs: { logDir: string; topic: string; partition: number; rp?: bigint; lso?: bigint; hw?: bigint }[] = [];
    for (const logDir of this.o.logDirs) {
      await fsp.mkdir(logDir, { recursive: true });
      const [rps, lsos, hws, cleaner] = await Promise.all(
        [RECOVERY_POINT_CHECKPOINT, LOG_START_OFFSET_CHECKPOINT, REPLICATION_OFFSET_CHECKPOINT, CLEANER_OFFSET_CHECKPOINT].map((n) => this.readCheckpoint(logDir, n)),
      );
      for (const [k, v] of cleaner!) this.cleanerOffsets.set(k, v);
      for (const entry of await fsp.readdir(logDir, { withFileTypes: true })) {
        if (!entry.isDirectory()) continue;
        if (entry.name.endsWith('-delete')) {
          void fsp.rm(join(logDir, entry.name), { recursive: true, force: true });
          continue;
        }
        const tp = parsePartitionDirName(entry.name);
        if (!tp) continue;
        const k = tpKey(tp.topic, tp.partition);
        jobs.push({ logDir, ...tp, rp: rps!.get(k), lso: lsos!.get(k), hw: hws!.get(k) });
      }
    }
    const started = this.clock.now();
    await mapBounded(jobs, this.o.openParallelism ?? 8, async (j) => {
      const k = tpKey(j.topic, j.partition);
      const log = await PartitionLog.open({
        ...this.openOptions(j.logDir, j.topic, j.partition, this.configFor(j.topic)),
        recoveryPoint: j.rp, logStartOffset: j.lso, highWatermark: j.hw,
      });
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

  /** The existing log, or a new one in the log dir holding the fewest logs. */
  getOrCreateLog(topic: string, partition: number, config?: Partial<LogConfig>): Promise<PartitionLog> {
    if (this.stopped) return Promise.reject(new StorageError('STG_LOG_CLOSED', 'log manager is shut down'));
    const k = tpKey(topic, partition);
    const existing = this.logs.get(k);
    if (existing) return Promise.resolve(existing.log);
    let pending = this.creating.get(k);
    if (!pending) {
      // Chosen synchronously, counting creations in flight, so concurrent creates spread out.
      const counts = this.o.logDirs.map((d) => [...this.logs.values(), ...this.creatingIn.values()].filter((e) => (typeof e === 'string' ? e : e.logDir) === d).length);
      const logDir = this.o.logDirs[counts.indexOf(Math.min(...counts))]!;
      this.creatingIn.set(k, logDir);
      pending = (async () => {
        if (config) this.topicOverrides.set(topic, { ...this.topicOverrides.get(topic), ...config });
        const log = await PartitionLog.open(this.openOptions(logDir, topic, partition, this.configFor(topic)));
        await fsyncDir(logDir);
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

  /** Applies new per-topic settings to every open log of the topic. */
  updateTopicConfig(topic: string, config: Partial<LogConfig>): void {
    this.topicOverrides.set(topic, config);
    for (const { log } of this.logs.values()) if (log.topic === topic) log.updateConfig(this.configFor(topic));
  }

  /** Closes the log, renames its directory `<topic>-<partition>.<id>-delete` and removes it. */
  async deleteLog(topic: string, partition: number): Promise<boolean> {
    const k = tpKey(topic, partition);
    const entry = this.logs.get(k);
    if (!entry) return false;
    this.logs.delete(k);
    this.cleanerOffsets.delete(k);
    await entry.log.close({ clean: false });
    const doomed = join(entry.logDir, `${partitionDirName(topic, partition)}.${randomBytes(16).toString('hex')}-delete`);
    await fsp.rename(entry.log.dir, doomed);
    await fsyncDir(entry.logDir);
    const remove = async (): Promise<void> => fsp.rm(doomed, { recursive: true, force: true });
    const delay = entry.log.config.fileDeleteDelayMs;
    if (delay === 0) await remove();
    else runAfter(this.scheduler, delay, remove, (err) => this.taskFailed(`delete-dir-${topic}-${partition}`, err));
    await this.checkpointAll();
    this.logger.info({ topic, partition }, 'deleted log');
    return true;
  }

  async runRetention(): Promise<number> {
    let deleted = 0;
    for (const log of this.allLogs()) deleted += (await log.deleteOldSegments()).length;
    return deleted;
  }

  /** Forgets idle idempotent producers in every log. Returns how many. */
  async removeExpiredProducers(): Promise<number> {
    let removed = 0;
    for (const log of this.allLogs()) removed += await log.removeExpiredProducers();
    return removed;
  }

  async flushDirtyLogs(): Promise<void> {
    for (const log of this.allLogs()) await log.maybeFlushOnTime();
  }

  cleanerCheckpoint(topic: string, partition: number): bigint | undefined {
    return this.cleanerOffsets.get(tpKey(topic, partition));
  }

  /** Compacts the dirtiest eligible log, if any (one per call, like one cleaner thread). */
  async runCleaner(opts: { force?: boolean } = {}): Promise<CleanStats | undefined> {
    const now = this.clock.now();
    let best: { log: PartitionLog; ratio: number } | undefined;
    for (const log of this.allLogs()) {
      if (!log.config.cleanupPolicy.includes('compact') || log.isClosed) continue;
      const range = cleanableRange(log, this.cleanerOffsets.get(tpKey(log.topic, log.partition)), now);
      if (range.dirtyBytes === 0 || (!opts.force && range.dirtyRatio < log.config.minCleanableDirtyRatio)) continue;
      if (!best || range.dirtyRatio > best.ratio) best = { log, ratio: range.dirtyRatio };
    }
    if (!best) return undefined;
    this.offsetMap ??= new OffsetMap(this.o.cleanerDedupeBufferBytes ?? 32 * 1024 * 1024, this.o.hasher ?? (await loadKeyHasher()));
    const k = tpKey(best.log.topic, best.log.partition);
    const stats = await cleanLog(best.log, this.cleanerOffsets.get(k), { map: this.offsetMap, clock: this.clock, logger: this.logger, force: opts.force });
    if (stats.cleaned) {
      this.cleanerOffsets.set(k, stats.cleanedUpTo);
      await this.checkpointCleanerOffsets();
    }
    return stats;
  }

  private writeCheckpoint(name: string, value: (log: PartitionLog) => bigint | undefined): Promise<void> {
    return this.checkpointQueue.run(async () => {
      for (const logDir of this.o.logDirs) {
        const entries: TopicPartitionOffset[] = [];
        for (const { log, logDir: d } of this.logs.values()) {
          const offset = value(log);
          if (d === logDir && offset !== undefined) entries.push({ topic: log.topic, partition: log.partition, offset });
        }
        await writeOffsetCheckpoint(join(logDir, name), entries);
      }
    });
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
    await mapBounded(this.allLogs(), this.o.openParallelism ?? 8, (log) => log.close());
    await this.checkpointAll();
    this.logger.info({ logs: this.logs.size }, 'log manager shut down');
  }
}
