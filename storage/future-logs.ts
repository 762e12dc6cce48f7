/**
 * Moving a replica between log directories of one broker (KIP-113, Kafka's future logs): the
 * directory names and the crash-safe order of the final swap. A future log lives in
 * `<destination>/<topic>-<partition>.<hex>-future` while it is filled; when it has caught up it is
 * closed, the current log's directory gets a `.samsa_moved` marker, the future directory is renamed
 * to `<destination>/<topic>-<partition>` and only then is the old directory retired. A crash after
 * the rename leaves two directories for the partition: the marked one is the superseded copy. A
 * crash before it leaves the marker and the future directory: the marker is dropped and the move
 * resumes.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { fsyncDir, partitionDirName, writeFileAtomic } from './files.js';

export const FUTURE_DIR_SUFFIX = '-future';
export const MOVED_MARKER = '.samsa_moved';

export function futureDirName(topic: string, partition: number): string {
  return `${partitionDirName(topic, partition)}.${randomBytes(16).toString('hex')}${FUTURE_DIR_SUFFIX}`;
}

/** `<topic>-<partition>.<hex>-future` → parts. */
export function parseFutureDirName(name: string): { topic: string; partition: number } | undefined {
  const m = /^(.+)-(\d+)\.[0-9a-f]+-future$/.exec(name);
  return m ? { topic: m[1]!, partition: Number(m[2]) } : undefined;
}

/** Marks the current copy superseded (the destination is about to take its name). */
export async function markMoved(currentDir: string, destination: string): Promise<void> {
  await writeFileAtomic(join(currentDir, MOVED_MARKER), `${destination}\n`);
}

export async function hasMovedMarker(dir: string): Promise<boolean> {
  return fsp.access(join(dir, MOVED_MARKER)).then(() => true, () => false);
}

export async function dropMovedMarker(dir: string): Promise<void> {
  await fsp.rm(join(dir, MOVED_MARKER), { force: true });
}

/** Renames the closed future directory to the partition's own name in its log directory. */
export async function promoteFutureDir(futureDir: string, logDir: string, topic: string, partition: number): Promise<string> {
  const target = join(logDir, partitionDirName(topic, partition));
  await fsp.rename(futureDir, target);
  await fsyncDir(logDir);
  return target;
}

/** What copying needs of a log (PartitionLog has it). */
interface CopyLog {
  readonly logStartOffset: bigint;
  readonly logEndOffset: bigint;
  readonly epochEntries: readonly { epoch: number; startOffset: bigint }[];
  read(fetchOffset: bigint, maxBytes: number, opts: { minOneBatch?: boolean }): Promise<{ records: Buffer }>;
  appendAsFollower(batches: Buffer): Promise<unknown>;
  truncateTo(offset: bigint): Promise<bigint>;
  truncateFullyAndStartAt(offset: bigint): Promise<void>;
  assignEpochStartOffset(epoch: number, startOffset: bigint): Promise<void>;
}

const COPY_CHUNK_BYTES = 1024 * 1024;

/**
 * Copies what `to` lacks from `from`, batches verbatim, as a follower would fetch it: `to` starts
 * at `from`'s log start, is cut back if `from` was truncated below it, and gets the leader epochs
 * `from` holds without batches yet (an epoch begun with no append). Returns the bytes copied.
 */
export async function copyTail(from: CopyLog, to: CopyLog, maxBytes = Number.POSITIVE_INFINITY): Promise<number> {
  if (to.logEndOffset < from.logStartOffset) await to.truncateFullyAndStartAt(from.logStartOffset);
  if (to.logEndOffset > from.logEndOffset) await to.truncateTo(from.logEndOffset);
  let copied = 0;
  while (to.logEndOffset < from.logEndOffset && copied < maxBytes) {
    const { records } = await from.read(to.logEndOffset, COPY_CHUNK_BYTES, { minOneBatch: true });
    if (records.length === 0) break;
    await to.appendAsFollower(records);
    copied += records.length;
  }
  const known = new Set(to.epochEntries.map((e) => e.epoch));
  for (const e of from.epochEntries) {
    if (!known.has(e.epoch) && e.startOffset <= to.logEndOffset && e.epoch > (to.epochEntries.at(-1)?.epoch ?? -1)) await to.assignEpochStartOffset(e.epoch, e.startOffset);
  }
  return copied;
}
