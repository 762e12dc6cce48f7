/**
 * Child processes of a compat run (apt-get, configure, make, the suites' own runners): output
 * appended to a log file and kept in memory for failure reasons, a hard deadline, and on
 * timeout a kill of the child's own process group only (it is started detached, so the group id
 * is its pid) — never of anything we did not start.
 */
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Output of the child (stdout and stderr interleaved) is appended here. */
  logFile?: string;
  input?: string;
  /** Called with each chunk of output (for progress lines). */
  onOutput?: (text: string) => void;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  output: string;
  ms: number;
}

const KEEP_OUTPUT = 4 * 1024 * 1024;

export function runProcess(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const started = Date.now();
  if (options.logFile !== undefined) appendFileSync(options.logFile, `\n$ ${[command, ...args].join(' ')}  (in ${options.cwd ?? process.cwd()})\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    let timedOut = false;
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      if (output.length < KEEP_OUTPUT) output += text;
      if (options.logFile !== undefined) appendFileSync(options.logFile, text);
      options.onOutput?.(text);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const killGroup = (signal: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      setTimeout(() => killGroup('SIGKILL'), 5000).unref();
    }, options.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`could not run ${command}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // The suite's runner may leave children behind in its group (a hung consumer): end them.
      killGroup('SIGKILL');
      resolve({ code, signal, timedOut, output, ms: Date.now() - started });
    });
    if (options.input !== undefined) {
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(options.input);
    }
  });
}

/** Runs a command that must succeed; the error names the command, the exit and the log's tail. */
export async function mustRun(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const r = await runProcess(command, args, options);
  if (r.code !== 0) {
    const how = r.timedOut ? `timed out after ${options.timeoutMs} ms` : `exited with ${r.code ?? r.signal}`;
    const where = options.logFile !== undefined ? ` (full log: ${options.logFile})` : '';
    throw new Error(`${command} ${args.join(' ')} ${how}${where}\n${r.output.split('\n').slice(-25).join('\n')}`);
  }
  return r;
}
