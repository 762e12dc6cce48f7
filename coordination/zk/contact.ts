/**
 * "Might my ZooKeeper session already be gone?" ZooKeeper never tells a cut-off client that its
 * session expired (it learns that only when it reaches a server again), so a broker that keeps
 * acting on a session it may have lost can overlap with whoever the controller elected in its
 * place. This tracker answers the question from the client's side alone:
 *
 * - The server expires a session `sessionTimeout` after it last RECEIVED something from the
 *   client (ZooKeeper rounds that up to its tick, never down). Every request ZooKeeper answered
 *   was received after it was SENT, so the send time of the latest answered request
 *   (`lastContactAt`) is a lower bound of the server's last receipt, and
 *   `lastContactAt + negotiated timeout` a lower bound of the earliest possible expiry. Taking
 *   the send time (not the arrival of the answer) keeps that true when this event loop stalls
 *   with an answer sitting in the socket.
 * - From `mayBeLostAt = lastContactAt + sessionTimeout - margin` on, the session may be gone by
 *   the time anything this process does takes effect. The margin covers what the bound above does
 *   not: in an ensemble the server a client talks to passes session touches to the leader only
 *   every half tick, and an action decided just before the deadline still takes a moment to
 *   happen. A controller can elect a successor only after the expiry AND its own ZooKeeper round
 *   trips, so stopping at `mayBeLostAt` stops the old owner before any successor exists.
 *
 * `sessionMayBeLost(now)` is computed from the clock at the moment of asking (callers decide on
 * it synchronously; a late timer cannot widen the window). The listeners get the edges:
 * `contactLost` once the deadline passes without contact, `contactRestored` at the first answer
 * after that (on the same session if it survived, on a new one after an expiry).
 */
import type { Scheduler } from '../../common/index.js';
import type { CoordinationLogger } from '../logger.js';
import { hexSessionId } from './client-control.js';

export interface ContactState {
  /** Session of the latest contact (0n before the first). */
  readonly sessionId: bigint;
  /** Scheduler ms when the latest request ZooKeeper answered was sent (-Infinity: none on this session). */
  readonly lastContactAt: number;
  /** The negotiated session timeout. */
  readonly sessionTimeoutMs: number;
  readonly marginMs: number;
  /** lastContactAt + sessionTimeoutMs - marginMs. */
  readonly mayBeLostAt: number;
}

export interface ContactListener {
  /** No answer from ZooKeeper since `lastContactAt`: the session may be expired already. */
  contactLost?(state: ContactState): void;
  /** ZooKeeper answered again after a `contactLost` (compare `sessionId` to tell a resumed session from a new one). */
  contactRestored?(state: ContactState): void;
}

/** The observable "session may be lost" signal of a coordination session. */
export interface SessionContact {
  contactState(): ContactState;
  /** True from `mayBeLostAt` until ZooKeeper answers again (and before the first answer). */
  sessionMayBeLost(nowMs?: number): boolean;
  addContactListener(listener: ContactListener): () => void;
}

/** A fifth of the session timeout (at least 100 ms): 1.2 s of 6 s, 3.6 s of Kafka's default 18 s. */
export function defaultContactMarginMs(sessionTimeoutMs: number): number {
  return Math.max(100, Math.round(sessionTimeoutMs / 5));
}

export interface ContactTrackerOptions {
  readonly scheduler: Scheduler;
  /** The negotiated session timeout (read at every decision: it is known only after connecting). */
  readonly sessionTimeoutMs: () => number;
  /** Fixed margin; default `defaultContactMarginMs(sessionTimeoutMs())`. */
  readonly marginMs?: number;
  readonly logger?: CoordinationLogger;
}

export class ContactTracker implements SessionContact {
  private sessionId = 0n;
  private lastContactAt = Number.NEGATIVE_INFINITY;
  /** contactLost was emitted and no contactRestored since. */
  private lost = false;
  private timer: unknown;
  private timerAt = Number.POSITIVE_INFINITY;
  private closed = false;
  private readonly listeners = new Set<ContactListener>();

  constructor(private readonly o: ContactTrackerOptions) {}

  contactState(): ContactState {
    const sessionTimeoutMs = this.o.sessionTimeoutMs();
    const marginMs = this.o.marginMs ?? defaultContactMarginMs(sessionTimeoutMs);
    return { sessionId: this.sessionId, lastContactAt: this.lastContactAt, sessionTimeoutMs, marginMs, mayBeLostAt: this.lastContactAt + sessionTimeoutMs - marginMs };
  }

  sessionMayBeLost(nowMs = this.o.scheduler.now()): boolean {
    return nowMs >= this.contactState().mayBeLostAt;
  }

  addContactListener(listener: ContactListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** ZooKeeper answered a request of `sessionId` that was sent at `sentAt`. */
  noteContact(sentAt: number, sessionId: bigint): void {
    if (this.closed) return;
    if (sessionId !== this.sessionId) {
      this.sessionId = sessionId;
      this.lastContactAt = sentAt;
    } else if (sentAt > this.lastContactAt) {
      this.lastContactAt = sentAt;
    }
    this.evaluate();
  }

  /** The session expired: nothing heard on it counts any more. */
  sessionGone(): void {
    if (this.closed) return;
    this.lastContactAt = Number.NEGATIVE_INFINITY;
    this.evaluate();
  }

  /** The session was closed on purpose: no more events. */
  close(): void {
    this.closed = true;
    this.lastContactAt = Number.NEGATIVE_INFINITY;
    this.clearTimer();
  }

  private evaluate(): void {
    const s = this.contactState();
    const now = this.o.scheduler.now();
    if (now >= s.mayBeLostAt) {
      this.clearTimer();
      if (this.lost || (s.lastContactAt === Number.NEGATIVE_INFINITY && this.sessionId === 0n)) return;
      this.lost = true;
      this.o.logger?.warn(
        { sessionId: hexSessionId(s.sessionId), silentMs: Number.isFinite(s.lastContactAt) ? now - s.lastContactAt : null, sessionTimeoutMs: s.sessionTimeoutMs, marginMs: s.marginMs },
        'no answer from ZooKeeper within the session timeout minus the margin: the session may be lost',
      );
      this.emit('contactLost', s);
      return;
    }
    if (this.lost) {
      this.lost = false;
      this.o.logger?.info({ sessionId: hexSessionId(s.sessionId) }, 'ZooKeeper answers again');
      this.emit('contactRestored', s);
    }
    // Armed once per deadline; a firing re-evaluates (contact may have moved the deadline on).
    if (this.timer === undefined || s.mayBeLostAt < this.timerAt) {
      this.clearTimer();
      this.timerAt = s.mayBeLostAt;
      this.timer = this.o.scheduler.setTimeout(() => {
        this.timer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
        if (!this.closed) this.evaluate();
      }, Math.max(1, s.mayBeLostAt - now));
    }
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.o.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  private emit(event: 'contactLost' | 'contactRestored', state: ContactState): void {
    for (const l of [...this.listeners]) {
      try {
        l[event]?.(state);
      } catch (err) {
        this.o.logger?.error({ err }, `contact listener failed on ${event}`);
      }
    }
  }
}
