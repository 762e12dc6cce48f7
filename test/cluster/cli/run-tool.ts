/**
 * Runs one of the scripts/*.sh CLI tools as a child process (as an operator would), with an
 * optional stdin, a hard time limit, and its exit code and output captured.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../helpers/zookeeper.js';

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runTool(tool: string, args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<ToolResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [join(REPO_ROOT, 'scripts', `${tool}.sh`), ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${tool} ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Fails with the tool's output when it did not exit 0; returns stdout. */
export async function ok(tool: string, args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  const r = await runTool(tool, args, options);
  if (r.code !== 0) throw new Error(`${tool} ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}
