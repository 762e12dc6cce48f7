/**
 * One broker PROCESS of a failover cluster with its fault switches: kill -9, SIGTERM (controlled
 * shutdown), SIGSTOP/SIGCONT, restart, wipe, and a ZooKeeper link that can be black-holed (the
 * broker's zookeeper.connect points at per-broker TCP proxies). Logs survive restarts: the
 * start script truncates broker.out, so the previous run's log is archived first (the history
 * checker needs every state-change line ever written).
 */
import { execFile } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BROKER_START, brokerStartTimeoutMs, type BrokerProcess } from '../../helpers/broker-process.js';
import type { NetworkLab } from './netns.js';
import type { FaultyDisk } from '../../helpers/faulty-disk.js';
import type { TcpProxy } from './tcp-proxy.js';

const execFileAsync = promisify(execFile);

export interface FailoverBrokerExtras {
  /** The network namespace lab the broker runs in (its listeners are on lab.ip(id)). */
  lab?: NetworkLab;
  /** A real small disk holding (some of) the broker's log dirs. */
  disk?: FaultyDisk;
}

export class FailoverBroker {
  private paused = false;

  constructor(
    readonly process: BrokerProcess,
    /** One proxy per ZooKeeper server, in connect-string order. */
    readonly zkProxies: readonly TcpProxy[],
    readonly extras: FailoverBrokerExtras = {},
  ) {}

  /** Where clients reach the broker (its namespace address, or loopback). */
  get host(): string {
    return this.extras.lab?.ip(this.id) ?? this.process.host;
  }

  get disk(): FaultyDisk | undefined {
    return this.extras.disk;
  }

  get isIsolated(): boolean {
    return this.extras.lab?.isIsolated(this.id) ?? false;
  }

  /** Running, not paused, not cut off: the harness may talk to it. */
  get reachable(): boolean {
    return !this.paused && !this.isIsolated && this.isAlive();
  }

  get id(): number {
    return this.process.brokerId;
  }

  get port(): number {
    return this.process.port;
  }

  get address(): string {
    return `${this.host}:${this.process.port}`;
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
    const lab = this.extras.lab;
    if (lab === undefined) {
      const r = await this.process.start();
      if (r.code !== 0) throw new Error(`broker ${this.id} did not start: ${r.stderr.slice(-2000)}`);
      return;
    }
    // The start script itself runs in the namespace, so its readiness probe sees the listener.
    await execFileAsync('ip', ['netns', 'exec', lab.namespace(this.id), 'bash', BROKER_START, '-daemon', this.process.configFile], {
      timeout: brokerStartTimeoutMs(),
      env: { ...process.env, ...this.process.scriptEnv },
    }).catch(
      (err: Error & { stderr?: string; killed?: boolean }) => {
        // The script's stderr says why; when it was killed at the deadline it said nothing, so the log does.
        const why = err.stderr !== undefined && err.stderr.trim() !== '' ? err.stderr : `${err.killed ? `start script killed after ${brokerStartTimeoutMs()} ms` : err.message}; last log lines: ${this.process.log().trimEnd().split('\n').slice(-5).join(' | ')}`;
        throw new Error(`broker ${this.id} did not start in ${lab.namespace(this.id)}: ${why.slice(-2000)}`);
      },
    );
  }

  /** Cuts the broker off from ZooKeeper, the other brokers and the clients (network namespaces only). */
  async isolate(): Promise<void> {
    if (this.extras.lab === undefined) throw new Error(`broker ${this.id} does not run in a network namespace`);
    await this.extras.lab.isolate(this.id);
  }

  async rejoin(): Promise<void> {
    await this.extras.lab?.heal(this.id);
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

  /** Deletes every partition directory and checkpoint of every data dir, as after a lost disk (the broker must be down). */
  wipe(): void {
    if (this.isAlive()) throw new Error(`refusing to wipe broker ${this.id} while it runs`);
    this.archiveLog();
    for (const dir of this.process.dataDirs) {
      if (!existsSync(dir)) continue;
      for (const name of readdirSync(dir)) {
        if (name === 'broker.pid' || name === 'broker.out' || name === 'broker.out.archive' || name === 'lost+found') continue;
        // Partition directories, checkpoints, meta.properties: as after a replaced disk.
        rmSync(join(dir, name), { recursive: true, force: true });
      }
    }
  }

  blackholeZooKeeper(): void {
    for (const p of this.zkProxies) p.blackhole();
  }

  healZooKeeper(): void {
    for (const p of this.zkProxies) p.heal();
  }

  /** The HTTP admin API as this run of the broker printed it (`admin.http.listener=127.0.0.1:0` picks a port). */
  adminUrl(): string {
    const m = [...this.process.log().matchAll(/^admin http on (\S+)$/gm)].at(-1);
    if (m === undefined) throw new Error(`broker ${this.id} printed no admin http URL (is admin.http.listener set?)`);
    return m[1]!;
  }

  /** Everything this broker logged, across restarts. */
  log(): string {
    const archived = existsSync(this.archiveFile) ? readFileSync(this.archiveFile, 'utf8') : '';
    return archived + this.process.log();
  }

  /** Moves the (dead) process' log to the archive, so no line is archived twice. */
  private archiveLog(): void {
    const current = this.process.log();
    if (current.length === 0) return;
    appendFileSync(this.archiveFile, current.endsWith('\n') ? current : current + '\n');
    writeFileSync(this.process.outFile, '');
  }

  /** Stops whatever is left of this broker (used by cleanup; by pid file only). */
  async destroy(): Promise<void> {
    if (!this.isAlive()) return;
    if (this.paused) this.resume();
    this.process.signal('SIGKILL');
    await this.process.waitExited(15_000).catch(() => undefined);
  }
}
