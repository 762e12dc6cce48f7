/**
 * A broker as a separate process, started and stopped through the project's own
 * scripts/broker-start.sh -daemon and broker-stop.sh (so the scripts are exercised by every
 * test that uses it). Ports come from freePorts(); data and logs live in a temp directory.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePorts } from './ports.js';
import { testZkConnect } from './shared-zookeeper.js';
import { tmpDir } from './tmp.js';
import { waitFor } from './wait-for.js';
import { REPO_ROOT } from './zookeeper.js';

const execFileAsync = promisify(execFile);
export const BROKER_START = join(REPO_ROOT, 'scripts', 'broker-start.sh');
export const BROKER_STOP = join(REPO_ROOT, 'scripts', 'broker-stop.sh');

export interface BrokerProcessOptions {
  brokerId?: number;
  /** Defaults to a fresh chroot on the shared test ZooKeeper (SAMSA_TEST_ZK), else 127.0.0.1:2181. */
  zookeeperConnect?: string;
  /** Extra `key=value` lines for server.properties. */
  properties?: Record<string, string | number | boolean>;
  dir?: string;
  /** `log.dirs` (default `<dir>/logs` alone). broker.pid and broker.out stay in `<dir>/logs` ($LOG_DIR). */
  dataDirs?: string[];
  /** More listeners, each named after its security protocol (e.g. SASL_PLAINTEXT) on a free port (`listenerPort(name)`). */
  extraListeners?: string[];
}

export interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(args: string[], timeoutMs: number, env: Record<string, string> = {}): Promise<ScriptResult> {
  try {
    const { stdout, stderr } = await execFileAsync('bash', args, { timeout: timeoutMs, env: { ...process.env, SAMSA_LOG_LEVEL: process.env['SAMSA_LOG_LEVEL'] ?? 'info', ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as Error & { code?: number | string; stdout?: string; stderr?: string; killed?: boolean };
    // A script killed by the timeout has an empty stderr: say so, or the cause is lost.
    const why = e.killed ? `timed out after ${timeoutMs} ms (script killed)` : e.message;
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ? `${e.stderr}\n${why}` : why };
  }
}

/**
 * How long a caller waits for broker-start.sh: the script's own deadline (SAMSA_BROKER_START_TIMEOUT,
 * 60 s by default) plus a margin, so on a slow start the script reports why (its last log lines)
 * before it is killed.
 */
export function brokerStartTimeoutMs(): number {
  const scriptSeconds = Number(process.env['SAMSA_BROKER_START_TIMEOUT'] ?? '60');
  return ((Number.isFinite(scriptSeconds) && scriptSeconds > 0 ? scriptSeconds : 60) + 15) * 1000;
}

export class BrokerProcess {
  readonly host = '127.0.0.1';
  readonly dir: string;
  readonly configFile: string;
  /** Where broker.pid and broker.out live ($LOG_DIR of the scripts); also the data dir by default. */
  readonly logDir: string;
  /** `log.dirs`. */
  readonly dataDirs: readonly string[];

  private constructor(
    readonly brokerId: number,
    readonly port: number,
    readonly interBrokerPort: number,
    dir: string,
    lines: string[],
    dataDirs?: string[],
    private readonly extraPorts: Readonly<Record<string, number>> = {},
  ) {
    this.dir = dir;
    this.logDir = join(dir, 'logs');
    this.dataDirs = dataDirs ?? [this.logDir];
    this.configFile = join(dir, 'server.properties');
    mkdirSync(this.logDir, { recursive: true });
    writeFileSync(this.configFile, [...lines, `log.dirs=${this.dataDirs.join(',')}`].join('\n') + '\n');
  }

  /** The port of a listener given in `extraListeners`. */
  listenerPort(name: string): number {
    const p = this.extraPorts[name];
    if (p === undefined) throw new Error(`broker ${this.brokerId} has no ${name} listener`);
    return p;
  }

  /** Environment of the start/stop scripts: the process log and pid file stay off the data disks. */
  get scriptEnv(): Record<string, string> {
    return { LOG_DIR: this.logDir };
  }

  /** Writes a config with free ports; does not start anything. */
  static async create(options: BrokerProcessOptions = {}): Promise<BrokerProcess> {
    const extra = options.extraListeners ?? [];
    const [port, interPort, ...extraPorts] = await freePorts(2 + extra.length);
    const extraByName = Object.fromEntries(extra.map((name, i) => [name, extraPorts[i]!]));
    const brokerId = options.brokerId ?? 0;
    const lines = [
      `broker.id=${brokerId}`,
      `listeners=${[`PLAINTEXT://127.0.0.1:${port}`, `INTERNAL://127.0.0.1:${interPort}`, ...extra.map((n) => `${n}://127.0.0.1:${extraByName[n]}`)].join(',')}`,
      // A test may secure the listeners (e.g. INTERNAL:SASL_SSL) by giving its own map.
      ...(options.properties?.['listener.security.protocol.map'] === undefined
        ? [`listener.security.protocol.map=${['PLAINTEXT:PLAINTEXT', 'INTERNAL:PLAINTEXT', ...extra.map((n) => `${n}:${n}`)].join(',')}`]
        : []),
      'inter.broker.listener.name=INTERNAL',
      // Off unless the test asks for it (a broker's HTTP port must be its own).
      ...(options.properties?.['admin.http.listener'] === undefined ? ['admin.http.listener='] : []),
      `zookeeper.connect=${options.zookeeperConnect ?? (process.env['SAMSA_TEST_ZK'] ? testZkConnect('samsa-bp') : '127.0.0.1:2181')}`,
      ...Object.entries(options.properties ?? {}).map(([k, v]) => `${k}=${v}`),
    ];
    return new BrokerProcess(brokerId, port!, interPort!, options.dir ?? tmpDir('samsa-broker-'), lines, options.dataDirs, extraByName);
  }

  get pidFile(): string {
    return join(this.logDir, 'broker.pid');
  }

  get outFile(): string {
    return join(this.logDir, 'broker.out');
  }

  get pid(): number | undefined {
    if (!existsSync(this.pidFile)) return undefined;
    const pid = Number(readFileSync(this.pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  }

  /**
   * The flags node got before the entry script, from the running process's command line
   * (broker-start.sh's GC defaults and SAMSA_NODE_OPTS). Linux /proc; throws where there is none.
   */
  nodeFlags(): string[] {
    const argv = readFileSync(`/proc/${this.pid}/cmdline`, 'utf8').split('\0');
    return argv.slice(1, argv.findIndex((a, i) => i > 0 && !a.startsWith('--')));
  }

  /** Runs broker-start.sh -daemon; resolves with the script's result (code 0 = serving). */
  start(extraArgs: string[] = [], timeoutMs = brokerStartTimeoutMs()): Promise<ScriptResult> {
    // broker-start.sh has its own deadline (SAMSA_BROKER_START_TIMEOUT); a caller allowing more
    // than the default must extend it too, or the script gives up first whatever timeoutMs says.
    const scriptSeconds = Math.floor(timeoutMs / 1000) - 15;
    const env = scriptSeconds * 1000 > brokerStartTimeoutMs() - 15_000 ? { ...this.scriptEnv, SAMSA_BROKER_START_TIMEOUT: String(scriptSeconds) } : this.scriptEnv;
    return run([BROKER_START, '-daemon', this.configFile, ...extraArgs], timeoutMs, env);
  }

  stop(timeoutMs = 40_000): Promise<ScriptResult> {
    return run([BROKER_STOP, this.configFile], timeoutMs, this.scriptEnv);
  }

  /** Sends a signal to this broker's process only (by its pid file). */
  signal(sig: NodeJS.Signals): void {
    const pid = this.pid;
    if (pid !== undefined) process.kill(pid, sig);
  }

  isAlive(): boolean {
    const pid = this.pid;
    if (pid === undefined) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  /** Waits for the process to be gone (after a signal or a crash). */
  async waitExited(timeoutMs = 30_000): Promise<void> {
    const pid = this.pid;
    if (pid === undefined) return;
    await waitFor(() => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    }, `broker ${this.brokerId} (pid ${pid}) to exit`, { timeoutMs, intervalMs: 50 });
  }

  log(): string {
    return existsSync(this.outFile) ? readFileSync(this.outFile, 'utf8') : '';
  }
}
