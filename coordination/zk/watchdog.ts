/**
 * The session's watchdog (what node-zookeeper-client lacks): a probe (`exists /`) every T/6;
 * a connected client that hears nothing for 2T/3 (hung or black-holed server) is abandoned and
 * the same session resumed on a new client, and a client that does not finish its handshake
 * within T/3 is replaced the same way. Every answered probe is also a contact for the fence.
 */
import type { Scheduler } from '../../common/index.js';
import type { CoordinationLogger } from '../logger.js';
import { rawExists, type ZkClient } from './raw-client.js';

export type SessionState = 'new' | 'connecting' | 'connected' | 'disconnected' | 'frozen' | 'closed';

/** What the watchdog reads of the session, and how it moves the session to a new client. */
export interface WatchdogHost {
  state(): SessionState;
  client(): ZkClient | undefined;
  sessionId(): bigint;
  /** Abandons the current client and resumes the session on a new one. */
  switchClient(): void;
  noteContact(sentAt: number, sessionId: bigint): void;
}

export interface WatchdogOptions {
  readonly scheduler: Scheduler;
  /** The requested session timeout T. */
  readonly sessionTimeoutMs: number;
  readonly enabled: boolean;
  readonly logger: CoordinationLogger;
}

export class SessionWatchdog {
  private watchdogTimer: unknown;
  private handshakeTimer: unknown;
  private lastHeardAt = 0;
  private probeInFlight = false;

  constructor(
    private readonly host: WatchdogHost,
    private readonly o: WatchdogOptions,
  ) {}

  /** The current client answered something. */
  heard(): void {
    this.lastHeardAt = this.o.scheduler.now();
  }

  armHandshakeTimer(client: ZkClient): void {
    this.clearHandshakeTimer();
    if (!this.o.enabled) return;
    const timeoutMs = this.o.sessionTimeoutMs;
    this.handshakeTimer = this.o.scheduler.setTimeout(() => {
      this.handshakeTimer = undefined;
      const state = this.host.state();
      if (this.host.client() !== client || state === 'connected' || state === 'closed' || state === 'frozen') return;
      // A black-holed server accepts TCP and never answers; the library would wait forever.
      this.o.logger.warn({ afterMs: Math.round(timeoutMs / 3) }, 'ZooKeeper handshake timed out; retrying on a new connection');
      this.host.switchClient();
    }, Math.max(200, Math.round(timeoutMs / 3)));
  }

  clearHandshakeTimer(): void {
    if (this.handshakeTimer !== undefined) this.o.scheduler.clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
  }

  start(): void {
    if (!this.o.enabled || this.host.state() === 'closed') return;
    const sched = this.o.scheduler;
    const timeoutMs = this.o.sessionTimeoutMs;
    const period = Math.max(100, Math.round(timeoutMs / 6));
    const tick = (): void => {
      const state = this.host.state();
      if (state === 'closed' || state === 'frozen') return;
      this.watchdogTimer = sched.setTimeout(tick, period);
      const client = this.host.client();
      if (state !== 'connected' || client === undefined) return;
      if (sched.now() - this.lastHeardAt > (2 * timeoutMs) / 3) {
        this.o.logger.warn({ silentMs: sched.now() - this.lastHeardAt }, 'ZooKeeper server stopped answering; moving the session to a new connection');
        this.probeInFlight = false;
        this.host.switchClient();
        return;
      }
      this.probe(client);
    };
    this.watchdogTimer = sched.setTimeout(tick, period);
  }

  /** One `exists /` round trip: the watchdog's heartbeat, and a contact for the fence. */
  probe(client: ZkClient): void {
    if (this.probeInFlight) return;
    this.probeInFlight = true;
    const sentAt = this.o.scheduler.now();
    const sessionId = this.host.sessionId();
    rawExists(client, '/').then(
      () => {
        this.probeInFlight = false;
        if (this.host.client() !== client) return;
        this.heard();
        this.host.noteContact(sentAt, sessionId);
      },
      () => {
        this.probeInFlight = false;
      },
    );
  }

  stop(): void {
    if (this.watchdogTimer !== undefined) this.o.scheduler.clearTimeout(this.watchdogTimer);
    this.watchdogTimer = undefined;
    this.clearHandshakeTimer();
  }
}
