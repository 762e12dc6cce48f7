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
}

export interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(args: string[], timeoutMs: number): Promise<ScriptResult> {
  try {
    const { stdout, stderr } = await execFileAsync('bash', args, { timeout: timeoutMs, env: { ...process.env, SAMSA_LOG_LEVEL: process.env['SAMSA_LOG_LEVEL'] ?? 'info' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as Error & { code?: number | string; stdout?: string; stderr?: string; killed?: boolean };
    const stderr = e.killed === true ? `${e.stderr ?? ''}${args[0]} did not finish within ${timeoutMs} ms (killed)` : (e.stderr ?? e.message);
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr };
  }
}

export class BrokerProcess {
  readonly host = '127.0.0.1';
  readonly dir: string;
  readonly configFile: string;
  readonly logDir: string;

  private constructor(
    readonly brokerId: number,
    readonly port: number,
    readonly interBrokerPort: number,
    dir: string,
    lines: string[],
  ) {
    this.dir = dir;
    this.logDir = join(dir, 'logs');
    this.configFile = join(dir, 'server.properties');
    mkdirSync(this.logDir, { recursive: true });
    writeFileSync(this.configFile, [...lines, `log.dirs=${this.logDir}`].join('\n') + '\n');
  }

  /** Writes a config with free ports; does not start anything. */
  static async create(options: BrokerProcessOptions = {}): Promise<BrokerProcess> {
    const [port, interPort] = await freePorts(2);
    const brokerId = options.brokerId ?? 0;
    const lines = [
      `broker.id=${brokerId}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},INTERNAL://127.0.0.1:${interPort}`,
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT',
      'inter.broker.listener.name=INTERNAL',
      'admin.http.listener=',
      `zookeeper.connect=${options.zookeeperConnect ?? (process.env['SAMSA_TEST_ZK'] ? testZkConnect('samsa-bp') : '127.0.0.1:2181')}`,
      ...Object.entries(options.properties ?? {}).map(([k, v]) => `${k}=${v}`),
    ];
    return new BrokerProcess(brokerId, port!, interPort!, options.dir ?? tmpDir('samsa-broker-'), lines);
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

  /** Runs broker-start.sh -daemon; resolves with the script's result (code 0 = serving). */
  start(extraArgs: string[] = [], timeoutMs = 60_000): Promise<ScriptResult> {
    return run([BROKER_START, '-daemon', this.configFile, ...extraArgs], timeoutMs);
  }

  stop(timeoutMs = 40_000): Promise<ScriptResult> {
    return run([BROKER_STOP, this.configFile], timeoutMs);
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
