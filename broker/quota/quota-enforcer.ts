/**
 * Which quota each Kafka request is charged to, as KafkaApis does (2.8), and the throttle time it
 * earns (the largest of them):
 * - Produce: `producer_byte_rate` with the request's size, once per request whatever its batches
 *   and records; `request_percentage` too unless acks=0 (no response to carry it).
 * - Fetch from a consumer (replicaId < 0): `consumer_byte_rate` with the records in the response.
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

export class QuotaEnforcer {
  constructor(private readonly quotas: ClientQuotaManager) {}

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
        if (((request as { replicaId?: number }).replicaId ?? -1) >= 0 || response === undefined) break;
        throttle = charge('consumer_byte_rate', fetchedBytes(response));
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

function fetchedBytes(response: unknown): number {
  let bytes = 0;
  for (const t of (response as { responses: Array<{ partitions: Array<{ records: Buffer | null }> }> }).responses) {
    for (const p of t.partitions) bytes += p.records?.length ?? 0;
  }
  return bytes;
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
