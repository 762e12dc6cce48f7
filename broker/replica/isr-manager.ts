/**
 * ISR maintenance on the leader (Kafka's Partition.maybeShrinkIsr / maybeExpandIsr with
 * KIP-497's AlterIsr): a follower that rejoined (caught up to the HW and into the current leader
 * epoch) is proposed for the ISR on its fetch; followers that have not caught up for
 * replica.lag.time.max.ms are proposed for removal by a task running every half of that. The
 * controller persists the change (conditional on the state znode version the leader saw) and
 * answers with the new state, which the leader applies: persist first, then memory. One change
 * in flight per partition; while an expansion is pending the new member already counts
 * (`Partition.maximalIsr`), while a shrink is pending the leaving member still does.
 */
import type { Logger } from 'pino';
import { type Scheduler, type TimerHandle, tpKey } from '../../common/index.js';
import type { Partition, PendingIsrChange } from './partition.js';
import type { ReplicationMetrics } from './replica-manager-options.js';

export interface AlterIsrItem {
  readonly topic: string;
  readonly partition: number;
  readonly leaderEpoch: number;
  readonly newIsr: readonly number[];
  readonly currentIsrVersion: number;
}

export interface AlterIsrItemResult {
  readonly topic: string;
  readonly partition: number;
  /** Kafka error name ('NONE' on success). */
  readonly errorCode: string;
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  readonly currentIsrVersion: number;
}

/** Sends AlterIsr to the active controller (wherever it is). */
export type AlterIsrSender = (items: readonly AlterIsrItem[]) => Promise<readonly AlterIsrItemResult[]>;

export interface IsrManagerOptions {
  readonly scheduler: Scheduler;
  readonly replicaLagTimeMaxMs: number;
  readonly send: AlterIsrSender;
  readonly logger: Logger;
  readonly leaderPartitions: () => Iterable<Partition>;
  /** The ISR of `p` changed (the HW may move; parked requests re-check). */
  readonly onIsrChanged: (p: Partition) => void;
  /** The isr-expiration tick moved the HW of `p` (a caught-up non-ISR follower fell out of the lag window). */
  readonly onHighWatermarkIncreased?: (p: Partition) => void;
  readonly metrics?: Pick<ReplicationMetrics, 'onIsrShrink' | 'onIsrExpand'>;
  /** Delay before an ISR change is tried again after a failed AlterIsr. */
  readonly retryBackoffMs?: number;
}

interface Unsent {
  readonly p: Partition;
  readonly change: PendingIsrChange;
  readonly epoch: number;
  readonly item: AlterIsrItem;
}

export class IsrManager {
  private timer: TimerHandle | undefined;
  private stopped = false;
  private readonly inFlight = new Set<Promise<void>>();
  /** Proposed changes not sent yet, by partition (a newer proposal replaces an older one); one request is in flight while `sending`. */
  private readonly unsent = new Map<string, Unsent>();
  private sending = false;

  constructor(private readonly o: IsrManagerOptions) {}

  start(): void {
    const every = Math.max(10, Math.floor(this.o.replicaLagTimeMaxMs / 2));
    const tick = (): void => {
      if (this.stopped) return;
      this.shrinkAll();
      this.timer = this.o.scheduler.setTimeout(tick, every);
    };
    this.timer = this.o.scheduler.setTimeout(tick, every);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.o.scheduler.clearTimeout(this.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * The isr-expiration task: one pass over every led partition. It also re-runs the HW: a
   * follower's fetch recomputes it only when the follower's log end offset moved, so a non-ISR
   * follower that stopped fetching stops holding it back here, within half the lag time.
   */
  shrinkAll(): void {
    const now = this.o.scheduler.now();
    for (const p of this.o.leaderPartitions()) {
      this.maybeShrink(p, now);
      if (p.maybeIncrementHighWatermark(now)) this.o.onHighWatermarkIncreased?.(p);
    }
  }

  maybeShrink(p: Partition, nowMs: number): void {
    if (!p.isLeader || p.pendingIsr !== undefined) return;
    const out = p.outOfSyncReplicas(nowMs);
    if (out.length === 0) return;
    this.o.logger.info({ topic: p.topic, partition: p.partition, isr: p.isr, outOfSync: out, leaderEndOffset: String(p.log.logEndOffset) }, 'shrinking ISR');
    this.propose(p, { kind: 'shrink', isr: p.isr.filter((id) => !out.includes(id)) });
  }

  /** After a follower's fetch: propose it for the ISR if it caught up (see Partition.canRejoinIsr). */
  maybeExpand(p: Partition, followerId: number, registeredBrokerEpoch = -1n): void {
    if (!p.isLeader || p.pendingIsr !== undefined || !p.canRejoinIsr(followerId, registeredBrokerEpoch)) return;
    this.o.logger.info({ topic: p.topic, partition: p.partition, isr: p.isr, joining: followerId }, 'expanding ISR');
    this.propose(p, { kind: 'expand', isr: [...p.isr, followerId] });
  }

  private propose(p: Partition, change: PendingIsrChange): void {
    if (this.stopped) return;
    p.pendingIsr = change;
    const item: AlterIsrItem = { topic: p.topic, partition: p.partition, leaderEpoch: p.leaderEpoch, newIsr: change.isr, currentIsrVersion: p.zkVersion };
    // An expansion counts at once (maximal ISR): the HW may already move.
    if (change.kind === 'expand') this.o.onIsrChanged(p);
    this.unsent.set(p.key, { p, change, epoch: item.leaderEpoch, item });
    this.sendUnsent();
  }

  /**
   * One AlterIsr in flight at a time, carrying every change proposed meanwhile (Kafka's
   * AlterIsrManager): a restarted follower catching up on 10,000 partitions makes a few
   * requests and ZooKeeper rounds, not 10,000.
   */
  private sendUnsent(): void {
    if (this.sending || this.unsent.size === 0) return;
    const batch = [...this.unsent.values()];
    this.unsent.clear();
    this.sending = true;
    const done = this.o
      .send(batch.map((b) => b.item))
      .then(
        (results) => {
          const byKey = new Map(results.map((r) => [tpKey(r.topic, r.partition), r]));
          for (const b of batch) this.answered(b, byKey.get(b.p.key));
        },
        (err: unknown) => {
          for (const b of batch) {
            this.o.logger.warn({ err, topic: b.p.topic, partition: b.p.partition, proposed: b.change.isr }, 'AlterIsr failed');
            this.clearLater(b.p, b.change);
          }
        },
      )
      .finally(() => {
        this.inFlight.delete(done);
        this.sending = false;
        if (!this.stopped) this.sendUnsent();
      });
    this.inFlight.add(done);
  }

  private answered({ p, change, epoch }: Unsent, r: AlterIsrItemResult | undefined): void {
    if (p.pendingIsr !== change || p.leaderEpoch !== epoch || !p.isLeader) return;
    if (r !== undefined && r.leaderEpoch === epoch && r.currentIsrVersion >= p.zkVersion && (r.errorCode === 'NONE' || r.errorCode === 'INVALID_UPDATE_VERSION')) {
      // Success, or somebody else's newer state of the same epoch: adopt what ZooKeeper holds.
      const before = p.isr.length;
      p.applyIsr(r.isr, r.currentIsrVersion);
      if (p.isr.length !== before) this.o.metrics?.[p.isr.length < before ? 'onIsrShrink' : 'onIsrExpand']();
      if (r.errorCode !== 'NONE') this.o.logger.warn({ topic: p.topic, partition: p.partition, isr: r.isr }, 'AlterIsr conflicted; adopted the controller\'s ISR');
      this.o.onIsrChanged(p);
      return;
    }
    // INELIGIBLE_REPLICA is routine while a follower's broker shuts down: asked again at its next fetches.
    const level = r?.errorCode === 'INELIGIBLE_REPLICA' ? 'info' : 'warn';
    this.o.logger[level]({ topic: p.topic, partition: p.partition, errorCode: r?.errorCode, proposed: change.isr }, 'AlterIsr refused');
    this.clearLater(p, change);
  }

  /** A failed change stays "pending" for a short backoff so a busy fetch loop does not spin on it. */
  private clearLater(p: Partition, change: PendingIsrChange): void {
    const clear = (): void => {
      if (p.pendingIsr !== change) return;
      p.pendingIsr = undefined;
      this.o.onIsrChanged(p);
    };
    if (this.stopped) return clear();
    this.o.scheduler.setTimeout(clear, this.o.retryBackoffMs ?? 200);
  }
}
