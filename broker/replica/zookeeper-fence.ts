/**
 * The leadership fence (Samsa's addition; Kafka in ZooKeeper mode has none): the replica
 * manager's one answer to "may this broker act as leader of that partition now?".
 *
 * - `zookeeper-contact-lost`, broker-wide: coordination's contact signal says the session may be
 *   lost (no answer from ZooKeeper within the negotiated session timeout minus the margin,
 *   coordination/zk/contact.ts). A controller can elect a successor only after the expiry plus
 *   its own ZooKeeper round trips, so the old leader stops first. Lifted by the next answer on
 *   the same session.
 * - `zookeeper-session-expired`, per partition: what this broker led when its session expired.
 *   The new session restores contact before the controller has told the new registration what
 *   it leads; until a LeaderAndIsr (or StopReplica) for the partition applies, it stays fenced.
 *
 * Decisions read the clock when asked (a late timer never widens the window); the events only
 * log, wake parked requests (they answer NOT_LEADER_OR_FOLLOWER) and re-run the HW on restore.
 */
import type { Logger } from 'pino';
import type { SessionContact, SessionListener } from '../../coordination/index.js';
import type { Scheduler } from '../../common/index.js';
import type { Partition } from './partition.js';

/** What the fence reads from the ZooKeeper session (ZkSession provides both). */
export interface ZooKeeperSessionSignals {
  readonly contact: SessionContact;
  addSessionListener(listener: SessionListener): () => void;
}

export type LeadershipFence = 'zookeeper-contact-lost' | 'zookeeper-session-expired';

export interface FenceStatus {
  /** The broker-wide contact fence holds. */
  readonly contactLost: boolean;
  /** Partitions led here that are fenced now (either reason). */
  readonly fencedPartitions: number;
}

export interface ZooKeeperFenceOptions {
  /** Absent: never fenced (unit tests, brokers without ZooKeeper). */
  readonly zooKeeper?: ZooKeeperSessionSignals;
  readonly scheduler: Scheduler;
  readonly stateLog: Logger;
  /** Partitions this broker leads now. */
  readonly ledPartitions: () => Partition[];
  /** Fenced partitions: wake whatever is parked on them. */
  readonly onFenced: (ps: readonly Partition[]) => void;
  /** Contact is back: the HW may move again. */
  readonly onUnfenced: (ps: readonly Partition[]) => void;
}

export class ZooKeeperFence {
  private readonly ledByExpiredSession = new Set<string>();
  private readonly detach: (() => void)[] = [];

  constructor(private readonly o: ZooKeeperFenceOptions) {
    const zk = o.zooKeeper;
    if (zk === undefined) return;
    this.detach.push(
      zk.contact.addContactListener({ contactLost: () => this.onContactLost(), contactRestored: () => this.onContactRestored() }),
      zk.addSessionListener({ sessionExpired: () => this.onSessionExpired() }),
    );
  }

  /** The broker-wide part: no ZooKeeper answer within the session timeout minus the margin. */
  contactLost(): boolean {
    return this.o.zooKeeper?.contact.sessionMayBeLost(this.o.scheduler.now()) === true;
  }

  /** Undefined when this broker may act as leader of the partition (if it leads it), else why not. */
  fenceOf(key: string): LeadershipFence | undefined {
    if (this.contactLost()) return 'zookeeper-contact-lost';
    if (this.ledByExpiredSession.has(key)) return 'zookeeper-session-expired';
    return undefined;
  }

  status(): FenceStatus {
    const contactLost = this.contactLost();
    const fencedPartitions = this.o.ledPartitions().filter((p) => this.fenceOf(p.key) !== undefined).length;
    return { contactLost, fencedPartitions };
  }

  /** The controller spoke about this partition (LeaderAndIsr, StopReplica) to the current registration. */
  settled(key: string): void {
    this.ledByExpiredSession.delete(key);
  }

  stop(): void {
    for (const d of this.detach.splice(0)) d();
  }

  private onContactLost(): void {
    const led = this.o.ledPartitions();
    const c = this.o.zooKeeper!.contact.contactState();
    this.o.stateLog.warn(
      { lastContactMsAgo: this.o.scheduler.now() - c.lastContactAt, sessionTimeoutMs: c.sessionTimeoutMs, marginMs: c.marginMs, ledPartitions: led.length },
      'fenced: no ZooKeeper contact within the session timeout minus the margin; refusing to act as leader',
    );
    this.o.onFenced(led);
  }

  private onContactRestored(): void {
    const led = this.o.ledPartitions();
    this.o.stateLog.info({ ledPartitions: led.length, stillFenced: led.filter((p) => this.ledByExpiredSession.has(p.key)).length }, 'unfenced: ZooKeeper answers again');
    this.o.onUnfenced(led);
  }

  private onSessionExpired(): void {
    const led = this.o.ledPartitions();
    for (const p of led) this.ledByExpiredSession.add(p.key);
    if (led.length > 0) this.o.stateLog.warn({ ledPartitions: led.length }, 'ZooKeeper session expired: fenced as leader until the controller sends LeaderAndIsr to the new registration');
    this.o.onFenced(led);
  }
}

/**
 * The leader's decision on a follower's broker epoch (KIP-380's fence applied to replica fetch):
 * 'stale' when the fetch carries an older epoch than the registration the controller announced
 * (an old incarnation still running after its session expired and the broker re-registered).
 * Unknown on either side (-1n, or the broker not in the metadata cache) is let through, as Kafka
 * lets an unknown epoch through on control requests; a NEWER epoch than the cache knows is the
 * normal race with UpdateMetadata and is accepted too.
 */
export function replicaFetchEpochVerdict(requested: bigint, registered: bigint | undefined): 'ok' | 'stale' {
  if (requested < 0n || registered === undefined || registered < 0n) return 'ok';
  return requested < registered ? 'stale' : 'ok';
}
