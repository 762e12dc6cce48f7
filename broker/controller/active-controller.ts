/**
 * One controllership: created when this broker wins an election, discarded on resignation.
 * Failover loads the whole cluster state (pipelined reads), tells every broker the metadata,
 * then brings partitions online. Afterwards it reacts to events from ZooKeeper watches, through
 * the handlers it owns (broker-changes.ts, topic-changes.ts, admin-requests.ts, reassignment.ts,
 * log-dir-events.ts). Every method runs inside the controller's event queue, one at a time.
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
  LOG_DIR_EVENT_NOTIFICATION_PATH,
  readBrokers,
  readPartitionStates,
  readTopicAssignments,
  readTopicConfig,
  readTopicNames,
  type TopicAssignment,
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
import { BrokerChanges } from './broker-changes.js';
import { TopicChanges } from './topic-changes.js';
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
  readonly brokers: BrokerChanges;
  readonly topics: TopicChanges;
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
    this.brokers = new BrokerChanges(this);
    this.topics = new TopicChanges(this);
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

  addToChannel(id: number): void {
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
    await this.topics.recordTopicIds(assignments);
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
    await this.brokers.onBrokerChange();
    await this.topics.onTopicChange();
    // Known topics: re-arm their assignment watches and pick up partitions added meanwhile.
    const known = [...this.ctx.assignments.keys()];
    if (known.length > 0) await this.topics.addTopicsOrPartitions(known);
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

  /** Re-sends UpdateMetadata for every partition to every live broker. */
  resendMetadata(): void {
    const batch = this.newBatch();
    batch.addUpdateMetadata(this.ctx.liveOrShuttingDownIds(), []);
    this.send(batch);
  }

  watchedPaths(): string[] {
    return [BROKER_TOPICS_PATH, DELETE_TOPICS_PATH, ISR_CHANGE_NOTIFICATION_PATH, LOG_DIR_EVENT_NOTIFICATION_PATH];
  }
}
