/**
 * Exponential backoff with jitter, as Kafka computes it (org.apache.kafka.common.utils.
 * ExponentialBackoff): initialMs × multiplier^attempts, the exponent capped where the term reaches
 * maxMs, times a random factor in [1 − jitter, 1 + jitter), never above maxMs. The jitter spreads
 * the retries of many callers that failed together (every broker reconnecting to a restarted
 * peer, every partition retrying one controller request).
 */
export interface BackoffPolicy {
  /** The wait before the first retry (attempts = 0). */
  readonly initialMs: number;
  /** No wait is longer, jitter included. */
  readonly maxMs: number;
  /** Default 2. */
  readonly multiplier?: number;
  /** Default 0.2, Kafka's reconnect and retry jitter. */
  readonly jitter?: number;
}

const DEFAULT_BACKOFF_JITTER = 0.2;

/** The wait before retry number `attempts + 1` (0 = first retry); `random` in [0, 1), for tests. */
export function backoffMs(policy: BackoffPolicy, attempts: number, random: () => number = Math.random): number {
  const initial = Math.max(0, Math.min(policy.maxMs, policy.initialMs));
  const multiplier = policy.multiplier ?? 2;
  const jitter = Math.min(1, Math.max(0, policy.jitter ?? DEFAULT_BACKOFF_JITTER));
  const expMax = policy.maxMs > initial && multiplier > 1 ? Math.log(policy.maxMs / Math.max(initial, 1)) / Math.log(multiplier) : 0;
  if (expMax === 0) return initial;
  const term = initial * multiplier ** Math.min(Math.max(0, attempts), expMax);
  const factor = jitter === 0 ? 1 : 1 - jitter + random() * 2 * jitter;
  return Math.min(Math.floor(factor * term), policy.maxMs);
}
