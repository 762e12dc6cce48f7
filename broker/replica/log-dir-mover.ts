/**
 * Moves replicas between the log directories of this broker (KIP-113, Kafka's
 * ReplicaAlterLogDirsManager): AlterReplicaLogDirs creates a future log in the destination
 * directory; a copy task fills it from the current log, batches verbatim, while the current log
 * keeps serving; once the lag is small, leader appends are held for the swap
 * (LogManager.swapInFutureLog), which installs the new log on the partition. A periodic check
 * starts a task for every future log without one: after a restart the move resumes from where the
 * future log ends, as soon as the partition is hosted again.
 */
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { every, sleep, tpKey, type Cancellable, type Scheduler } from '../../common/index.js';
import { ErrorCode } from '../../protocol/index.js';
import { copyTail, type LogManager } from '../../storage/index.js';
import type { Partition } from './partition.js';

/** Below this many bytes behind, the current log's appends are held and the logs swapped. */
const SWAP_LAG_BYTES = 1024 * 1024;
const COPY_ROUND_BYTES = 8 * 1024 * 1024;
const RESUME_CHECK_MS = 1_000;

export interface LogDirMoverOptions {
  readonly logManager: LogManager;
  readonly partition: (topic: string, partition: number) => Partition | undefined;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** replica.alter.log.dirs.io.max.bytes.per.second (Kafka's quota for these copies). */
  readonly bytesPerSecond?: number;
}

export class LogDirMover {
  private readonly running = new Map<string, Promise<void>>();
  private task: Cancellable | undefined;
  private stopped = false;

  constructor(private readonly o: LogDirMoverOptions) {}

  start(): void {
    this.task = every(this.o.scheduler, RESUME_CHECK_MS, () => this.resumeAll(), (err) => this.o.logger.warn({ err }, 'log dir move check failed'));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.task?.cancel();
    await Promise.allSettled([...this.running.values()]);
  }

  /** The configured log directory `path` names, if any (paths compare resolved). */
  private configuredDir(path: string): string | undefined {
    const lm = this.o.logManager;
    return [...lm.liveLogDirs(), ...lm.offlineLogDirs()].find((d) => resolve(d) === resolve(path));
  }

  /**
   * AlterReplicaLogDirs for one replica (Kafka's ReplicaManager.alterReplicaLogDirs): an unknown
   * directory is LOG_DIR_NOT_FOUND, an offline one KAFKA_STORAGE_ERROR; a replica not hosted here
   * remembers the directory for its creation and is REPLICA_NOT_AVAILABLE; the directory it is
   * already in cancels a move in progress.
   */
  async alter(topic: string, partition: number, path: string): Promise<number> {
    const lm = this.o.logManager;
    const dir = this.configuredDir(path);
    if (dir === undefined) return ErrorCode.LOG_DIR_NOT_FOUND;
    if (!lm.isLogDirOnline(dir)) return ErrorCode.KAFKA_STORAGE_ERROR;
    const p = this.o.partition(topic, partition);
    if (p?.offline === true) return ErrorCode.KAFKA_STORAGE_ERROR;
    lm.setPreferredLogDir(topic, partition, dir);
    const k = tpKey(topic, partition);
    // A move in its final swap has dropped its future log but not installed the new current one:
    // the request waits for it. Seen before (reassign-partitions.sh sends the move twice): the second
    // request, arriving in that window, saw the old directory and no future log, and started a
    // second, empty future log next to the just-moved replica.
    if (lm.futureLogDirOf(topic, partition) === undefined) await this.running.get(k)?.catch(() => undefined);
    const current = lm.logDirOf(topic, partition);
    if (p === undefined || current === undefined || lm.getLog(topic, partition) === undefined) return ErrorCode.REPLICA_NOT_AVAILABLE;
    if (lm.futureLogDirOf(topic, partition) !== undefined && lm.futureLogDirOf(topic, partition) !== dir) {
      await this.running.get(k)?.catch(() => undefined);
      await lm.abortFutureLog(topic, partition);
    }
    if (current === dir) return ErrorCode.NONE;
    try {
      await lm.createFutureLog(topic, partition, dir);
    } catch (err) {
      this.o.logger.warn({ err, topic, partition, dir }, 'cannot start a move between log directories');
      return ErrorCode.KAFKA_STORAGE_ERROR;
    }
    this.ensureRunning(topic, partition);
    return ErrorCode.NONE;
  }

  private async resumeAll(): Promise<void> {
    for (const f of this.o.logManager.futurePartitions()) this.ensureRunning(f.topic, f.partition);
  }

  private ensureRunning(topic: string, partition: number): void {
    const k = tpKey(topic, partition);
    if (this.stopped || this.running.has(k)) return;
    const p = this.o.partition(topic, partition);
    if (p === undefined || p.offline || this.o.logManager.getLog(topic, partition) === undefined) return;
    const run = this.move(p).catch((err: unknown) => this.o.logger.warn({ err, topic, partition }, 'move between log directories stopped; retried on the next check'))
      .finally(() => this.running.delete(k));
    this.running.set(k, run);
  }

  private async move(p: Partition): Promise<void> {
    const lm = this.o.logManager;
    const started = this.o.scheduler.now();
    for (;;) {
      const future = lm.futureLog(p.topic, p.partition);
      if (this.stopped || future === undefined || future.isClosed || p.offline) return;
      if (p.log !== lm.getLog(p.topic, p.partition)) return;
      const rate = this.o.bytesPerSecond ?? Number.POSITIVE_INFINITY;
      const copied = await copyTail(p.log, future, Math.min(COPY_ROUND_BYTES, rate));
      if (Number.isFinite(rate) && copied > 0) await sleep(this.o.scheduler, (copied / rate) * 1000);
      if (p.log.size - future.size < SWAP_LAG_BYTES && p.log.logEndOffset - future.logEndOffset < 10_000n) break;
    }
    if (this.stopped) return;
    await p.holdingAppends(() => lm.swapInFutureLog(p.topic, p.partition, (log) => (p.log = log)));
    this.o.logger.info({ topic: p.topic, partition: p.partition, logDir: lm.logDirOf(p.topic, p.partition), elapsedMs: this.o.scheduler.now() - started }, 'moved replica between log directories');
  }
}
