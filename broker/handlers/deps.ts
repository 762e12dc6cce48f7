/**
 * What the data-path and admin handlers need from the broker, handed over by the composition
 * root (broker/broker.ts). Handlers hold no state of their own.
 */
import type { Logger } from 'pino';
import type { TopicAdmin } from '../admin/index.js';
import type { BrokerConfig, DynamicBrokerConfig } from '../config/index.js';
import type { FetchManager } from '../fetch-session/index.js';
import type { MetadataCache } from '../metadata/index.js';
import type { HandlerQuotas } from '../quota/index.js';
import type { Scheduler } from '../../common/index.js';
import { METADATA_CHANGES, waitUntil, type ReplicaManager } from '../replica/index.js';

export interface HandlerDeps {
  readonly brokerId: number;
  readonly config: BrokerConfig;
  /** server.properties plus the dynamic broker configs (DescribeConfigs, Alter on BROKER resources). */
  readonly dynamicConfig?: DynamicBrokerConfig;
  /** Known once the broker has read or created /cluster/id. */
  readonly clusterId: () => string | null;
  readonly replicaManager: ReplicaManager;
  readonly metadataCache: MetadataCache;
  readonly topicAdmin: TopicAdmin;
  /** True while this broker is the active controller (admin APIs answer NOT_CONTROLLER otherwise). */
  readonly isController: () => boolean;
  /** This controller announced new partitions of the topic that not every broker has acknowledged yet. */
  readonly metadataPropagating?: (topic: string) => boolean;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** KIP-227 fetch sessions; without it every fetch is sessionless (session id 0). */
  readonly fetchSessions?: FetchManager;
  /** Client quotas charged inside an API (a consumer Fetch, the controller's mutations); without it none are. */
  readonly quotas?: HandlerQuotas;
  /** Per-topic byte/message counters (BrokerMetrics fits); optional. */
  readonly metrics?: DataPathObserver;
}

interface DataPathObserver {
  onProduce(event: { topic: string; bytes: number; messages: number; failed?: boolean }): void;
  onFetch(event: { topic: string; bytes: number; messages?: number; replication?: boolean; failed?: boolean }): void;
}

/**
 * Waits until `check` holds about the metadata cache, re-checking on each of its updates (the
 * replica manager's metadata purgatory, the data path's mechanism), for at most `timeoutMs`.
 */
export async function waitForMetadata(deps: HandlerDeps, timeoutMs: number, check: () => boolean, signal?: AbortSignal): Promise<boolean> {
  const deadline = deps.scheduler.now() + Math.max(0, timeoutMs);
  const rm = deps.replicaManager;
  return (await waitUntil(rm.metadataPurgatory, deps.scheduler, [METADATA_CHANGES], deadline, () => (check() ? true : undefined), signal)) === true;
}
