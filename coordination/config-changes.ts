/**
 * Every broker's listener for /config/changes (Kafka's ZkNodeChangeNotificationListener): new
 * `config_change_N` notifications are handled once each, in sequence order, and notifications
 * older than 15 minutes are purged. The same listener serves the ACL change stores
 * (`/kafka-acl-changes`, `/kafka-acl-extended-changes`) through `changesPath`/`prefix`/`decode`. Handling is serialized; a failed read is retried on the next
 * change or by `refresh()`. Re-arms itself on a new session.
 */
import { isCoordinationError } from './errors.js';
import { CONFIG_CHANGE_PREFIX, CONFIG_CHANGES_PATH } from './paths.js';
import type { CoordinationStore } from './store.js';
import { type Scheduler, systemScheduler } from '../common/index.js';
import { type CoordinationLogger, nullLogger } from './logger.js';
import { decodeConfigChange } from './znodes/codecs.js';

export interface ConfigChangeListenerOptions {
  store: CoordinationStore;
  /** Called with e.g. `topics/foo`, `brokers/<default>`, `users/alice/clients/app`. */
  onChange: (entityPath: string) => void | Promise<void>;
  logger?: CoordinationLogger;
  scheduler?: Scheduler;
  /** Notifications older than this are deleted (Kafka: 15 minutes). */
  purgeAfterMs?: number;
  /** Another notification store (default /config/changes with `config_change_` nodes). */
  changesPath?: string;
  prefix?: string;
  /** Reads one notification's data into what `onChange` receives (default: the config entity path). */
  decode?: (data: Buffer | null, path: string) => string;
}

export class ConfigChangeListener {
  private lastSeen = -1;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  private retryTimer: unknown;
  private unsubscribe: (() => void) | undefined;
  private readonly log: CoordinationLogger;
  private readonly sched: Scheduler;
  private readonly purgeAfterMs: number;
  private readonly changesPath: string;
  private readonly prefix: string;
  private readonly decode: (data: Buffer | null, path: string) => string;

  constructor(private readonly o: ConfigChangeListenerOptions) {
    this.log = o.logger ?? nullLogger;
    this.sched = o.scheduler ?? systemScheduler;
    this.purgeAfterMs = o.purgeAfterMs ?? 15 * 60_000;
    this.changesPath = o.changesPath ?? CONFIG_CHANGES_PATH;
    this.prefix = o.prefix ?? CONFIG_CHANGE_PREFIX;
    this.decode = o.decode ?? decodeConfigChange;
  }

  /** Skips what already exists (the caller loads full configs at start), then listens. */
  async start(): Promise<void> {
    await this.o.store.mkdirp(this.changesPath);
    const existing = await this.o.store.getChildren(this.changesPath, this.watcher);
    for (const c of existing) this.lastSeen = Math.max(this.lastSeen, seqOf(c));
    this.unsubscribe = this.o.store.addSessionListener({ newSession: () => void this.refresh() });
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.retryTimer !== undefined) this.sched.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  /** Processes anything new now (also re-arms the watch). */
  refresh(): Promise<void> {
    this.running = this.running.then(() => this.process()).catch((err: unknown) => {
      // The watch may not be armed (the read that arms it failed): try again rather than go deaf.
      this.log.warn({ err }, 'config change processing failed; retrying shortly');
      if (this.stopped || this.retryTimer !== undefined) return;
      this.retryTimer = this.sched.setTimeout(() => {
        this.retryTimer = undefined;
        if (!this.stopped) void this.refresh();
      }, RETRY_MS);
    });
    return this.running;
  }

  private readonly watcher = (): void => {
    if (!this.stopped) void this.refresh();
  };

  private async process(): Promise<void> {
    if (this.stopped) return;
    const children = (await this.o.store.getChildren(this.changesPath, this.watcher)).filter((c) => c.startsWith(this.prefix));
    children.sort((a, b) => seqOf(a) - seqOf(b));
    for (const c of children) {
      const path = `${this.changesPath}/${c}`;
      const seq = seqOf(c);
      try {
        const node = await this.o.store.getData(path);
        if (seq > this.lastSeen) {
          this.lastSeen = seq;
          await this.o.onChange(this.decode(node.data, path));
        }
        if (this.sched.now() - Number(node.stat.ctime) > this.purgeAfterMs) await this.o.store.remove(path).catch(() => undefined);
      } catch (err) {
        if (!isCoordinationError(err, 'CRD_NO_NODE')) throw err;
      }
    }
  }
}

function seqOf(name: string): number {
  const m = /(\d+)$/.exec(name);
  return m === null ? -1 : Number(m[1]);
}

const RETRY_MS = 1000;
