/**
 * What a flow's tasks share: the flow's configuration, its offset store and offset-sync writer,
 * metrics, the log and time.
 */
import type { Clock } from '../../common/index.js';
import type { FlowConfig } from './config.js';
import type { OffsetSync } from './formats.js';
import type { FlowMetrics, MirrorMetrics } from './metrics.js';
import type { SourceOffsetStore } from './offset-store.js';

/** The logging the mirror does (pino's Logger fits). */
export interface MirrorLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const silentMirrorLog: MirrorLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

export interface FlowContext {
  readonly flow: FlowConfig;
  readonly offsets: SourceOffsetStore;
  readonly metrics: MirrorMetrics;
  readonly flowMetrics: FlowMetrics;
  readonly log: MirrorLog;
  readonly clock: Clock;
  /** Queue an offset sync for the source's offset-syncs topic. */
  emitOffsetSync(sync: OffsetSync): void;
  /** Resolves once every offset sync queued so far is acknowledged by the source. */
  flushOffsetSyncs(): Promise<void>;
  sleep(ms: number): Promise<void>;
  /** Resolves after timers and pending I/O had their turn. */
  yieldToEventLoop(): Promise<void>;
  /** Waits for `p` at most `ms` (then resolves; `p` keeps running). */
  withTimeout(p: Promise<unknown>, ms: number): Promise<void>;
}
