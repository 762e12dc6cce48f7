/**
 * One controllership: created when this broker wins an election, discarded on resignation.
 * Failover loads the whole cluster state (pipelined reads), tells every broker the metadata,
 * then brings partitions online. Afterwards it reacts to events from ZooKeeper watches. Every
 * method runs inside the controller's event queue, one at a time.
 */
import { tpKey } from '../../common/index.js';
import type { Logger } from 'pino';
import {
  BROKER_TOPICS_PATH,
  type ControllerLease,
  type CoordinationStore,
  DELETE_TOPICS_PATH,
  FencedWriter,
  ISR_CHANGE_NOTIFICATION_PATH,
  pipelined,
  LOG_DIR_EVENT_NOTIFICATION_PATH,
  readBrokers,
  readPartitionStates,
  readTopicAssignments,
  readTopicConfig,
  readTopicNames,
  type TopicAssignment,
  type TopicAssignmentWithVersion,
  type Watcher,
} from '../../coordination/index.js';
import type { Scheduler } from '../../common/index.js';
import { ControllerChannelManager, type ControlTransport } from './channel.js';
import { ControllerContext, type TopicPartition } from './context.js';
import type { ControllerEvent } from './events.js';
import { PartitionOperations, type LeaderElectionObserver } from './partition-ops.js';
import { ControllerRequestBatch } from './request-batch.js';
import { AdminRequests } from './admin-requests.js';
import { LogDirEvents } from './log-dir-events.js';
import { Reassignments } from './reassignment.js';
import { ensureTopicId } from './topic-ids.js';
import { MetadataPropagation } from './propagation.js';

interface ActiveControllerOptions {
  store: CoordinationStore;
  lease: ControllerLease;
  transport: ControlTransport;
  interBrokerListenerName: string;
  uncleanLeaderElectionEnable: () => boolean;
  scheduler: Scheduler;
  logger: Logger;
  stateLog: Logger;
  /** Puts an event on the controller queue (dropped if this controllership has ended). */
  enqueue: (event: ControllerEvent) => void;
  onLeaderElection?: LeaderElectionObserver;
  /** A new topic's or partition's LeaderAndIsr and UpdateMetadata were all acknowledged. */
  onMetadataPropagated?: () => void;
}

export class ActiveController {
  readonly ctx = new ControllerContext();
  readonly writer: FencedWriter;
  readonly channel: ControllerChannelManager;
  readonly ops: PartitionOperations;
  readonly admin: AdminRequests;
  readonly reassignments: Reassignments;
  readonly logDirs: LogDirEvents;
  readonly propagation: MetadataPropagation;
  private ended = false;

  constructor(readonly o: ActiveControllerOptions) {
    this.writer = new FencedWriter(o.store, o.lease.controllerEpoch, o.lease.epochZkVersion, { scheduler: o.scheduler });
    this.channel = new ControllerChannelManager({ transport: o.transport, scheduler: o.scheduler, logger: o.logger });
    this.ops = new PartitionOperations({
      store: o.store,
      writer: this.writer,
      ctx: this.ctx,
      controllerId: o.lease.brokerId,
      controllerEpoch: o.lease.controllerEpoch,
      stateLog: o.stateLog,
      uncleanDefault: o.uncleanLeaderElectionEnable,
      now: () => o.scheduler.now(),
      ...(o.onLeaderElection === undefined ? {} : { onLeaderElection: o.onLeaderElection }),
    });
    this.admin = new AdminRequests(this);
    this.reassignments = new Reassignments(this);
    this.logDirs = new LogDirEvents(this);
    this.propagation = new MetadataPropagation(() => o.onMetadataPropagated?.());
  }

  get epoch(): number {
    return this.o.lease.controllerEpoch;
  }

  get id(): number {
    return this.o.lease.brokerId;
  }

  newBatch(): ControllerRequestBatch {
    return new ControllerRequestBatch(this.ctx, this.id, this.epoch);
  }

  /** Settles once every request of the batch was answered or its broker left. */
  send(batch: ControllerRequestBatch): Promise<void> {
    if (batch.empty || this.ended) return Promise.resolve();
    const sent = batch.send(this.channel, {
      // Answers feed the offline-replica bookkeeping (KAFKA_STORAGE_ERROR = failed log directory).
      onLeaderAndIsr: (brokerId, brokerEpoch, response) => {
        if (!this.ended && this.logDirs.worthAnEvent(brokerId, response)) this.o.enqueue({ type: 'LeaderAndIsrResponse', brokerId, brokerEpoch, response });
      },
    });
    return Promise.allSettled(sent).then(() => undefined);
  }

  /** A one-shot watcher that becomes an event, unless this controllership has ended. */
  watch(event: ControllerEvent): Watcher {
    const key = JSON.stringify(event);
    let w = this.watchers.get(key);
    if (w === undefined) {
      w = () => {
        if (!this.ended) this.o.enqueue(event);
      };
      this.watchers.set(key, w);
    }
    return w;
  }

  /** One watcher function per event, so re-arming a path never stacks duplicates. */
  private readonly watchers = new Map<string, Watcher>();

  end(): void {
    this.ended = true;
    this.channel.close();
    this.ctx.clear();
    this.propagation.clear();
  }

  private addToChannel(id: number): void {
    const info = this.ctx.brokerInfo(id);
    if (info === undefined) return;
    const ep = info.endpoints.find((e) => e.listener === this.o.interBrokerListenerName) ?? info.endpoints[0];
    if (ep === undefined) {
      this.o.logger.error({ brokerId: id, listener: this.o.interBrokerListenerName }, 'broker registered without an inter-broker endpoint');
      return;
    }
    this.channel.addBroker({ id, host: ep.host, port: ep.port });
  }

  // ---- failover ---------------------------------------------------------------------------------

  async failover(): Promise<void> {
    const started = Date.now();
    const { store } = this.o;
    this.o.stateLog.info({ controllerId: this.id, controllerEpoch: this.epoch, epochZkVersion: this.o.lease.epochZkVersion }, 'controller failover: became active controller');
    const [brokers, topics] = await Promise.all([readBrokers(store, this.watch({ type: 'BrokerChange' })), readTopicNames(store, this.watch({ type: 'TopicChange' }))]);
    for (const [id, b] of brokers) this.ctx.liveBrokers.set(id, b);
    const assignments = await readTopicAssignments(store, topics, (t) => this.watch({ type: 'PartitionModifications', topic: t }));
    await this.recordTopicIds(assignments);
    for (const [t, a] of assignments) {
      this.ctx.assignments.set(t, new Map(a.assignment.partitions));
      this.resumeReassignments(t, a.assignment);
    }
    const [states, configs] = await Promise.all([
      readPartitionStates(store, this.ctx.allPartitions()),
      Promise.all([...assignments.keys()].map(async (t) => [t, await readTopicConfig(store, t)] as const)),
    ]);
    for (const [k, s] of states) this.ctx.leadership.set(k, s);
    for (const [t, c] of configs) this.ctx.topicConfigs.set(t, c);
    for (const id of this.ctx.liveBrokers.keys()) this.addToChannel(id);
    await this.admin.armWatches();
    await this.logDirs.deleteAtFailover();

    // Partition and replica states as found in ZooKeeper.
    for (const tp of this.ctx.allPartitions()) {
      const k = tpKey(tp.topic, tp.partition);
      const l = this.ctx.leadership.get(k);
      this.ctx.partitionStates.set(k, l === undefined ? 'NewPartition' : this.ctx.isLive(l.state.leader) ? 'OnlinePartition' : 'OfflinePartition');
      for (const r of this.ctx.replicas(tp.topic, tp.partition)) this.ctx.replicaStates.set(`${k}:${r}`, this.ctx.isLive(r) ? 'OnlineReplica' : 'OfflineReplica');
    }
    this.o.logger.info(
      { controllerEpoch: this.epoch, brokers: [...brokers.keys()], topics: topics.length, partitions: this.ctx.allPartitions().length, loadMs: Date.now() - started },
      'controller context loaded',
    );

    // Brokers need the live-broker list before any LeaderAndIsr (Kafka's order).
    const first = this.newBatch();
    first.addUpdateMetadata(this.ctx.liveOrShuttingDownIds(), []);
    this.send(first);

    const batch = this.newBatch();
    // A live broker registered after a partition's state was last written is in its ISR only
    // from an earlier life: it restarted (maybe with an empty disk) while no controller watched.
    const restartedSince = (tp: TopicPartition, r: number): boolean => {
      const s = states.get(tpKey(tp.topic, tp.partition));
      const b = this.ctx.liveBrokers.get(r);
      return s?.mzxid !== undefined && b !== undefined && b.brokerEpoch > s.mzxid;
    };
    const withStale = this.ctx.allPartitions().filter((tp) => this.ctx.leadership.get(tpKey(tp.topic, tp.partition))?.state.isr.some((r) => restartedSince(tp, r)));
    if (withStale.length > 0) await this.ops.dropStaleIsrMembers(withStale, restartedSince, batch);
    // Replicas on brokers that are gone: the partitions they led are elected and told first
    // (clients wait on those), then every partition's state and the ISR shrinks of the rest.
    const dead = new Set<number>();
    for (const tp of this.ctx.allPartitions()) for (const r of this.ctx.replicas(tp.topic, tp.partition)) if (!this.ctx.isLive(r)) dead.add(r);
    if (dead.size > 0) {
      const elections = this.newBatch();
      await this.ops.onReplicasOffline(dead, elections, { leaderlessOnly: true });
      this.send(elections);
    }
    for (const tp of this.ctx.allPartitions()) {
      if (this.ctx.leadership.has(tpKey(tp.topic, tp.partition))) {
        batch.addLeaderAndIsr(this.ctx.replicas(tp.topic, tp.partition).filter((r) => this.ctx.isLive(r)), tp);
      }
    }
    if (dead.size > 0) await this.ops.onReplicasOffline(dead, batch);
    await this.bringPartitionsOnline(batch);
    this.send(batch);
    await this.admin.afterFailover();
    await this.reassignments.onAdminNode();
    await this.reassignments.maybeComplete();
    this.o.stateLog.info({ controllerId: this.id, controllerEpoch: this.epoch, ms: Date.now() - started }, 'controller failover complete');
  }

  /**
   * The session resumed on a new client object and every watch died with the old one: re-arm
   * each watch with the read that handles it, treating it as fired (changes made meanwhile were
   * never notified). Each handler compares with the context, so unchanged state is a no-op.
   */
  async resync(): Promise<void> {
    this.o.logger.info({ controllerEpoch: this.epoch }, 'ZooKeeper watches lost with the old client; re-arming and re-reading');
    await this.onBrokerChange();
    await this.onTopicChange();
    // Known topics: re-arm their assignment watches and pick up partitions added meanwhile.
    const known = [...this.ctx.assignments.keys()];
    if (known.length > 0) await this.addTopicsOrPartitions(known);
    await this.admin.onTopicDeletion();
    await this.admin.onConfigChange();
    await this.admin.onIsrChangeNotification();
    await this.admin.onPreferredReplicaElection();
    await this.reassignments.onAdminNode();
    await this.logDirs.onNotification();
  }

  /** A reassignment in flight when the previous controller stopped is recorded in the topic znode. */
  private resumeReassignments(topic: string, a: TopicAssignment): void {
    for (const [p, rs] of a.partitions) {
      const adding = a.addingReplicas.get(p) ?? [];
      const removing = a.removingReplicas.get(p) ?? [];
      if (adding.length === 0 && removing.length === 0) continue;
      this.ctx.reassigning.set(tpKey(topic, p), { original: rs.filter((b) => !adding.includes(b)), target: rs.filter((b) => !removing.includes(b)) });
    }
  }

  /** New partitions get a first leader; offline ones an election. */
  async bringPartitionsOnline(batch: ControllerRequestBatch): Promise<void> {
    const fresh: TopicPartition[] = [];
    const offline: TopicPartition[] = [];
    for (const tp of this.ctx.allPartitions()) {
      if (this.ctx.topicsToDelete.has(tp.topic)) continue;
      const s = this.ctx.partitionStates.get(tpKey(tp.topic, tp.partition));
      if (s === 'NewPartition' || s === undefined) fresh.push(tp);
      else if (s === 'OfflinePartition') offline.push(tp);
    }
    if (fresh.length > 0) await this.ops.initializeNewPartitions(fresh, batch);
    if (offline.length > 0) await this.ops.electLeaders(offline, 'offline', batch);
  }

  // ---- brokers ----------------------------------------------------------------------------------

  async onBrokerChange(): Promise<void> {
    const current = await readBrokers(this.o.store, this.watch({ type: 'BrokerChange' }));
    const dead = new Set<number>();
    const started: number[] = [];
    const bounced: number[] = [];
    for (const [id, known] of this.ctx.liveBrokers) {
      const now = current.get(id);
      if (now === undefined) dead.add(id);
      else if (now.brokerEpoch !== known.brokerEpoch) bounced.push(id);
    }
    for (const id of current.keys()) if (!this.ctx.liveBrokers.has(id)) started.push(id);
    if (dead.size === 0 && started.length === 0 && bounced.length === 0) return;
    this.o.logger.info({ newBrokers: started, deadBrokers: [...dead], bouncedBrokers: bounced }, 'broker change');

    // A bounced broker (same id, new epoch) is handled as a failure followed by a start-up.
    const failed = new Set([...dead, ...bounced]);
    for (const id of failed) {
      this.ctx.liveBrokers.delete(id);
      this.ctx.shuttingDown.delete(id);
      this.channel.removeBroker(id);
    }
    this.logDirs.forget(failed);
    if (failed.size > 0) {
      // Kafka's order: the partitions left without a leader are elected and told first, so
      // clients wait for those writes only; the ISR shrinks of all the others follow.
      const elections = this.newBatch();
      await this.ops.onReplicasOffline(failed, elections, { leaderlessOnly: true });
      this.send(elections);
      const batch = this.newBatch();
      await this.ops.onReplicasOffline(failed, batch);
      this.send(batch);
      this.admin.markDeletionIneligible(failed);
    }
    const joined = [...started, ...bounced];
    if (joined.length > 0) await this.onBrokerStartup(joined, current);
  }

  private async onBrokerStartup(ids: readonly number[], current: ReadonlyMap<number, import('../../coordination/index.js').RegisteredBroker>): Promise<void> {
    for (const id of ids) {
      this.ctx.liveBrokers.set(id, current.get(id)!);
      this.addToChannel(id);
    }
    const batch = this.newBatch();
    batch.addUpdateMetadata(this.ctx.liveOrShuttingDownIds(), []);
    const joined = new Set(ids);
    // A broker this controller saw die left every ISR then, unless that write failed or it was
    // the last member: what is left is from its previous life, not proof it still has the data.
    const staleIn = this.ctx.allPartitions().filter((tp) => this.ctx.leadership.get(tpKey(tp.topic, tp.partition))?.state.isr.some((r) => joined.has(r)));
    if (staleIn.length > 0) await this.ops.dropStaleIsrMembers(staleIn, (_tp, r) => joined.has(r), batch);
    for (const tp of this.ctx.allPartitions()) {
      const replicas = this.ctx.replicas(tp.topic, tp.partition);
      const mine = replicas.filter((r) => joined.has(r));
      if (mine.length === 0 || this.ctx.topicsToDelete.has(tp.topic)) continue;
      for (const r of mine) this.ops.transitionReplica(tp, r, 'OnlineReplica');
      if (this.ctx.leadership.has(tpKey(tp.topic, tp.partition))) batch.addLeaderAndIsr(mine, tp);
    }
    await this.bringPartitionsOnline(batch);
    this.send(batch);
    await this.admin.retryDeletions();
    await this.reassignments.maybeComplete();
  }

  // ---- topics -----------------------------------------------------------------------------------

  async onTopicChange(): Promise<void> {
    const names = await readTopicNames(this.o.store, this.watch({ type: 'TopicChange' }));
    const present = new Set(names);
    for (const t of [...this.ctx.assignments.keys()]) if (!present.has(t)) this.ctx.removeTopic(t);
    const added = names.filter((t) => !this.ctx.assignments.has(t));
    if (added.length === 0) return;
    await this.addTopicsOrPartitions(added);
  }

  async onPartitionModifications(topic: string): Promise<void> {
    if (!this.ctx.assignments.has(topic)) return;
    await this.addTopicsOrPartitions([topic]);
  }

  private async addTopicsOrPartitions(topics: readonly string[]): Promise<void> {
    const read = await readTopicAssignments(this.o.store, topics, (t) => this.watch({ type: 'PartitionModifications', topic: t }));
    await this.recordTopicIds(read);
    const newPartitions: TopicPartition[] = [];
    // New topics' configs in one pipelined round, not one ZooKeeper round trip per topic.
    const fresh = [...read.keys()].filter((t) => !this.ctx.topicsToDelete.has(t) && !this.ctx.assignments.has(t));
    const configs = new Map(await pipelined(fresh, async (t) => [t, await readTopicConfig(this.o.store, t)] as const));
    for (const [t, a] of read) {
      if (this.ctx.topicsToDelete.has(t)) continue;
      const known = this.ctx.assignments.get(t) ?? new Map<number, readonly number[]>();
      if (!this.ctx.assignments.has(t)) {
        this.ctx.assignments.set(t, known);
        this.ctx.topicConfigs.set(t, configs.get(t) ?? (await readTopicConfig(this.o.store, t)));
        this.o.logger.info({ topic: t, partitions: a.assignment.partitions.size }, 'new topic');
      }
      for (const [p, replicas] of a.assignment.partitions) {
        if (known.has(p)) continue;
        known.set(p, replicas);
        const tp = { topic: t, partition: p };
        newPartitions.push(tp);
        this.ops.transitionPartition(tp, 'NewPartition', { replicas });
        for (const r of replicas) this.ops.transitionReplica(tp, r, 'NewReplica');
      }
    }
    if (newPartitions.length === 0) return;
    const batch = this.newBatch();
    await this.ops.initializeNewPartitions(newPartitions, batch);
    this.propagation.track(newPartitions, this.send(batch));
  }

  /**
   * Topic ids and znode versions into the context; topics read without an id get one first
   * (not those being deleted: their znode is about to go).
   */
  private async recordTopicIds(read: Map<string, TopicAssignmentWithVersion>): Promise<void> {
    const ids = await Promise.all(
      [...read].map(async ([t, a]) => {
        const id = this.ctx.topicsToDelete.has(t) ? { topicId: a.assignment.topicId, zkVersion: a.zkVersion } : await ensureTopicId(this.o.store, this.writer, t, a, this.o.logger);
        return [t, id] as const;
      }),
    );
    for (const [t, id] of ids) {
      if (id === null) {
        read.delete(t);
        continue;
      }
      if (id.topicId !== undefined) this.ctx.topicIds.set(t, id.topicId);
      this.ctx.topicZkVersions.set(t, id.zkVersion);
    }
  }

  /** Re-sends UpdateMetadata for every partition to every live broker. */
  resendMetadata(): void {
    const batch = this.newBatch();
    batch.addUpdateMetadata(this.ctx.liveOrShuttingDownIds(), []);
    this.send(batch);
  }

  async reloadTopicConfig(topic: string): Promise<void> {
    if (!this.ctx.assignments.has(topic)) return;
    const before = this.ops.uncleanAllowed(topic);
    this.ctx.topicConfigs.set(topic, await readTopicConfig(this.o.store, topic));
    if (!before && this.ops.uncleanAllowed(topic)) {
      // Enabling unclean election may bring offline partitions back (KafkaController does the same).
      const offline = this.ctx
        .partitionsOfTopic(topic)
        .filter((tp) => this.ctx.partitionStates.get(tpKey(tp.topic, tp.partition)) === 'OfflinePartition');
      if (offline.length > 0) {
        const batch = this.newBatch();
        await this.ops.electLeaders(offline, 'offline', batch);
        this.send(batch);
      }
    }
  }

  watchedPaths(): string[] {
    return [BROKER_TOPICS_PATH, DELETE_TOPICS_PATH, ISR_CHANGE_NOTIFICATION_PATH, LOG_DIR_EVENT_NOTIFICATION_PATH];
  }
}
