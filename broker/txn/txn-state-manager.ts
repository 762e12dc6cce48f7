/**
 * The transaction coordinator's memory and its log (Kafka's TransactionStateManager): which
 * `__transaction_state` partitions this broker coordinates, at which coordinator epoch (the
 * partition's leader epoch), the metadata of every transactional id placed on them, the replay
 * that rebuilds them on election, and the one append path for state changes.
 *
 * Ownership answers: a loading partition → COORDINATOR_LOAD_IN_PROGRESS, a partition not led
 * here (or being left) → NOT_COORDINATOR. Every append is checked against the coordinator epoch
 * before and after writing, so a change written under an epoch this broker no longer holds is
 * never applied to memory (persist first, then memory).
 */
import type { OffsetsRecord, OffsetsStore } from '../group/index.js';
import { javaStringHashCode } from '../group/index.js';
import { silentLogger, type Logger } from '../logging.js';
import { ErrorCode as E } from '../../protocol/index.js';
import { txnLogAppendError } from './errors.js';
import { decodeTxnLogKey, decodeTxnLogValue, encodeTxnLogKey, encodeTxnLogValue } from './txn-log-codec.js';
import { TransactionMetadata, type TxnTransit } from './txn-metadata.js';

export const TRANSACTION_STATE_TOPIC_NAME = '__transaction_state';

/** Kafka's placement: `Utils.abs(transactionalId.hashCode) % partitions`, as for groups. */
export function txnPartitionFor(transactionalId: string, numPartitions: number): number {
  const h = javaStringHashCode(transactionalId);
  return (h === -2147483648 ? 0 : Math.abs(h)) % numPartitions;
}

interface TxnPartition {
  readonly coordinatorEpoch: number;
  status: 'loading' | 'loaded';
  txns: Map<string, TransactionMetadata>;
}

export type TxnStateLookup =
  | { readonly errorCode: number }
  | { readonly errorCode: typeof E.NONE; readonly coordinatorEpoch: number; readonly metadata: TransactionMetadata | undefined };

/** A transaction found in PrepareCommit/PrepareAbort at load: its markers must be (re)sent. */
export interface PendingCompletion {
  readonly coordinatorEpoch: number;
  readonly commit: boolean;
  readonly metadata: TransactionMetadata;
  readonly complete: TxnTransit;
}

export interface TxnStateManagerOptions {
  store: OffsetsStore;
  numPartitions: number;
  transactionalIdExpirationMs: number;
  now: () => number;
  logger?: Logger;
}

export class TxnStateManager {
  readonly numPartitions: number;
  private readonly partitions = new Map<number, TxnPartition>();
  private readonly log: Logger;
  private active = true;

  constructor(private readonly o: TxnStateManagerOptions) {
    this.numPartitions = o.numPartitions;
    this.log = (o.logger ?? silentLogger()).child({ module: 'txn-state' });
  }

  partitionFor(transactionalId: string): number {
    return txnPartitionFor(transactionalId, this.numPartitions);
  }

  getTransactionState(transactionalId: string): TxnStateLookup {
    if (!this.active) return { errorCode: E.NOT_COORDINATOR };
    const p = this.partitions.get(this.partitionFor(transactionalId));
    if (p === undefined) return { errorCode: E.NOT_COORDINATOR };
    if (p.status === 'loading') return { errorCode: E.COORDINATOR_LOAD_IN_PROGRESS };
    return { errorCode: E.NONE, coordinatorEpoch: p.coordinatorEpoch, metadata: p.txns.get(transactionalId) };
  }

  /** Adds `created` unless the id exists (then the existing one wins, as Kafka's putIfNotExists). */
  putIfNotExists(created: TransactionMetadata): TxnStateLookup {
    const found = this.getTransactionState(created.transactionalId);
    if (found.errorCode !== E.NONE || !('coordinatorEpoch' in found) || found.metadata !== undefined) return found;
    this.partitions.get(this.partitionFor(created.transactionalId))!.txns.set(created.transactionalId, created);
    return { ...found, metadata: created };
  }

  /** Owned partitions with their coordinator epoch and status (admin, metrics, tests). */
  ownedPartitions(): Map<number, { coordinatorEpoch: number; status: 'loading' | 'loaded' }> {
    return new Map([...this.partitions].map(([p, e]) => [p, { coordinatorEpoch: e.coordinatorEpoch, status: e.status }] as const));
  }

  /** Every loaded transaction (DescribeTransactions, ListTransactions, HTTP). */
  *transactions(): Generator<{ partition: number; coordinatorEpoch: number; metadata: TransactionMetadata }> {
    for (const [partition, e] of this.partitions) {
      if (e.status !== 'loaded') continue;
      for (const metadata of e.txns.values()) yield { partition, coordinatorEpoch: e.coordinatorEpoch, metadata };
    }
  }

  /**
   * Election: replays the partition (from its log start to the log end seen at the first read)
   * and installs its transactions unless leadership moved meanwhile. Returns the transactions
   * whose markers must be sent again (found in PrepareCommit/PrepareAbort), or null when the
   * load was abandoned.
   */
  async load(partition: number, coordinatorEpoch: number): Promise<PendingCompletion[] | null> {
    const current = this.partitions.get(partition);
    if (current !== undefined && current.coordinatorEpoch === coordinatorEpoch) return [];
    const entry: TxnPartition = { coordinatorEpoch, status: 'loading', txns: new Map() };
    this.partitions.set(partition, entry);
    const started = this.o.now();
    const stillWanted = (): boolean => this.active && this.partitions.get(partition) === entry;
    const loaded = new Map<string, TransactionMetadata>();
    let skipped = 0;
    try {
      for await (const record of this.o.store.replay(partition)) {
        if (!stillWanted()) return null;
        try {
          const transactionalId = decodeTxnLogKey(record.key);
          if (record.value === null) {
            loaded.delete(transactionalId);
            continue;
          }
          const v = decodeTxnLogValue(record.value);
          loaded.set(transactionalId, new TransactionMetadata({ transactionalId, ...v }));
        } catch (err) {
          skipped++;
          this.log.warn({ err, partition }, 'skipping undecodable __transaction_state record');
        }
      }
    } catch (err) {
      this.log.error({ err, partition, coordinatorEpoch }, 'failed to load transaction state; not coordinating its transactional ids');
      if (stillWanted()) this.partitions.delete(partition);
      return null;
    }
    if (!stillWanted()) return null;
    entry.txns = loaded;
    entry.status = 'loaded';
    const now = this.o.now();
    const pending: PendingCompletion[] = [];
    for (const m of loaded.values()) {
      if (m.state === 'PrepareCommit' || m.state === 'PrepareAbort') {
        pending.push({ coordinatorEpoch, commit: m.state === 'PrepareCommit', metadata: m, complete: m.prepareComplete(now) });
      }
    }
    this.log.info({ partition, coordinatorEpoch, transactionalIds: loaded.size, pendingMarkers: pending.length, skipped, ms: now - started }, 'loaded transaction state');
    return pending;
  }

  /** Resignation: forgets the partition's transactions (only those of `coordinatorEpoch` when given). */
  unload(partition: number, coordinatorEpoch?: number): void {
    const e = this.partitions.get(partition);
    if (e === undefined || (coordinatorEpoch !== undefined && e.coordinatorEpoch > coordinatorEpoch)) return;
    this.partitions.delete(partition);
    this.log.info({ partition, coordinatorEpoch: e.coordinatorEpoch, transactionalIds: e.txns.size }, 'unloaded transaction state');
  }

  shutdown(): void {
    this.active = false;
    this.partitions.clear();
  }

  /**
   * Writes `transit` (prepared on the id's metadata) to `__transaction_state` with acks=-1 and,
   * once durable under the same coordinator epoch, completes it in memory. On failure the
   * prepared transition is dropped unless `retryOnError` says the caller will try again.
   */
  async appendTransactionToLog(transactionalId: string, coordinatorEpoch: number, transit: TxnTransit, retryOnError: (errorCode: number) => boolean = () => false): Promise<number> {
    const before = this.getTransactionState(transactionalId);
    if (!('coordinatorEpoch' in before)) return before.errorCode;
    if (before.metadata === undefined || before.coordinatorEpoch !== coordinatorEpoch) return E.NOT_COORDINATOR;
    const record: OffsetsRecord = { key: encodeTxnLogKey(transactionalId), value: encodeTxnLogValue(transit) };
    let error: number = E.NONE;
    try {
      await this.o.store.append(this.partitionFor(transactionalId), [record]);
    } catch (err) {
      error = txnLogAppendError(err);
      this.log.debug({ err, transactionalId, state: transit.state }, 'transaction state append failed');
    }
    const after = this.getTransactionState(transactionalId);
    if (error === E.NONE) {
      if (!('coordinatorEpoch' in after)) return after.errorCode;
      if (after.metadata === undefined || after.coordinatorEpoch !== coordinatorEpoch) return E.NOT_COORDINATOR;
      after.metadata.completeTransitionTo(transit);
      return E.NONE;
    }
    if ('coordinatorEpoch' in after && after.metadata !== undefined && after.coordinatorEpoch === coordinatorEpoch && !retryOnError(error)) {
      after.metadata.pendingState = undefined;
    }
    return error;
  }

  /** Ongoing transactions past their timeout with no transition in flight (Kafka's timedOutTransactions). */
  timedOutTransactions(now: number): { transactionalId: string; producerId: bigint; producerEpoch: number }[] {
    const out: { transactionalId: string; producerId: bigint; producerEpoch: number }[] = [];
    for (const { metadata: m } of this.transactions()) {
      if (m.pendingState !== undefined || m.state !== 'Ongoing') continue;
      if (m.txnStartTimestamp + m.txnTimeoutMs < now) out.push({ transactionalId: m.transactionalId, producerId: m.producerId, producerEpoch: m.producerEpoch });
    }
    return out;
  }

  /**
   * transactional.id.expiration.ms: ids with no transaction in progress and no update for that
   * long are tombstoned (one batch per partition) and, once durable, forgotten.
   */
  async removeExpiredTransactionalIds(now: number): Promise<number> {
    const byPartition = new Map<number, { coordinatorEpoch: number; victims: { m: TransactionMetadata; epoch: number }[] }>();
    for (const { partition, coordinatorEpoch, metadata: m } of this.transactions()) {
      if (m.pendingState !== undefined) continue;
      if (m.state !== 'Empty' && m.state !== 'CompleteCommit' && m.state !== 'CompleteAbort') continue;
      if (m.txnLastUpdateTimestamp > now - this.o.transactionalIdExpirationMs) continue;
      m.prepareDead();
      const slot = byPartition.get(partition) ?? { coordinatorEpoch, victims: [] };
      slot.victims.push({ m, epoch: m.producerEpoch });
      byPartition.set(partition, slot);
    }
    let removed = 0;
    await Promise.all(
      [...byPartition].map(async ([partition, { coordinatorEpoch, victims }]) => {
        let ok = true;
        try {
          await this.o.store.append(partition, victims.map(({ m }) => ({ key: encodeTxnLogKey(m.transactionalId), value: null })));
        } catch (err) {
          ok = false;
          this.log.warn({ err, partition, transactionalIds: victims.length }, 'failed to write tombstones of expired transactional ids; retrying next interval');
        }
        const e = this.partitions.get(partition);
        for (const { m, epoch } of victims) {
          const same = e !== undefined && e.coordinatorEpoch === coordinatorEpoch && e.txns.get(m.transactionalId) === m;
          if (ok && same && m.pendingState === 'Dead' && m.producerEpoch === epoch) {
            e.txns.delete(m.transactionalId);
            removed++;
          } else {
            m.pendingState = undefined;
          }
        }
      }),
    );
    if (removed > 0) this.log.info({ removed }, 'removed expired transactional ids');
    return removed;
  }
}
