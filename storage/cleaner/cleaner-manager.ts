/**
 * Kafka's LogCleanerManager for one LogManager: the cleaner checkpoints (how far each log is
 * compacted, `cleaner-offset-checkpoint`), the choice of the filthiest log, and the one offset
 * map a cleaner thread reuses across passes. Kept apart from LogManager, which owns the logs and
 * decides what a failed log directory means; cleaning reaches both through `CleanerHost`.
 */
import type { Logger } from 'pino';
import { tpKey, type Clock } from '../../common/index.js';
import type { PartitionLog } from '../partition-log.js';
import { cleanLog, filthiestLog, type CleanStats } from './cleaner.js';
import { loadKeyHasher, OffsetMap, type KeyHasher } from './offset-map.js';

/** What the cleaner needs of its LogManager. */
export interface CleanerHost {
  readonly clock: Clock;
  readonly logger: Logger;
  allLogs(): PartitionLog[];
  logDirOf(topic: string, partition: number): string | undefined;
  /** An I/O error takes `logDir` offline and is rethrown; anything else is rethrown as is. */
  failed(logDir: string, err: unknown): never;
  checkpointCleanerOffsets(): Promise<void>;
}

export class LogCleanerManager {
  /** Per partition (tpKey): offsets below this one are compacted. */
  readonly checkpoints = new Map<string, bigint>();
  private offsetMap: OffsetMap | undefined;

  constructor(
    private readonly h: CleanerHost,
    private readonly dedupeBufferBytes = 32 * 1024 * 1024,
    private readonly hasher?: KeyHasher,
  ) {}

  checkpointOf(topic: string, partition: number): bigint | undefined {
    return this.checkpoints.get(tpKey(topic, partition));
  }

  /** Compacts the dirtiest eligible log, if any (one per call, like one cleaner thread). */
  async cleanFilthiest(opts: { force?: boolean } = {}): Promise<CleanStats | undefined> {
    const best = filthiestLog(this.h.allLogs(), (log) => this.checkpointOf(log.topic, log.partition), this.h.clock.now(), opts.force === true);
    if (!best) return undefined;
    this.offsetMap ??= new OffsetMap(this.dedupeBufferBytes, this.hasher ?? (await loadKeyHasher()));
    const { topic, partition } = best.log;
    const logDir = this.h.logDirOf(topic, partition);
    let stats: CleanStats;
    try {
      stats = await cleanLog(best.log, this.checkpointOf(topic, partition), { map: this.offsetMap, clock: this.h.clock, logger: this.h.logger, force: opts.force });
    } catch (err) {
      // The cleaner writes its .cleaned output outside the log's queue: its I/O errors land here.
      if (logDir !== undefined) this.h.failed(logDir, err);
      throw err;
    }
    if (stats.cleaned) {
      this.checkpoints.set(tpKey(topic, partition), stats.cleanedUpTo);
      await this.h.checkpointCleanerOffsets();
    }
    return stats;
  }
}
