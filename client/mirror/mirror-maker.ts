/**
 * The mirror: every enabled flow of a MirrorMaker 2 configuration, run in this process, with
 * their status (for /health) and metrics (for /metrics).
 */
import { systemClock, systemScheduler, type Clock, type Scheduler } from '../../common/index.js';
import type { MirrorMakerConfig } from './config.js';
import { silentMirrorLog, type MirrorLog } from './flow-context.js';
import { MirrorFlow, type FlowStatus } from './flow.js';
import { MirrorMetrics, type LatencyObserver } from './metrics.js';

export interface MirrorMakerOptions {
  log?: MirrorLog;
  clock?: Clock;
  scheduler?: Scheduler;
  /** Called for every mirrored record with its replication latency (ms). */
  onReplicationLatency?: LatencyObserver;
}

export class MirrorMaker {
  readonly metrics: MirrorMetrics;
  private readonly flows: MirrorFlow[];

  constructor(
    readonly config: MirrorMakerConfig,
    options: MirrorMakerOptions = {},
  ) {
    this.metrics = new MirrorMetrics(options.onReplicationLatency);
    const deps = { metrics: this.metrics, log: options.log ?? silentMirrorLog, clock: options.clock ?? systemClock, scheduler: options.scheduler ?? systemScheduler };
    this.flows = config.flows.map((f) => new MirrorFlow(f, deps));
  }

  /** Starts every flow; each keeps retrying until its clusters answer. */
  start(): void {
    for (const f of this.flows) f.start();
  }

  status(): FlowStatus[] {
    return this.flows.map((f) => f.status());
  }

  /** Every flow running with all its tasks. */
  healthy(): boolean {
    return this.flows.every((f) => f.status().state === 'running');
  }

  /** Stops every flow, committing what was mirrored. */
  async stop(): Promise<void> {
    await Promise.all(this.flows.map((f) => f.stop()));
  }
}
