/**
 * Sends a finished transaction's COMMIT/ABORT markers to the leaders of its partitions and, once
 * every leader acknowledged, writes CompleteCommit/CompleteAbort (Kafka's
 * TransactionMarkerChannelManager with its completion handler). Markers are retried until each
 * partition's leader writes them: a leader that moved, a broker down or a replica set below
 * min.insync.replicas only delays the completion. Sending stops when this broker is no longer
 * the transaction's coordinator at the same coordinator epoch (the next coordinator resends from
 * the log), or when a leader says the marker is stale (INVALID_PRODUCER_EPOCH,
 * TRANSACTION_COORDINATOR_FENCED). A partition whose topic was deleted is skipped.
 *
 * Each transaction with pending markers runs one loop; a round sends one request per leader
 * broker (concurrently) and sleeps with a growing backoff only when something must be retried.
 * A request in flight is given up when the metadata says its broker no longer leads one of its
 * partitions (Kafka's channel re-queues per destination on a leader change): a frozen leader
 * answers nothing, and waiting for the request timeout would hold the transaction (and the
 * producer's next one) that long after the new leader's election.
 */
import { silentLogger, type Logger } from '../logging.js';
import { backoffMs, sleep, type BackoffPolicy, type Scheduler } from '../../common/index.js';
import { ErrorCode as E } from '../../protocol/index.js';
import { tpKeyOf, type TopicPartitionRef, type TransactionMetadata, type TxnTransit } from './txn-metadata.js';
import type { TxnStateManager } from './txn-state-manager.js';

/** One producer's markers for partitions led by one broker (the WriteTxnMarkers internal api body, v0). */
export interface TxnMarkerRequestEntry {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  /** true = COMMIT, false = ABORT */
  readonly commit: boolean;
  readonly coordinatorEpoch: number;
  readonly partitions: readonly TopicPartitionRef[];
}

export interface TxnMarkerResultEntry {
  readonly producerId: bigint;
  readonly partitions: ReadonlyArray<TopicPartitionRef & { readonly errorCode: number }>;
}

export const WRITE_TXN_MARKERS_API = 'WriteTxnMarkers';
export const WRITE_TXN_MARKERS_VERSION = 0;

export interface TxnMarkerChannelOptions {
  readonly stateManager: TxnStateManager;
  /** Sends one WriteTxnMarkers to `brokerId` (locally when it is this broker); rejects on transport failure. */
  readonly send: (brokerId: number, markers: readonly TxnMarkerRequestEntry[]) => Promise<readonly TxnMarkerResultEntry[]>;
  /** The partition's leader: a broker id, -1 while it has none, undefined when the partition no longer exists. */
  readonly leaderFor: (topic: string, partition: number) => number | undefined;
  readonly scheduler: Scheduler;
  readonly logger?: Logger;
  /**
   * Resolves at the next change of this broker's metadata cache (an UpdateMetadata applied), or
   * when `signal` aborts. Without it, a request to a leader ends only with its answer or timeout.
   */
  readonly metadataChanged?: (signal: AbortSignal) => Promise<void>;
  /** First retry delay, growing (with jitter) per fruitless round up to `retryBackoffMaxMs`. */
  readonly retryBackoffMs?: number;
  readonly retryBackoffMaxMs?: number;
}

interface PendingTxn {
  readonly transactionalId: string;
  readonly txnPartition: number;
  readonly coordinatorEpoch: number;
  readonly commit: boolean;
  readonly metadata: TransactionMetadata;
  readonly complete: TxnTransit;
  /** Aborted when the loop must stop (leadership moved, stale marker, shutdown); wakes its sleep. */
  readonly stop: AbortController;
}

/** Retriable for a marker: the leader may move, replicas may return. */
const RETRIABLE = new Set<number>([
  E.UNKNOWN_TOPIC_OR_PARTITION,
  E.NOT_LEADER_OR_FOLLOWER,
  E.NOT_ENOUGH_REPLICAS,
  E.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
  E.REQUEST_TIMED_OUT,
  E.KAFKA_STORAGE_ERROR,
]);

export class TxnMarkerChannel {
  private readonly pending = new Map<string, PendingTxn>();
  private readonly runs = new Set<Promise<void>>();
  private readonly log: Logger;
  private readonly backoff: BackoffPolicy;
  private stopped = false;

  constructor(private readonly o: TxnMarkerChannelOptions) {
    this.log = (o.logger ?? silentLogger()).child({ module: 'txn-markers' });
    this.backoff = { initialMs: o.retryBackoffMs ?? 100, maxMs: o.retryBackoffMaxMs ?? 1000 };
  }

  /** Transactional ids whose markers are being sent (tests, admin). */
  get pendingTransactionalIds(): string[] {
    return [...this.pending.keys()];
  }

  /** Starts sending the markers of a transaction now in PrepareCommit/PrepareAbort; `complete` is its prepared completion. */
  addTxnMarkersToSend(coordinatorEpoch: number, commit: boolean, metadata: TransactionMetadata, complete: TxnTransit): void {
    if (this.stopped) return;
    const previous = this.pending.get(metadata.transactionalId);
    if (previous !== undefined) this.cancel(previous);
    const entry: PendingTxn = {
      transactionalId: metadata.transactionalId,
      txnPartition: this.o.stateManager.partitionFor(metadata.transactionalId),
      coordinatorEpoch,
      commit,
      metadata,
      complete,
      stop: new AbortController(),
    };
    this.pending.set(entry.transactionalId, entry);
    const run = this.run(entry)
      .catch((err: unknown) => this.log.error({ err, transactionalId: entry.transactionalId }, 'sending transaction markers failed'))
      .finally(() => {
        this.runs.delete(run);
        if (this.pending.get(entry.transactionalId) === entry) this.pending.delete(entry.transactionalId);
      });
    this.runs.add(run);
  }

  /** Leadership of a `__transaction_state` partition moved: its transactions stop here. */
  removeMarkersForTxnTopicPartition(txnPartition: number): void {
    for (const e of [...this.pending.values()]) if (e.txnPartition === txnPartition) this.cancel(e);
  }

  /** Resolves once every loop handed over so far has ended (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.runs.size > 0) await Promise.all([...this.runs]);
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    for (const e of [...this.pending.values()]) this.cancel(e);
    await this.settled();
  }

  private cancel(e: PendingTxn): void {
    e.stop.abort();
    if (this.pending.get(e.transactionalId) === e) this.pending.delete(e.transactionalId);
  }

  /** Still this broker's transaction at the epoch the markers were prepared under. */
  private stillOwned(e: PendingTxn): boolean {
    if (e.stop.signal.aborted) return false;
    const st = this.o.stateManager.getTransactionState(e.transactionalId);
    if (!('coordinatorEpoch' in st) || st.coordinatorEpoch !== e.coordinatorEpoch || st.metadata !== e.metadata) {
      this.log.info({ transactionalId: e.transactionalId, errorCode: st.errorCode }, 'no longer the coordinator of this transaction at its epoch; markers left to the next one');
      return false;
    }
    return true;
  }

  private async run(e: PendingTxn): Promise<void> {
    let attempts = 0;
    for (;;) {
      if (!this.stillOwned(e)) return;
      const remaining = e.metadata.partitionList();
      if (remaining.length === 0) break;
      const outcome = await this.sendRound(e, remaining);
      if (outcome === 'abandon') return;
      // A leader moved under a request: its partitions go to the new leader now, not after a backoff.
      if (outcome === 'rerouted') continue;
      if (outcome === 'progress') {
        attempts = 0;
        continue;
      }
      await sleep(this.o.scheduler, backoffMs(this.backoff, attempts++), e.stop.signal);
    }
    await this.writeCompletion(e);
  }

  /**
   * One request per leader broker; 'progress' when every answered partition is done, 'rerouted'
   * when a request was given up because its broker stopped leading, 'retry' when some must go again.
   */
  private async sendRound(e: PendingTxn, partitions: readonly TopicPartitionRef[]): Promise<'progress' | 'rerouted' | 'retry' | 'abandon'> {
    const byBroker = new Map<number, TopicPartitionRef[]>();
    let retry = false;
    for (const tp of partitions) {
      const leader = this.o.leaderFor(tp.topic, tp.partition);
      if (leader === undefined) {
        this.log.info({ transactionalId: e.transactionalId, topic: tp.topic, partition: tp.partition }, 'partition no longer exists; skipping its transaction marker');
        e.metadata.removePartition(tp);
        continue;
      }
      if (leader < 0) {
        retry = true;
        continue;
      }
      const list = byBroker.get(leader) ?? [];
      list.push(tp);
      byBroker.set(leader, list);
    }
    const m = e.metadata;
    const answers = await Promise.all(
      [...byBroker].map(async ([brokerId, tps]) => {
        const request: TxnMarkerRequestEntry = { producerId: m.producerId, producerEpoch: m.producerEpoch, commit: e.commit, coordinatorEpoch: e.coordinatorEpoch, partitions: tps };
        const watch = new AbortController();
        try {
          // Both start in this same tick: no metadata change can slip between the leader lookup and the watch.
          const answer = await Promise.race([this.o.send(brokerId, [request]), this.leaderMoved(brokerId, tps, AbortSignal.any([watch.signal, e.stop.signal]))]);
          if (answer === 'moved') {
            if (!e.stop.signal.aborted) this.log.info({ brokerId, transactionalId: e.transactionalId }, 'leadership moved while transaction markers were in flight; re-sending them to the new leader');
            return { brokerId, tps, results: undefined, moved: true };
          }
          return { brokerId, tps, results: answer.find((r) => BigInt(r.producerId) === m.producerId)?.partitions ?? [], moved: false };
        } catch (err) {
          this.log.info({ err, brokerId, transactionalId: e.transactionalId }, 'WriteTxnMarkers failed; retrying');
          return { brokerId, tps, results: undefined, moved: false };
        } finally {
          watch.abort();
        }
      }),
    );
    if (!this.stillOwned(e)) return 'abandon';
    let moved = false;
    for (const { tps, results, moved: gaveUp } of answers) {
      if (gaveUp) {
        moved = true;
        continue;
      }
      if (results === undefined) {
        retry = true;
        continue;
      }
      const byKey = new Map(results.map((r) => [tpKeyOf(r), r.errorCode] as const));
      for (const tp of tps) {
        const code = byKey.get(tpKeyOf(tp)) ?? E.UNKNOWN_SERVER_ERROR;
        if (code === E.NONE || code === E.UNSUPPORTED_FOR_MESSAGE_FORMAT || code === E.UNSUPPORTED_VERSION) {
          e.metadata.removePartition(tp);
        } else if (code === E.INVALID_PRODUCER_EPOCH || code === E.TRANSACTION_COORDINATOR_FENCED) {
          // Kafka gives the transaction up here: a newer producer epoch or coordinator owns the partition.
          this.log.warn({ transactionalId: e.transactionalId, topic: tp.topic, partition: tp.partition, errorCode: code }, 'transaction marker refused as stale; no more markers sent for this transaction');
          this.cancel(e);
          return 'abandon';
        } else {
          if (!RETRIABLE.has(code)) this.log.warn({ transactionalId: e.transactionalId, topic: tp.topic, partition: tp.partition, errorCode: code }, 'unexpected transaction marker error; retrying');
          retry = true;
        }
      }
    }
    if (moved) return 'rerouted';
    return retry ? 'retry' : 'progress';
  }

  /**
   * Resolves 'moved' once the metadata names another leader (or none) for one of `tps`, or when
   * `signal` aborts (the request ended, or the transaction's loop stops); never without a watch.
   */
  private async leaderMoved(brokerId: number, tps: readonly TopicPartitionRef[], signal: AbortSignal): Promise<'moved'> {
    const next = this.o.metadataChanged;
    if (next === undefined) return new Promise<never>(() => undefined);
    for (;;) {
      await next(signal);
      if (signal.aborted || tps.some((tp) => this.o.leaderFor(tp.topic, tp.partition) !== brokerId)) return 'moved';
    }
  }

  /** CompleteCommit/CompleteAbort, retried while the log is unavailable (Kafka retries COORDINATOR_NOT_AVAILABLE). */
  private async writeCompletion(e: PendingTxn): Promise<void> {
    let attempts = 0;
    for (;;) {
      if (!this.stillOwned(e)) return;
      const error = await this.o.stateManager.appendTransactionToLog(e.transactionalId, e.coordinatorEpoch, e.complete, (code) => code === E.COORDINATOR_NOT_AVAILABLE);
      if (error === E.NONE) {
        this.log.debug({ transactionalId: e.transactionalId, state: e.complete.state }, 'transaction completed');
        return;
      }
      if (error !== E.COORDINATOR_NOT_AVAILABLE) {
        this.log.info({ transactionalId: e.transactionalId, errorCode: error }, 'transaction completion not written; the next coordinator completes it');
        return;
      }
      await sleep(this.o.scheduler, backoffMs(this.backoff, attempts++), e.stop.signal);
    }
  }
}
