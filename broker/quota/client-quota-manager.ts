/**
 * Kafka's ClientQuotaManager, one instance for all quota types: a sensor per (quota type, user,
 * client-id) as tagged by the resolved quota (quota-entity.ts), recording usage into a
 * SampledRate and answering the throttle time when the rate, this request included, is above the
 * bound. Sensors idle for an hour are dropped (Kafka's inactive sensor expiry). The throttle time
 * is also recorded per sensor for the `throttle_time` metric (Kafka's Avg of throttle-time).
 */
import type { Clock } from '../../common/index.js';
import { type QuotaEntity, type QuotaKey, type QuotaValues, quotaUserOf, type ResolvedQuota, resolveQuota } from './quota-entity.js';
import { type RateConfig, SampledRate, throttleTimeMs, TokenBucket } from './rate.js';

/** Kafka's metric groups (and JMX `type=`): Produce, Fetch, Request, ControllerMutation. */
export const QUOTA_TYPES: Record<QuotaKey, string> = {
  producer_byte_rate: 'Produce',
  consumer_byte_rate: 'Fetch',
  request_percentage: 'Request',
  controller_mutation_rate: 'ControllerMutation',
};

interface Sensor {
  readonly key: QuotaKey;
  readonly user: string;
  readonly clientId: string;
  bound: number;
  readonly usage: SampledRate;
  /** controller_mutation_rate is enforced with Kafka's TokenBucket, not the Rate. */
  readonly credits: TokenBucket;
  /** throttle-time as Kafka's Avg: the sum and the count over the same windows. */
  readonly throttleSum: SampledRate;
  readonly throttleCount: SampledRate;
  throttledRequests: number;
  lastRecordMs: number;
}

export interface QuotaSensorSnapshot {
  readonly quotaType: string;
  readonly user: string;
  readonly clientId: string;
  readonly bound: number;
  /** Bytes per second (byte rates), percent of one thread (request_percentage), partitions per second. */
  readonly rate: number;
  /** Average throttle time (ms) of the requests recorded in the window, 0 when none was throttled. */
  readonly throttleTimeMs: number;
  readonly throttledRequests: number;
}

const sensorId = (key: QuotaKey, user: string, clientId: string): string => `${key}\u0000${user}\u0000${clientId}`;

const INACTIVE_SENSOR_EXPIRY_MS = 3_600_000;
/** Resolutions remembered at most; a client may name itself anew in every request. */
const MAX_REMEMBERED_RESOLUTIONS = 10_000;
const SWEEP_EVERY_MS = 60_000;

export interface ClientQuotaManagerOptions {
  readonly rate: RateConfig;
  readonly clock: Clock;
  /** The configured quota values of one entity (quota-configs.ts). */
  readonly lookup: (e: QuotaEntity) => QuotaValues | undefined;
  /**
   * Tells when `lookup`'s answers change (QuotaConfigs). With it, each (quota type, user, client
   * id)'s resolution is remembered until the next change: resolving walks eight entities and
   * sanitizes both names, on every Produce and Fetch. Without it every request resolves afresh.
   */
  readonly changes?: { onChanged(fn: () => void): void };
}

export class ClientQuotaManager {
  private readonly sensors = new Map<string, Sensor>();
  private lastSweepMs = 0;
  /**
   * Remembered resolutions by principal, then client id (no key string built per request); null:
   * no quota applies. Only with `changes`.
   */
  private readonly resolutions: Map<string, Map<string, Partial<Record<QuotaKey, ResolvedQuota | null>>>> | undefined;
  private remembered = 0;

  constructor(private readonly o: ClientQuotaManagerOptions) {
    if (o.changes !== undefined) {
      const resolutions = new Map<string, Map<string, Partial<Record<QuotaKey, ResolvedQuota | null>>>>();
      o.changes.onChanged(() => {
        resolutions.clear();
        this.remembered = 0;
      });
      this.resolutions = resolutions;
    }
  }

  /** The quota of `key` for the connection's (principal, client id), or undefined when none applies. */
  private resolve(key: QuotaKey, principal: string, clientId: string | null): ResolvedQuota | undefined {
    const memo = this.resolutions;
    if (memo === undefined) return resolveQuota(this.o.lookup, key, quotaUserOf(principal), clientId ?? '');
    let byClient = memo.get(principal);
    let byKey = byClient?.get(clientId ?? '');
    let r = byKey?.[key];
    if (r === undefined) {
      r = resolveQuota(this.o.lookup, key, quotaUserOf(principal), clientId ?? '') ?? null;
      if (this.remembered >= MAX_REMEMBERED_RESOLUTIONS) {
        memo.clear();
        this.remembered = 0;
        byClient = byKey = undefined;
      }
      if (byClient === undefined) memo.set(principal, (byClient = new Map()));
      if (byKey === undefined) byClient.set(clientId ?? '', (byKey = {}));
      byKey[key] = r;
      this.remembered++;
    }
    return r ?? undefined;
  }

  now(): number {
    return this.o.clock.now();
  }

  /**
   * Records `value` for the connection's (principal, client id) and answers the throttle time in
   * ms; 0 when no quota of this type applies or the rate stays within it.
   */
  recordAndGetThrottleTimeMs(key: QuotaKey, principal: string, clientId: string | null, value: number): number {
    const resolved = this.resolve(key, principal, clientId);
    if (resolved === undefined) return 0;
    const now = this.o.clock.now();
    this.sweep(now);
    const sensor = this.sensorFor(key, resolved.sensor.user, resolved.sensor.clientId, now);
    sensor.bound = resolved.bound;
    sensor.lastRecordMs = now;
    sensor.usage.record(value, now);
    let throttle = throttleTimeMs(sensor.usage.measure(now), resolved.bound, sensor.usage.windowSizeMs(now));
    // Kafka's ClientRequestQuotaManager bounds request-time throttles to one quota window: request
    // time is wall-clock here, so a stall (JIT warm-up, a descheduled process) would otherwise mute
    // a client for many seconds on one burst.
    if (key === 'request_percentage') throttle = Math.min(throttle, this.o.rate.windowMs);
    sensor.throttleSum.record(throttle, now);
    sensor.throttleCount.record(1, now);
    if (throttle > 0) sensor.throttledRequests++;
    return throttle;
  }

  /**
   * Records `value` without a throttle (Kafka's recordNoThrottle): work on a request whose quota
   * was already checked, as Kafka records a Fetch's network-thread time after the handler's check.
   */
  recordNoThrottle(key: QuotaKey, principal: string, clientId: string | null, value: number): void {
    const resolved = this.resolve(key, principal, clientId);
    if (resolved === undefined) return;
    const now = this.o.clock.now();
    const sensor = this.sensorFor(key, resolved.sensor.user, resolved.sensor.clientId, now);
    sensor.bound = resolved.bound;
    sensor.lastRecordMs = now;
    sensor.usage.record(value, now);
  }

  /**
   * controller_mutation_rate (KIP-599) for `partitions` mutations, enforced as Kafka 2.8 does with a
   * TokenBucket (the Rate stays for the metrics). Permissive: recorded, and the throttle time is the
   * debt to pay back. Strict: while the bucket is already in debt nothing is recorded and the
   * mutation is `refused` (THROTTLING_QUOTA_EXCEEDED); otherwise recorded, even into debt.
   */
  recordMutations(principal: string, clientId: string | null, partitions: number, strict: boolean): { throttleMs: number; refused: boolean } {
    const resolved = this.resolve('controller_mutation_rate', principal, clientId);
    if (resolved === undefined) return { throttleMs: 0, refused: false };
    const now = this.o.clock.now();
    this.sweep(now);
    const sensor = this.sensorFor('controller_mutation_rate', resolved.sensor.user, resolved.sensor.clientId, now);
    sensor.bound = resolved.bound;
    sensor.lastRecordMs = now;
    const debt = sensor.credits.throttleTimeMs(resolved.bound, now);
    const refused = strict && debt > 0;
    if (!refused) {
      sensor.usage.record(partitions, now);
      sensor.credits.record(partitions, resolved.bound, now);
    }
    const throttleMs = refused ? debt : sensor.credits.throttleTimeMs(resolved.bound, now);
    sensor.throttleSum.record(throttleMs, now);
    sensor.throttleCount.record(1, now);
    if (throttleMs > 0) sensor.throttledRequests++;
    return { throttleMs, refused };
  }

  /** Gives back mutations recorded for a topic that then failed (Kafka charges only what the controller did). */
  unrecordMutations(principal: string, clientId: string | null, partitions: number): void {
    const resolved = this.resolve('controller_mutation_rate', principal, clientId);
    if (resolved === undefined) return;
    const sensor = this.sensors.get(sensorId('controller_mutation_rate', resolved.sensor.user, resolved.sensor.clientId));
    if (sensor === undefined) return;
    const now = this.o.clock.now();
    sensor.usage.record(-partitions, now);
    sensor.credits.record(-partitions, resolved.bound, now);
  }

  /**
   * Takes back a value recorded by recordAndGetThrottleTimeMs (Kafka's unrecordQuotaSensor): a
   * throttled Fetch answers no records, so its bytes must not count against the next one.
   */
  unrecord(key: QuotaKey, principal: string, clientId: string | null, value: number): void {
    const resolved = this.resolve(key, principal, clientId);
    if (resolved === undefined) return;
    const id = sensorId(key, resolved.sensor.user, resolved.sensor.clientId);
    this.sensors.get(id)?.usage.record(-value, this.o.clock.now());
  }

  /** Whether a quota of this type applies to the connection's (principal, client id). */
  hasQuota(key: QuotaKey, principal: string, clientId: string | null): boolean {
    return this.resolve(key, principal, clientId) !== undefined;
  }

  /**
   * The most that one request may record without a certain throttle even on an idle sensor
   * (Kafka's getMaxValueInQuotaWindow): bound × (quota.window.num − 1) × window; Infinity without a quota.
   */
  maxValueInQuotaWindow(key: QuotaKey, principal: string, clientId: string | null): number {
    const resolved = this.resolve(key, principal, clientId);
    if (resolved === undefined) return Number.POSITIVE_INFINITY;
    return resolved.bound * (this.o.rate.samples - 1) * (this.o.rate.windowMs / 1000);
  }

  snapshot(): QuotaSensorSnapshot[] {
    const now = this.o.clock.now();
    return [...this.sensors.values()].map((s) => {
      const count = s.throttleCount.measure(now);
      return {
        quotaType: QUOTA_TYPES[s.key],
        user: s.user,
        clientId: s.clientId,
        bound: s.bound,
        rate: s.usage.measure(now),
        throttleTimeMs: count === 0 ? 0 : s.throttleSum.measure(now) / count,
        throttledRequests: s.throttledRequests,
      };
    });
  }

  private sensorFor(key: QuotaKey, user: string, clientId: string, now: number): Sensor {
    const id = sensorId(key, user, clientId);
    let s = this.sensors.get(id);
    if (s === undefined) {
      s = {
        key,
        user,
        clientId,
        bound: 0,
        usage: new SampledRate(this.o.rate),
        credits: new TokenBucket(this.o.rate),
        throttleSum: new SampledRate(this.o.rate),
        throttleCount: new SampledRate(this.o.rate),
        throttledRequests: 0,
        lastRecordMs: now,
      };
      this.sensors.set(id, s);
    }
    return s;
  }

  private sweep(now: number): void {
    if (now - this.lastSweepMs < SWEEP_EVERY_MS) return;
    this.lastSweepMs = now;
    for (const [id, s] of this.sensors) if (now - s.lastRecordMs > INACTIVE_SENSOR_EXPIRY_MS) this.sensors.delete(id);
  }
}
