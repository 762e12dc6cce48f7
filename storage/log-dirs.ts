/**
 * What the log manager does per log directory as a whole: the scan at start (its checkpoint
 * files and partition directories) and writing one checkpoint file into each live directory.
 * Kept apart from LogManager, which owns the logs and decides what a failure means.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { tpKey } from '../common/index.js';
import { readOffsetCheckpoint, writeOffsetCheckpoint, type TopicPartitionOffset } from './checkpoint.js';
import { hasMovedMarker, parseFutureDirName } from './future-logs.js';
import {
  CLEANER_OFFSET_CHECKPOINT, LOG_START_OFFSET_CHECKPOINT, parsePartitionDirName, RECOVERY_POINT_CHECKPOINT, REPLICATION_OFFSET_CHECKPOINT,
} from './files.js';


/** A log found at start, with what the directory's checkpoints say about it. */
export interface FoundLog {
  readonly logDir: string;
  readonly topic: string;
  readonly partition: number;
  readonly recoveryPoint?: bigint;
  readonly logStartOffset?: bigint;
  readonly highWatermark?: bigint;
  /** The partition's directory (a future log's is `<topic>-<p>.<hex>-future`). */
  readonly dir: string;
  /** A future log: the destination of a move between log directories (KIP-113). */
  readonly future?: boolean;
  /** A current log whose move to another directory was being swapped in (see future-logs.ts). */
  readonly moved?: boolean;
}

async function readCheckpoint(dir: string, name: string, logger: Logger): Promise<Map<string, bigint>> {
  const entries = await readOffsetCheckpoint(join(dir, name)).catch((err: unknown) => {
    logger.warn({ err, file: join(dir, name) }, 'ignoring unreadable checkpoint');
    return [] as TopicPartitionOffset[];
  });
  return new Map(entries.map((e) => [tpKey(e.topic, e.partition), e.offset]));
}

/**
 * Creates the directory if needed, reads its checkpoints and lists its partition directories
 * (leftover `-delete` directories are removed in the background). Throws what the disk throws.
 */
export async function scanLogDir(logDir: string, logger: Logger): Promise<{ logs: FoundLog[]; cleanerOffsets: Map<string, bigint> }> {
  await fsp.mkdir(logDir, { recursive: true });
  const [rps, logStartOffsets, hws, cleanerOffsets] = await Promise.all(
    [RECOVERY_POINT_CHECKPOINT, LOG_START_OFFSET_CHECKPOINT, REPLICATION_OFFSET_CHECKPOINT, CLEANER_OFFSET_CHECKPOINT].map((n) => readCheckpoint(logDir, n, logger)),
  );
  const logs: FoundLog[] = [];
  for (const entry of await fsp.readdir(logDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    if (entry.name.endsWith('-delete')) {
      void fsp.rm(join(logDir, entry.name), { recursive: true, force: true }).catch(() => undefined);
      continue;
    }
    const dir = join(logDir, entry.name);
    const future = parseFutureDirName(entry.name);
    if (future) {
      logs.push({ logDir, ...future, dir, future: true });
      continue;
    }
    const tp = parsePartitionDirName(entry.name);
    if (!tp) continue;
    const k = tpKey(tp.topic, tp.partition);
    const moved = await hasMovedMarker(dir);
    logs.push({ logDir, ...tp, dir, moved, recoveryPoint: rps!.get(k), logStartOffset: logStartOffsets!.get(k), highWatermark: hws!.get(k) });
  }
  return { logs, cleanerOffsets: cleanerOffsets! };
}

/**
 * Writes `name` into each of `dirs` with that directory's entries. A directory whose write fails
 * is handed to `onFailure` and the others are still written; the first failure is rethrown at
 * the end (as `onFailure` returned it).
 */
export async function writeCheckpointPerDir(
  dirs: readonly string[],
  name: string,
  entriesOf: (dir: string) => TopicPartitionOffset[],
  onFailure: (dir: string, err: unknown) => unknown,
): Promise<void> {
  let failure: unknown;
  for (const dir of dirs) {
    try {
      await writeOffsetCheckpoint(join(dir, name), entriesOf(dir));
    } catch (err) {
      failure ??= onFailure(dir, err);
    }
  }
  if (failure !== undefined) throw failure;
}

/** The directory of `dirs` holding the fewest of `inUse` (the log dirs of existing and coming logs); the first on a tie. */
export function leastLoadedLogDir(dirs: readonly string[], inUse: readonly string[]): string {
  const counts = dirs.map((d) => inUse.filter((u) => u === d).length);
  return dirs[counts.indexOf(Math.min(...counts))]!;
}

/** One checkpoint file's entries for `logDir`: the logs there with a value. */
export function checkpointEntries<L extends { readonly topic: string; readonly partition: number }>(
  logs: Iterable<{ readonly log: L; readonly logDir: string }>,
  logDir: string,
  value: (log: L) => bigint | undefined,
): TopicPartitionOffset[] {
  const entries: TopicPartitionOffset[] = [];
  for (const { log, logDir: d } of logs) {
    const offset = value(log);
    if (d === logDir && offset !== undefined) entries.push({ topic: log.topic, partition: log.partition, offset });
  }
  return entries;
}

/** Runs `fn` over `items`, at most `limit` at a time; rejects with the first error after all ran. */
export async function mapBounded<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
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
