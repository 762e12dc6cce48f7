/**
 * What a failover run observed, as plain data: every record a producer tried to write (with the
 * answer it got), every record read back, every committed group offset seen, every controller
 * action found in the brokers' state-change logs, and the faults injected. The checker in this
 * folder is pure: it only looks at a History, so it can be unit-tested on hand-made tables.
 */

/** acks as on the wire: -1 = all, 1 = leader, 0 = none. */
export type Acks = -1 | 0 | 1;

/**
 * `acked`: the broker answered success (offset known). `failed`: an error or a timeout, so the
 * record may or may not be in the log (indeterminate, like a real client's failed send).
 */
export type Outcome = 'acked' | 'failed';

export interface ProducedRecord {
  /** Unique across the whole run; it is also the record's value, so reads can be matched. */
  readonly id: string;
  readonly producer: string;
  readonly topic: string;
  readonly partition: number;
  readonly acks: Acks;
  readonly idempotent: boolean;
  /** Wall-clock ms when send() was called and when its answer arrived. */
  readonly sentAt: number;
  readonly answeredAt: number;
  readonly outcome: Outcome;
  readonly offset?: bigint;
  /**
   * False when the record was acknowledged while the partition's ISR was known to be smaller
   * than min.insync.replicas (only possible with acks=1): then its loss is not a violation.
   */
  readonly minIsrSatisfied?: boolean;
  readonly error?: string;
}

export interface ReadRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  /** The value as a string: a ProducedRecord id, or anything else (reported as foreign). */
  readonly id: string;
  readonly reader: string;
  readonly at: number;
}

/** A committed offset of a consumer group as observed (OffsetFetch) at `at`. */
export interface CommitObservation {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly at: number;
}

/**
 * One line of a broker's state-change log that names a controller and its epoch: the
 * controller's own transitions, or another broker applying a request from that controller.
 */
export interface ControllerAction {
  /** The controller that acted. */
  readonly brokerId: number;
  /** The broker whose log holds the line. */
  readonly loggedBy: number;
  readonly controllerEpoch: number;
  readonly at: number;
  readonly kind: 'became-active' | 'action' | 'resigned';
  readonly msg: string;
}

export interface FaultWindow {
  readonly name: string;
  /** When the fault was injected and when it was healed (undefined: never healed in the run). */
  readonly at: number;
  readonly healedAt?: number;
  /** Partitions the fault is expected to hurt ("topic-partition"); all when undefined. */
  readonly partitions?: readonly string[];
}

export interface History {
  readonly produced: readonly ProducedRecord[];
  readonly read: readonly ReadRecord[];
  readonly commits: readonly CommitObservation[];
  readonly controller: readonly ControllerAction[];
  readonly faults: readonly FaultWindow[];
}

export type ViolationKind =
  | 'lost-acknowledged'
  | 'offset-mismatch'
  | 'offset-two-records'
  | 'order'
  | 'idempotent-duplicate'
  | 'commit-backwards'
  | 'two-controllers-one-epoch'
  | 'controller-epoch-backwards'
  | 'eos-missing'
  | 'eos-duplicate'
  | 'eos-order'
  | 'eos-foreign';

export interface Violation {
  readonly kind: ViolationKind;
  readonly detail: string;
}

export interface CheckOptions {
  /**
   * Loss of acknowledged records that is allowed but must be reported (unclean leader election
   * enabled). Default false: any loss of an acks=all record is a violation.
   */
  readonly lossAllowed?: boolean;
  /** Also count acks=1 losses as violations (a scenario where no leader change can lose them). */
  readonly leaderAcksDurable?: boolean;
  /** Give up listing after this many violations of one kind (the count stays exact). */
  readonly maxDetails?: number;
}

export interface UnavailabilityWindow {
  readonly fault: string;
  /** Longest time without a successful write on an affected partition around the fault. */
  readonly ms: number;
  /** False when no write succeeded after the fault was healed. */
  readonly recovered: boolean;
  /**
   * From the heal to the first successful write, on the partition that took longest (every
   * partition of the run, not only the affected ones): "writable again within X after the heal".
   * Until the end of the run when some partition never recovered.
   */
  readonly afterHealMs: number;
}

export interface Verdict {
  readonly ok: boolean;
  readonly violations: readonly Violation[];
  /** Exact counts per violation kind (details may be capped). */
  readonly counts: Readonly<Partial<Record<ViolationKind, number>>>;
  readonly stats: {
    readonly sent: number;
    readonly acked: number;
    readonly failed: number;
    readonly read: number;
    /** Acknowledged records missing from the log (acks=all and acks=1 separately). */
    readonly lostAll: number;
    readonly lostLeader: number;
    /** Records read more than once (non-idempotent retries; idempotent ones are violations). */
    readonly duplicates: number;
    readonly foreign: number;
    readonly controllerEpochs: number;
  };
  readonly unavailability: readonly UnavailabilityWindow[];
}
