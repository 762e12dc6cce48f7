/**
 * Requests to the coordinator of one key: a consumer group's (FindCoordinator key type 0) or a
 * transactional id's (key type 1). Finds it, keeps its connection, and forgets it when it moves
 * (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE) or its connection fails, so the caller's next
 * attempt looks it up again. Callers own their retry loops.
 */
import type { FindCoordinatorRequest, FindCoordinatorResponse } from '../protocol/index.js';
import type { Cluster } from './cluster.js';
import type { Connection } from './connection.js';
import { KafkaClientError, brokerError } from './errors.js';
import { API, errorInfo } from './wire.js';

export const COORDINATOR_LOAD_IN_PROGRESS = 14;
export const COORDINATOR_NOT_AVAILABLE = 15;
export const NOT_COORDINATOR = 16;

const COORDINATOR_MOVED = new Set<number>([COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR]);

export type CoordinatorKeyType = 0 | 1;

export class CoordinatorClient {
  private coordinator: Connection | undefined;
  /** The broker id of the coordinator last found (kept after it is marked dead, for reports). */
  coordinatorId: number | undefined;
  private finding: Promise<Connection> | undefined;

  constructor(
    protected readonly cluster: Cluster,
    /** The group id or transactional id. */
    readonly key: string,
    readonly keyType: CoordinatorKeyType,
  ) {}

  /** The coordinator connection, discovering it if needed. */
  coordinatorConnection(): Promise<Connection> {
    if (this.coordinator !== undefined && !this.coordinator.closed) return Promise.resolve(this.coordinator);
    this.finding ??= this.find().finally(() => {
      this.finding = undefined;
    });
    return this.finding;
  }

  private async find(): Promise<Connection> {
    const req: FindCoordinatorRequest = { key: this.key, keyType: this.keyType };
    const what = this.keyType === 0 ? 'group' : 'transactional id';
    const res = await this.cluster.withAnyBroker((c) => c.send<FindCoordinatorResponse>(API.FindCoordinator, req));
    if (res.errorCode !== undefined && res.errorCode !== 0) {
      throw brokerError(errorInfo(res.errorCode), `find coordinator of ${what} ${this.key}`);
    }
    if (res.nodeId === undefined || res.host === undefined || res.port === undefined) {
      throw new KafkaClientError('CLI_PROTOCOL', 'FindCoordinator answered without a node');
    }
    this.coordinator = this.cluster.coordinatorConnection(res.nodeId, res.host, res.port);
    this.coordinatorId = res.nodeId;
    return this.coordinator;
  }

  /** Forget the coordinator (it moved or its connection failed). */
  markCoordinatorDead(): void {
    this.coordinator = undefined;
  }

  /**
   * Send to the coordinator. A top-level coordinator error or a connection failure marks it
   * dead; callers retry (after a backoff) through their own loop.
   */
  async send<T extends { errorCode?: number }>(apiKey: number, body: unknown, timeoutMs?: number): Promise<T> {
    const c = await this.coordinatorConnection();
    let res: T;
    try {
      res = await c.send<T>(apiKey, body, timeoutMs === undefined ? {} : { timeoutMs });
    } catch (err) {
      if (err instanceof KafkaClientError && (err.code === 'CLI_CONNECTION' || err.code === 'CLI_REQUEST_TIMEOUT')) this.markCoordinatorDead();
      throw err;
    }
    if (res.errorCode !== undefined && COORDINATOR_MOVED.has(res.errorCode)) this.markCoordinatorDead();
    return res;
  }

  /** The version the current coordinator connection uses for an API; undefined before it is connected. */
  negotiatedVersion(apiKey: number): number | undefined {
    const c = this.coordinator;
    if (c === undefined || !c.connected) return undefined;
    try {
      return c.negotiate(apiKey);
    } catch {
      return undefined;
    }
  }

  /** Moved or loading: worth a retry after a backoff (the next send looks the coordinator up again). */
  isCoordinatorError(code: number): boolean {
    return COORDINATOR_MOVED.has(code) || code === COORDINATOR_LOAD_IN_PROGRESS;
  }

  /** Mark the coordinator dead if `code` says it moved. */
  noteError(code: number): void {
    if (COORDINATOR_MOVED.has(code)) this.markCoordinatorDead();
  }
}
