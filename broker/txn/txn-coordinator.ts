/**
 * The transaction coordinator (Kafka 2.8's TransactionCoordinator): InitProducerId with a
 * transactional id (epoch bump, fencing of the previous incarnation), AddPartitionsToTxn (also
 * behind AddOffsetsToTxn), EndTxn, the abort of transactions past their timeout, and the
 * DescribeTransactions / ListTransactions views. State lives in TxnStateManager; markers go out
 * through TxnMarkerChannel.
 *
 * Ordering: every decision (checks + prepare) runs synchronously on one id's metadata and marks
 * the transition pending before the first await, so a concurrent request for the same id sees
 * the pending state and answers CONCURRENT_TRANSACTIONS, as Kafka's per-metadata lock does.
 */
import { silentLogger, type Logger } from '../logging.js';
import { every, type Cancellable, type Scheduler } from '../../common/index.js';
import { DEFAULT_TXN_COORDINATOR_CONFIG, type TxnCoordinatorConfig } from './config.js';
import { ErrorCode as E } from '../../protocol/index.js';
import type { TxnMarkerChannel } from './marker-channel.js';
import { isEpochExhausted, tpKeyOf, NO_PRODUCER_EPOCH, NO_PRODUCER_ID, TransactionMetadata, TXN_STATES, type TopicPartitionRef, type TxnState, type TxnTransit } from './txn-metadata.js';
import type { TxnStateManager } from './txn-state-manager.js';

export interface InitProducerIdResult {
  readonly errorCode: number;
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

export interface DescribedTransaction {
  readonly errorCode: number;
  readonly transactionalId: string;
  readonly state: TxnState | '';
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly timeoutMs: number;
  readonly startTimeMs: number;
  /** The last state change (HTTP admin; not on the wire). */
  readonly lastUpdateTimeMs: number;
  readonly partitions: readonly TopicPartitionRef[];
}

export interface ListedTransaction {
  readonly transactionalId: string;
  readonly producerId: bigint;
  readonly state: TxnState;
}

export interface TxnCoordinatorOptions {
  readonly stateManager: TxnStateManager;
  readonly markers: TxnMarkerChannel;
  /** This broker's block of producer ids (ProducerIdManager). */
  readonly producerIds: { generateProducerId(): Promise<bigint> };
  readonly config?: Partial<TxnCoordinatorConfig>;
  readonly scheduler: Scheduler;
  readonly logger?: Logger;
}

const initError = (errorCode: number): InitProducerIdResult => ({ errorCode, producerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH });

export class TxnCoordinator {
  readonly config: TxnCoordinatorConfig;
  private readonly sm: TxnStateManager;
  private readonly log: Logger;
  private readonly timers: Cancellable[] = [];
  private active = false;

  constructor(private readonly o: TxnCoordinatorOptions) {
    this.config = { ...DEFAULT_TXN_COORDINATOR_CONFIG, ...o.config };
    this.sm = o.stateManager;
    this.log = (o.logger ?? silentLogger()).child({ module: 'txn-coordinator' });
  }

  private now(): number {
    return this.o.scheduler.now();
  }

  partitionFor(transactionalId: string): number {
    return this.sm.partitionFor(transactionalId);
  }

  /** Arms the periodic abort of timed-out transactions and the expiry of idle transactional ids. */
  startup(): void {
    this.active = true;
    this.every(this.config.abortTimedOutTransactionsIntervalMs, () => this.abortTimedOutTransactions());
    this.every(this.config.removeExpiredTransactionalIdsIntervalMs, () => this.sm.removeExpiredTransactionalIds(this.now()));
  }

  async shutdown(): Promise<void> {
    this.active = false;
    for (const t of this.timers) t.cancel();
    this.timers.length = 0;
    await this.o.markers.shutdown();
    this.sm.shutdown();
  }

  private every(periodMs: number, task: () => Promise<unknown>): void {
    this.timers.push(every(this.o.scheduler, periodMs, task, (err) => this.log.error({ err }, 'periodic transaction task failed')));
  }

  // ---- leadership of __transaction_state ---------------------------------------------------

  /** This broker leads `partition` at `coordinatorEpoch`: load it, then resend markers of transactions left prepared. */
  async onElection(partition: number, coordinatorEpoch: number): Promise<void> {
    this.o.markers.removeMarkersForTxnTopicPartition(partition);
    const pending = await this.sm.load(partition, coordinatorEpoch);
    for (const p of pending ?? []) this.o.markers.addTxnMarkersToSend(p.coordinatorEpoch, p.commit, p.metadata, p.complete);
  }

  onResignation(partition: number): void {
    this.sm.unload(partition);
    this.o.markers.removeMarkersForTxnTopicPartition(partition);
  }

  // ---- InitProducerId ----------------------------------------------------------------------

  /**
   * A transactional producer starts (or restarts): a producer id for a new id, else the epoch
   * bumped (which fences the previous incarnation). An ongoing transaction is aborted first
   * with a fencing bump and CONCURRENT_TRANSACTIONS answered, so the client retries and gets a
   * second bump. `expected` is InitProducerId v3+'s producerId/epoch (KIP-360), -1/-1 when absent.
   */
  async initProducerId(transactionalId: string, transactionTimeoutMs: number, expected?: { producerId: bigint; producerEpoch: number }): Promise<InitProducerIdResult> {
    if (transactionalId === '') return initError(E.INVALID_REQUEST);
    if (transactionTimeoutMs <= 0 || transactionTimeoutMs > this.config.transactionMaxTimeoutMs) return initError(E.INVALID_TRANSACTION_TIMEOUT);
    const exp = expected !== undefined && (expected.producerId >= 0n || expected.producerEpoch >= 0) ? expected : undefined;
    let found = this.sm.getTransactionState(transactionalId);
    if (!('coordinatorEpoch' in found)) return initError(found.errorCode);
    if (found.metadata === undefined) {
      const producerId = await this.newProducerId();
      if (producerId === undefined) return initError(E.COORDINATOR_NOT_AVAILABLE);
      found = this.sm.putIfNotExists(
        new TransactionMetadata({ transactionalId, producerId, producerEpoch: NO_PRODUCER_EPOCH, txnTimeoutMs: transactionTimeoutMs, state: 'Empty', txnLastUpdateTimestamp: this.now() }),
      );
      if (!('coordinatorEpoch' in found) || found.metadata === undefined) return initError(found.errorCode === E.NONE ? E.NOT_COORDINATOR : found.errorCode);
    }
    let m = found.metadata;
    const coordinatorEpoch = found.coordinatorEpoch;
    // A rotation needs a fresh id, which takes an await: get it before deciding, then re-check.
    let rotationId: bigint | undefined;
    if (m.isProducerEpochExhausted && m.pendingState === undefined && (m.state === 'Empty' || m.state === 'CompleteCommit' || m.state === 'CompleteAbort')) {
      rotationId = await this.newProducerId();
      if (rotationId === undefined) return initError(E.COORDINATOR_NOT_AVAILABLE);
      const again = this.sm.getTransactionState(transactionalId);
      if (!('coordinatorEpoch' in again) || again.metadata === undefined || again.coordinatorEpoch !== coordinatorEpoch) return initError(again.errorCode === E.NONE ? E.NOT_COORDINATOR : again.errorCode);
      m = again.metadata;
    }
    const decided = this.prepareInitProducerIdTransit(m, transactionTimeoutMs, exp, rotationId);
    if (typeof decided === 'number') return initError(decided);
    if (decided.state === 'PrepareEpochFence') {
      const error = await this.endTransaction(transactionalId, decided.producerId, decided.producerEpoch, false, false);
      return initError(error === E.NONE ? E.CONCURRENT_TRANSACTIONS : error);
    }
    const error = await this.sm.appendTransactionToLog(transactionalId, coordinatorEpoch, decided);
    if (error !== E.NONE) {
      this.log.info({ transactionalId, errorCode: error }, 'InitProducerId not completed');
      return initError(error);
    }
    this.log.info({ transactionalId, producerId: String(decided.producerId), producerEpoch: decided.producerEpoch, partition: this.partitionFor(transactionalId) }, 'initialized transactional id');
    return { errorCode: E.NONE, producerId: decided.producerId, producerEpoch: decided.producerEpoch };
  }

  private prepareInitProducerIdTransit(m: TransactionMetadata, timeoutMs: number, exp: { producerId: bigint; producerEpoch: number } | undefined, rotationId: bigint | undefined): TxnTransit | number {
    if (m.pendingTransitionInProgress) return E.CONCURRENT_TRANSACTIONS;
    if (exp !== undefined) {
      // KIP-360: fence unless the metadata is new, the id matches, or this retries a rotation that succeeded.
      const valid = m.producerEpoch === NO_PRODUCER_EPOCH || exp.producerId === m.producerId || (exp.producerId === m.lastProducerId && isEpochExhausted(exp.producerEpoch));
      if (!valid) return E.PRODUCER_FENCED;
    }
    switch (m.state) {
      case 'PrepareAbort':
      case 'PrepareCommit':
        return E.CONCURRENT_TRANSACTIONS;
      case 'CompleteAbort':
      case 'CompleteCommit':
      case 'Empty':
        if (m.isProducerEpochExhausted && (exp === undefined || exp.producerEpoch === m.producerEpoch)) {
          if (rotationId === undefined) return E.CONCURRENT_TRANSACTIONS;
          return m.prepareProducerIdRotation(rotationId, timeoutMs, this.now(), exp !== undefined);
        }
        return m.prepareIncrementProducerEpoch(timeoutMs, exp?.producerEpoch, this.now());
      case 'Ongoing':
        return m.prepareFenceProducerEpoch();
      default:
        throw new Error(`transactional id ${m.transactionalId} found in state ${m.state}, which is never stored`);
    }
  }

  private async newProducerId(): Promise<bigint | undefined> {
    try {
      return await this.o.producerIds.generateProducerId();
    } catch (err) {
      this.log.warn({ err }, 'could not claim a producer id block');
      return undefined;
    }
  }

  // ---- AddPartitionsToTxn ------------------------------------------------------------------

  async addPartitions(transactionalId: string, producerId: bigint, producerEpoch: number, partitions: readonly TopicPartitionRef[]): Promise<number> {
    if (transactionalId === '') return E.INVALID_REQUEST;
    const found = this.sm.getTransactionState(transactionalId);
    if (!('coordinatorEpoch' in found)) return found.errorCode;
    const m = found.metadata;
    if (m === undefined || m.producerId !== producerId) return E.INVALID_PRODUCER_ID_MAPPING;
    if (m.producerEpoch !== producerEpoch) return E.PRODUCER_FENCED;
    if (m.pendingTransitionInProgress || m.state === 'PrepareCommit' || m.state === 'PrepareAbort') return E.CONCURRENT_TRANSACTIONS;
    // Already part of the transaction: nothing to write.
    if (m.state === 'Ongoing' && partitions.every((tp) => m.partitions.has(tpKeyOf(tp)))) return E.NONE;
    const transit = m.prepareAddPartitions(partitions, this.now());
    return this.sm.appendTransactionToLog(transactionalId, found.coordinatorEpoch, transit);
  }

  // ---- EndTxn ------------------------------------------------------------------------------

  endTxn(transactionalId: string, producerId: bigint, producerEpoch: number, commit: boolean): Promise<number> {
    return this.endTransaction(transactionalId, producerId, producerEpoch, commit, true);
  }

  /**
   * PrepareCommit/PrepareAbort written, then the client is answered and the markers go out.
   * Not from a client (timeout abort, fencing by InitProducerId), the epoch may be the bumped one.
   */
  private async endTransaction(transactionalId: string, producerId: bigint, producerEpoch: number, commit: boolean, isFromClient: boolean): Promise<number> {
    if (transactionalId === '') return E.INVALID_REQUEST;
    const found = this.sm.getTransactionState(transactionalId);
    if (!('coordinatorEpoch' in found)) return found.errorCode;
    const m = found.metadata;
    const coordinatorEpoch = found.coordinatorEpoch;
    if (m === undefined || m.producerId !== producerId) return E.INVALID_PRODUCER_ID_MAPPING;
    if ((isFromClient && producerEpoch !== m.producerEpoch) || producerEpoch < m.producerEpoch) return E.PRODUCER_FENCED;
    if (m.pendingState !== undefined && m.pendingState !== 'PrepareEpochFence') return E.CONCURRENT_TRANSACTIONS;
    let isEpochFence = false;
    let transit: TxnTransit;
    switch (m.state) {
      case 'Ongoing': {
        const next = commit ? 'PrepareCommit' : 'PrepareAbort';
        if (next === 'PrepareAbort' && m.pendingState === 'PrepareEpochFence') {
          // The fence becomes this abort: its record carries the bumped epoch.
          isEpochFence = true;
          m.pendingState = undefined;
          m.producerEpoch = producerEpoch;
          m.lastProducerEpoch = NO_PRODUCER_EPOCH;
        }
        transit = m.prepareAbortOrCommit(next, this.now());
        break;
      }
      case 'CompleteCommit':
        return commit ? E.NONE : E.INVALID_TXN_STATE;
      case 'CompleteAbort':
        return commit ? E.INVALID_TXN_STATE : E.NONE;
      case 'PrepareCommit':
        return commit ? E.CONCURRENT_TRANSACTIONS : E.INVALID_TXN_STATE;
      case 'PrepareAbort':
        return commit ? E.INVALID_TXN_STATE : E.CONCURRENT_TRANSACTIONS;
      case 'Empty':
        return E.INVALID_TXN_STATE;
      default:
        throw new Error(`transactional id ${transactionalId} found in state ${m.state}, which is never stored`);
    }
    const error = await this.sm.appendTransactionToLog(transactionalId, coordinatorEpoch, transit);
    if (error !== E.NONE) {
      if (isEpochFence) {
        const now = this.sm.getTransactionState(transactionalId);
        if ('coordinatorEpoch' in now && now.coordinatorEpoch === coordinatorEpoch && now.metadata !== undefined) now.metadata.hasFailedEpochFence = true;
      }
      this.log.info({ transactionalId, commit, errorCode: error }, 'end of transaction not written');
      return error;
    }
    const after = this.sm.getTransactionState(transactionalId);
    if (!('coordinatorEpoch' in after)) return after.errorCode;
    const am = after.metadata;
    if (am === undefined || after.coordinatorEpoch !== coordinatorEpoch) return E.NOT_COORDINATOR;
    if (am.producerId !== producerId) return E.INVALID_PRODUCER_ID_MAPPING;
    if (am.producerEpoch !== producerEpoch) return E.PRODUCER_FENCED;
    if (am.pendingTransitionInProgress) return E.CONCURRENT_TRANSACTIONS;
    if (am.state !== (commit ? 'PrepareCommit' : 'PrepareAbort')) return E.INVALID_TXN_STATE;
    // Answer now; the markers and the completion record follow (Kafka responds after the prepare record).
    this.o.markers.addTxnMarkersToSend(coordinatorEpoch, commit, am, am.prepareComplete(this.now()));
    return E.NONE;
  }

  // ---- timeouts ----------------------------------------------------------------------------

  /** Aborts every Ongoing transaction past its timeout with a fencing epoch bump (the zombie's epoch is dead). */
  async abortTimedOutTransactions(): Promise<number> {
    const victims = this.sm.timedOutTransactions(this.now());
    const results = await Promise.all(
      victims.map(async (v) => {
        const found = this.sm.getTransactionState(v.transactionalId);
        if (!('coordinatorEpoch' in found) || found.metadata === undefined) return false;
        const m = found.metadata;
        if (m.producerId !== v.producerId || m.pendingTransitionInProgress) return false;
        const fence = m.prepareFenceProducerEpoch();
        const error = await this.endTransaction(v.transactionalId, fence.producerId, fence.producerEpoch, false, false);
        if (error === E.NONE) this.log.info({ transactionalId: v.transactionalId, producerId: String(v.producerId), producerEpoch: fence.producerEpoch }, 'aborted transaction past its timeout');
        else this.log.info({ transactionalId: v.transactionalId, errorCode: error }, 'abort of timed-out transaction not done');
        return error === E.NONE;
      }),
    );
    return results.filter(Boolean).length;
  }

  // ---- admin -------------------------------------------------------------------------------

  describe(transactionalId: string): DescribedTransaction {
    const blank = (errorCode: number): DescribedTransaction => ({ errorCode, transactionalId, state: '', producerId: -1n, producerEpoch: -1, timeoutMs: -1, startTimeMs: -1, lastUpdateTimeMs: -1, partitions: [] });
    if (!this.active) return blank(E.COORDINATOR_NOT_AVAILABLE);
    if (transactionalId === '') return blank(E.INVALID_REQUEST);
    const found = this.sm.getTransactionState(transactionalId);
    if (!('coordinatorEpoch' in found)) return blank(found.errorCode);
    const m = found.metadata;
    if (m === undefined || m.state === 'Dead') return blank(E.TRANSACTIONAL_ID_NOT_FOUND);
    return {
      errorCode: E.NONE,
      transactionalId,
      state: m.state,
      producerId: m.producerId,
      producerEpoch: m.producerEpoch,
      timeoutMs: m.txnTimeoutMs,
      startTimeMs: m.txnStartTimestamp,
      lastUpdateTimeMs: m.txnLastUpdateTimestamp,
      partitions: m.partitionList(),
    };
  }

  /** ListTransactions (TransactionStateManager.listTransactionStates): unknown state names are reported back and match nothing. */
  list(stateFilters: readonly string[], producerIdFilters: readonly bigint[]): { errorCode: number; unknownStateFilters: string[]; transactions: ListedTransaction[] } {
    if (!this.active) return { errorCode: E.COORDINATOR_NOT_AVAILABLE, unknownStateFilters: [], transactions: [] };
    if ([...this.sm.ownedPartitions().values()].some((p) => p.status === 'loading')) return { errorCode: E.COORDINATOR_LOAD_IN_PROGRESS, unknownStateFilters: [], transactions: [] };
    const known = new Set<string>(TXN_STATES);
    const unknownStateFilters = stateFilters.filter((s) => !known.has(s));
    const states = new Set<string>(stateFilters);
    const pids = new Set(producerIdFilters);
    const transactions: ListedTransaction[] = [];
    for (const { metadata: m } of this.sm.transactions()) {
      if (m.state === 'Dead') continue;
      if (pids.size > 0 && !pids.has(m.producerId)) continue;
      if (states.size > 0 && !states.has(m.state)) continue;
      transactions.push({ transactionalId: m.transactionalId, producerId: m.producerId, state: m.state });
    }
    transactions.sort((a, b) => (a.transactionalId < b.transactionalId ? -1 : a.transactionalId > b.transactionalId ? 1 : 0));
    return { errorCode: E.NONE, unknownStateFilters, transactions };
  }
}
