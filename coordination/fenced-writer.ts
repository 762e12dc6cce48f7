/**
 * The ONE way a controller writes ZooKeeper: every multi starts with check(/controller_epoch,
 * epochZkVersion won at election) (KAFKA-6082). A BAD_VERSION there means another controller has
 * been elected since: CRD_CONTROLLER_MOVED, and the caller must resign at once. Connection
 * trouble is retried until `retryForMs` runs out, on whatever session is current: a zombie whose
 * session expired thus meets the check on its new session and is fenced.
 */
import { CoordinationError, isCoordinationError } from './errors.js';
import { CONTROLLER_EPOCH_PATH } from './paths.js';
import { ops, type CoordinationStore, type Op, type OpResult } from './store.js';
import { backoffMs, type BackoffPolicy, type Scheduler, sleep, systemScheduler } from '../common/index.js';

export interface FencedWriterOptions {
  retryForMs?: number;
  retryBackoffMs?: number;
  scheduler?: Scheduler;
}

export type FencedResult = { readonly ok: true; readonly results: OpResult[] } | { readonly ok: false; readonly error: CoordinationError };

export class FencedWriter {
  private readonly retryForMs: number;
  private readonly retryBackoff: BackoffPolicy;
  private readonly sched: Scheduler;
  private moved = false;

  constructor(
    private readonly store: CoordinationStore,
    readonly controllerEpoch: number,
    readonly epochZkVersion: number,
    options: FencedWriterOptions = {},
  ) {
    this.retryForMs = options.retryForMs ?? 30_000;
    this.retryBackoff = { initialMs: options.retryBackoffMs ?? 100, maxMs: 1000 };
    this.sched = options.scheduler ?? systemScheduler;
  }

  /** True once a write has been refused because the controller moved; every later write refuses too. */
  get fenced(): boolean {
    return this.moved;
  }

  /**
   * One fenced multi. Throws CRD_CONTROLLER_MOVED if fenced; any other failure is thrown with
   * `opIndex` relative to `list` (the check op is hidden).
   */
  async write(list: readonly Op[]): Promise<OpResult[]> {
    const r = await this.tryWrite(list);
    if (!r.ok) throw r.error;
    return r.results;
  }

  /**
   * Several independent fenced multis, pipelined. Per-multi failures (e.g. a partition znode at
   * an unexpected version) come back as results; controller movement throws.
   */
  async writeAll(batches: readonly (readonly Op[])[]): Promise<FencedResult[]> {
    const out = await Promise.all(batches.map((b) => this.tryWrite(b)));
    const moved = out.find((r) => !r.ok && r.error.code === 'CRD_CONTROLLER_MOVED');
    if (moved !== undefined && !moved.ok) throw moved.error;
    return out;
  }

  private async tryWrite(list: readonly Op[]): Promise<FencedResult> {
    const deadline = this.sched.now() + this.retryForMs;
    for (let attempt = 0; ; attempt++) {
      if (this.moved) return { ok: false, error: this.movedError() };
      try {
        const results = await this.store.multi([ops.check(CONTROLLER_EPOCH_PATH, this.epochZkVersion), ...list]);
        return { ok: true, results: results.slice(1) };
      } catch (err) {
        if (!(err instanceof CoordinationError)) throw err;
        if (err.opIndex === 0 && (err.code === 'CRD_BAD_VERSION' || err.code === 'CRD_NO_NODE')) {
          this.moved = true;
          return { ok: false, error: this.movedError() };
        }
        if (err.retriable && this.sched.now() < deadline) {
          await sleep(this.sched, backoffMs(this.retryBackoff, attempt));
          continue;
        }
        const opIndex = err.opIndex === undefined ? undefined : err.opIndex - 1;
        return {
          ok: false,
          error: new CoordinationError(err.code, err.message, { ...(err.path === undefined ? {} : { path: err.path }), ...(opIndex === undefined ? {} : { opIndex }), cause: err }),
        };
      }
    }
  }

  private movedError(): CoordinationError {
    return new CoordinationError(
      'CRD_CONTROLLER_MOVED',
      `controller epoch ${this.controllerEpoch} (zk version ${this.epochZkVersion}) is no longer current: another controller was elected`,
      { path: CONTROLLER_EPOCH_PATH },
    );
  }
}

export function isControllerMoved(err: unknown): boolean {
  return isCoordinationError(err, 'CRD_CONTROLLER_MOVED');
}
