/**
 * One failover scenario from start to verdict: a cluster, a topic, a running workload, faults
 * opened and healed as named windows, a bounded wait for writes to resume, then the final read
 * of every partition, the controller actions from every broker's log, the history checker's
 * verdict and a one-line report (fault, unavailability, verdict).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkHistory, formatVerdict, type CheckOptions, type FaultWindow, type History, type Verdict } from '../../helpers/history/index.js';
import { randomName } from '../../helpers/random.js';
import { waitFor } from '../../helpers/wait-for.js';
import { FailoverCluster, type FailoverClusterOptions } from './failover-cluster.js';
import { readTopic } from './log-reader.js';
import { groupsServed, idempotenceServed, Workload, type ProducerSpec } from './workload.js';
import { backgroundScheduler, sleep } from '../../../common/index.js';

export interface ScenarioOptions {
  name: string;
  /** What is done to the cluster, in words, for the report. */
  fault: string;
  cluster?: FailoverClusterOptions;
  /** Replicas of each partition, preferred leader first. */
  assignment: number[][];
  topicConfigs?: Record<string, string>;
  /** Default: per partition, an acks=all, an acks=1 and (when served) an idempotent producer. */
  producers?: ProducerSpec[];
  /** Run a consumer group when the brokers serve the group APIs. */
  group?: boolean;
  /** Progress lines (soak mode). */
  progress?: (line: string) => void;
}

export interface FaultHandle {
  readonly name: string;
  readonly at: number;
  heal(): void;
}

export interface ScenarioResult {
  readonly verdict: Verdict;
  readonly line: string;
  readonly history: History;
}

export class Scenario {
  readonly topic: string;
  private readonly windows: { name: string; at: number; healedAt?: number; partitions?: string[] }[] = [];
  private workloadValue: Workload | undefined;
  private groupRan = false;
  private idempotentRan = false;

  private constructor(
    readonly options: ScenarioOptions,
    readonly cluster: FailoverCluster,
  ) {
    this.topic = randomName('fo');
  }

  static async start(options: ScenarioOptions): Promise<Scenario> {
    const cluster = await FailoverCluster.start(options.cluster);
    const s = new Scenario(options, cluster);
    try {
      await cluster.createTopic(s.topic, options.assignment, options.topicConfigs);
      // One producer per partition and mode, so a dead partition does not slow the others' writes.
      const all = options.assignment.map((_, p) => p);
      s.idempotentRan = options.producers === undefined && (await idempotenceServed(cluster));
      const producers: ProducerSpec[] =
        options.producers ??
        all.flatMap((p): ProducerSpec[] => [
          { name: `all-p${p}`, acks: -1, partitions: [p] },
          { name: `one-p${p}`, acks: 1, partitions: [p] },
          ...(s.idempotentRan ? [{ name: `idem-p${p}`, acks: -1 as const, idempotent: true, partitions: [p] }] : []),
        ]);
      s.groupRan = options.group === true && (await groupsServed(cluster));
      s.workloadValue = await Workload.start(cluster, {
        topic: s.topic,
        producers,
        group: s.groupRan ? { groupId: randomName('fo-group'), members: 2 } : undefined,
      });
    } catch (err) {
      await s.stop();
      throw err;
    }
    return s;
  }

  get workload(): Workload {
    if (this.workloadValue === undefined) throw new Error('workload not started');
    return this.workloadValue;
  }

  /** Whether a consumer group took part (false when the brokers do not serve the group APIs yet). */
  get groupActive(): boolean {
    return this.groupRan;
  }

  partitionKey(p: number): string {
    return `${this.topic}-${p}`;
  }

  /** Waits until every written partition has `n` acknowledgements after `since`. */
  async waitAcks(n: number, since = 0, timeoutMs = 30_000, what = 'writes'): Promise<void> {
    const w = this.workload;
    await waitFor(() => w.partitions.every((p) => w.acked(p, since) >= n), `${what}: ${n} acknowledged writes on every partition of ${this.topic}`, {
      timeoutMs,
      intervalMs: 50,
    }).catch((err: Error) => {
      const counts = w.partitions.map((p) => `p${p}: ${w.acked(p, since)}`).join(', ');
      const lagging = new Set(w.partitions.filter((p) => w.acked(p, since) < n));
      const lastErrors = [...new Set(w.produced.filter((r) => lagging.has(r.partition) && r.error !== undefined).slice(-5).map((r) => `p${r.partition} ${r.producer}: ${r.error}`))];
      throw new Error(`${err.message} (acknowledged: ${counts}${lastErrors.length > 0 ? `; last errors: ${lastErrors.join(' | ')}` : ''})`);
    });
  }

  warmup(n = 20): Promise<void> {
    return this.waitAcks(n, 0, 30_000, 'warm-up');
  }

  /** Fault windows opened so far (the soak maps each to the fault type that opened it). */
  get faultCount(): number {
    return this.windows.length;
  }

  /** Every fault window so far (name, opened and healed at, epoch ms; partitions), for evidence. */
  get faultWindows(): readonly FaultWindow[] {
    return this.windows.map((x) => ({ name: x.name, at: x.at, healedAt: x.healedAt, partitions: x.partitions }));
  }

  /** Opens a fault window; the fault itself is done by the caller right after. */
  fault(name: string, partitions?: number[]): FaultHandle {
    const w: { name: string; at: number; healedAt?: number; partitions?: string[] } = { name, at: Date.now(), partitions: partitions?.map((p) => this.partitionKey(p)) };
    this.windows.push(w);
    return {
      name,
      at: w.at,
      heal: () => {
        w.healedAt = Date.now();
      },
    };
  }

  /** Writes resumed on every partition after the last heal (bounded). */
  recover(n = 20, timeoutMs = 45_000): Promise<void> {
    const since = Math.max(0, ...this.windows.map((w) => w.healedAt ?? w.at));
    return this.waitAcks(n, since, timeoutMs, 'recovery');
  }

  /** Stops the workload, reads every partition back, checks, prints the report line. */
  async finish(check: CheckOptions = {}): Promise<ScenarioResult> {
    const w = this.workload;
    const progress = this.options.progress ?? (() => undefined);
    progress(`stopping the workload (${w.produced.length} sends so far)`);
    const stopped = await Promise.race([w.stop().then(() => true), sleep(backgroundScheduler, 30_000).then(() => false)]);
    if (!stopped) progress('the workload did not stop within 30 s; checking what it logged so far');
    progress('reading every partition back');
    const finalRead = await readTopic(this.cluster, this.topic, this.options.assignment.map((_, p) => p));
    progress(`read ${finalRead.length} records; checking`);
    const faults = [...this.faultWindows];
    const history: History = {
      produced: w.produced,
      read: [...w.read, ...finalRead],
      commits: w.commits,
      controller: this.cluster.controllerActions(),
      faults,
    };
    const verdict = checkHistory(history, check);
    const dumpDir = process.env['SAMSA_FAILOVER_DUMP'];
    if (dumpDir !== undefined && dumpDir !== '') {
      // The whole history as JSON (bigints as strings), to study a verdict after the run.
      mkdirSync(dumpDir, { recursive: true });
      const file = join(dumpDir, `${this.options.name}-${Date.now()}.json`);
      writeFileSync(file, JSON.stringify({ verdict, history }, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
      progress(`history written to ${file}`);
    }
    const notes: string[] = [];
    if (this.options.group && !this.groupRan) notes.push('consumer group skipped: group APIs not served');
    if (w.groupError !== undefined) notes.push(`consumer group failed to start: ${w.groupError}`);
    else if (this.groupRan) notes.push(`consumer group: ${w.read.length} records read, ${w.commits.length} commit observations`);
    if (this.options.producers === undefined && !this.idempotentRan) notes.push('idempotent producer skipped: InitProducerId not served');
    const line = formatVerdict(this.options.name, this.options.fault, verdict) + notes.map((n) => ` [${n}]`).join('');
    console.log(`      ${line}`);
    return { verdict, line, history };
  }

  async stop(): Promise<void> {
    await this.workloadValue?.stop().catch(() => undefined);
    await this.cluster.stop();
  }
}
