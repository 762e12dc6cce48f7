/**
 * Configuration errors. A broker with a bad configuration must not start, and the operator must
 * learn from the message alone which key, in which file, is wrong and what would be accepted.
 */
export const CONFIG_ERROR_CODES = [
  'CFG_UNKNOWN_KEY',
  'CFG_INVALID_VALUE',
  'CFG_MISSING_REQUIRED',
  'CFG_SYNTAX',
  'CFG_FILE_UNREADABLE',
  'CFG_INCONSISTENT',
] as const;

export type ConfigErrorCode = (typeof CONFIG_ERROR_CODES)[number];

export interface ConfigErrorDetails {
  key?: string;
  source?: string;
  line?: number;
  cause?: unknown;
}

export class ConfigError extends Error {
  readonly code: ConfigErrorCode;
  readonly retriable = false;
  readonly key: string | undefined;
  readonly source: string | undefined;
  readonly line: number | undefined;

  constructor(code: ConfigErrorCode, message: string, details: ConfigErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ConfigError';
    this.code = code;
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
