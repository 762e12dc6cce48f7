/**
 * Which quota each Kafka request is charged to, as KafkaApis does (2.8), and the throttle time it
 * earns (the largest of them):
 * - Produce: `producer_byte_rate` with the request's size, once per request whatever its batches
 *   and records; `request_percentage` too unless acks=0 (no response to carry it).
 * - Fetch from a consumer (replicaId < 0): `consumer_byte_rate` with the records read, charged by
 *   the handler before the response is built (fetchThrottleMs); a throttled fetch answers no records
 *   and its bytes are taken back, as KafkaApis.handleFetchRequest does.
 * - CreateTopics, CreatePartitions, DeleteTopics: `controller_mutation_rate` with the partitions
 *   mutated (approximated from the request, see mutatedPartitions; KIP-599's permissive mode: the
 *   throttle time is returned, nothing is refused with THROTTLING_QUOTA_EXCEEDED).
 * - Every request but the handshake (ApiVersions, SaslHandshake, SaslAuthenticate):
 *   `request_percentage` with the broker time it cost, as a percentage of one second.
 *
 * Request time is what this process spent on the request itself — decoding, the handler's
 * synchronous part and encoding (measured by the router) — not the time it waited in a purgatory (a long-poll Fetch or an
 * acks=all Produce waits without working), like Kafka's request thread time.
 */
import { ApiKey } from '../../protocol/index.js';
import type { RequestCost } from '../network/request-router.js';
import type { ClientQuotaManager } from './client-quota-manager.js';


const EXEMPT: ReadonlySet<number> = new Set([ApiKey.ApiVersions, ApiKey.SaslHandshake, ApiKey.SaslAuthenticate]);
const NANOS_TO_PERCENTAGE_PER_SECOND = 100 / 1e9;

/** Who a request is charged to: the connection's principal and the request's client id. */
export interface QuotaClient {
  readonly principal: string;
  readonly clientId: string | null;
}

/** What the Fetch handler asks of the client quotas: Kafka charges a fetch before building its response. */
export interface FetchQuota {
  /**
   * consumer_byte_rate: records the bytes read; when that violates the quota, takes them back and
   * answers the throttle time (ms), and the handler answers an empty response (KafkaApis 2.8).
   */
  fetchThrottleMs(client: QuotaClient, bytes: number): number;
  /** The largest fetch that an idle sensor would not throttle for certain; Infinity without a quota. */
  maxFetchBytes(client: QuotaClient): number;
}

export class QuotaEnforcer implements FetchQuota {
  constructor(private readonly quotas: ClientQuotaManager) {}

  fetchThrottleMs(client: QuotaClient, bytes: number): number {
    const throttle = this.quotas.recordAndGetThrottleTimeMs('consumer_byte_rate', client.principal, client.clientId, bytes);
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
        throttle = (response as { throttleTimeMs?: number } | undefined)?.throttleTimeMs ?? 0;
        break;
      case ApiKey.CreateTopics:
      case ApiKey.CreatePartitions:
      case ApiKey.DeleteTopics:
        throttle = charge('controller_mutation_rate', mutatedPartitions(cost.apiKey, request));
        break;
    }
    return Math.max(throttle, charge('request_percentage', cost.requestNanos * NANOS_TO_PERCENTAGE_PER_SECOND));
  }
}


/**
 * Partitions mutated, as seen from the request alone: CreateTopics' partitions (1 per topic when
 * the count is the broker default), CreatePartitions' requested totals, one per deleted topic.
 * Kafka counts only the added partitions and all of a deleted topic's; this over-counts
 * CreatePartitions and under-counts DeleteTopics of multi-partition topics.
 */
function mutatedPartitions(apiKey: number, request: unknown): number {
  if (apiKey === ApiKey.CreateTopics) {
    let n = 0;
    for (const t of (request as { topics: Array<{ numPartitions: number; assignments: unknown[] }> }).topics) {
      n += t.assignments.length > 0 ? t.assignments.length : Math.max(1, t.numPartitions);
    }
    return n;
  }
  if (apiKey === ApiKey.CreatePartitions) {
    return (request as { topics: Array<{ count: number }> }).topics.reduce((n, t) => n + Math.max(0, t.count), 0);
  }
  const r = request as { topicNames?: string[]; topics?: unknown[] };
  return (r.topicNames?.length ?? 0) + (r.topics?.length ?? 0);
}
