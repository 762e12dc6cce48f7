/**
 * Kafka's `Rate` over a `SampledStat` (org.apache.kafka.common.metrics.stats), the measure every
 * client quota is checked against: `samples` windows of `windowMs`; a record goes into the current
 * window, which advances once it is `windowMs` old; windows older than `samples × windowMs` are
 * reset when measured. The rate is the sum of the windows divided by the elapsed time since the
 * oldest window began, but never by less than `samples − 1` full windows, so a fresh sensor does not
 * read a burst as a huge rate.
 */
interface Sample {
  value: number;
  lastWindowMs: number;
}

export interface RateConfig {
  /** quota.window.num */
  readonly samples: number;
  /** quota.window.size.seconds × 1000 */
  readonly windowMs: number;
}

export class SampledRate {
  private readonly samples: Sample[] = [];
  private current = 0;

  constructor(private readonly config: RateConfig) {}

  record(value: number, nowMs: number): void {
    let sample = this.currentSample(nowMs);
    if (nowMs - sample.lastWindowMs >= this.config.windowMs) sample = this.advance(nowMs);
    sample.value += value;
  }

  /** Per second. */
  measure(nowMs: number): number {
    this.purgeObsolete(nowMs);
    let total = 0;
    for (const s of this.samples) total += s.value;
    return total / (this.windowSizeMs(nowMs) / 1000);
  }

  /** The span the rate divides by (Kafka's Rate.windowSize), also the base of the throttle time. */
  windowSizeMs(nowMs: number): number {
    let elapsed = nowMs - this.oldest(nowMs).lastWindowMs;
    const fullWindows = Math.floor(elapsed / this.config.windowMs);
    const minFullWindows = this.config.samples - 1;
    if (fullWindows < minFullWindows) elapsed += (minFullWindows - fullWindows) * this.config.windowMs;
    return elapsed;
  }

  private currentSample(nowMs: number): Sample {
    if (this.samples.length === 0) this.samples.push({ value: 0, lastWindowMs: nowMs });
    return this.samples[this.current]!;
  }

  private advance(nowMs: number): Sample {
    this.current = (this.current + 1) % this.config.samples;
    if (this.current >= this.samples.length) {
      const s = { value: 0, lastWindowMs: nowMs };
      this.samples.push(s);
      return s;
    }
    const s = this.samples[this.current]!;
    s.value = 0;
    s.lastWindowMs = nowMs;
    return s;
  }

  private oldest(nowMs: number): Sample {
    let oldest = this.currentSample(nowMs);
    for (const s of this.samples) if (s.lastWindowMs < oldest.lastWindowMs) oldest = s;
    return oldest;
  }

  private purgeObsolete(nowMs: number): void {
    const expireAge = this.config.samples * this.config.windowMs;
    for (const s of this.samples) {
      if (nowMs - s.lastWindowMs >= expireAge) {
        s.value = 0;
        s.lastWindowMs = nowMs;
      }
    }
  }
}

/**
 * Kafka's QuotaUtils.throttleTime: how long the client must stay silent for the rate to fall back
 * to the bound — `(rate − bound) / bound × windowSize`; 0 when within the bound.
 */
export function throttleTimeMs(rate: number, bound: number, windowSizeMs: number): number {
  if (rate <= bound) return 0;
  return Math.round(((rate - bound) / bound) * windowSizeMs);
}

/**
 * Kafka's TokenBucket (KIP-599), what controller_mutation_rate is enforced with: credits refill at
 * `bound` per second up to a burst of `samples × window × bound`; a record takes credits and may
 * leave the bucket in debt. The quota is violated while the credits are below zero, and the client
 * must wait until the refill pays the debt back: −credits / bound seconds.
 */
export class TokenBucket {
  private credits = 0;
  private lastUpdateMs: number | undefined;

  constructor(private readonly config: RateConfig) {}

  record(value: number, bound: number, nowMs: number): void {
    this.refill(bound, nowMs);
    this.credits = Math.min(this.burst(bound), this.credits - value);
  }

  /** The credits left, negative when in debt. */
  measure(bound: number, nowMs: number): number {
    this.refill(bound, nowMs);
    return this.credits;
  }

  /** ms until the debt is paid back; 0 when not in debt (ControllerMutationQuotaManager.throttleTimeMs). */
  throttleTimeMs(bound: number, nowMs: number): number {
    const credits = this.measure(bound, nowMs);
    return credits >= 0 ? 0 : Math.round((-credits / bound) * 1000);
  }

  private burst(bound: number): number {
    return ((this.config.samples * this.config.windowMs) / 1000) * bound;
  }

  private refill(bound: number, nowMs: number): void {
    // A new bucket starts full, as Kafka's does (its first refill spans the whole epoch).
    const elapsedMs = this.lastUpdateMs === undefined ? Number.POSITIVE_INFINITY : nowMs - this.lastUpdateMs;
    this.credits = Math.min(this.burst(bound), this.credits + (bound * elapsedMs) / 1000);
    this.lastUpdateMs = nowMs;
  }
}
