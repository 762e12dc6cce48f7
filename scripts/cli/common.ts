/**
 * What every CLI tool shares: the run loop (--help, usage errors → exit 2, failures → a one-line
 * "Error: …" and exit 1), bootstrap parsing, an Admin that fails fast and clearly when no broker
 * answers, and output helpers (Kafka-style aligned tables).
 */
import { backoffMs, messageOf, sleep, systemScheduler, withTimeout } from '../../common/index.js';
import { Admin, API, KafkaClientError, type SecurityOptions } from '../../client/index.js';
import { loadClientSecurity } from './security-props.js';
import { parseArgs, usage, UsageError, type ParsedArgs, type ToolSpec } from './args.js';

export const BOOTSTRAP_FLAG = { name: 'bootstrap-server', arg: '<String: server to connect to>', help: 'REQUIRED: the broker(s) to connect to, host:port[,host:port...].' };

export const COMMAND_CONFIG_FLAG = {
  name: 'command-config',
  arg: '<String: config file>',
  help: 'Client security properties (security.protocol, sasl.mechanism, sasl.jaas.config, ssl.truststore.location, …).',
};

let security: SecurityOptions = {};

/** The `--command-config` security settings of this run ({} without one): spread into every client's options. */
export function clientSecurity(): SecurityOptions {
  return security;
}

/** A failure the tool explains itself (no stack): printed as "Error: message", exit 1. */
export class ToolError extends Error {
  override readonly name = 'ToolError';
}

/** Write everything, then exit (process.exit alone can cut piped stdout short). */
export async function exitWith(code: number): Promise<never> {
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  await new Promise<void>((resolve) => process.stderr.write('', () => resolve()));
  process.exit(code);
}

export function out(line = ''): void {
  process.stdout.write(line + '\n');
}

export function err(line: string): void {
  process.stderr.write(line + '\n');
}

/**
 * Parse, run, exit. `main` returns the exit code (default 0). Connection failures name the
 * servers tried, so "broker down" reads as such and not as a protocol error.
 */
export function runTool(toolSpec: ToolSpec, main: (args: ParsedArgs) => Promise<number | void>): void {
  // Every tool takes --command-config (Kafka's tools do).
  const spec: ToolSpec = toolSpec.flags.some((f) => f.name === 'command-config') ? toolSpec : { ...toolSpec, flags: [...toolSpec.flags, COMMAND_CONFIG_FLAG] };
  const argv = process.argv.slice(2);
  // `tool | head` closes our stdout early: that is the reader's choice, not a failure.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage(spec));
    void exitWith(0);
    return;
  }
  let args: ParsedArgs;
  try {
    args = parseArgs(spec, argv);
  } catch (e) {
    err(`${spec.name}: ${(e as Error).message}`);
    process.stderr.write(usage(spec));
    void exitWith(2);
    return;
  }
  const withSecurity = async (): Promise<number | void> => {
    const file = args.get('command-config');
    if (file !== undefined) security = loadClientSecurity(file);
    return main(args);
  };
  withSecurity().then(
    (code) => exitWith(code ?? 0),
    (e: unknown) => {
      if (e instanceof UsageError) {
        err(`${spec.name}: ${e.message}`);
        process.stderr.write(usage(spec));
        return exitWith(2);
      }
      err(`Error: ${describeError(e)}`);
      if (process.env['SAMSA_CLI_DEBUG'] && e instanceof Error) err(e.stack ?? '');
      return exitWith(1);
    },
  );
}

const API_NAMES: Record<number, string> = Object.fromEntries(Object.entries(API).map(([name, key]) => [key, name]));

export function describeError(e: unknown): string {
  if (e instanceof KafkaClientError) {
    if (e.code === 'CLI_CONNECTION' || e.code === 'CLI_REQUEST_TIMEOUT') return `cannot reach the broker: ${e.message}`;
    if (e.code === 'CLI_UNSUPPORTED_VERSION') {
      const key = /API (\d+)/.exec(e.message)?.[1];
      const name = key === undefined ? undefined : API_NAMES[Number(key)];
      return `${e.message}${name ? ` (${name})` : ''}: this broker does not offer what the tool needs`;
    }
    return e.code === 'CLI_BROKER_ERROR' && !e.message.includes(e.kafkaError) ? `${e.kafkaError}: ${e.message}` : e.message;
  }
  if (e instanceof Error) return e.message;
  return String(e);
}

export function bootstrapList(args: ParsedArgs, flag = 'bootstrap-server'): string[] {
  const raw = args.get(flag) ?? args.get('broker-list');
  if (raw === undefined) throw new UsageError(`missing required argument --${flag}`);
  const list = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const a of list) if (!/^[^\s:]+:\d+$/.test(a) && !/^\[[^\]]+\]:\d+$/.test(a)) throw new UsageError(`bad server address "${a}" (want host:port)`);
  return list;
}

export const CLIENT_TIMEOUTS = { connectTimeoutMs: 5_000, requestTimeoutMs: 30_000 };

/**
 * Connects a client within 15 s; when that fails, closes it and throws a ToolError naming the
 * servers that did not answer.
 */
export async function connectOrFail(servers: readonly string[], client: { connect(): Promise<unknown>; close(): unknown }): Promise<void> {
  try {
    await withTimeout(systemScheduler, client.connect(), 15_000, () => new ToolError(`no broker answered at ${servers.join(',')}`));
  } catch (e) {
    await Promise.resolve(client.close()).catch(() => undefined);
    throw e instanceof ToolError ? e : new ToolError(`cannot reach any broker at ${servers.join(',')}: ${messageOf(e)}`);
  }
}

/** An Admin connected to the cluster, or a ToolError naming the servers that did not answer. */
export async function connectAdmin(servers: string[], clientId = 'samsa-cli'): Promise<Admin> {
  const admin = new Admin({ brokers: servers, clientId, ...CLIENT_TIMEOUTS, retries: 5, ...clientSecurity() });
  await connectOrFail(servers, admin);
  return admin;
}

/** Kafka's ConsumerGroupCommand/TopicCommand tables: columns padded to the widest cell + 1. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)) + 1);
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join(' ').trimEnd();
  return [line(header), ...rows.map(line)];
}

/** Topic names matching Kafka's `--topic` (a regex that must match the whole name). */
export function topicFilter(pattern: string | undefined): (name: string) => boolean {
  if (pattern === undefined) return () => true;
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${pattern})$`);
  } catch {
    return (name) => name === pattern;
  }
  return (name) => name === pattern || re.test(name);
}

export function isInternalTopic(name: string): boolean {
  return name === '__consumer_offsets' || name === '__transaction_state';
}

/**
 * Retry a call while it fails retriably (coordinator loading or moved, leader elections in
 * flight), at most `attempts` times with a growing pause: a tool run right after a cluster
 * change should not fail on what a second later succeeds.
 */
export async function retrying<T>(fn: () => Promise<T>, attempts = 8): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof KafkaClientError) || !e.retriable || i >= attempts) throw e;
      await sleep(systemScheduler, backoffMs({ initialMs: 200, maxMs: 2000 }, i - 1));
    }
  }
}
