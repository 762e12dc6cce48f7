/**
 * Configuration errors. A broker with a bad configuration must not start, and the operator must
 * learn from the message alone which key, in which file, is wrong and what would be accepted.
 * In a request (a topic override in CreateTopics/AlterConfigs) every one is INVALID_CONFIG.
 */
import { ModuleError } from '../../common/index.js';
import type { ErrorName } from '../../protocol/index.js';

export const CONFIG_ERRORS = {
  CFG_UNKNOWN_KEY: { kafkaError: 'INVALID_CONFIG', retriable: false },
  CFG_INVALID_VALUE: { kafkaError: 'INVALID_CONFIG', retriable: false },
  CFG_MISSING_REQUIRED: { kafkaError: 'INVALID_CONFIG', retriable: false },
  CFG_SYNTAX: { kafkaError: 'INVALID_CONFIG', retriable: false },
  CFG_FILE_UNREADABLE: { kafkaError: 'INVALID_CONFIG', retriable: false },
  CFG_INCONSISTENT: { kafkaError: 'INVALID_CONFIG', retriable: false },
  /** A broker key Kafka (or Samsa) cannot change on a running broker (DynamicBrokerConfig). */
  CFG_NOT_DYNAMIC: { kafkaError: 'INVALID_CONFIG', retriable: false },
} as const satisfies Record<string, { kafkaError: ErrorName; retriable: boolean }>;

export type ConfigErrorCode = keyof typeof CONFIG_ERRORS;

interface ConfigErrorDetails {
  key?: string;
  source?: string;
  line?: number;
  cause?: unknown;
}

export class ConfigError extends ModuleError<ConfigErrorCode> {
  override readonly name = 'ConfigError';
  readonly key: string | undefined;
  readonly source: string | undefined;
  readonly line: number | undefined;

  constructor(code: ConfigErrorCode, message: string, details: ConfigErrorDetails = {}) {
    super(CONFIG_ERRORS, code, message, details.cause === undefined ? {} : { cause: details.cause });
    this.key = details.key;
    this.source = details.source;
    this.line = details.line;
  }
}

/** Where a value came from, for messages: "config/server-1.properties:12" or "--override". */
export function describeSource(source: string | undefined, line?: number): string {
  if (source === undefined) return 'defaults';
  return line === undefined ? source : `${source}:${line}`;
}
