/**
 * One replication flow, source → target (MM2's three connectors for one pair): finds the topics
 * to mirror, creates and grows their remote topics (with the source's config overrides) and keeps
 * those configs in step, spreads the partitions over `tasks.max` source tasks and restarts a task
 * that failed, writes checkpoints and heartbeats. Starting retries until both clusters answer.
 *
 * Order of work: internal topics exist → positions are loaded → remote topics exist with enough
 * partitions → tasks start. Each periodic job runs after the previous run of the same job ended.
 */
import { Admin } from '../admin/admin.js';
import { backoffMs, MAX_TIMER_MS, type Clock, type Scheduler, type TimerHandle } from '../../common/index.js';
import type { TopicPartition } from '../consumer/fetcher.js';
import type { TopicMetadata } from '../cluster.js';
import { murmur2Partitioner } from '../partitioners/partitioner.js';
import { Producer } from '../producer/producer.js';
import { MirrorCheckpointTask } from './checkpoint-task.js';
import type { FlowConfig } from './config.js';
import type { FlowContext, MirrorLog } from './flow-context.js';
import { encodeHeartbeat } from './formats.js';
import { ensureInternalTopic } from './internal-topics.js';
import type { FlowMetrics, MirrorMetrics } from './metrics.js';
import { SourceOffsetStore } from './offset-store.js';
import { OffsetSyncWriter } from './offset-sync-writer.js';
import { shouldReplicateTopic } from './policy.js';
import { MirrorSourceTask, transactionalIdFor } from './source-task.js';

export type FlowState = 'starting' | 'running' | 'restarting-task' | 'stopped';

export interface FlowStatus {
  flow: string;
  state: FlowState;
  tasks: number;
  partitions: number;
  topics: string[];
  lastError: { message: string; at: string } | null;
}

export interface FlowDeps {
  metrics: MirrorMetrics;
  log: MirrorLog;
  clock: Clock;
  scheduler: Scheduler;
}

/** Restarting a flow whose clusters do not answer yet. */
const BOOT_BACKOFF = { initialMs: 500, maxMs: 10_000 };

export class MirrorFlow {
  readonly name: string;
  private state: FlowState = 'starting';
  private lastError: FlowStatus['lastError'] = null;
  private readonly sourceAdmin: Admin;
  private readonly targetAdmin: Admin;
  private readonly targetProducer: Producer<Buffer, Buffer>;
  private readonly sourceProducer: Producer<Buffer, Buffer>;
  private readonly syncWriter: OffsetSyncWriter;
  private readonly offsets: SourceOffsetStore;
  private readonly flowMetrics: FlowMetrics;
  private readonly ctx: FlowContext;
  private checkpoints: MirrorCheckpointTask | undefined;
  private tasks: MirrorSourceTask[] = [];
  private assigned: TopicPartition[] = [];
  private topics: string[] = [];
  private generation = 0;
  private restarting = 0;
  private stopped = false;
  private readonly timers = new Set<TimerHandle>();
  private readonly sleepers = new Set<() => void>();
  private booting: Promise<void> | undefined;
  /** Serializes topic refreshes and task (re)starts. */
  private work: Promise<void> = Promise.resolve();

  constructor(
    readonly flow: FlowConfig,
    private readonly deps: FlowDeps,
  ) {
    this.name = `${flow.source}->${flow.target}`;
    const base = { clock: deps.clock, scheduler: deps.scheduler };
    this.sourceAdmin = new Admin({ brokers: flow.sourceBootstrap, clientId: `mm2-${this.name}-admin`, ...base });
    this.targetAdmin = new Admin({ brokers: flow.targetBootstrap, clientId: `mm2-${this.name}-admin`, ...base });
    const internal = { acks: 'all' as const, idempotent: true, lingerMs: 2, deliveryTimeoutMs: MAX_TIMER_MS, allowAutoTopicCreation: false, partitioner: murmur2Partitioner(), ...base };
    this.targetProducer = new Producer<Buffer, Buffer>({ brokers: flow.targetBootstrap, clientId: `mm2-${this.name}-internal`, ...internal });
    this.sourceProducer = new Producer<Buffer, Buffer>({ brokers: flow.sourceBootstrap, clientId: `mm2-${this.name}-offset-syncs`, ...internal });
    this.flowMetrics = deps.metrics.flow(flow.source, flow.target);
    this.syncWriter = new OffsetSyncWriter(this.sourceProducer, flow.policy.offsetSyncsTopic(flow.target), this.flowMetrics, (err) => {
      this.report('writing offset syncs', err);
      this.enqueue(() => this.assign(this.assigned, true));
    });
    this.offsets = new SourceOffsetStore(flow.source, flow.policy.offsetStorageTopic(flow.source), this.targetProducer);
    this.ctx = {
      flow,
      offsets: this.offsets,
      metrics: deps.metrics,
      flowMetrics: this.flowMetrics,
      log: deps.log,
      clock: deps.clock,
      emitOffsetSync: (s) => this.syncWriter.emit(s),
      flushOffsetSyncs: () => this.syncWriter.flush(),
      sleep: (ms) => this.sleep(ms),
      yieldToEventLoop: () => new Promise((resolve) => setImmediate(resolve)),
      withTimeout: (p, ms) => this.withTimeout(p, ms),
    };
  }

  start(): void {
    this.booting ??= this.bootWithRetry();
  }

  status(): FlowStatus {
    return {
      flow: this.name,
      state: this.state,
      tasks: this.tasks.length,
      partitions: this.assigned.length,
      topics: [...this.topics],
      lastError: this.lastError,
    };
  }

  private async bootWithRetry(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        await this.boot();
        this.state = this.restarting > 0 ? 'restarting-task' : 'running';
        this.deps.log.info({ flow: this.name, partitions: this.assigned.length, tasks: this.tasks.length }, 'flow running');
        return;
      } catch (err) {
        if (this.stopped) return;
        this.report('starting', err);
        await this.sleep(backoffMs(BOOT_BACKOFF, attempt));
      }
    }
  }

  private async boot(): Promise<void> {
    const f = this.flow;
    // A previous attempt may have got this far.
    await this.checkpoints?.close();
    this.checkpoints = undefined;
    await ensureInternalTopic(this.targetAdmin, { topic: f.policy.offsetStorageTopic(f.source), replicationFactor: f.offsetStorageReplicationFactor });
    await ensureInternalTopic(this.sourceAdmin, { topic: f.policy.offsetSyncsTopic(f.target), replicationFactor: f.offsetSyncsTopicReplicationFactor });
    if (f.emitCheckpointsIntervalMs !== null) await ensureInternalTopic(this.targetAdmin, { topic: f.policy.checkpointsTopic(f.source), replicationFactor: f.checkpointsTopicReplicationFactor });
    if (f.emitHeartbeatsIntervalMs !== null) await ensureInternalTopic(this.targetAdmin, { topic: f.policy.heartbeatsTopic(), replicationFactor: f.heartbeatsTopicReplicationFactor });
    await Promise.all([this.targetProducer.connect(), this.sourceProducer.connect()]);
    await this.sourceProducer.cluster.refreshMetadata([f.policy.offsetSyncsTopic(f.target)]);
    if (f.exactlyOnce) await this.fenceTasks();
    await this.offsets.load(f.targetBootstrap, `mm2-${this.name}-offsets`);
    await this.refreshTopics();
    if (f.emitCheckpointsIntervalMs !== null || f.syncGroupOffsetsIntervalMs !== null) {
      const cp = new MirrorCheckpointTask({ flow: f, sourceAdmin: this.sourceAdmin, targetAdmin: this.targetAdmin, producer: this.targetProducer, metrics: this.flowMetrics, log: this.deps.log });
      this.checkpoints = cp;
      await cp.start();
    }
    this.every(f.refreshTopicsIntervalMs, 'refreshing topics', () => this.enqueue(() => this.refreshTopics()));
    this.every(f.syncTopicConfigsIntervalMs, 'syncing topic configs', () => this.syncTopicConfigs());
    this.every(f.refreshGroupsIntervalMs, 'refreshing groups', async () => this.checkpoints?.refreshGroups());
    this.every(f.emitCheckpointsIntervalMs, 'emitting checkpoints', async () => this.checkpoints?.emitCheckpoints());
    this.every(f.syncGroupOffsetsIntervalMs, 'syncing group offsets', async () => this.checkpoints?.syncGroupOffsets());
    this.every(f.emitHeartbeatsIntervalMs, 'emitting heartbeats', () => this.emitHeartbeat());
  }

  /**
   * Exactly-once: before positions are read, every task's transactional.id is initialised once
   * (KIP-618's zombie fencing): an earlier incarnation's open transaction is aborted and the
   * positions in mm2-offsets are all committed ones. Ids of tasks beyond today's tasks.max (a
   * run with more tasks) are not fenced: their transactions end at transaction.timeout.ms.
   */
  private async fenceTasks(): Promise<void> {
    const f = this.flow;
    for (let taskId = 0; taskId < f.tasksMax; taskId++) {
      const p = new Producer<Buffer, Buffer>({
        brokers: f.targetBootstrap,
        clientId: `mm2-${this.name}-fencing`,
        acks: 'all',
        idempotent: true,
        transactionalId: transactionalIdFor(f.source, f.target, taskId),
        clock: this.deps.clock,
        scheduler: this.deps.scheduler,
      });
      try {
        await (await p.transaction()).abort();
      } finally {
        await p.close({ timeoutMs: 5_000 });
      }
    }
    this.deps.log.info({ flow: this.name, tasks: f.tasksMax }, 'fenced earlier task incarnations (exactly-once)');
  }

  /** Source topics to mirror, their partitions, remote topics created or grown, tasks reassigned. */
  private async refreshTopics(): Promise<void> {
    const f = this.flow;
    const names = (await this.sourceAdmin.listTopics()).filter((t) => shouldReplicateTopic(f.policy, f.topics, f.target, t));
    const metas = names.length === 0 ? [] : await this.sourceAdmin.fetchTopicMetadata(names);
    await this.ensureRemoteTopics(metas);
    const tps = metas.flatMap((m) => m.partitions.map((p) => ({ topic: m.name, partition: p.partition })));
    tps.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
    this.topics = names.sort();
    const same = tps.length === this.assigned.length && tps.every((tp, i) => tp.topic === this.assigned[i]!.topic && tp.partition === this.assigned[i]!.partition);
    if (!same) {
      this.deps.log.info({ flow: this.name, partitions: tps.length, topics: this.topics }, 'source partitions changed; reassigning tasks');
      await this.assign(tps, false);
    }
  }

  private async ensureRemoteTopics(metas: TopicMetadata[]): Promise<void> {
    const f = this.flow;
    const existing = new Set(await this.targetAdmin.listTopics());
    for (const m of metas) {
      const remote = f.policy.formatRemoteTopic(f.source, m.name);
      const count = m.partitions.length;
      if (!existing.has(remote)) {
        const configs = f.syncTopicConfigsIntervalMs !== null ? await this.wantedConfigs(m.name) : {};
        if (await this.targetAdmin.createTopics([{ topic: remote, numPartitions: count, replicationFactor: f.replicationFactor, configs }])) {
          this.flowMetrics.counters.topicsCreated++;
          this.deps.log.info({ flow: this.name, topic: remote, partitions: count }, 'created remote topic');
        }
        continue;
      }
      const [have] = await this.targetAdmin.fetchTopicMetadata([remote]);
      const had = have?.partitions.length ?? 0;
      if (had < count) {
        await this.targetAdmin.createPartitions([{ topic: remote, count }]);
        this.flowMetrics.counters.partitionsCreated += count - had;
        this.deps.log.info({ flow: this.name, topic: remote, from: had, to: count }, 'grew remote topic');
      }
    }
  }

  /** The source topic's overrides that MM2 copies: set, writable, not secret, not excluded. */
  private async wantedConfigs(topic: string): Promise<Record<string, string>> {
    const entries = await this.sourceAdmin.describeConfigEntries('topic', topic);
    const exclude = this.flow.configPropertiesExclude;
    return Object.fromEntries(
      entries.filter((e) => e.isOverride && !e.readOnly && !e.isSensitive && e.value !== null && !(exclude?.test(e.name) ?? false)).map((e) => [e.name, e.value!]),
    );
  }

  private async syncTopicConfigs(): Promise<void> {
    const f = this.flow;
    for (const topic of this.topics) {
      const remote = f.policy.formatRemoteTopic(f.source, topic);
      const wanted = await this.wantedConfigs(topic);
      const current = Object.fromEntries(
        (await this.targetAdmin.describeConfigEntries('topic', remote)).filter((e) => e.isOverride && e.value !== null).map((e) => [e.name, e.value!]),
      );
      const keys = new Set([...Object.keys(wanted), ...Object.keys(current)]);
      if ([...keys].every((k) => wanted[k] === current[k])) continue;
      await this.targetAdmin.alterConfigs('topic', remote, wanted);
      this.flowMetrics.counters.topicConfigsSynced++;
      this.deps.log.info({ flow: this.name, topic: remote, configs: wanted }, 'synced topic configs');
    }
  }

  /** Stop the current tasks (committing) and start tasks for `tps` (round robin over tasks.max). */
  private async assign(tps: TopicPartition[], force: boolean): Promise<void> {
    if (this.stopped) return;
    const gen = ++this.generation;
    const old = this.tasks;
    this.tasks = [];
    await Promise.all(old.map((t) => t.stop()));
    if (force) this.flowMetrics.counters.taskRestarts += old.length;
    this.assigned = tps;
    if (this.stopped || gen !== this.generation) return;
    const n = Math.min(this.flow.tasksMax, tps.length);
    for (let i = 0; i < n; i++) this.startTask(i, tps.filter((_, j) => j % n === i));
  }

  private startTask(taskId: number, partitions: TopicPartition[]): void {
    const gen = this.generation;
    const task = new MirrorSourceTask(this.ctx, taskId, partitions, (t, err) => this.onTaskFailure(t, err, gen));
    this.tasks.push(task);
    task.start();
  }

  private onTaskFailure(task: MirrorSourceTask, err: unknown, gen: number): void {
    this.report(`task ${task.name}`, err);
    this.restarting++;
    this.state = 'restarting-task';
    this.enqueue(async () => {
      try {
        if (!this.tasks.includes(task)) return;
        this.tasks = this.tasks.filter((t) => t !== task);
        await task.stop(5_000);
        this.flowMetrics.counters.taskRestarts++;
        await this.sleep(1_000);
        if (!this.stopped && gen === this.generation) this.startTask(task.taskId, [...task.partitions]);
      } finally {
        this.restarting--;
        if (this.restarting === 0 && this.state === 'restarting-task') this.state = 'running';
      }
    });
  }

  private async emitHeartbeat(): Promise<void> {
    const f = this.flow;
    const { key, value } = encodeHeartbeat({ sourceClusterAlias: f.source, targetClusterAlias: f.target, timestamp: BigInt(this.deps.clock.now()) });
    await this.targetProducer.send({ topic: f.policy.heartbeatsTopic(), partition: 0, key, value });
    this.flowMetrics.counters.heartbeats++;
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    const run = this.work.then(job);
    this.work = run.catch((err: unknown) => this.report('flow work', err));
    return run;
  }

  private every(ms: number | null, what: string, job: () => Promise<unknown>): void {
    if (ms === null) return;
    const tick = async (): Promise<void> => {
      if (this.stopped) return;
      try {
        await job();
      } catch (err) {
        this.report(what, err);
      }
      this.schedule(tick, ms);
    };
    this.schedule(tick, ms);
  }

  private schedule(fn: () => Promise<void>, ms: number): void {
    if (this.stopped) return;
    const handle = this.deps.scheduler.setTimeout(() => {
      this.timers.delete(handle);
      void fn();
    }, ms);
    this.timers.add(handle);
  }

  /** Resolves after `ms`, or at once when the flow stops. */
  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.deps.scheduler.clearTimeout(handle);
        this.sleepers.delete(done);
        resolve();
      };
      const handle = this.deps.scheduler.setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  /** Waits for `p` at most `ms`, even while stopping (a stopping task still flushes). */
  private withTimeout(p: Promise<unknown>, ms: number): Promise<void> {
    let handle: TimerHandle | undefined;
    const timeout = new Promise<void>((resolve) => {
      handle = this.deps.scheduler.setTimeout(resolve, ms);
    });
    return Promise.race([p.then(() => undefined, () => undefined), timeout]).finally(() => this.deps.scheduler.clearTimeout(handle!));
  }

  private report(what: string, err: unknown): void {
    const message = `${what}: ${err instanceof Error ? err.message : String(err)}`;
    this.lastError = { message, at: new Date(this.deps.clock.now()).toISOString() };
    this.deps.log.warn({ flow: this.name, err: message }, 'mirror flow error');
  }

  /** Stop tasks (committing what was acknowledged), periodic jobs and clients. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.state = 'stopped';
    for (const t of this.timers) this.deps.scheduler.clearTimeout(t);
    this.timers.clear();
    for (const wake of [...this.sleepers]) wake();
    await this.withTimeout(this.booting ?? Promise.resolve(), 30_000);
    await this.work.catch(() => undefined);
    await Promise.all(this.tasks.map((t) => t.stop()));
    this.tasks = [];
    await this.checkpoints?.close();
    await Promise.all([this.targetProducer.close({ timeoutMs: 5_000 }), this.sourceProducer.close({ timeoutMs: 5_000 })]);
    this.sourceAdmin.close();
    this.targetAdmin.close();
  }
}
