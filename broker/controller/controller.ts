/**
 * Each broker's controller component (Kafka's KafkaController): registers the broker, takes part
 * in controller elections, and while elected runs an ActiveController. Everything happens as
 * events on ONE queue (see README for the ordering rules). Session expiry drops all queued
 * events and resigns before anything else; the new session re-registers (new broker epoch) and
 * re-elects. A ZooKeeper write refused by the epoch fence (CRD_CONTROLLER_MOVED) resigns at once.
 */
import type { Logger } from 'pino';
import {
  ensurePersistentPaths,
  isControllerMoved,
  isCoordinationError,
  readActiveController,
  registerBroker,
  resignController,
  tryElectController,
} from '../../coordination/index.js';
import { type Scheduler, systemScheduler } from '../../common/index.js';
import type { ErrorName } from '../../protocol/index.js';
import { ActiveController } from './active-controller.js';
import { partitionsToRebalance } from './auto-rebalance.js';
import type { OngoingReassignment, ReassignmentRequest } from './reassignment.js';
import { alterIsr, type AlterIsrPartition, type AlterIsrPartitionResult } from './alter-isr.js';
import type { TopicPartition } from './context.js';
import { ControllerEventQueue } from './event-queue.js';
import { ControllerError, type ControllerEvent, type ElectionType, isApiEvent, rejectDropped } from './events.js';
import { controllerMetrics, type ControllerMetrics, type ControllerOptions } from './controller-options.js';

export type { ControllerMetrics, ControllerOptions } from './controller-options.js';

export class Controller {
  private readonly queue: ControllerEventQueue<ControllerEvent>;
  private readonly sched: Scheduler;
  private readonly log: Logger;
  private active: ActiveController | undefined;
  private activeId = -1;
  private epoch = bigintNone;
  private registeredSession: bigint | null = null;
  private unsubscribe: (() => void) | undefined;
  private stopped = false;
  private stopping = false;
  private rebalanceTimer: unknown;
  /** Controller epochs this broker has held, for tests and metrics. */
  readonly epochsHeld: number[] = [];

  constructor(private readonly o: ControllerOptions) {
    this.sched = o.scheduler ?? systemScheduler;
    this.log = o.logger;
    this.queue = new ControllerEventQueue<ControllerEvent>(
      (e) => this.process(e),
      (e, err) => this.log.error({ err, event: e.type }, 'controller event failed'),
    );
  }

  get brokerId(): number {
    return this.o.broker.id;
  }

  /** czxid of this broker's current registration; -1n before the first one. */
  get brokerEpoch(): bigint {
    return this.epoch;
  }

  get isActive(): boolean {
    return this.active !== undefined;
  }

  get activeControllerId(): number {
    return this.activeId;
  }

  /** The epoch this broker controls with, or -1 when not the controller. */
  get controllerEpoch(): number {
    return this.active?.epoch ?? -1;
  }

  /** Some new partitions of `topic` were announced to brokers that have not all acknowledged yet. */
  isPropagating(topic: string): boolean {
    return this.active?.propagation.isPending(topic) ?? false;
  }

  /** The live controllership (tests and metrics); undefined when not the controller. */
  get current(): ActiveController | undefined {
    return this.active;
  }

  /** Kafka's controller gauges (zero on brokers that are not the controller). */
  metrics(): ControllerMetrics {
    return controllerMetrics(this.active);
  }

  /** Creates persistent paths, registers the broker and queues the first election. */
  async startup(): Promise<void> {
    await ensurePersistentPaths(this.o.store);
    await this.register();
    this.unsubscribe = this.o.store.addSessionListener({
      sessionExpired: () => {
        rejectDropped(this.queue.clearAndPut({ type: 'Expire' }), 'controller session expired');
      },
      newSession: () => this.queue.put({ type: 'RegisterBrokerAndReelect' }),
    });
    this.queue.put({ type: 'Startup' });
  }

  /** Resigns (deleting /controller if still ours) and stops processing. Does not close the session. */
  async shutdown(): Promise<void> {
    if (this.stopped) return;
    // From now on no election: deleting our own /controller must not make us win it back.
    this.stopping = true;
    this.queue.put({ type: 'Shutdown' });
    await this.queue.idle();
    this.stopped = true;
    rejectDropped(this.queue.close(), 'controller shut down');
    this.unsubscribe?.();
  }

  /** Resolves once every queued event has been processed (tests, orderly shutdown). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  controlledShutdown(brokerId: number, brokerEpoch: bigint): Promise<TopicPartition[]> {
    return this.ask((resolve, reject) => ({ type: 'ControlledShutdown', brokerId, brokerEpoch, resolve, reject }));
  }

  /** ElectLeaders API: result per `topic-partition`. */
  electLeaders(partitions: readonly TopicPartition[], electionType: ElectionType): Promise<Map<string, ErrorName>> {
    return this.ask((resolve, reject) => ({ type: 'ElectLeaders', partitions, electionType, resolve, reject }));
  }

  /** AlterIsr from a partition leader (KIP-497): results per partition, in request order. */
  alterIsr(brokerId: number, brokerEpoch: bigint, partitions: readonly AlterIsrPartition[]): Promise<AlterIsrPartitionResult[]> {
    return this.ask((resolve, reject) => ({ type: 'AlterIsr', brokerId, brokerEpoch, partitions, resolve, reject }));
  }

  /** AlterPartitionReassignments: starts moving partitions to new replicas; result per `topic-partition`. */
  reassignPartitions(requests: readonly ReassignmentRequest[]): Promise<Map<string, ErrorName>> {
    return this.ask((resolve, reject) => ({ type: 'ReassignPartitions', requests, resolve, reject }));
  }

  listPartitionReassignments(): Promise<OngoingReassignment[]> {
    return this.ask((resolve, reject) => ({ type: 'ListReassignments', resolve, reject }));
  }

  /** Queues an API event; after shutdown the caller is answered NOT_CONTROLLER instead of never. */
  private ask<T>(make: (resolve: (v: T) => void, reject: (err: Error) => void) => ControllerEvent): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.stopped || this.stopping) {
        reject(new ControllerError('BRK_NOT_CONTROLLER', `broker ${this.brokerId} is shutting down`));
        return;
      }
      this.queue.put(make(resolve, reject));
    });
  }

  /** Sends UpdateMetadata for everything to every live broker (what a controller believes, now). */
  resendMetadata(): Promise<void> {
    return this.ask((resolve, reject) => ({ type: 'ResendMetadata', resolve, reject }));
  }

  // ---- event processing --------------------------------------------------------------------------

  private async process(e: ControllerEvent): Promise<void> {
    if (this.stopped) return;
    try {
      await this.dispatch(e);
    } catch (err) {
      if (isControllerMoved(err)) {
        this.log.warn({ event: e.type, controllerEpoch: this.active?.epoch }, 'controller moved: a ZooKeeper write was fenced; resigning');
        if (isApiEvent(e)) e.reject(new ControllerError('BRK_NOT_CONTROLLER', 'the controller moved while handling the request'));
        await this.maybeResign(true);
        return;
      }
      if (isApiEvent(e)) e.reject(err as Error);
      if (isCoordinationError(err) && err.retriable && RETRIED.has(e.type)) {
        // The watch that produced this event is spent; run it again rather than go deaf.
        const ac = this.active;
        this.log.warn({ event: e.type, err: err.message }, 'controller event failed on a ZooKeeper error; retrying');
        this.sched.setTimeout(() => {
          if (!this.stopped && (ELECTION_EVENTS.has(e.type) || (ac !== undefined && this.active === ac))) this.queue.put(e);
        }, RETRY_BACKOFF_MS);
        return;
      }
      throw err;
    }
  }

  private async dispatch(e: ControllerEvent): Promise<void> {
    const ac = this.active;
    if (this.stopping && ELECTION_EVENTS.has(e.type)) return;
    switch (e.type) {
      case 'Startup':
        return this.elect();
      case 'Reelect':
        await this.maybeResign();
        return this.elect();
      case 'ControllerChange':
        return this.maybeResign();
      case 'Expire':
        this.activeId = -1;
        this.resign('session expired');
        return;
      case 'RegisterBrokerAndReelect': {
        await this.register();
        await this.maybeResign();
        const still = this.active;
        // Still the controller: the session survived but moved to a new client object, and the
        // watches died with the old one. Without this, elect() returns early and we go deaf.
        if (still !== undefined) return still.resync();
        return this.elect();
      }
      case 'Shutdown':
        if (ac !== undefined) {
          const lease = { brokerId: this.brokerId, controllerEpoch: ac.epoch, epochZkVersion: ac.writer.epochZkVersion };
          this.resign('shutdown');
          await resignController(this.o.store, lease).catch((err: unknown) => this.log.warn({ err }, 'could not delete /controller at shutdown'));
        }
        return;
      case 'ControlledShutdown':
        if (ac === undefined) return e.reject(new ControllerError('BRK_NOT_CONTROLLER', `broker ${this.brokerId} is not the controller`));
        return e.resolve(await ac.admin.controlledShutdown(e.brokerId, e.brokerEpoch));
      case 'ElectLeaders':
        if (ac === undefined) return e.reject(new ControllerError('BRK_NOT_CONTROLLER', `broker ${this.brokerId} is not the controller`));
        return e.resolve(await ac.admin.electLeaders(e.partitions, e.electionType));
      case 'AlterIsr':
        if (ac === undefined) return e.reject(new ControllerError('BRK_NOT_CONTROLLER', `broker ${this.brokerId} is not the controller`));
        return e.resolve(await alterIsr(ac, e.brokerId, e.brokerEpoch, e.partitions));
      case 'ReassignPartitions':
        if (ac === undefined) return e.reject(new ControllerError('BRK_NOT_CONTROLLER', `broker ${this.brokerId} is not the controller`));
        return e.resolve(await ac.reassignments.start(e.requests));
      case 'ListReassignments':
        if (ac === undefined) return e.reject(new ControllerError('BRK_NOT_CONTROLLER', `broker ${this.brokerId} is not the controller`));
        return e.resolve(ac.reassignments.list());
      case 'ResendMetadata':
        if (ac === undefined) return e.reject(new ControllerError('BRK_NOT_CONTROLLER', `broker ${this.brokerId} is not the controller`));
        ac.resendMetadata();
        return e.resolve();
    }
    if (ac === undefined) return;
    switch (e.type) {
      case 'BrokerChange':
        return ac.brokers.onBrokerChange();
      case 'TopicChange':
        return ac.topics.onTopicChange();
      case 'PartitionModifications':
        return ac.topics.onPartitionModifications(e.topic);
      case 'TopicDeletion':
        return ac.admin.onTopicDeletion();
      case 'TopicDeletionStopReplicaResult':
        return ac.admin.onStopReplicaResult(e.topic, e.brokerId, e.ok);
      case 'ConfigChange':
        return ac.admin.onConfigChange();
      case 'PreferredReplicaElection':
        return ac.admin.onPreferredReplicaElection();
      case 'IsrChangeNotification':
        return ac.admin.onIsrChangeNotification();
      case 'LogDirEventNotification':
        return ac.logDirs.onNotification();
      case 'LeaderAndIsrResponse':
        return ac.logDirs.onLeaderAndIsrResponse(e.brokerId, e.brokerEpoch, e.response);
      case 'PartitionReassignment':
        return ac.reassignments.onAdminNode();
      case 'AutoLeaderRebalance': {
        this.scheduleRebalance(ac);
        const tps = partitionsToRebalance(ac, this.o.leaderImbalancePerBrokerPercentage ?? 10);
        if (tps.length > 0) {
          this.log.info({ partitions: tps.length }, 'automatic preferred leader election');
          await ac.admin.electLeaders(tps, 'preferred');
        }
        return;
      }
    }
  }

  private async register(): Promise<void> {
    const { brokerEpoch } = await registerBroker(this.o.store, { ...this.o.broker, timestamp: BigInt(this.sched.now()) }, this.registeredSession);
    this.registeredSession = this.o.store.sessionId;
    this.epoch = brokerEpoch;
    this.log.info({ brokerId: this.brokerId, brokerEpoch: brokerEpoch.toString() }, 'registered broker in ZooKeeper');
    this.o.onBrokerEpoch?.(brokerEpoch);
  }

  private controllerWatcher = (): void => {
    if (!this.stopped && !this.stopping) this.queue.put({ type: 'Reelect' });
  };

  private async elect(): Promise<void> {
    if (this.active !== undefined) return;
    const outcome = await tryElectController(this.o.store, this.brokerId, BigInt(this.sched.now()));
    // Re-arm the watch whatever happened: losers wait for /controller to go, winners for theft.
    const holder = await readActiveController(this.o.store, this.controllerWatcher);
    if (!outcome.won) {
      this.activeId = holder;
      if (holder === -1) this.queue.put({ type: 'Reelect' });
      else this.log.info({ activeControllerId: holder }, 'another broker is the controller');
      return;
    }
    this.activeId = this.brokerId;
    this.epochsHeld.push(outcome.lease.controllerEpoch);
    const ac = new ActiveController({
      store: this.o.store,
      lease: outcome.lease,
      transport: this.o.transport,
      interBrokerListenerName: this.o.interBrokerListenerName,
      uncleanLeaderElectionEnable: uncleanGetter(this.o.uncleanLeaderElectionEnable),
      scheduler: this.sched,
      logger: this.log.child({ controllerEpoch: outcome.lease.controllerEpoch }),
      stateLog: this.o.stateChangeLogger,
      ...(this.o.onLeaderElection === undefined ? {} : { onLeaderElection: this.o.onLeaderElection }),
      ...(this.o.onMetadataPropagated === undefined ? {} : { onMetadataPropagated: this.o.onMetadataPropagated }),
      enqueue: (event) => {
        if (this.active === ac) this.queue.put(event);
      },
    });
    this.active = ac;
    this.log.info({ controllerEpoch: outcome.lease.controllerEpoch, epochZkVersion: outcome.lease.epochZkVersion }, 'elected controller');
    try {
      await ac.failover();
    } catch (err) {
      // Kafka's triggerControllerMove: a controller whose context did not load must not stay active
      // (the retried election would return early, and a later re-read would take every topic it
      // missed for a new one). Give /controller up; the election runs again from the start.
      this.log.warn({ controllerEpoch: ac.epoch, err: (err as Error).message }, 'controller failover failed; resigning so that the election runs again');
      this.resign('failover failed');
      await resignController(this.o.store, outcome.lease).catch((e: unknown) => this.log.warn({ err: e }, 'could not delete /controller after a failed failover'));
      throw err;
    }
    this.scheduleRebalance(ac);
  }

  private scheduleRebalance(ac: ActiveController): void {
    if (this.o.autoLeaderRebalanceEnable === false) return;
    if (this.rebalanceTimer !== undefined) this.sched.clearTimeout(this.rebalanceTimer);
    this.rebalanceTimer = this.sched.setTimeout(() => {
      this.rebalanceTimer = undefined;
      if (this.active === ac && !this.stopping) this.queue.put({ type: 'AutoLeaderRebalance' });
    }, this.o.leaderImbalanceCheckIntervalMs ?? 300_000);
  }

  /** Kafka's maybeResign: re-read /controller (re-arming the watch); resign if it is not us. */
  private async maybeResign(force = false): Promise<void> {
    const wasActive = this.active !== undefined;
    if (force) this.resign('controller moved');
    this.activeId = await readActiveController(this.o.store, this.controllerWatcher);
    if (wasActive && this.activeId !== this.brokerId) this.resign(`controller moved to ${this.activeId}`);
    if (this.activeId === -1 && !this.stopped && !this.stopping) this.queue.put({ type: 'Reelect' });
  }

  private resign(why: string): void {
    const ac = this.active;
    if (ac === undefined) return;
    if (this.rebalanceTimer !== undefined) this.sched.clearTimeout(this.rebalanceTimer);
    this.rebalanceTimer = undefined;
    this.active = undefined;
    ac.end();
    this.o.stateChangeLogger.info({ controllerId: this.brokerId, controllerEpoch: ac.epoch, reason: why }, 'resigned as controller');
  }
}

const bigintNone = -1n;
const RETRY_BACKOFF_MS = 500;
const ELECTION_EVENTS: ReadonlySet<string> = new Set(['Startup', 'Reelect', 'ControllerChange', 'RegisterBrokerAndReelect']);
const RETRIED: ReadonlySet<string> = new Set([
  ...ELECTION_EVENTS,
  'BrokerChange',
  'TopicChange',
  'PartitionModifications',
  'TopicDeletion',
  'ConfigChange',
  'PreferredReplicaElection',
  'IsrChangeNotification',
  'LogDirEventNotification',
  'LeaderAndIsrResponse',
  'PartitionReassignment',
]);

/** unclean.leader.election.enable as a getter, whether given as a value or a getter. */
function uncleanGetter(v: boolean | (() => boolean) | undefined): () => boolean {
  return typeof v === 'function' ? v : () => v ?? false;
}
