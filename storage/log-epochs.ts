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
  /** The file holds the entries (the log's open rewrites it when recovery changed them). */
  private written = true;

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
    if (changed || !this.written) await this.persist();
  }

  /**
   * Becoming leader (KIP-279) at the log end: in memory now, on disk with the first append in
   * the epoch (which writes the file before its batch), a truncation, or a clean close. Until
   * then the entry covers no record, so a crash that loses it loses nothing the log holds, and
   * the broker that restarts is no longer that epoch's leader. Kafka writes it at once; here
   * thousands of partitions changing leader do not wait on two fsyncs each.
   */
  assignDeferred(epoch: number, startOffset: bigint): void {
    if (epoch >= 0 && this.cache.assign(epoch, startOffset)) this.written = false;
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
    this.written = false;
    await writeEpochCheckpoint(this.path, this.cache.entries);
    this.written = true;
  }

  /** A clean close: every change was written through already, unless a write failed since. */
  async persistIfUnwritten(): Promise<void> {
    if (!this.written) await this.persist();
  }
}
