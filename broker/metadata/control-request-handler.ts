/**
 * The broker's ONE fence for controller requests (DESIGN §3): a request from an older controller
 * epoch than the highest seen is refused (STALE_CONTROLLER_EPOCH), as is one addressed to an
 * older incarnation of this broker (STALE_BROKER_EPOCH); per partition, a LeaderAndIsr whose
 * leaderEpoch does not move forward is refused, and a StopReplica whose epoch is behind is
 * FENCED_LEADER_EPOCH. Accepted UpdateMetadata fills the MetadataCache; accepted LeaderAndIsr and
 * StopReplica go to the replica manager through ReplicaStateListener. Requests are handled one
 * at a time, in arrival order.
 */
import { tpKey } from '../../common/index.js';
import type { Logger } from 'pino';
import type { ErrorName } from '../../protocol/index.js';
import {
  type ControlApi,
  type ControlRequests,
  type ControlResponses,
  EPOCH_DURING_DELETE,
  type LeaderAndIsrPartitionState,
  type LeaderAndIsrRequest,
  type LeaderAndIsrResponse,
  NO_EPOCH,
  type PartitionError,
  type StopReplicaPartition,
  type StopReplicaRequest,
  type StopReplicaResponse,
  type UpdateMetadataRequest,
  type UpdateMetadataResponse,
} from './control-requests.js';
import type { MetadataCache } from './metadata-cache.js';
import { BrokerError } from '../errors.js';

export interface ControlRequestOrigin {
  readonly controllerId: number;
  readonly controllerEpoch: number;
}

/** Per-partition answers a listener gives (`topic-partition` → error); absent = NONE. */
export type PartitionErrors = ReadonlyMap<string, ErrorName>;

/** Implemented by the replica manager: becomes leader/follower, stops or deletes replicas. */
export interface ReplicaStateListener {
  onLeaderAndIsr(partitionStates: readonly LeaderAndIsrPartitionState[], origin: ControlRequestOrigin): void | PartitionErrors | Promise<void | PartitionErrors>;
  onStopReplica(partitions: readonly StopReplicaPartition[], origin: ControlRequestOrigin): void | PartitionErrors | Promise<void | PartitionErrors>;
  /**
   * After every accepted UpdateMetadata, with the brokers it no longer lists as alive. The
   * controller sends one per decision, so work over every partition belongs behind
   * `brokersLeft.length > 0`, or N partitions cost N per ISR change.
   */
  onMetadataUpdate?(deletedTopics: readonly string[], brokersLeft: readonly number[]): void;
  /**
   * The local replica sits in a failed log directory: LeaderAndIsr answers KAFKA_STORAGE_ERROR
   * for it before any epoch check (Kafka's HostedPartition.Offline), which is how the controller
   * learns which replicas are offline.
   */
  isReplicaOffline?(topic: string, partition: number): boolean;
}

export interface ControlRequestHandlerOptions {
  brokerId: number;
  /** This broker's current epoch (czxid of its registration); changes on re-registration. */
  brokerEpoch: () => bigint;
  cache: MetadataCache;
  listener?: ReplicaStateListener;
  logger: Logger;
  /** Sees every request with the verdict and the highest controller epoch known before it (tests, metrics). */
  observe?: (api: ControlApi, request: ControlRequestOrigin, accepted: boolean, highestEpochBefore: number) => void;
}

export class ControlRequestError extends BrokerError<'BRK_INVALID_CONTROL_REQUEST'> {
  override readonly name = 'ControlRequestError';
  constructor(message: string) {
    super('BRK_INVALID_CONTROL_REQUEST', message);
  }
}

export class ControlRequestHandler {
  private highestControllerEpoch = -1;
  private readonly leaderEpochs = new Map<string, number>();
  private chain: Promise<unknown> = Promise.resolve();
  private readonly brokerId: number;
  private readonly brokerEpoch: () => bigint;
  private readonly cache: MetadataCache;
  private listener: ReplicaStateListener | undefined;
  private readonly log: Logger;
  private readonly observe: ControlRequestHandlerOptions['observe'];

  constructor(options: ControlRequestHandlerOptions) {
    this.brokerId = options.brokerId;
    this.brokerEpoch = options.brokerEpoch;
    this.cache = options.cache;
    this.listener = options.listener;
    this.log = options.logger;
    this.observe = options.observe;
  }

  get controllerEpoch(): number {
    return this.highestControllerEpoch;
  }

  setListener(listener: ReplicaStateListener): void {
    this.listener = listener;
  }

  /** Current leader epoch of a partition as this broker knows it from LeaderAndIsr (-1 = none). */
  leaderEpochOf(topic: string, partition: number): number {
    return this.leaderEpochs.get(tpKey(topic, partition)) ?? -1;
  }

  /** The handler of each control API, typed by its request (ControlRequests). */
  private readonly apis: { readonly [A in ControlApi]: (req: ControlRequests[A]) => Promise<ControlResponses[A]> } = {
    LeaderAndIsr: (req) => this.leaderAndIsr(req),
    UpdateMetadata: (req) => this.updateMetadata(req),
    StopReplica: (req) => this.stopReplica(req),
  };

  /** Entry point for the inter-broker listener: one request at a time, in arrival order. */
  handle<A extends ControlApi>(api: A, body: ControlRequests[A]): Promise<ControlResponses[A]> {
    const serve = Object.hasOwn(this.apis, api) ? this.apis[api] : undefined;
    const run = async (): Promise<ControlResponses[A]> => {
      if (serve === undefined) throw new ControlRequestError(`unknown control api ${String(api)}`);
      return serve(body);
    };
    const result = this.chain.then(run, run);
    this.chain = result.catch(() => undefined);
    return result;
  }

  private fence(api: ControlApi, req: { controllerId: number; controllerEpoch: number; brokerEpoch: bigint | number }): ErrorName | undefined {
    const before = this.highestControllerEpoch;
    const verdict = this.decide(api, req);
    this.observe?.(api, { controllerId: req.controllerId, controllerEpoch: req.controllerEpoch }, verdict === undefined, before);
    return verdict;
  }

  private decide(api: ControlApi, req: { controllerId: number; controllerEpoch: number; brokerEpoch: bigint | number }): ErrorName | undefined {
    const requested = BigInt(req.brokerEpoch);
    const current = this.brokerEpoch();
    if (requested !== -1n && requested < current) {
      this.log.warn(
        { api, controllerId: req.controllerId, controllerEpoch: req.controllerEpoch, requestBrokerEpoch: requested.toString(), brokerEpoch: current.toString() },
        `ignoring ${api}: it was sent to an older incarnation of broker ${this.brokerId}`,
      );
      return 'STALE_BROKER_EPOCH';
    }
    if (req.controllerEpoch < this.highestControllerEpoch) {
      this.log.warn(
        { api, controllerId: req.controllerId, controllerEpoch: req.controllerEpoch, highestControllerEpoch: this.highestControllerEpoch },
        `ignoring ${api} from controller ${req.controllerId} with stale controller epoch ${req.controllerEpoch}`,
      );
      return 'STALE_CONTROLLER_EPOCH';
    }
    this.highestControllerEpoch = req.controllerEpoch;
    return undefined;
  }

  private async leaderAndIsr(req: LeaderAndIsrRequest): Promise<LeaderAndIsrResponse> {
    const refused = this.fence('LeaderAndIsr', req);
    if (refused !== undefined) {
      return { errorCode: refused, partitionErrors: req.partitionStates.map((p) => ({ topic: p.topic, partition: p.partition, errorCode: refused })) };
    }
    const errors: PartitionError[] = [];
    const accepted: LeaderAndIsrPartitionState[] = [];
    for (const p of req.partitionStates) {
      const key = tpKey(p.topic, p.partition);
      const current = this.leaderEpochs.get(key);
      if (!p.replicas.includes(this.brokerId)) {
        errors.push({ topic: p.topic, partition: p.partition, errorCode: 'UNKNOWN_TOPIC_OR_PARTITION' });
        continue;
      }
      if (this.listener?.isReplicaOffline?.(p.topic, p.partition) === true) {
        errors.push({ topic: p.topic, partition: p.partition, errorCode: 'KAFKA_STORAGE_ERROR' });
        continue;
      }
      if (current !== undefined && p.leaderEpoch <= current) {
        // Kafka answers STALE_CONTROLLER_EPOCH here (sic). An equal epoch is the normal re-send
        // of a new controller's failover, so only a backwards epoch is worth a warning.
        const fields = { topic: p.topic, partition: p.partition, leaderEpoch: p.leaderEpoch, currentLeaderEpoch: current, controllerEpoch: req.controllerEpoch };
        if (p.leaderEpoch < current) this.log.warn(fields, 'ignoring LeaderAndIsr for a partition whose leader epoch went backwards');
        else this.log.debug(fields, 'ignoring LeaderAndIsr for a partition whose leader epoch is unchanged');
        errors.push({ topic: p.topic, partition: p.partition, errorCode: 'STALE_CONTROLLER_EPOCH' });
        continue;
      }
      this.leaderEpochs.set(key, p.leaderEpoch);
      accepted.push(p);
      errors.push({ topic: p.topic, partition: p.partition, errorCode: 'NONE' });
    }
    if (accepted.length > 0) {
      const failed = await this.listener?.onLeaderAndIsr(accepted, { controllerId: req.controllerId, controllerEpoch: req.controllerEpoch });
      return { errorCode: 'NONE', partitionErrors: withListenerErrors(errors, failed) };
    }
    return { errorCode: 'NONE', partitionErrors: errors };
  }

  private async updateMetadata(req: UpdateMetadataRequest): Promise<UpdateMetadataResponse> {
    const refused = this.fence('UpdateMetadata', req);
    if (refused !== undefined) return { errorCode: refused };
    const aliveBefore = this.cache.aliveBrokers().map((b) => b.id);
    const deleted = this.cache.apply(req);
    this.listener?.onMetadataUpdate?.(deleted, aliveBefore.filter((id) => !this.cache.isAlive(id)));
    return { errorCode: 'NONE' };
  }

  private async stopReplica(req: StopReplicaRequest): Promise<StopReplicaResponse> {
    const refused = this.fence('StopReplica', req);
    if (refused !== undefined) {
      return { errorCode: refused, partitionErrors: req.partitions.map((p) => ({ topic: p.topic, partition: p.partition, errorCode: refused })) };
    }
    const errors: PartitionError[] = [];
    const accepted: StopReplicaPartition[] = [];
    for (const p of req.partitions) {
      const key = tpKey(p.topic, p.partition);
      const current = this.leaderEpochs.get(key);
      const sentinel = p.leaderEpoch === EPOCH_DURING_DELETE || p.leaderEpoch === NO_EPOCH;
      if (!sentinel && current !== undefined && p.leaderEpoch <= current) {
        this.log.warn({ topic: p.topic, partition: p.partition, leaderEpoch: p.leaderEpoch, currentLeaderEpoch: current }, 'ignoring StopReplica with an old leader epoch');
        errors.push({ topic: p.topic, partition: p.partition, errorCode: 'FENCED_LEADER_EPOCH' });
        continue;
      }
      if (p.deletePartition) this.leaderEpochs.delete(key);
      else if (!sentinel) this.leaderEpochs.set(key, p.leaderEpoch);
      accepted.push(p);
      errors.push({ topic: p.topic, partition: p.partition, errorCode: 'NONE' });
    }
    if (accepted.length > 0) {
      const failed = await this.listener?.onStopReplica(accepted, { controllerId: req.controllerId, controllerEpoch: req.controllerEpoch });
      return { errorCode: 'NONE', partitionErrors: withListenerErrors(errors, failed) };
    }
    return { errorCode: 'NONE', partitionErrors: errors };
  }
}

function withListenerErrors(errors: PartitionError[], failed: void | PartitionErrors): PartitionError[] {
  if (failed === undefined || failed.size === 0) return errors;
  return errors.map((e) => {
    const f = e.errorCode === 'NONE' ? failed.get(`${e.topic}-${e.partition}`) : undefined;
    return f === undefined ? e : { ...e, errorCode: f };
  });
}

export type { ControlApi };
