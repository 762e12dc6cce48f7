/**
 * ZkSession: the one CoordinationStore backed by a real ZooKeeper, over node-zookeeper-client.
 *
 * It adds what the library lacks (reference/zookeeper-and-node-client.md §2):
 * - per-request timeouts (the library queues requests forever while disconnected);
 * - session expiry detected by the `expired` event, after which a FRESH client is built (the old
 *   object is dead forever) and listeners get `sessionExpired` then `newSession`;
 * - a watchdog (zk/watchdog.ts): a hung or black-holed server's client is abandoned without
 *   close() and the same session is resumed on a new client. Watches die with an abandoned
 *   client, so a switch also raises `newSession` (re-arm, re-read).
 * - the chroot of the connect string is created if missing;
 * - contact tracking for fencing (`contact`, zk/contact.ts): every answered request, watchdog
 *   probe and handshake is a contact at the time it was SENT.
 */
import zookeeper from 'node-zookeeper-client';
import { abandonClient, ensureChroot, hexSessionId } from './client-control.js';
import { ContactTracker, type SessionContact } from './contact.js';
import { installLibraryFrameReader } from './frame-reader.js';
import { CoordinationError } from '../errors.js';
import { createPersistentPath, type CoordinationStore, type CreateMode, type NodeData, type Op, type OpResult, type SessionListener, type Stat, type Watcher } from '../store.js';
import { ConnectionWaiters } from './connection-waiters.js';
import type { ZkSessionOptions } from './session-options.js';
import { znodeAcls, type ZnodeAcls } from './znode-acls.js';
import { type Scheduler, systemScheduler } from '../../common/index.js';
import { type CoordinationLogger, nullLogger } from '../logger.js';
import { parseConnectString } from './connect-string.js';
import { type SessionState, SessionWatchdog } from './watchdog.js';
import {
  rawCreate,
  rawExists,
  rawGetChildren,
  rawGetData,
  rawMulti,
  rawRemove,
  rawSetData,
  type ZkClient,
} from './raw-client.js';

export class ZkSession implements CoordinationStore {
  private readonly servers: string;
  private readonly chroot: string;
  private readonly timeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly connectionTimeoutMs: number;
  private readonly log: CoordinationLogger;
  private readonly sched: Scheduler;
  private client: ZkClient | undefined;
  private state: SessionState = 'new';
  private currentSessionId = 0n;
  private readonly waiters: ConnectionWaiters;
  private readonly listeners = new Set<SessionListener>();
  private readonly watchdog: SessionWatchdog;
  /** Set when the current client resumes a session on a new object: watches must be re-armed. */
  private pendingRearm = false;
  private generation = 0;
  /** When the current connection attempt began: its handshake was sent after this. */
  private connectAttemptAt = 0;
  private readonly tracker: ContactTracker;
  private readonly digest: ZkSessionOptions['digest'];
  private readonly acls: ZnodeAcls;

  constructor(options: ZkSessionOptions) {
    if (options.secureAcls === true && options.digest === undefined) {
      throw new CoordinationError('CRD_BAD_ARGUMENTS', 'secure znode ACLs (zookeeper.set.acl) need an authenticated identity: no digest credentials given');
    }
    this.digest = options.digest;
    this.acls = znodeAcls(options.secureAcls === true);
    const parsed = parseConnectString(options.connect);
    this.servers = parsed.servers;
    this.chroot = parsed.chroot;
    this.timeoutMs = options.sessionTimeoutMs;
    this.connectionTimeoutMs = options.connectionTimeoutMs ?? Math.max(options.sessionTimeoutMs, 10_000);
    this.requestTimeoutMs = options.requestTimeoutMs ?? Math.max(2 * options.sessionTimeoutMs, 10_000);
    this.log = options.logger ?? nullLogger;
    this.sched = options.scheduler ?? systemScheduler;
    this.waiters = new ConnectionWaiters(this.sched, this.servers);
    this.tracker = new ContactTracker({ scheduler: this.sched, sessionTimeoutMs: () => this.sessionTimeoutMs, marginMs: options.contactMarginMs, logger: this.log });
    this.watchdog = new SessionWatchdog(
      {
        state: () => this.state,
        client: () => this.client,
        sessionId: () => this.currentSessionId,
        switchClient: () => this.switchClient(),
        noteContact: (sentAt, sessionId) => this.tracker.noteContact(sentAt, sessionId),
      },
      { scheduler: this.sched, sessionTimeoutMs: this.timeoutMs, enabled: options.watchdog ?? true, logger: this.log },
    );
  }

  /** The "session may be lost" signal: brokers stop acting as leader while it holds. */
  get contact(): SessionContact {
    return this.tracker;
  }

  get sessionId(): bigint {
    return this.currentSessionId;
  }

  /** Negotiated with the server; falls back to the requested value before the first connection. */
  get sessionTimeoutMs(): number {
    const t = this.client?.getSessionTimeout();
    return typeof t === 'number' && t > 0 ? t : this.timeoutMs;
  }

  get connected(): boolean {
    return this.state === 'connected';
  }

  /** Connects (creating the chroot if needed). Rejects with CRD_TIMEOUT if no server answers. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new CoordinationError('CRD_BAD_ARGUMENTS', 'ZkSession.start() called twice');
    if (this.chroot !== '') await ensureChroot(this.servers, this.chroot, this.timeoutMs, this.connectionTimeoutMs, this.sched);
    this.state = 'connecting';
    this.openClient();
    await this.waitConnected(this.connectionTimeoutMs);
    this.watchdog.start();
  }

  /** Ends the session: ZooKeeper deletes our ephemerals at once. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    const client = this.client;
    const wasConnected = this.state === 'connected';
    this.state = 'closed';
    this.watchdog.stop();
    this.tracker.close();
    this.waiters.failAll(new CoordinationError('CRD_CLOSED', 'ZooKeeper session closed'));
    if (client === undefined) return;
    if (!wasConnected) {
      abandonClient(client);
      return;
    }
    await new Promise<void>((resolve) => {
      const t = this.sched.setTimeout(resolve, 2000);
      client.once('disconnected', () => {
        this.sched.clearTimeout(t);
        resolve();
      });
      client.close();
    });
    client.removeAllListeners();
  }

  addSessionListener(listener: SessionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- CoordinationStore -------------------------------------------------------------------

  create(path: string, data: Buffer | null, mode: CreateMode = 'persistent'): Promise<string> {
    return this.run((c) => rawCreate(c, path, data, mode, this.acls));
  }

  getData(path: string, watcher?: Watcher): Promise<NodeData> {
    return this.run((c) => rawGetData(c, path, watcher));
  }

  setData(path: string, data: Buffer, version = -1): Promise<Stat> {
    return this.run((c) => rawSetData(c, path, data, version));
  }

  exists(path: string, watcher?: Watcher): Promise<Stat | null> {
    return this.run((c) => rawExists(c, path, watcher));
  }

  getChildren(path: string, watcher?: Watcher): Promise<string[]> {
    return this.run((c) => rawGetChildren(c, path, watcher));
  }

  remove(path: string, version = -1): Promise<void> {
    return this.run((c) => rawRemove(c, path, version));
  }

  multi(list: readonly Op[]): Promise<OpResult[]> {
    return this.run((c) => rawMulti(c, list, this.acls));
  }

  mkdirp(path: string): Promise<void> {
    return createPersistentPath(this, path);
  }

  // ---- test hooks ---------------------------------------------------------------------------

  /**
   * Simulates a frozen process from ZooKeeper's point of view while this event loop keeps
   * running: pings stop, the socket is destroyed without closeSession, nothing reconnects. The
   * server expires the session after its timeout. Requests issued meanwhile wait.
   */
  freezeForTest(): void {
    if (this.state === 'closed') return;
    this.watchdog.stop();
    if (this.client !== undefined) {
      this.client.removeAllListeners();
      abandonClient(this.client);
      this.client = undefined;
    }
    this.state = 'frozen';
  }

  /** Ends a freeze: resumes the old session on a new client, which then learns it expired. */
  thawForTest(): void {
    if (this.state !== 'frozen') return;
    this.state = 'connecting';
    // Watches died with the abandoned client: if the session survived, owners must re-arm.
    this.pendingRearm = this.resumeId !== undefined;
    this.openClient(true);
    this.watchdog.start();
  }

  /** Simulates a crash: the session is left to expire on the server; this object is closed. */
  abandonForTest(): void {
    this.watchdog.stop();
    if (this.client !== undefined) {
      this.client.removeAllListeners();
      abandonClient(this.client);
      this.client = undefined;
    }
    this.state = 'closed';
    this.tracker.close();
    this.waiters.failAll(new CoordinationError('CRD_CLOSED', 'ZooKeeper session abandoned'));
  }

  // ---- internals ----------------------------------------------------------------------------

  private openClient(resume = false): void {
    const gen = ++this.generation;
    const options: Record<string, unknown> = { sessionTimeout: this.timeoutMs, spinDelay: 200, retries: 0 };
    const previous = this.client;
    if (resume && this.resumeId !== undefined) {
      options['sessionId'] = this.resumeId.id;
      options['sessionPassword'] = this.resumeId.password;
    }
    installLibraryFrameReader();
    const client = zookeeper.createClient(this.servers + this.chroot, options as unknown as zookeeper.Option);
    // Queued now, sent first on every (re)connection of this client.
    if (this.digest !== undefined) client.addAuthInfo('digest', Buffer.from(`${this.digest.username}:${this.digest.password}`));
    this.client = client;
    if (previous !== undefined && previous !== client) previous.removeAllListeners();
    client.on('connected', () => gen === this.generation && this.onConnected(client));
    client.on('disconnected', () => gen === this.generation && this.onDisconnected());
    client.on('expired', () => gen === this.generation && this.onExpired());
    client.on('authenticationFailed', () => gen === this.generation && this.log.error({}, 'ZooKeeper authentication failed'));
    this.watchdog.armHandshakeTimer(client);
    this.connectAttemptAt = this.sched.now();
    client.connect();
  }

  private resumeId: { id: Buffer; password: Buffer } | undefined;

  private onConnected(client: ZkClient): void {
    if (this.state === 'closed' || this.state === 'frozen') return;
    this.state = 'connected';
    this.watchdog.heard();
    this.watchdog.clearHandshakeTimer();
    const idBuf = client.getSessionId();
    const id = idBuf.readBigInt64BE(0);
    this.resumeId = { id: Buffer.from(idBuf), password: Buffer.from(client.getSessionPassword()) };
    const previous = this.currentSessionId;
    this.currentSessionId = id;
    // The server accepted a handshake sent after the attempt began; a probe tightens that at once.
    this.tracker.noteContact(this.connectAttemptAt, id);
    this.watchdog.probe(client);
    this.waiters.releaseAll();
    if (previous !== 0n && previous !== id) {
      this.log.info({ sessionId: hexSessionId(id), previous: hexSessionId(previous) }, 'new ZooKeeper session established');
      this.emit('newSession', id);
    } else if (this.pendingRearm) {
      this.log.info({ sessionId: hexSessionId(id) }, 'ZooKeeper session resumed on a new connection; re-arming watches');
      this.emit('newSession', id);
    }
    this.pendingRearm = false;
  }

  private onDisconnected(): void {
    if (this.state !== 'connected') return;
    this.state = 'disconnected';
    // The library reconnects this client by itself; its next handshake is sent after now.
    this.connectAttemptAt = this.sched.now();
    this.log.warn({ sessionId: hexSessionId(this.currentSessionId) }, 'disconnected from ZooKeeper');
    if (this.client !== undefined) this.watchdog.armHandshakeTimer(this.client);
  }

  private onExpired(): void {
    if (this.state === 'closed') return;
    const old = this.currentSessionId;
    this.log.warn({ sessionId: hexSessionId(old) }, 'ZooKeeper session expired; building a new session');
    if (this.client !== undefined) {
      this.client.removeAllListeners();
      abandonClient(this.client);
      this.client = undefined;
    }
    this.resumeId = undefined;
    this.state = 'connecting';
    this.tracker.sessionGone();
    this.emit('sessionExpired', old);
    if ((this.state as SessionState) === 'closed') return;
    this.openClient(false);
  }

  private emit(event: 'sessionExpired' | 'newSession', id: bigint): void {
    for (const l of [...this.listeners]) {
      try {
        if (event === 'sessionExpired') l.sessionExpired?.(id);
        else l.newSession?.(id);
      } catch (err) {
        this.log.error({ err, event }, 'session listener threw');
      }
    }
  }

  private switchClient(): void {
    if (this.client !== undefined) {
      this.client.removeAllListeners();
      abandonClient(this.client);
      this.client = undefined;
    }
    this.state = 'connecting';
    this.pendingRearm = this.resumeId !== undefined;
    this.openClient(true);
  }

  private waitConnected(timeoutMs: number): Promise<void> {
    if (this.state === 'connected') return Promise.resolve();
    if (this.state === 'closed') return Promise.reject(new CoordinationError('CRD_CLOSED', 'ZooKeeper session closed'));
    return this.waiters.wait(timeoutMs);
  }

  private async run<T>(fn: (client: ZkClient) => Promise<T>): Promise<T> {
    const started = this.sched.now();
    if (this.state !== 'connected') await this.waitConnected(this.requestTimeoutMs);
    const client = this.client;
    if (client === undefined) throw new CoordinationError('CRD_CONNECTION_LOSS', 'no ZooKeeper client');
    const remaining = Math.max(1, this.requestTimeoutMs - (this.sched.now() - started));
    const sessionId = this.currentSessionId;
    return new Promise<T>((resolve, reject) => {
      const t = this.sched.setTimeout(
        () => reject(new CoordinationError('CRD_TIMEOUT', `ZooKeeper request timed out after ${this.requestTimeoutMs} ms`)),
        remaining,
      );
      const sentAt = this.sched.now();
      fn(client).then(
        (v) => {
          this.sched.clearTimeout(t);
          if (this.client === client) {
            this.watchdog.heard();
            this.tracker.noteContact(sentAt, sessionId);
          }
          resolve(v);
        },
        (err: unknown) => {
          this.sched.clearTimeout(t);
          reject(err);
        },
      );
    });
  }
}
