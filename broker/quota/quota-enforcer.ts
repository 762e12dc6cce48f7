/**
 * Which quota each Kafka request is charged to, as KafkaApis does (2.8), and the throttle time it
 * earns (the largest of them):
 * - Produce: `producer_byte_rate` with the request's size, once per request whatever its batches
 *   and records; `request_percentage` too unless acks=0 (no response to carry it).
 * - Fetch from a consumer (replicaId < 0): `consumer_byte_rate` with the records read and
 *   `request_percentage` with the work so far, both checked by the handler before the response is
 *   built (fetchThrottleMs); throttled by either, the fetch answers no records and its bytes are
 *   taken back, as KafkaApis.handleFetchRequest does; the encoding is recorded without a throttle.
 * - CreateTopics, CreatePartitions, DeleteTopics: `controller_mutation_rate` with the partitions
 *   created or deleted, charged by the handler on the controller topic by topic
 *   (ControllerMutationQuota; KIP-599 strict or permissive by version).
 * - Every request but the handshake (ApiVersions, SaslHandshake, SaslAuthenticate):
 *   `request_percentage` with the broker time it cost, as a percentage of one second.
 *
 * Request time is what this process spent on the request itself — decoding, the handler's
 * synchronous part and encoding (measured by the router) — not the time it waited in a purgatory (a long-poll Fetch or an
 * acks=all Produce waits without working), like Kafka's request thread time.
 */
import { ApiKey } from '../../protocol/index.js';
import type { RequestCost } from '../network/request-router.js';
import type { RequestTime } from '../request-context.js';
import type { ClientQuotaManager } from './client-quota-manager.js';


const EXEMPT: ReadonlySet<number> = new Set([ApiKey.ApiVersions, ApiKey.SaslHandshake, ApiKey.SaslAuthenticate]);
const NANOS_TO_PERCENTAGE_PER_SECOND = 100 / 1e9;

/** Who a request is charged to: the connection's principal and the request's client id. */
export interface QuotaClient {
  readonly principal: string;
  readonly clientId: string | null;
  /** The request's work so far (the router's), for a handler that checks request_percentage itself. */
  readonly requestTime?: RequestTime;
}

/**
 * One CreateTopics/CreatePartitions/DeleteTopics request's controller_mutation_rate (Kafka's
 * Strict/PermissiveControllerMutationQuota): the handler records each topic's partitions before
 * the controller mutates it. Strict (CreateTopics v6+, CreatePartitions v3+, DeleteTopics v5+): a
 * topic is refused with THROTTLING_QUOTA_EXCEEDED while the quota is exceeded. Permissive (older
 * versions): always accepted. Either way the response carries the throttle time.
 */
export class ControllerMutationQuota {
  private lastThrottleMs = 0;
  private lastRecordedMs = 0;

  constructor(
    private readonly quotas: ClientQuotaManager,
    private readonly client: QuotaClient,
    readonly strict: boolean,
  ) {}

  /**
   * Whether a controller_mutation_rate applies to this client: the handler then validates a topic
   * before charging it, as Kafka's admin manager does, so an invalid topic gets its own error and
   * costs nothing, even while the quota refuses valid ones.
   */
  get limited(): boolean {
    return this.quotas.hasQuota('controller_mutation_rate', this.client.principal, this.client.clientId);
  }

  /** Charges one topic's mutations; false when refused. */
  record(partitions: number): boolean {
    const { throttleMs, refused } = this.quotas.recordMutations(this.client.principal, this.client.clientId, partitions, this.strict);
    if (throttleMs > 0) {
      this.lastThrottleMs = throttleMs;
      this.lastRecordedMs = this.quotas.now();
    }
    return !refused;
  }

  /** Gives back a recorded topic whose mutation then failed. */
  unrecord(partitions: number): void {
    this.quotas.unrecordMutations(this.client.principal, this.client.clientId, partitions);
  }

  /** The throttle time less what the request already waited since (for its leaders, say), as Kafka does. */
  throttleTimeMs(): number {
    return Math.max(0, this.lastThrottleMs - (this.quotas.now() - this.lastRecordedMs));
  }
}

/** What handlers ask of the client quotas when Kafka charges inside the API (a consumer Fetch, the controller's mutations). */
export interface HandlerQuotas {
  /** The request's controller_mutation_rate, strict or permissive by the request's version. */
  controllerMutations(client: QuotaClient, strict: boolean): ControllerMutationQuota;
  /**
   * A consumer Fetch's quotas, as KafkaApis 2.8 checks them before building the response:
   * request_percentage with the request's work so far and consumer_byte_rate with the bytes read.
   * Answers the larger throttle time (ms); when above 0 the bytes are taken back and the handler
   * answers an empty response.
   */
  fetchThrottleMs(client: QuotaClient, bytes: number): number;
  /** The largest fetch that an idle sensor would not throttle for certain; Infinity without a quota. */
  maxFetchBytes(client: QuotaClient): number;
}

export class QuotaEnforcer implements HandlerQuotas {
  constructor(private readonly quotas: ClientQuotaManager) {}

  controllerMutations(client: QuotaClient, strict: boolean): ControllerMutationQuota {
    return new ControllerMutationQuota(this.quotas, client, strict);
  }

  fetchThrottleMs(client: QuotaClient, bytes: number): number {
    let requestThrottle = 0;
    if (client.requestTime !== undefined) {
      const nanos = client.requestTime.nanos();
      client.requestTime.charged = nanos;
      requestThrottle = this.quotas.recordAndGetThrottleTimeMs('request_percentage', client.principal, client.clientId, nanos * NANOS_TO_PERCENTAGE_PER_SECOND);
    }
    const bandwidthThrottle = this.quotas.recordAndGetThrottleTimeMs('consumer_byte_rate', client.principal, client.clientId, bytes);
    const throttle = Math.max(requestThrottle, bandwidthThrottle);
    // Throttled for either quota, the answer carries no records: their bytes were not sent.
    if (throttle > 0) this.quotas.unrecord('consumer_byte_rate', client.principal, client.clientId, bytes);
    return throttle;
  }

  maxFetchBytes(client: QuotaClient): number {
    return this.quotas.maxValueInQuotaWindow('consumer_byte_rate', client.principal, client.clientId);
  }

  /** The throttle time (ms) of one finished request; `response` is undefined when none is sent (acks=0). */
  throttleTimeMs(cost: RequestCost, request: unknown, response: unknown): number {
    if (EXEMPT.has(cost.apiKey)) return 0;
    const charge = (key: Parameters<ClientQuotaManager['recordAndGetThrottleTimeMs']>[0], value: number): number =>
      this.quotas.recordAndGetThrottleTimeMs(key, cost.principal, cost.clientId, value);
    let throttle = 0;
    switch (cost.apiKey) {
      case ApiKey.Produce:
        throttle = charge('producer_byte_rate', cost.requestBytes);
        if ((request as { acks: number }).acks === 0) return throttle;
        break;
      case ApiKey.Fetch:
        // Charged by the handler before it builds the response (fetchThrottleMs): read back for the mute.
      case ApiKey.CreateTopics:
      case ApiKey.CreatePartitions:
      case ApiKey.DeleteTopics:
        // Charged by the handler, topic by topic, as the controller mutates (controllerMutations).
        throttle = (response as { throttleTimeMs?: number } | undefined)?.throttleTimeMs ?? 0;
        break;
    }
    if (cost.chargedNanos !== undefined) {
      // The handler checked request_percentage with the work up to then (a consumer Fetch); the
      // rest (encoding) is recorded without a throttle, as Kafka records a Fetch's network-thread time.
      this.quotas.recordNoThrottle('request_percentage', cost.principal, cost.clientId, Math.max(0, cost.requestNanos - cost.chargedNanos) * NANOS_TO_PERCENTAGE_PER_SECOND);
      return throttle;
    }
    return Math.max(throttle, charge('request_percentage', cost.requestNanos * NANOS_TO_PERCENTAGE_PER_SECOND));
  }
}
