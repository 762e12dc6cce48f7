/**
 * File names of the on-disk layout (Kafka's, so an operator recognises it) and the atomic write
 * used by every checkpoint: temp file, fsync, rename, fsync directory.
 */
import { promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';
export const DELETED_SUFFIX = '.deleted';
export const CLEANED_SUFFIX = '.cleaned';
export const SWAP_SUFFIX = '.swap';
export const LEADER_EPOCH_CHECKPOINT = 'leader-epoch-checkpoint';
/** Per partition directory; present only between a clean close() and the next open. */
export const CLEAN_SHUTDOWN_MARKER = '.samsa_cleanshutdown';
export const RECOVERY_POINT_CHECKPOINT = 'recovery-point-offset-checkpoint';
export const REPLICATION_OFFSET_CHECKPOINT = 'replication-offset-checkpoint';
export const LOG_START_OFFSET_CHECKPOINT = 'log-start-offset-checkpoint';
export const CLEANER_OFFSET_CHECKPOINT = 'cleaner-offset-checkpoint';

/** `00000000000000000042`: 20 digits, zero padded, as Kafka's Log.filenamePrefixFromOffset. */
export function offsetFilePrefix(offset: bigint): string {
  return offset.toString().padStart(20, '0');
}

export function segmentFileName(baseOffset: bigint, suffix: string): string {
  return offsetFilePrefix(baseOffset) + suffix;
}

/** Parses `<20 digits><suffix>[.cleaned|.swap|.deleted]` → base offset and suffixes, or undefined. */
export function parseSegmentFileName(name: string): { baseOffset: bigint; suffix: string; transient: string } | undefined {
  const m = /^(\d{20})(\.log|\.index|\.timeindex|\.txnindex|\.snapshot)(\.cleaned|\.swap|\.deleted)?$/.exec(name);
  if (!m) return undefined;
  return { baseOffset: BigInt(m[1]!), suffix: m[2]!, transient: m[3] ?? '' };
}

/** `<topic>-<partition>` → parts; the topic itself may contain dashes. */
export function parsePartitionDirName(name: string): { topic: string; partition: number } | undefined {
  const m = /^(.+)-(\d+)$/.exec(name);
  if (!m) return undefined;
  return { topic: m[1]!, partition: Number(m[2]) };
}

export function partitionDirName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

export async function fsyncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

let tmpCounter = 0;

/** Readers see either the old or the new content, never a mix, even across a crash. */
export async function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${++tmpCounter}.tmp`);
  const fh = await fsp.open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await fsp.rename(tmp, path);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
  await fsyncDir(dirname(path));
}
