/**
 * What every module error shares. Each module keeps its own class and its own code table (the
 * codes — STG_IO, CRD_TIMEOUT, BRK_NOT_CONTROLLER — are what logs and callers switch on), and
 * every code is declared with the Kafka error it means to a client, by Kafka's name
 * (protocol/error-codes.ts, e.g. KAFKA_STORAGE_ERROR). Turning any module error into a wire code
 * or an HTTP status is therefore one lookup by name, with no guessing from an error's shape.
 *
 * common/ imports nothing, so names are plain strings here; modules that may import protocol/
 * type their tables with its `ErrorName`, and test/unit/errors-catalog.test.ts checks every
 * table (coordination/'s included) against protocol's.
 */
export interface ErrorSpec<K extends string = string> {
  /** Kafka's error name for this code: what a client is told. */
  readonly kafkaError: K;
  /** Whether the same operation may succeed when tried again (an error may say otherwise). */
  readonly retriable: boolean;
  /**
   * The code relays a Kafka error decided elsewhere (another broker's answer, a produce result):
   * each error then carries that name, and `kafkaError` is only the fallback.
   */
  readonly relayed?: true;
}

export type ErrorTable<C extends string, K extends string = string> = { readonly [code in C]: ErrorSpec<K> };

export interface ModuleErrorOptions {
  cause?: unknown;
  /** Overrides the code's retriability for this error. */
  retriable?: boolean;
  /** The relayed Kafka error; ignored unless the code is declared `relayed`. */
  kafkaError?: string;
}

const UNDECLARED: ErrorSpec = { kafkaError: 'UNKNOWN_SERVER_ERROR', retriable: false };

export class ModuleError<C extends string = string> extends Error {
  readonly code: C;
  /** Kafka's name for this error (UNKNOWN_SERVER_ERROR when nothing more specific applies). */
  readonly kafkaError: string;
  readonly retriable: boolean;

  constructor(table: ErrorTable<C>, code: C, message: string, options: ModuleErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    // A code can only be missing when it came from outside the type system (a peer's frame).
    const spec: ErrorSpec = (table as Partial<Record<string, ErrorSpec>>)[code] ?? UNDECLARED;
    this.code = code;
    this.kafkaError = spec.relayed === true && options.kafkaError !== undefined ? options.kafkaError : spec.kafkaError;
    this.retriable = options.retriable ?? spec.retriable;
  }
}

/** The Kafka error name a thrown value carries; undefined for anything that is not a module error. */
export function kafkaErrorOf(err: unknown): string | undefined {
  return err instanceof ModuleError ? err.kafkaError : undefined;
}

/** The message of anything thrown: an Error's message, else the value as text. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** True when the caller may retry the same operation. */
export function isRetriable(err: unknown): boolean {
  return err instanceof ModuleError && err.retriable;
}
