/**
 * One broker PROCESS of a failover cluster with its fault switches: kill -9, SIGTERM (controlled
 * shutdown), SIGSTOP/SIGCONT, restart, wipe, and a ZooKeeper link that can be black-holed (the
 * broker's zookeeper.connect points at per-broker TCP proxies). Logs survive restarts: the
 * start script truncates broker.out, so the previous run's log is archived first (the history
 * checker needs every state-change line ever written).
 */
import { appendFileSync, existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BrokerProcess } from '../../helpers/broker-process.js';
import type { TcpProxy } from './tcp-proxy.js';

export class FailoverBroker {
  private paused = false;

  constructor(
    readonly process: BrokerProcess,
    /** One proxy per ZooKeeper server, in connect-string order. */
    readonly zkProxies: readonly TcpProxy[],
  ) {}

  get id(): number {
    return this.process.brokerId;
  }

  get port(): number {
    return this.process.port;
  }

  get address(): string {
    return `${this.process.host}:${this.process.port}`;
  }

  get archiveFile(): string {
    return join(this.process.dir, 'broker.out.archive');
  }

  get isPaused(): boolean {
    return this.paused;
  }

  isAlive(): boolean {
    return this.process.isAlive();
  }

  async start(): Promise<void> {
    const r = await this.process.start([], 60_000);
    if (r.code !== 0) throw new Error(`broker ${this.id} did not start: ${r.stderr.slice(-2000)}`);
  }

  /** kill -9: no controlled shutdown, no clean-shutdown marker, ephemeral znodes linger until the session expires. */
  async kill9(): Promise<void> {
    if (this.paused) this.resume();
    this.process.signal('SIGKILL');
    await this.process.waitExited(15_000);
  }

  /** SIGTERM: the graceful path (controlled shutdown, clean logs). */
  async terminate(timeoutMs = 40_000): Promise<void> {
    if (this.paused) this.resume();
    this.process.signal('SIGTERM');
    await this.process.waitExited(timeoutMs);
  }

  pause(): void {
    this.process.signal('SIGSTOP');
    this.paused = true;
  }

  resume(): void {
    this.process.signal('SIGCONT');
    this.paused = false;
  }

  /** Starts the broker again on the same config, ports and data. */
  async restart(): Promise<void> {
    if (this.isAlive()) throw new Error(`broker ${this.id} is still running (pid ${this.process.pid})`);
    this.archiveLog();
    await this.start();
  }

  /** Deletes every partition directory and checkpoint, as after a lost disk (the broker must be down). */
  wipe(): void {
    if (this.isAlive()) throw new Error(`refusing to wipe broker ${this.id} while it runs`);
    this.archiveLog();
    for (const name of readdirSync(this.process.logDir)) {
      if (name === 'broker.pid' || name === 'broker.out') continue;
      rmSync(join(this.process.logDir, name), { recursive: true, force: true });
    }
  }

  blackholeZooKeeper(): void {
    for (const p of this.zkProxies) p.blackhole();
  }

  healZooKeeper(): void {
    for (const p of this.zkProxies) p.heal();
  }

  /** Everything this broker logged, across restarts. */
  log(): string {
    const archived = existsSync(this.archiveFile) ? readFileSync(this.archiveFile, 'utf8') : '';
    return archived + this.process.log();
  }

  private archiveLog(): void {
    const current = this.process.log();
    if (current.length > 0) appendFileSync(this.archiveFile, current.endsWith('\n') ? current : current + '\n');
  }

  /** Stops whatever is left of this broker (used by cleanup; by pid file only). */
  async destroy(): Promise<void> {
    if (!this.isAlive()) return;
    if (this.paused) this.resume();
    this.process.signal('SIGKILL');
    await this.process.waitExited(15_000).catch(() => undefined);
  }
}
