/**
 * One pino root logger per process; every module takes a child (`{ module: 'storage.log' }`,
 * `{ module: 'controller', controllerEpoch }`). The state-change logger is a dedicated child so
 * that every controller and partition transition can be found in one place, as in Kafka.
 */
import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

export interface RootLoggerOptions {
  level?: string;
  /** Fields on every line, e.g. { brokerId: 1 }. */
  base?: Record<string, unknown>;
  /** File descriptor or path; defaults to stdout. */
  destination?: number | string;
  /** Write synchronously (tests, crash-safe last lines). */
  sync?: boolean;
}

export function createRootLogger(options: RootLoggerOptions = {}): Logger {
  const opts: LoggerOptions = {
    level: options.level ?? process.env['SAMSA_LOG_LEVEL'] ?? 'info',
    base: { pid: process.pid, ...options.base },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: ['*.password', '*.sasl.password'],
  };
  const dest = pino.destination({ dest: options.destination ?? 1, sync: options.sync ?? false, mkdir: true });
  return pino(opts, dest);
}

/** A logger that drops everything (unit tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

export function stateChangeLogger(root: Logger): Logger {
  return root.child({ module: 'state-change' });
}
