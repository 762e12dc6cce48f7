/**
 * The broker process: `node --import tsx broker/main.ts <server.properties> [--override k=v ...]`
 * (normally through scripts/broker-start.sh). Exit codes: 0 after a graceful stop on
 * SIGTERM/SIGINT, 1 on a bad command line or configuration, a failed start, a fatal error or a
 * halt (every log directory failed).
 */
import { backgroundScheduler } from '../common/index.js';
import { BROKER_CONFIG_DEFS, ConfigError, formatValue, loadBrokerConfig, type BrokerConfig, type ConfigDef } from './config/index.js';
import { createRootLogger, type Logger } from './logging.js';
import { createBroker } from './broker.js';

const USAGE = 'usage: broker-start.sh [-daemon] <server.properties> [--override key=value ...]';

interface Args {
  file: string;
  overrides: string[];
}

function parseArgs(argv: readonly string[]): Args | 'help' {
  let file: string | undefined;
  const overrides: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') return 'help';
    if (a === '--override') {
      const kv = argv[++i];
      if (kv === undefined) throw new ConfigError('CFG_SYNTAX', '--override needs key=value', { source: 'command line' });
      overrides.push(kv);
    } else if (a.startsWith('--override=')) {
      overrides.push(a.slice('--override='.length));
    } else if (a.startsWith('-')) {
      throw new ConfigError('CFG_SYNTAX', `unknown option ${a}`, { source: 'command line' });
    } else if (file === undefined) {
      file = a;
    } else {
      throw new ConfigError('CFG_SYNTAX', `unexpected argument ${a} (the config file is ${file})`, { source: 'command line' });
    }
  }
  if (file === undefined) throw new ConfigError('CFG_MISSING_REQUIRED', 'missing the server.properties file', { source: 'command line' });
  return { file, overrides };
}

function formatDefault(def: ConfigDef): string {
  if (def.default === null) return def.required ? '(required)' : '(none)';
  const text = formatValue(def, def.default) ?? '';
  return text === '' ? '""' : text;
}

function helpText(): string {
  const lines = [USAGE, '', 'Starts one Samsa broker. Configuration keys (Kafka names and defaults):', ''];
  for (const def of BROKER_CONFIG_DEFS) {
    const note = def.ignored ? ', ignored' : '';
    lines.push(`  ${def.key}  [${def.type}${note}]  default: ${formatDefault(def)}`);
    lines.push(`      ${def.doc}`);
  }
  return lines.join('\n') + '\n';
}

function flushAndExit(logger: Logger | undefined, code: number): void {
  const exit = (): never => process.exit(code);
  if (logger === undefined) exit();
  backgroundScheduler.setTimeout(exit, 2_000);
  try {
    logger!.flush(() => exit());
  } catch {
    exit();
  }
}

async function main(): Promise<void> {
  let args: Args | 'help';
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n${USAGE}\n(--help lists every configuration key)\n`);
    process.exit(1);
  }
  if (args === 'help') {
    process.stdout.write(helpText());
    return;
  }

  let config: BrokerConfig;
  try {
    config = loadBrokerConfig({ file: args.file, overrides: args.overrides });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }

  const logger = createRootLogger({ base: { brokerId: config.brokerId } });
  for (const key of config.ignoredKeys) {
    logger.warn({ key, source: config.source }, `configuration ${key} has no effect in Samsa and is ignored`);
  }
  let stopRequested = false;
  // Every log directory failed: the broker already stopped serving and closed its session.
  const onHalt = (reason: string): void => {
    stopRequested = true;
    process.stderr.write(`error: broker halted: ${reason}\n`);
    flushAndExit(logger, 1);
  };
  const broker = createBroker({ config, logger, onHalt });
  const server = broker.server;

  const shutdown = (signal: string): void => {
    if (stopRequested) {
      logger.warn({ signal }, 'second signal during shutdown; exiting now');
      flushAndExit(logger, 1);
      return;
    }
    stopRequested = true;
    logger.info({ signal }, 'shutting down');
    server.stop().then(
      () => flushAndExit(logger, 0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        flushAndExit(logger, 1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('uncaughtException', (err) => {
    // State may be inconsistent after an exception escaped every handler: stop rather than limp on.
    logger.fatal({ err }, 'uncaught exception; stopping the broker');
    if (!stopRequested) {
      stopRequested = true;
      server.stop().finally(() => flushAndExit(logger, 1));
    }
  });
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled promise rejection (a bug: every promise must be handled)');
  });

  try {
    await server.start();
  } catch (err) {
    logger.error({ err }, 'broker failed to start');
    process.stderr.write(`error: broker failed to start: ${(err as Error).message}\n`);
    flushAndExit(logger, 1);
    return;
  }
  // Plain lines (not JSON) that operators and scripts/broker-start.sh look for.
  for (const e of server.endpoints()) process.stdout.write(`listening on ${e.url}${e.interBroker ? ' (inter-broker)' : ''}\n`);
  if (broker.adminHttpUrl !== undefined) process.stdout.write(`admin http on ${broker.adminHttpUrl}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`error: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
