/**
 * The replica manager (Kafka's ReplicaManager): one `Partition` per hosted replica, made leader
 * or follower by the controller's LeaderAndIsr, stopped or deleted by StopReplica. Requests of
 * the data path find their partition here (`leaderPartition`), which is where
 * NOT_LEADER_OR_FOLLOWER / UNKNOWN_TOPIC_OR_PARTITION / leader-epoch fencing are decided. The
 * produce and fetch paths (produce-path.ts, fetch-path.ts) park in the two purgatories owned
 * here; both are woken by `onHighWatermarkMaybeMoved` and by leadership changes.
 *
 * Ordering rules (see broker/README.md):
 * - State transitions arrive one request at a time (ControlRequestHandler serialises them); the
 *   partitions of one request are applied concurrently in small groups, each partition's steps
 *   (open log → apply state → epoch start offset → HW) in order.
 * - Appends run through the log's own serial queue; the HW is recomputed after every append and
 *   every follower update, only by Partition.maybeIncrementHighWatermark.
 */
import type { Logger } from 'pino';
import type { ErrorName } from '../../protocol/index.js';
import type { LogManager } from '../../storage/index.js';
import { BrokerError } from '../errors.js';
import type { ControlRequestOrigin, LeaderAndIsrPartitionState, PartitionErrors, ReplicaStateListener, StopReplicaPartition } from '../metadata/index.js';
import type { Scheduler } from '../../common/index.js';
import { tpKey } from '../../common/index.js';
import { ReplicaFetcherManager } from './fetcher-manager.js';
import { IsrManager } from './isr-manager.js';
import type { Partition } from './partition.js';
import { LogDirMover } from './log-dir-mover.js';
import { Purgatory } from './purgatory.js';
import { preferredReadReplica } from './read-replica.js';
import type { LeadershipListener, ReplicaManagerOptions } from './replica-manager-options.js';
import type { TopicConfigs } from './topic-configs.js';
import { makeLeaderOrFollower, type ReplicaTransitionHost, stopReplica } from './replica-transitions.js';
import { type FenceStatus, type LeadershipFence, replicaFetchEpochVerdict, ZooKeeperFence } from './zookeeper-fence.js';

/** No epoch given by the client (fetch < v9, ListOffsets < v4): no fencing. */
export const NO_LEADER_EPOCH = -1;

/** The one key of the metadata purgatory: every metadata-cache update notifies it. */
export const METADATA_CHANGES = 'metadata';

export class ReplicaManager implements ReplicaStateListener {
  readonly brokerId: number;
  readonly producePurgatory: Purgatory;
  readonly fetchPurgatory: Purgatory;
  /** Follower fetches parked at the end of a leader's log; woken by every append. */
  readonly replicaFetchPurgatory: Purgatory;
  /** Admin requests waiting for the metadata cache (leaders of new partitions, deleted topics); key METADATA_CHANGES. */
  readonly metadataPurgatory: Purgatory;
  readonly fetchers: ReplicaFetcherManager | undefined;
  readonly isrManager: IsrManager | undefined;
  readonly replicaLagTimeMaxMs: number;
  readonly scheduler: Scheduler;
  readonly topicConfigs: TopicConfigs;
  readonly logManager: LogManager;
  /** AlterReplicaLogDirs: moves replicas between this broker's log directories. */
  readonly logDirMover: LogDirMover;
  private readonly partitions = new Map<string, Partition>();
  /** Replicas whose log directory failed (Kafka's HostedPartition.Offline), until restart. */
  private readonly offline = new Set<string>();
  private readonly log: Logger;
  private readonly stateLog: Logger;
  private stopped = false;
  private readonly fence: ZooKeeperFence;
  /** The partition table as LeaderAndIsr/StopReplica (replica-transitions.ts) see it. */
  private readonly transitions: ReplicaTransitionHost;

  constructor(private readonly o: ReplicaManagerOptions) {
    this.brokerId = o.brokerId;
    this.scheduler = o.scheduler;
    this.topicConfigs = o.topicConfigs;
    this.logManager = o.logManager;
    this.log = o.logger;
    this.stateLog = o.stateChangeLogger ?? o.logger;
    this.producePurgatory = new Purgatory('Produce', o.scheduler);
    this.fetchPurgatory = new Purgatory('Fetch', o.scheduler);
    this.replicaFetchPurgatory = new Purgatory('ReplicaFetch', o.scheduler);
    this.metadataPurgatory = new Purgatory('Metadata', o.scheduler);
    this.replicaLagTimeMaxMs = o.replicaLagTimeMaxMs ?? 30_000;
    const r = o.replication;
    if (r !== undefined) {
      this.fetchers = new ReplicaFetcherManager({
        brokerId: o.brokerId,
        brokerEpoch: r.brokerEpoch,
        transport: r.transport,
        endpoint: r.endpoint,
        scheduler: o.scheduler,
        logger: o.logger.child({ module: 'replica-fetcher' }),
        settings: r.fetch,
        onFollowerProgress: (p) => this.fetchPurgatory.notify(p.key),
        metrics: r.metrics,
      });
      this.isrManager = new IsrManager({
        scheduler: o.scheduler,
        replicaLagTimeMaxMs: this.replicaLagTimeMaxMs,
        send: r.alterIsr,
        logger: o.logger.child({ module: 'isr' }),
        // A fenced leader proposes no ISR change: it may no longer be the leader.
        leaderPartitions: () => [...this.partitions.values()].filter((p) => p.isLeader && this.leadershipFence(p.topic, p.partition) === undefined),
        onIsrChanged: (p) => this.onIsrChanged(p),
        onHighWatermarkIncreased: (p) => this.onHighWatermarkIncreased(p),
        metrics: r.metrics,
      });
      this.isrManager.start();
    }
    this.logDirMover = new LogDirMover({ logManager: o.logManager, partition: (t, p) => this.getPartition(t, p), scheduler: o.scheduler, logger: this.log.child({ module: 'log-dir-mover' }), bytesPerSecond: o.alterLogDirsBytesPerSecond });
    this.logDirMover.start();
    this.fence = new ZooKeeperFence({
      zooKeeper: o.zooKeeper,
      scheduler: o.scheduler,
      stateLog: this.stateLog,
      ledPartitions: () => this.allPartitions().filter((p) => p.isLeader),
      // Parked produce answers NOT_LEADER_OR_FOLLOWER, parked consumer fetches re-check now.
      onFenced: (ps) => {
        for (const p of ps) {
          this.producePurgatory.notify(p.key);
          this.fetchPurgatory.notify(p.key);
        }
      },
      onUnfenced: (ps) => {
        for (const p of ps) this.onHighWatermarkMaybeMoved(p);
      },
    });
    this.transitions = {
      brokerId: o.brokerId,
      scheduler: o.scheduler,
      topicConfigs: o.topicConfigs,
      logManager: o.logManager,
      fetchers: this.fetchers,
      replicaLagTimeMaxMs: this.replicaLagTimeMaxMs,
      partitions: this.partitions,
      offline: this.offline,
      log: this.log,
      stateLog: this.stateLog,
      isStopped: () => this.stopped,
      isAlive: (id) => o.metadataCache.isAlive(id),
      leadershipFence: (topic, partition) => this.leadershipFence(topic, partition),
      settled: (key) => this.fence.settled(key),
      notifyLeadership: (topic, partition, isLeader) => this.notifyLeadership(topic, partition, isLeader),
      wake: (key) => {
        this.producePurgatory.notify(key);
        this.fetchPurgatory.notify(key);
      },
    };
  }

  // ---- the ZooKeeper fence (zookeeper-fence.ts decides; every path asks here) --------------------

  /** Undefined when this broker may act as leader of the partition (if it leads it), else why not. */
  leadershipFence(topic: string, partition: number): LeadershipFence | undefined {
    return this.fence.fenceOf(tpKey(topic, partition));
  }

  /** Throws NOT_LEADER_OR_FOLLOWER when `p` is fenced (produce, before and after the append). */
  ensureNotFenced(p: Partition): void {
    const fence = this.fence.fenceOf(p.key);
    if (fence !== undefined) throw new BrokerError('BRK_NOT_LEADER_OR_FOLLOWER', `broker ${this.brokerId} may not act as leader of ${p.key}: ${fence}`);
  }

  fenceStatus(): FenceStatus {
    return this.fence.status();
  }

  /** True while the broker-wide contact fence holds (this broker cannot vouch for its session). */
  zooKeeperContactLost(): boolean {
    return this.fence.contactLost();
  }

  /** A leader's ISR changed (AlterIsr answered, or an expansion went pending). */
  private onIsrChanged(p: Partition): void {
    this.stateLog.info({ topic: p.topic, partition: p.partition, leaderEpoch: p.leaderEpoch, isr: p.isr, pending: p.pendingIsr, zkVersion: p.zkVersion }, 'ISR updated');
    p.maybeIncrementHighWatermark(this.scheduler.now());
    // Waiters re-check even without an HW move: NOT_ENOUGH_REPLICAS_AFTER_APPEND depends on the ISR.
    this.fetchPurgatory.notify(p.key);
    this.producePurgatory.notify(p.key);
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  getPartition(topic: string, partition: number): Partition | undefined {
    return this.partitions.get(tpKey(topic, partition));
  }

  allPartitions(): Partition[] {
    return [...this.partitions.values()];
  }

  /** Hosted replicas whose log directory failed. */
  offlineReplicaCount(): number {
    return this.offline.size;
  }

  isReplicaOffline(topic: string, partition: number): boolean {
    return this.offline.has(tpKey(topic, partition));
  }

  /**
   * Kafka's ReplicaManager.handleLogDirFailure: the replicas whose logs were in a failed
   * directory stop being served at once (produce, fetch and replica fetch answer
   * KAFKA_STORAGE_ERROR, parked requests wake and fail, the group coordinator unloads), and
   * their fetchers stop. The controller is told separately (the log-dir event in ZooKeeper).
   */
  async handleLogDirFailure(logDir: string, partitions: readonly { topic: string; partition: number }[]): Promise<void> {
    const keys: string[] = [];
    for (const tp of partitions) {
      const key = tpKey(tp.topic, tp.partition);
      this.offline.add(key);
      keys.push(key);
      const p = this.partitions.get(key);
      if (p !== undefined) {
        p.offline = true;
        p.role = 'none';
      }
    }
    // Synchronously first: the fetchers forget these partitions before anything else runs.
    const removal = this.fetchers?.removePartitions(keys);
    for (const key of keys) {
      this.producePurgatory.notify(key);
      this.fetchPurgatory.notify(key);
      this.replicaFetchPurgatory.notify(key);
    }
    for (const tp of partitions) this.notifyLeadership(tp.topic, tp.partition, false);
    this.stateLog.warn({ logDir, partitions: keys }, 'stopped serving replicas in a failed log directory');
    await removal;
  }

  leaderCount(): number {
    let n = 0;
    for (const p of this.partitions.values()) if (p.isLeader) n++;
    return n;
  }

  /**
   * The partition if this broker leads it at the client's epoch, else the error a client acts
   * on: UNKNOWN_TOPIC_OR_PARTITION (nobody has it), NOT_LEADER_OR_FOLLOWER (someone else leads),
   * FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH (the client's view is older / newer).
   */
  leaderPartition(topic: string, partition: number, currentLeaderEpoch = NO_LEADER_EPOCH): Partition {
    const p = this.hostedPartition(topic, partition, currentLeaderEpoch);
    if (!p.isLeader) throw new BrokerError('BRK_NOT_LEADER_OR_FOLLOWER', `broker ${this.brokerId} is not the leader of ${p.key} (leader ${p.leader})`);
    return p;
  }

  /**
   * A consumer fetch that may read from a follower (KIP-392, Fetch v11+): the partition if this
   * broker leads or follows it at the client's epoch, with the same errors as `leaderPartition`
   * otherwise (a follower knows the leader epoch from its last LeaderAndIsr).
   */
  readablePartition(topic: string, partition: number, currentLeaderEpoch = NO_LEADER_EPOCH): Partition {
    return this.hostedPartition(topic, partition, currentLeaderEpoch);
  }

  /** KIP-392: the replica a consumer in `clientRack` should read from (-1 = here); read-replica.ts. */
  preferredReadReplica(p: Partition, clientRack: string, fetchOffset: bigint): number {
    const cache = this.o.metadataCache;
    return preferredReadReplica(p, clientRack, fetchOffset, {
      rackOf: (id) => (cache.isAlive(id) ? (cache.getBroker(id)?.rack ?? null) : undefined),
      nowMs: this.scheduler.now(),
    });
  }

  private hostedPartition(topic: string, partition: number, currentLeaderEpoch: number): Partition {
    if (this.stopped) throw new BrokerError('BRK_NOT_LEADER_OR_FOLLOWER', 'broker is shutting down');
    if (this.offline.has(tpKey(topic, partition))) {
      throw new BrokerError('BRK_KAFKA_STORAGE_ERROR', `the log directory of ${topic}-${partition} failed on broker ${this.brokerId}`);
    }
    const p = this.partitions.get(tpKey(topic, partition));
    if (p === undefined || p.role === 'none') {
      if (p === undefined && this.o.metadataCache.getPartition(topic, partition) === undefined) {
        throw new BrokerError('BRK_UNKNOWN_TOPIC_OR_PARTITION', `${topic}-${partition} is not a known partition`);
      }
      throw new BrokerError('BRK_NOT_LEADER_OR_FOLLOWER', `broker ${this.brokerId} does not host ${topic}-${partition}`);
    }
    if (currentLeaderEpoch !== NO_LEADER_EPOCH) {
      if (currentLeaderEpoch > p.leaderEpoch) throw new BrokerError('BRK_UNKNOWN_LEADER_EPOCH', `epoch ${currentLeaderEpoch} is newer than ${p.leaderEpoch} of ${p.key}`);
      if (currentLeaderEpoch < p.leaderEpoch) throw new BrokerError('BRK_FENCED_LEADER_EPOCH', `epoch ${currentLeaderEpoch} is older than ${p.leaderEpoch} of ${p.key}`);
    }
    return p;
  }

  /** Recomputes the HW of a leader partition and wakes whoever waits on it. */
  onHighWatermarkMaybeMoved(p: Partition): void {
    if (p.maybeIncrementHighWatermark(this.scheduler.now())) this.onHighWatermarkIncreased(p);
  }

  /** Parked produce (acks=-1) and consumer fetches may complete. */
  private onHighWatermarkIncreased(p: Partition): void {
    this.fetchPurgatory.notify(p.key);
    this.producePurgatory.notify(p.key);
    // Parked follower fetches carry the new HW to the followers (replica-fetch-leader.ts).
    this.replicaFetchPurgatory.notify(p.key);
  }

  /**
   * Leader: a follower's fetch reported its log end offset (`serveReplicaFetch` calls this); the
   * HW may move and parked produce/fetch requests are woken.
   */
  updateFollowerFetchState(topic: string, partition: number, followerId: number, fetchOffset: bigint, brokerEpoch = -1n): void {
    const p = this.partitions.get(tpKey(topic, partition));
    if (p === undefined || !p.isLeader) return;
    if (p.updateFollowerFetchState(followerId, fetchOffset, this.scheduler.now(), brokerEpoch)) this.onHighWatermarkIncreased(p);
    // An ISR member (the idle fetch of every partition) has nothing to expand: no fence or registration lookup.
    if (p.pendingIsr !== undefined || p.isr.includes(followerId)) return;
    // Only a broker the controller lists as alive may join (Kafka's ZooKeeper-mode rule).
    const registered = this.o.metadataCache.brokerEpoch(followerId);
    if (registered !== undefined && this.leadershipFence(topic, partition) === undefined) this.isrManager?.maybeExpand(p, followerId, registered);
  }

  /**
   * STALE_BROKER_EPOCH when a replica fetch comes from an older incarnation of its broker than
   * the one registered now (see `replicaFetchEpochVerdict`).
   */
  checkReplicaBrokerEpoch(replicaId: number, brokerEpoch: bigint): void {
    const registered = this.o.metadataCache.brokerEpoch(replicaId);
    if (replicaFetchEpochVerdict(brokerEpoch, registered) === 'stale') {
      throw new BrokerError('BRK_STALE_BROKER_EPOCH', `replica fetch from broker ${replicaId} with epoch ${brokerEpoch}, older than its registration ${registered}`);
    }
  }

  /**
   * After Partition.appendRecordsToLeader: parked follower fetches wake at once; parked produce
   * and consumer fetches when the high watermark moved (an ISR of one).
   */
  onLeaderAppended(p: Partition, highWatermarkIncreased: boolean): void {
    this.replicaFetchPurgatory.notify(p.key);
    if (highWatermarkIncreased) this.onHighWatermarkIncreased(p);
  }

  // ---- ReplicaStateListener ----------------------------------------------------------------------

  private readonly leadershipListeners: LeadershipListener[] = [];

  /** Called after each LeaderAndIsr/StopReplica transition, in the order they were applied. */
  addLeadershipListener(listener: LeadershipListener): void {
    this.leadershipListeners.push(listener);
  }

  private notifyLeadership(topic: string, partition: number, isLeader: boolean): void {
    for (const l of this.leadershipListeners) {
      try {
        l(topic, partition, isLeader);
      } catch (err) {
        this.log.error({ err, topic, partition }, 'leadership listener failed');
      }
    }
  }

  async onLeaderAndIsr(states: readonly LeaderAndIsrPartitionState[], origin: ControlRequestOrigin): Promise<PartitionErrors> {
    const errors = new Map<string, ErrorName>();
    if (this.stopped) return errors;
    // A pool, not rounds: a becoming leader waits on its epoch checkpoint's fsyncs, and a round
    // would wait for its slowest; thousands of partitions move at once when a broker dies.
    const width = this.o.transitionParallelism ?? 64;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < states.length) {
        const s = states[next++]!;
        const e = await makeLeaderOrFollower(this.transitions, s, origin);
        if (e !== undefined) errors.set(tpKey(s.topic, s.partition), e);
      }
    };
    await Promise.all(Array.from({ length: Math.min(width, states.length) }, worker));
    return errors;
  }

  async onStopReplica(partitions: readonly StopReplicaPartition[], origin: ControlRequestOrigin): Promise<PartitionErrors> {
    const errors = new Map<string, ErrorName>();
    for (const sp of partitions) {
      const e = await stopReplica(this.transitions, sp, origin);
      if (e !== undefined) errors.set(tpKey(sp.topic, sp.partition), e);
    }
    return errors;
  }

  /**
   * After every UpdateMetadata: a follower whose broker is no longer alive stops holding the HW
   * of the partitions led here (it may have been caught up when it died), so they may move now
   * rather than replica.lag.time.max.ms after its last fetch.
   */
  onMetadataUpdate(): void {
    if (this.stopped) return;
    for (const p of this.partitions.values()) if (p.isLeader) this.onHighWatermarkMaybeMoved(p);
  }

  /** The metadata cache applied an UpdateMetadata: parked admin waits re-check. */
  onMetadataCacheUpdated(): void {
    this.metadataPurgatory.notify(METADATA_CHANGES);
  }

  /** A topic's config changed in ZooKeeper: reload and apply to its open logs. */
  async reloadTopicConfig(topic: string): Promise<void> {
    if (![...this.partitions.values()].some((p) => p.topic === topic)) return;
    const settings = await this.topicConfigs.load(topic);
    this.logManager.updateTopicConfig(topic, settings.logConfig);
    this.log.info({ topic, overrides: settings.overrides }, 'applied new topic config');
  }

  /**
   * Stops serving: fetchers and the ISR task stop, every parked request wakes and answers
   * (NOT_LEADER_OR_FOLLOWER).
   */
  async shutdown(): Promise<void> {
    this.stopped = true;
    this.fence.stop();
    for (const p of this.partitions.values()) p.role = 'none';
    this.producePurgatory.notifyAll();
    this.fetchPurgatory.notifyAll();
    this.replicaFetchPurgatory.notifyAll();
    this.metadataPurgatory.notifyAll();
    await Promise.all([this.fetchers?.shutdown(), this.isrManager?.stop(), this.logDirMover.stop()]);
  }
}
