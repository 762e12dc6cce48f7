/**
 * The transactional producer's state (Kafka's TransactionManager, KIP-98 and KIP-447): the
 * producer id and epoch come from InitProducerId sent to the coordinator of `transactionalId`
 * (FindCoordinator key type 1); each partition is registered with AddPartitionsToTxn before the
 * first batch goes to it (the sender asks, one request for all new partitions, and holds those
 * partitions' batches until it is answered); consumed offsets join with AddOffsetsToTxn and then
 * TxnOffsetCommit to the group's coordinator, carrying the consumer's generation and member id so
 * a zombie member is fenced; EndTxn commits or aborts.
 *
 * Errors, as Kafka sorts them: coordinator moved or loading, CONCURRENT_TRANSACTIONS, connection
 * loss → find the coordinator again and retry within maxBlockMs; PRODUCER_FENCED,
 * INVALID_PRODUCER_EPOCH, TRANSACTIONAL_ID_AUTHORIZATION_FAILED, INVALID_TXN_STATE → fatal (the
 * producer can only be closed); anything else, including a failed batch → abortable (only
 * abort() is allowed). An abort after lost sequence state (a sent batch failed) takes a new
 * epoch with InitProducerId, so sequences restart.
 *
 * KIP-360 (coordinators with InitProducerId v3+): that bump carries the current id and epoch, so
 * it is refused (PRODUCER_FENCED) if a newer incarnation took the id, and a produce refused
 * INVALID_PRODUCER_EPOCH / UNKNOWN_PRODUCER_ID is abortable (Java producer 2.7+), fatal before.
 *
 * Concurrency contract: one user operation at a time (begin/sendOffsets/commit/abort), checked;
 * the sender calls addPendingPartitions() and the batch hooks from its own loop.
 */
import { backoffMs, sleep, tpKey, type Clock, type Scheduler } from '../../common/index.js';
import type { Cluster } from '../cluster.js';
import { CoordinatorClient } from '../coordinator-client.js';
import { asClientError, KafkaClientError } from '../errors.js';
import { API } from '../wire.js';
import type { IdempotenceManager } from './idempotence.js';
import {
  sendAddOffsetsToTxn, sendAddPartitionsToTxn, sendEndTxn, sendInitProducerId, sendTxnOffsetCommit, type ConsumerGroupMetadata, type TopicPartitionOffset, type TxnIds,
} from './txn-requests.js';

export type { ConsumerGroupMetadata, TopicPartitionOffset } from './txn-requests.js';

export type TransactionState = 'UNINITIALIZED' | 'READY' | 'IN_TRANSACTION' | 'COMMITTING' | 'ABORTING' | 'ABORTABLE_ERROR' | 'FATAL_ERROR';

export interface TransactionManagerOptions {
  transactionalId: string;
  transactionTimeoutMs: number;
  retryBackoffMs: number;
  /** How long a transactional call keeps retrying (max.block.ms). */
  maxBlockMs: number;
  clock: Clock;
  scheduler: Scheduler;
}

const INVALID_PRODUCER_EPOCH = 47;
const UNKNOWN_PRODUCER_ID = 59;
/** InitProducerId's first version with the producer's current id/epoch (KIP-360). */
const EPOCH_BUMP_VERSION = 3;
/** After these the producer can do nothing but close (Kafka's fatal errors). */
const FATAL = new Set<number>([47 /* INVALID_PRODUCER_EPOCH */, 48 /* INVALID_TXN_STATE */, 53 /* TRANSACTIONAL_ID_AUTHORIZATION_FAILED */, 90 /* PRODUCER_FENCED */]);

export function isFatalTxnError(err: KafkaClientError): boolean {
  return err.code === 'CLI_PRODUCER_FENCED' || (err.kafkaCode !== undefined && FATAL.has(err.kafkaCode));
}

export class TransactionManager {
  state: TransactionState = 'UNINITIALIZED';
  /** Bumped by every begin(): a Transaction handle checks it is still the current one. */
  generation = 0;
  private readonly coordinator: CoordinatorClient;
  private readonly groupCoordinators = new Map<string, CoordinatorClient>();
  private readonly added = new Set<string>();
  private readonly pending = new Map<string, { topic: string; partition: number }>();
  private adding: Promise<void> | undefined;
  private initializing: Promise<void> | undefined;
  /** A partition or the offsets were added: the coordinator has a transaction to end. */
  private started = false;
  private error: KafkaClientError | undefined;
  private epochBumpNeeded = false;
  /** The coordinator answered InitProducerId v3+: aborts bump the epoch under KIP-360's check. */
  private canBumpEpoch = false;
  private busy = false;
  private readonly closed = new AbortController();

  constructor(
    private readonly cluster: Cluster,
    private readonly idem: IdempotenceManager,
    private readonly opts: TransactionManagerOptions,
  ) {
    this.coordinator = new CoordinatorClient(cluster, opts.transactionalId, 1);
  }

  get transactionalId(): string {
    return this.opts.transactionalId;
  }

  /** InitProducerId once (concurrent callers share it): fences older incarnations of the id. */
  initOnce(): Promise<void> {
    if (this.state !== 'UNINITIALIZED') return Promise.resolve();
    this.initializing ??= this.initProducerId()
      .then(() => {
        this.state = 'READY';
      })
      .catch((err: unknown) => {
        throw this.toError(asClientError(err));
      })
      .finally(() => {
        this.initializing = undefined;
      });
    return this.initializing;
  }

  begin(): void {
    this.throwIfFailed();
    if (this.state !== 'READY' || this.busy) throw new KafkaClientError('CLI_TXN_STATE', `cannot begin a transaction: the producer is ${this.state}`);
    this.state = 'IN_TRANSACTION';
    this.generation++;
  }

  /** Called before a record is appended: throws unless a transaction is open. */
  checkCanSend(): void {
    this.throwIfFailed();
    if (this.state !== 'IN_TRANSACTION') {
      throw new KafkaClientError('CLI_TXN_STATE', `a transactional producer sends only inside a transaction (it is ${this.state}): use producer.transaction()`);
    }
  }

  /** Remember a partition the open transaction writes to (registered before its first batch goes). */
  addPartition(topic: string, partition: number): void {
    const k = tpKey(topic, partition);
    if (!this.added.has(k)) this.pending.set(k, { topic, partition });
  }

  isSendAllowed(topic: string, partition: number): boolean {
    return this.added.has(tpKey(topic, partition));
  }

  get hasPendingPartitions(): boolean {
    return this.pending.size > 0 && this.adding === undefined && (this.state === 'IN_TRANSACTION' || this.state === 'COMMITTING');
  }

  /** The error queued batches fail with, when the transaction can no longer take them. */
  sendError(): KafkaClientError | undefined {
    if (this.state === 'ABORTING') return new KafkaClientError('CLI_TXN_ABORTABLE', 'the transaction is being aborted');
    if (this.state === 'ABORTABLE_ERROR' || this.state === 'FATAL_ERROR') return this.failure();
    return undefined;
  }

  /** One AddPartitionsToTxn for every partition waiting; never rejects (failures change the state). */
  addPendingPartitions(): Promise<void> {
    this.adding ??= (async () => {
      try {
        while (this.pending.size > 0 && (this.state === 'IN_TRANSACTION' || this.state === 'COMMITTING')) {
          const batch = [...this.pending.values()];
          await this.retrying('AddPartitionsToTxn', () => sendAddPartitionsToTxn(this.coordinator, this.ids(), batch));
          for (const tp of batch) {
            const k = tpKey(tp.topic, tp.partition);
            this.added.add(k);
            this.pending.delete(k);
          }
          this.started = true;
        }
      } catch (err) {
        this.toError(asClientError(err));
      } finally {
        this.adding = undefined;
      }
    })();
    return this.adding;
  }

  /** A batch of the transaction failed: abortable (or fatal). `sequenceLost`: it had been sent. */
  onBatchFailed(err: KafkaClientError, sequenceLost: boolean): void {
    // With KIP-360 any failed batch outside commit/abort is followed by a checked epoch bump (as
    // Kafka's TransactionManager): a leader disowning our producer id/epoch is then abortable,
    // the abort's EndTxn and bump deciding whether we were fenced or only lost state there.
    const completing = this.state === 'COMMITTING' || this.state === 'ABORTING';
    if (sequenceLost || (this.canBumpEpoch && !completing)) this.epochBumpNeeded = true;
    if (this.state === 'ABORTING') return;
    const producerStateRefused = this.canBumpEpoch && (err.kafkaCode === INVALID_PRODUCER_EPOCH || err.kafkaCode === UNKNOWN_PRODUCER_ID);
    this.toError(err, producerStateRefused ? false : isFatalTxnError(err));
  }

  async sendOffsets(offsets: readonly TopicPartitionOffset[], group: ConsumerGroupMetadata): Promise<void> {
    this.enter('IN_TRANSACTION', 'sendOffsets');
    try {
      await this.retrying('AddOffsetsToTxn', () => sendAddOffsetsToTxn(this.coordinator, this.ids(), group.groupId));
      this.started = true;
      let gc = this.groupCoordinators.get(group.groupId);
      if (gc === undefined) this.groupCoordinators.set(group.groupId, (gc = new CoordinatorClient(this.cluster, group.groupId, 0)));
      await this.retrying('TxnOffsetCommit', () => sendTxnOffsetCommit(gc, this.ids(), offsets, group));
    } catch (err) {
      throw this.toError(asClientError(err));
    } finally {
      this.busy = false;
    }
  }

  /** Flush (every record of the transaction acknowledged), then EndTxn(commit). */
  async commit(flush: () => Promise<void>): Promise<void> {
    this.enter('IN_TRANSACTION', 'commit');
    this.state = 'COMMITTING';
    try {
      await flush();
      await this.adding;
      if (this.state !== 'COMMITTING') throw this.failure();
      if (this.started) await this.endTxn(true);
      this.completed();
    } catch (err) {
      throw this.toError(asClientError(err));
    } finally {
      this.busy = false;
    }
  }

  /** Fail what is not sent yet, let what is in flight settle, then EndTxn(abort). */
  async abort(flush: () => Promise<void>): Promise<void> {
    if (this.state === 'FATAL_ERROR') throw this.failure();
    if ((this.state !== 'IN_TRANSACTION' && this.state !== 'ABORTABLE_ERROR') || this.busy) {
      throw new KafkaClientError('CLI_TXN_STATE', `cannot abort: the producer is ${this.state}${this.busy ? ' and busy' : ''}`);
    }
    this.busy = true;
    this.state = 'ABORTING';
    try {
      await flush();
      await this.adding;
      this.pending.clear();
      if (this.started) await this.endTxn(false);
      if (this.epochBumpNeeded) await this.initProducerId(true);
      this.completed();
    } catch (err) {
      const e = asClientError(err);
      // A failed abort can be tried again unless the error was fatal.
      this.error = e;
      this.state = isFatalTxnError(e) ? 'FATAL_ERROR' : 'ABORTABLE_ERROR';
      throw e;
    } finally {
      this.busy = false;
    }
  }

  close(): void {
    this.closed.abort();
  }

  private completed(): void {
    this.added.clear();
    this.pending.clear();
    this.started = false;
    this.error = undefined;
    this.state = 'READY';
  }

  /**
   * `bump`: this producer already holds an id and epoch. Sent as the expected id/epoch (v3+, the
   * same values on every retry) so the coordinator bumps only our own epoch, and a retry after a
   * lost answer gets the bump it already made; v0-2 ignore them (an unchecked re-init).
   */
  private async initProducerId(bump = false): Promise<void> {
    const current = bump ? { producerId: this.idem.producerId, producerEpoch: this.idem.producerEpoch } : { producerId: -1n, producerEpoch: -1 };
    const res = await this.retrying('InitProducerId', async () => {
      const r = await sendInitProducerId(this.coordinator, { transactionalId: this.transactionalId, transactionTimeoutMs: this.opts.transactionTimeoutMs, ...current });
      this.canBumpEpoch = (this.coordinator.negotiatedVersion(API.InitProducerId) ?? 0) >= EPOCH_BUMP_VERSION;
      return r;
    });
    this.idem.use(res.producerId, res.producerEpoch);
    this.epochBumpNeeded = false;
  }

  private async endTxn(committed: boolean): Promise<void> {
    await this.retrying('EndTxn', () => sendEndTxn(this.coordinator, this.ids(), committed));
  }

  private ids(): TxnIds {
    return { transactionalId: this.transactionalId, producerId: this.idem.producerId, producerEpoch: this.idem.producerEpoch };
  }

  /** Retry retriable failures (coordinator moved/loading, concurrent transactions, connection loss) within maxBlockMs. */
  private async retrying<T>(what: string, attempt: () => Promise<T>): Promise<T> {
    const deadline = this.opts.clock.now() + this.opts.maxBlockMs;
    for (let n = 0; ; n++) {
      if (this.closed.signal.aborted) throw new KafkaClientError('CLI_CLOSED', `${what}: the producer is closed`);
      try {
        return await attempt();
      } catch (err) {
        const e = asClientError(err);
        const retriable = e.retriable || e.code === 'CLI_CONNECTION' || e.code === 'CLI_REQUEST_TIMEOUT';
        if (e.code === 'CLI_CONNECTION' || e.code === 'CLI_REQUEST_TIMEOUT') this.coordinator.markCoordinatorDead();
        const wait = backoffMs({ initialMs: this.opts.retryBackoffMs, maxMs: 1000 }, n);
        if (!retriable || this.opts.clock.now() + wait >= deadline) throw e;
        await sleep(this.opts.scheduler, wait, this.closed.signal);
      }
    }
  }

  private enter(state: TransactionState, what: string): void {
    this.throwIfFailed();
    if (this.state !== state || this.busy) throw new KafkaClientError('CLI_TXN_STATE', `cannot ${what}: the producer is ${this.state}${this.busy ? ' and busy' : ''}`);
    this.busy = true;
  }

  private throwIfFailed(): void {
    if (this.state === 'ABORTABLE_ERROR' || this.state === 'FATAL_ERROR') throw this.failure();
  }

  /** Record a failure: fatal errors end the producer, the rest make the transaction abortable. */
  private toError(err: KafkaClientError, fatal = isFatalTxnError(err)): KafkaClientError {
    if (this.state === 'FATAL_ERROR') return this.failure();
    if (fatal) {
      this.state = 'FATAL_ERROR';
      this.error = err;
    } else if (this.state === 'IN_TRANSACTION' || this.state === 'COMMITTING' || this.state === 'ABORTABLE_ERROR') {
      this.state = 'ABORTABLE_ERROR';
      this.error ??= err;
    } else if (this.state === 'UNINITIALIZED') {
      return err;
    }
    return this.failure();
  }

  private failure(): KafkaClientError {
    const cause = this.error;
    if (this.state === 'FATAL_ERROR' && cause !== undefined) return cause;
    return new KafkaClientError('CLI_TXN_ABORTABLE', `transaction ${this.transactionalId} must be aborted: ${cause?.message ?? 'an earlier operation failed'}`, { cause });
  }
}
