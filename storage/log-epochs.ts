/**
 * A log's leader epoch cache together with its `leader-epoch-checkpoint` file (Kafka's
 * LeaderEpochFileCache): every change that alters the entries is written through before the
 * caller goes on, so a restart never sees an epoch the log no longer holds. The one exception,
 * `assignDeferred`, is an epoch that holds no record yet.
 */
import { join } from 'node:path';
import { writeEpochCheckpoint } from './checkpoint.js';
import { LEADER_EPOCH_CHECKPOINT } from './files.js';
import type { EpochEndOffset, LeaderEpochCache } from './leader-epoch-cache.js';

export class LogEpochs {
  private readonly path: string;
  /** An entry taken at the log end is not on disk yet (`assignDeferred`). */
  private deferred = false;
  /** The last write-through failed: the file may lag the entries. */
  private failed = false;

  constructor(private readonly cache: LeaderEpochCache, dir: string) {
    this.path = join(dir, LEADER_EPOCH_CHECKPOINT);
  }

  get latestEpoch(): number | undefined { return this.cache.latestEpoch; }
  get entries(): readonly { epoch: number; startOffset: bigint }[] { return this.cache.entries; }

  endOffsetFor(epoch: number, logEndOffset: bigint): EpochEndOffset {
    return this.cache.endOffsetFor(epoch, logEndOffset);
  }

  /** Epochs first seen in one append: the file is written once (with a deferred entry, if any). */
  async assignAll(assignments: readonly { epoch: number; startOffset: bigint }[]): Promise<void> {
    let changed = false;
    for (const a of assignments) if (a.epoch >= 0 && this.cache.assign(a.epoch, a.startOffset)) changed = true;
    if (changed || this.deferred) await this.persist();
  }

  /**
   * Becoming leader (KIP-279) at the log end: in memory now, on disk with the first append in
   * the epoch (which writes the file before its batch), a truncation, or a clean close. Until
   * then the entry covers no record, so a crash that loses it loses nothing the log holds, and
   * the broker that restarts is no longer that epoch's leader (opening a log drops entries that
   * start at its end, as Kafka's truncateFromEnd at load). Kafka writes it at once; here
   * thousands of partitions changing leader do not wait on two fsyncs each.
   */
  assignDeferred(epoch: number, startOffset: bigint): void {
    if (epoch >= 0 && this.cache.assign(epoch, startOffset)) this.deferred = true;
  }

  assign(epoch: number, startOffset: bigint): Promise<void> {
    return this.assignAll([{ epoch, startOffset }]);
  }

  async truncateFromEnd(endOffset: bigint): Promise<void> {
    if (this.cache.truncateFromEnd(endOffset)) await this.persist();
  }

  async truncateFromStart(startOffset: bigint): Promise<void> {
    if (this.cache.truncateFromStart(startOffset)) await this.persist();
  }

  async clear(): Promise<void> {
    this.cache.clear();
    await this.persist();
  }

  async persist(): Promise<void> {
    this.failed = true;
    await writeEpochCheckpoint(this.path, this.cache.entries);
    this.failed = false;
    this.deferred = false;
  }

  /**
   * A clean close: every change was written through already, unless a write failed since. A
   * still deferred entry starts at the log end (an append or a truncation would have written
   * it), so the next open would drop it: it is not written either.
   */
  async persistIfWriteFailed(): Promise<void> {
    if (this.failed) await this.persist();
  }
}
