/**
 * What the data-path and admin handlers need from the broker, handed over by the composition
 * root (broker/broker.ts). Handlers hold no state of their own.
 */
import type { Logger } from 'pino';
import type { TopicAdmin } from '../admin/index.js';
import type { BrokerConfig } from '../config/index.js';
import type { MetadataCache } from '../metadata/index.js';
import { type Scheduler, sleep } from '../../common/index.js';
import type { ReplicaManager } from '../replica/index.js';

export interface HandlerDeps {
  readonly brokerId: number;
  readonly config: BrokerConfig;
  /** Known once the broker has read or created /cluster/id. */
  readonly clusterId: () => string | null;
  readonly replicaManager: ReplicaManager;
  readonly metadataCache: MetadataCache;
  readonly topicAdmin: TopicAdmin;
  /** True while this broker is the active controller (admin APIs answer NOT_CONTROLLER otherwise). */
  readonly isController: () => boolean;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** Per-topic byte/message counters (BrokerMetrics fits); optional. */
  readonly metrics?: DataPathObserver;
}

interface DataPathObserver {
  onProduce(event: { topic: string; bytes: number; messages: number; failed?: boolean }): void;
  onFetch(event: { topic: string; bytes: number; replication?: boolean; failed?: boolean }): void;
}

/** Polls `check` every `intervalMs` until it is true or `timeoutMs` passed (bounded). */
export async function pollUntil(scheduler: Scheduler, timeoutMs: number, check: () => boolean, intervalMs = 25, signal?: AbortSignal): Promise<boolean> {
  const deadline = scheduler.now() + Math.max(0, timeoutMs);
  while (!check()) {
    const remaining = deadline - scheduler.now();
    if (remaining <= 0 || signal?.aborted) return false;
    await sleep(scheduler, Math.min(intervalMs, remaining), signal);
  }
  return true;
}
