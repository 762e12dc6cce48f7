/**
 * One transactional id's state at its coordinator (Kafka's TransactionMetadata): producer id and
 * epoch, the state machine, the partitions of the ongoing transaction, and the transition in
 * flight. A change is prepared (`prepare*` returns the target `TxnTransit` and sets
 * `pendingState`), written to `__transaction_state`, and only then applied with
 * `completeTransitionTo` — persist first, then memory. While a transition is pending, every other
 * request for the id answers CONCURRENT_TRANSACTIONS, as in Kafka.
 */
import { tpKey } from '../../common/index.js';
import { ErrorCode as E } from '../../protocol/index.js';
import { TxnCoordinatorError } from './errors.js';

/** Kafka's state ids are their index here (the `transaction_status` byte in the log). */
export const TXN_STATES = ['Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort', 'Dead', 'PrepareEpochFence'] as const;
export type TxnState = (typeof TXN_STATES)[number];

export const VALID_PREVIOUS_TXN_STATES: Readonly<Record<TxnState, readonly TxnState[]>> = {
  Empty: ['Empty', 'CompleteCommit', 'CompleteAbort'],
  Ongoing: ['Ongoing', 'Empty', 'CompleteCommit', 'CompleteAbort'],
  PrepareCommit: ['Ongoing'],
  PrepareAbort: ['Ongoing', 'PrepareEpochFence'],
  CompleteCommit: ['PrepareCommit'],
  CompleteAbort: ['PrepareAbort'],
  Dead: ['Empty', 'CompleteAbort', 'CompleteCommit'],
  PrepareEpochFence: ['Ongoing'],
};

export function txnStateId(state: TxnState): number {
  return TXN_STATES.indexOf(state);
}

export function txnStateFromId(id: number): TxnState {
  const s = TXN_STATES[id];
  if (s === undefined) throw new TxnCoordinatorError('BRK_TXN_CODEC', `unknown transaction state id ${id}`);
  return s;
}

export const NO_PRODUCER_ID = -1n;
export const NO_PRODUCER_EPOCH = -1;
const INT16_MAX = 32767;

/** An epoch this high may not be handed out: the coordinator must always be able to fence with +1. */
export function isEpochExhausted(epoch: number): boolean {
  return epoch >= INT16_MAX - 1;
}

export interface TopicPartitionRef {
  readonly topic: string;
  readonly partition: number;
}

export function tpKeyOf(tp: TopicPartitionRef): string {
  return tpKey(tp.topic, tp.partition);
}

/** The target of a prepared transition (Kafka's TxnTransitMetadata): what gets written to the log. */
export interface TxnTransit {
  readonly producerId: bigint;
  readonly lastProducerId: bigint;
  readonly producerEpoch: number;
  readonly lastProducerEpoch: number;
  readonly txnTimeoutMs: number;
  readonly state: TxnState;
  readonly partitions: readonly TopicPartitionRef[];
  readonly txnStartTimestamp: number;
  readonly txnLastUpdateTimestamp: number;
}

export interface TransactionMetadataInit {
  transactionalId: string;
  producerId: bigint;
  lastProducerId?: bigint;
  producerEpoch: number;
  lastProducerEpoch?: number;
  txnTimeoutMs: number;
  state: TxnState;
  partitions?: readonly TopicPartitionRef[];
  txnStartTimestamp?: number;
  txnLastUpdateTimestamp: number;
}

export class TransactionMetadata {
  readonly transactionalId: string;
  producerId: bigint;
  lastProducerId: bigint;
  producerEpoch: number;
  lastProducerEpoch: number;
  txnTimeoutMs: number;
  state: TxnState;
  readonly partitions = new Map<string, TopicPartitionRef>();
  txnStartTimestamp: number;
  txnLastUpdateTimestamp: number;
  /** The state being written; set by `prepare*`, cleared by completion or a failed write. */
  pendingState: TxnState | undefined;
  /** A fencing bump was prepared but its write failed: the next fence reuses the bumped epoch. */
  hasFailedEpochFence = false;

  constructor(i: TransactionMetadataInit) {
    this.transactionalId = i.transactionalId;
    this.producerId = i.producerId;
    this.lastProducerId = i.lastProducerId ?? NO_PRODUCER_ID;
    this.producerEpoch = i.producerEpoch;
    this.lastProducerEpoch = i.lastProducerEpoch ?? NO_PRODUCER_EPOCH;
    this.txnTimeoutMs = i.txnTimeoutMs;
    this.state = i.state;
    for (const tp of i.partitions ?? []) this.partitions.set(tpKeyOf(tp), tp);
    this.txnStartTimestamp = i.txnStartTimestamp ?? -1;
    this.txnLastUpdateTimestamp = i.txnLastUpdateTimestamp;
  }

  get pendingTransitionInProgress(): boolean {
    return this.pendingState !== undefined;
  }

  get isProducerEpochExhausted(): boolean {
    return isEpochExhausted(this.producerEpoch);
  }

  /** Partitions of the transaction, sorted (stable log records and answers). */
  partitionList(): TopicPartitionRef[] {
    return [...this.partitions.values()].sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  }

  /** A marker was written to `tp`: it no longer holds up the completion (PrepareCommit/PrepareAbort only). */
  removePartition(tp: TopicPartitionRef): void {
    if (this.state !== 'PrepareCommit' && this.state !== 'PrepareAbort') {
      throw new TxnCoordinatorError('BRK_TXN_ILLEGAL_STATE', `${this.transactionalId}: removing ${tpKeyOf(tp)} in state ${this.state}`);
    }
    this.partitions.delete(tpKeyOf(tp));
  }

  /** Bumps the epoch to fence the current producer (timeout or a new incarnation); never returned to a client. */
  prepareFenceProducerEpoch(): TxnTransit {
    if (this.producerEpoch >= INT16_MAX) throw new TxnCoordinatorError('BRK_TXN_ILLEGAL_STATE', `${this.transactionalId}: cannot fence epoch ${this.producerEpoch}`);
    const epoch = this.hasFailedEpochFence ? this.producerEpoch : this.producerEpoch + 1;
    return this.prepareTransitionTo('PrepareEpochFence', this.producerId, epoch, NO_PRODUCER_EPOCH, this.txnTimeoutMs, this.partitionList(), this.txnStartTimestamp, this.txnLastUpdateTimestamp);
  }

  /**
   * InitProducerId on a completed or empty transaction: epoch + 1. With an expected epoch
   * (KIP-360, InitProducerId v3+) a retry of a bump that succeeded gets the current epoch again,
   * and an epoch that is neither current nor previous is fenced.
   */
  prepareIncrementProducerEpoch(newTxnTimeoutMs: number, expectedEpoch: number | undefined, now: number): TxnTransit | number {
    if (this.isProducerEpochExhausted) throw new TxnCoordinatorError('BRK_TXN_ILLEGAL_STATE', `${this.transactionalId}: epochs of producer ${this.producerId} exhausted`);
    const bumped = this.producerEpoch + 1;
    let next: number;
    let last: number;
    if (expectedEpoch === undefined) {
      next = bumped;
      last = NO_PRODUCER_EPOCH;
    } else if (this.producerEpoch === NO_PRODUCER_EPOCH || expectedEpoch === this.producerEpoch) {
      next = bumped;
      last = this.producerEpoch;
    } else if (expectedEpoch === this.lastProducerEpoch) {
      next = this.producerEpoch;
      last = this.lastProducerEpoch;
    } else {
      return E.PRODUCER_FENCED;
    }
    return this.prepareTransitionTo('Empty', this.producerId, next, last, newTxnTimeoutMs, [], -1, now);
  }

  /** The epochs of this producer id are used up: a new producer id at epoch 0. */
  prepareProducerIdRotation(newProducerId: bigint, newTxnTimeoutMs: number, now: number, recordLastEpoch: boolean): TxnTransit {
    if (this.state === 'Ongoing' || this.state === 'PrepareAbort' || this.state === 'PrepareCommit') {
      throw new TxnCoordinatorError('BRK_TXN_ILLEGAL_STATE', `${this.transactionalId}: cannot rotate producer ids with a transaction pending`);
    }
    return this.prepareTransitionTo('Empty', newProducerId, 0, recordLastEpoch ? this.producerEpoch : NO_PRODUCER_EPOCH, newTxnTimeoutMs, [], -1, now);
  }

  prepareAddPartitions(added: readonly TopicPartitionRef[], now: number): TxnTransit {
    const starts = this.state === 'Empty' || this.state === 'CompleteAbort' || this.state === 'CompleteCommit';
    const all = new Map(this.partitions);
    for (const tp of added) all.set(tpKeyOf(tp), tp);
    return this.prepareTransitionTo('Ongoing', this.producerId, this.producerEpoch, this.lastProducerEpoch, this.txnTimeoutMs, [...all.values()], starts ? now : this.txnStartTimestamp, now);
  }

  prepareAbortOrCommit(state: 'PrepareCommit' | 'PrepareAbort', now: number): TxnTransit {
    return this.prepareTransitionTo(state, this.producerId, this.producerEpoch, this.lastProducerEpoch, this.txnTimeoutMs, this.partitionList(), this.txnStartTimestamp, now);
  }

  prepareComplete(now: number): TxnTransit {
    const state = this.state === 'PrepareCommit' ? 'CompleteCommit' : 'CompleteAbort';
    // The prepare record is in the log, so a failed fence before it no longer matters.
    this.hasFailedEpochFence = false;
    return this.prepareTransitionTo(state, this.producerId, this.producerEpoch, this.lastProducerEpoch, this.txnTimeoutMs, [], this.txnStartTimestamp, now);
  }

  prepareDead(): TxnTransit {
    return this.prepareTransitionTo('Dead', this.producerId, this.producerEpoch, this.lastProducerEpoch, this.txnTimeoutMs, [], this.txnStartTimestamp, this.txnLastUpdateTimestamp);
  }

  private prepareTransitionTo(
    state: TxnState,
    producerId: bigint,
    producerEpoch: number,
    lastProducerEpoch: number,
    txnTimeoutMs: number,
    partitions: readonly TopicPartitionRef[],
    txnStartTimestamp: number,
    txnLastUpdateTimestamp: number,
  ): TxnTransit {
    if (this.pendingState !== undefined) {
      throw new TxnCoordinatorError('BRK_TXN_ILLEGAL_STATE', `${this.transactionalId}: preparing ${state} while ${this.pendingState} is pending`);
    }
    if (producerId < 0n) throw new TxnCoordinatorError('BRK_TXN_ILLEGAL_STATE', `${this.transactionalId}: illegal producer id ${producerId}`);
    if (state !== 'Dead' && producerEpoch < 0) throw new TxnCoordinatorError('BRK_TXN_ILLEGAL_STATE', `${this.transactionalId}: illegal producer epoch ${producerEpoch}`);
    if (!VALID_PREVIOUS_TXN_STATES[state].includes(this.state)) {
      throw new TxnCoordinatorError('BRK_TXN_ILLEGAL_STATE', `${this.transactionalId}: ${this.state} → ${state} is not a valid transition`);
    }
    this.pendingState = state;
    return { producerId, lastProducerId: this.producerId, producerEpoch, lastProducerEpoch, txnTimeoutMs, state, partitions, txnStartTimestamp, txnLastUpdateTimestamp };
  }

  /** Applies a transition whose record is durable; checks it is the one prepared (Kafka's sanity rules). */
  completeTransitionTo(t: TxnTransit): void {
    const to = this.pendingState;
    const fail = (): never => {
      throw new TxnCoordinatorError('BRK_TXN_ILLEGAL_STATE', `${this.transactionalId}: unexpected completion ${this.state} → ${t.state} (pending ${to ?? 'none'})`);
    };
    if (to === undefined || to !== t.state) fail();
    const sameProducer = t.producerEpoch === this.producerEpoch && t.producerId === this.producerId;
    switch (t.state) {
      case 'Empty': {
        const bump = t.producerEpoch === this.producerEpoch + 1 || (t.producerEpoch === 0 && t.producerId !== this.producerId);
        if ((t.producerEpoch !== this.producerEpoch && !bump) || t.partitions.length > 0 || t.txnStartTimestamp !== -1) fail();
        this.txnTimeoutMs = t.txnTimeoutMs;
        this.producerEpoch = t.producerEpoch;
        this.lastProducerEpoch = t.lastProducerEpoch;
        this.producerId = t.producerId;
        this.lastProducerId = t.lastProducerId;
        break;
      }
      case 'Ongoing': {
        const keys = new Set(t.partitions.map(tpKeyOf));
        if (!sameProducer || [...this.partitions.keys()].some((k) => !keys.has(k)) || this.txnTimeoutMs !== t.txnTimeoutMs) fail();
        this.txnStartTimestamp = t.txnStartTimestamp;
        for (const tp of t.partitions) this.partitions.set(tpKeyOf(tp), tp);
        break;
      }
      case 'PrepareAbort':
      case 'PrepareCommit': {
        const keys = new Set(t.partitions.map(tpKeyOf));
        const same = keys.size === this.partitions.size && [...this.partitions.keys()].every((k) => keys.has(k));
        if (!sameProducer || !same || this.txnTimeoutMs !== t.txnTimeoutMs || this.txnStartTimestamp !== t.txnStartTimestamp) fail();
        break;
      }
      case 'CompleteAbort':
      case 'CompleteCommit':
        if (!sameProducer || this.txnTimeoutMs !== t.txnTimeoutMs || t.txnStartTimestamp === -1) fail();
        this.txnStartTimestamp = t.txnStartTimestamp;
        this.partitions.clear();
        break;
      default:
        // PrepareEpochFence becomes PrepareAbort before anything is written; Dead ends in removal.
        fail();
    }
    this.txnLastUpdateTimestamp = t.txnLastUpdateTimestamp;
    this.pendingState = undefined;
    this.state = t.state;
  }
}
