/**
 * Kafka's text checkpoint formats (kafka.server.checkpoints.CheckpointFile): a version line `0`,
 * a count line, then one entry per line. Written atomically; a parse failure is a typed error so
 * the caller can decide to fall back (e.g. full recovery) instead of trusting garbage.
 */
import { promises as fsp } from 'node:fs';
import { StorageError } from './errors.js';
import { writeFileAtomic } from './files.js';

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: bigint;
}

export interface EpochEntry {
  epoch: number;
  startOffset: bigint;
}

const VERSION = 0;

function corrupt(path: string, why: string): StorageError {
  return new StorageError('STG_CORRUPT_CHECKPOINT', `${path}: ${why}`);
}

function parseLines(path: string, text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length < 2) throw corrupt(path, 'missing version or count line');
  if (lines[0]!.trim() !== String(VERSION)) throw corrupt(path, `unsupported version "${lines[0]}"`);
  const count = Number(lines[1]);
  if (!Number.isInteger(count) || count < 0) throw corrupt(path, `bad count "${lines[1]}"`);
  const entries = lines.slice(2);
  if (entries.length !== count) throw corrupt(path, `count says ${count}, found ${entries.length} entries`);
  return entries;
}

function parseOffset(path: string, s: string | undefined): bigint {
  if (s === undefined || !/^-?\d+$/.test(s)) throw corrupt(path, `bad offset "${s}"`);
  return BigInt(s);
}

async function readOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await fsp.readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function formatOffsetCheckpoint(entries: readonly TopicPartitionOffset[]): string {
  return [String(VERSION), String(entries.length), ...entries.map((e) => `${e.topic} ${e.partition} ${e.offset}`)].join('\n') + '\n';
}

function parseOffsetCheckpoint(path: string, text: string): TopicPartitionOffset[] {
  return parseLines(path, text).map((line) => {
    const parts = line.split(' ');
    if (parts.length !== 3) throw corrupt(path, `bad entry "${line}"`);
    const partition = Number(parts[1]);
    if (!Number.isInteger(partition) || partition < 0) throw corrupt(path, `bad partition in "${line}"`);
    return { topic: parts[0]!, partition, offset: parseOffset(path, parts[2]) };
  });
}

/** Missing file → empty list (a fresh log dir). */
export async function readOffsetCheckpoint(path: string): Promise<TopicPartitionOffset[]> {
  const text = await readOrUndefined(path);
  return text === undefined ? [] : parseOffsetCheckpoint(path, text);
}

export async function writeOffsetCheckpoint(path: string, entries: readonly TopicPartitionOffset[]): Promise<void> {
  await writeFileAtomic(path, formatOffsetCheckpoint(entries));
}

function formatEpochCheckpoint(entries: readonly EpochEntry[]): string {
  return [String(VERSION), String(entries.length), ...entries.map((e) => `${e.epoch} ${e.startOffset}`)].join('\n') + '\n';
}

function parseEpochCheckpoint(path: string, text: string): EpochEntry[] {
  return parseLines(path, text).map((line) => {
    const parts = line.split(' ');
    const epoch = Number(parts[0]);
    if (parts.length !== 2 || !Number.isInteger(epoch) || epoch < 0) throw corrupt(path, `bad entry "${line}"`);
    return { epoch, startOffset: parseOffset(path, parts[1]) };
  });
}

export async function readEpochCheckpoint(path: string): Promise<EpochEntry[]> {
  const text = await readOrUndefined(path);
  return text === undefined ? [] : parseEpochCheckpoint(path, text);
}

export async function writeEpochCheckpoint(path: string, entries: readonly EpochEntry[]): Promise<void> {
  await writeFileAtomic(path, formatEpochCheckpoint(entries));
}
