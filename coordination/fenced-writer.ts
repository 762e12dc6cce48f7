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
   * Several independent fenced multis. Per-multi failures (e.g. a partition znode at an
   * unexpected version) come back as results; controller movement throws.
   *
   * Consecutive multis travel together in one ZooKeeper multi (one epoch check, each multi's own
   * conditions kept), the groups pipelined: thousands of one-partition multis (a broker failure
   * at 10,000 partitions) cost ZooKeeper and this client one request each. ZooKeeper applies a
   * multi's ops in order, as it applied the separate multis in pipeline order, so each sees what
   * the ones before it wrote. A group refused at one op applied nothing: that op's multi gets the
   * refusal (its opIndex made relative to it) and the others are sent again without it.
   */
  async writeAll(batches: readonly (readonly Op[])[]): Promise<FencedResult[]> {
    const out: FencedResult[] = new Array<FencedResult>(batches.length);
    await Promise.all(groupMultis(batches).map((g) => this.writeGroup(batches, g, out)));
    const moved = out.find((r) => !r.ok && r.error.code === 'CRD_CONTROLLER_MOVED');
    if (moved !== undefined && !moved.ok) throw moved.error;
    return out;
  }

  private async writeGroup(batches: readonly (readonly Op[])[], group: readonly number[], out: FencedResult[]): Promise<void> {
    if (group.length === 0) return;
    if (group.length === 1) {
      out[group[0]!] = await this.tryWrite(batches[group[0]!]!);
      return;
    }
    const starts: number[] = [];
    let at = 0;
    for (const i of group) {
      starts.push(at);
      at += batches[i]!.length;
    }
    const r = await this.tryWrite(group.flatMap((i) => batches[i]!));
    if (r.ok) {
      group.forEach((i, k) => (out[i] = { ok: true, results: r.results.slice(starts[k], starts[k]! + batches[i]!.length) }));
      return;
    }
    const opIndex = r.error.opIndex;
    if (r.error.code === 'CRD_CONTROLLER_MOVED' || r.error.retriable) {
      // Not about one multi (fenced, or ZooKeeper unreachable past the retry budget): all share it.
      for (const i of group) out[i] = r;
      return;
    }
    if (opIndex === undefined || opIndex < 0) {
      // Refused before it was sent (e.g. data too large): each multi on its own, for its own answer.
      await Promise.all(group.map(async (i) => (out[i] = await this.tryWrite(batches[i]!))));
      return;
    }
    let k = starts.length - 1;
    while (k > 0 && starts[k]! > opIndex) k--;
    const { code, message, path } = r.error;
    out[group[k]!] = { ok: false, error: new CoordinationError(code, message, { ...(path === undefined ? {} : { path }), opIndex: opIndex - starts[k]!, cause: r.error }) };
    // The multis before the refused one passed their conditions: again together. Those after it
    // were never looked at: each on its own, so that a run of refusals (a multi that did apply
    // before a lost connection) costs one round, as before grouping. Sent in the original order.
    await Promise.all([
      this.writeGroup(batches, group.slice(0, k), out),
      ...group.slice(k + 1).map(async (i) => {
        out[i] = await this.tryWrite(batches[i]!);
      }),
    ]);
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

/** ZooKeeper refuses requests above jute.maxbuffer (1 MiB by default): groups stay well below. */
const GROUP_MAX_BYTES = 256 * 1024;
const GROUP_MAX_OPS = 1000;

/** Indexes of `batches`, consecutive ones together up to the group bounds. */
function groupMultis(batches: readonly (readonly Op[])[]): number[][] {
  const groups: number[][] = [];
  let cur: number[] = [];
  let bytes = 0;
  let count = 0;
  batches.forEach((b, i) => {
    const size = b.reduce((n, op) => n + 32 + op.path.length + ('data' in op && op.data !== null ? op.data.length : 0), 0);
    if (cur.length > 0 && (bytes + size > GROUP_MAX_BYTES || count + b.length > GROUP_MAX_OPS)) {
      groups.push(cur);
      cur = [];
      bytes = 0;
      count = 0;
    }
    cur.push(i);
    bytes += size;
    count += b.length;
  });
  if (cur.length > 0) groups.push(cur);
  return groups;
}
