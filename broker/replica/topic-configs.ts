/**
 * Per-topic settings as the data path needs them: the overrides in `/config/topics/<t>` merged
 * with the broker's defaults (`effectiveTopicConfig`), turned into storage's `LogConfig` plus the
 * replica manager's own keys (min.insync.replicas). Cached per topic; refreshed when a log is
 * created for a new topic and on config-change notifications.
 */
import { readTopicConfig, type CoordinationStore } from '../../coordination/index.js';
import type { LogConfig, CleanupPolicy, TimestampType } from '../../storage/index.js';
import { effectiveTopicConfig, type BrokerConfig, type ConfigValue } from '../config/index.js';

export interface TopicSettings {
  readonly overrides: Readonly<Record<string, string>>;
  readonly logConfig: Partial<LogConfig>;
  readonly minInsyncReplicas: number;
  /** message.timestamp.difference.max.ms, Infinity for Long.MAX_VALUE. */
  readonly timestampDifferenceMaxMs: number;
  /** compression.type ('producer', 'zstd', …): Fetch below v10 is refused on a zstd topic. */
  readonly compressionType: string;
}

/** Kafka's "Long.MAX_VALUE means never": the config tables cap longs at MAX_SAFE_INTEGER. */
const never = (v: number): number => (v >= Number.MAX_SAFE_INTEGER ? Number.POSITIVE_INFINITY : v);

const num = (v: ConfigValue | undefined, dflt: number): number => (typeof v === 'number' ? v : dflt);

/** Storage's LogConfig from effective topic values. */
export function toLogConfig(overrides: Readonly<Record<string, string>>, broker: BrokerConfig): TopicSettings {
  const eff = effectiveTopicConfig(overrides, broker);
  const v = (key: string): ConfigValue | undefined => eff.get(key)?.value;
  const policy = v('cleanup.policy');
  const logConfig: Partial<LogConfig> = {
    segmentBytes: num(v('segment.bytes'), 1073741824),
    segmentMs: never(num(v('segment.ms'), 604800000)),
    segmentJitterMs: num(v('segment.jitter.ms'), 0),
    segmentIndexBytes: num(v('segment.index.bytes'), 10485760),
    indexIntervalBytes: num(v('index.interval.bytes'), 4096),
    retentionMs: num(v('retention.ms'), 604800000),
    retentionBytes: num(v('retention.bytes'), -1),
    cleanupPolicy: (Array.isArray(policy) ? policy : ['delete']) as CleanupPolicy[],
    deleteRetentionMs: num(v('delete.retention.ms'), 86400000),
    minCompactionLagMs: num(v('min.compaction.lag.ms'), 0),
    minCleanableDirtyRatio: num(v('min.cleanable.dirty.ratio'), 0.5),
    flushIntervalMessages: never(num(v('flush.messages'), Number.MAX_SAFE_INTEGER)),
    flushIntervalMs: never(num(v('flush.ms'), Number.MAX_SAFE_INTEGER)),
    fileDeleteDelayMs: num(v('file.delete.delay.ms'), 60000),
    maxMessageBytes: num(v('max.message.bytes'), 1048588),
    messageTimestampType: (v('message.timestamp.type') === 'LogAppendTime' ? 'LogAppendTime' : 'CreateTime') as TimestampType,
  };
  return {
    overrides,
    logConfig,
    minInsyncReplicas: num(v('min.insync.replicas'), 1),
    timestampDifferenceMaxMs: never(num(v('message.timestamp.difference.max.ms'), Number.MAX_SAFE_INTEGER)),
    compressionType: String(v('compression.type') ?? 'producer'),
  };
}

export class TopicConfigs {
  private readonly cache = new Map<string, TopicSettings>();
  private defaultSettings: TopicSettings;

  constructor(
    private readonly store: CoordinationStore,
    private broker: BrokerConfig,
  ) {
    this.defaultSettings = toLogConfig({}, broker);
  }

  /** Settings of a topic without overrides, from the broker's current defaults. */
  get defaults(): TopicSettings {
    return this.defaultSettings;
  }

  /**
   * New broker defaults (dynamic broker configs): every cached topic is recomputed from its
   * stored overrides at once; the caller then pushes the settings to the open logs.
   */
  setBrokerConfig(broker: BrokerConfig): void {
    this.broker = broker;
    this.defaultSettings = toLogConfig({}, broker);
    for (const [topic, s] of this.cache) this.cache.set(topic, toLogConfig(s.overrides, broker));
  }

  /** Cached settings (broker defaults for a topic never loaded). Synchronous: hot path. */
  get(topic: string): TopicSettings {
    return this.cache.get(topic) ?? this.defaults;
  }

  has(topic: string): boolean {
    return this.cache.has(topic);
  }

  /** Reads `/config/topics/<t>` and caches the result. */
  async load(topic: string): Promise<TopicSettings> {
    const overrides = await readTopicConfig(this.store, topic);
    const settings = toLogConfig(overrides, this.broker);
    this.cache.set(topic, settings);
    return settings;
  }

  forget(topic: string): void {
    this.cache.delete(topic);
  }

  topics(): string[] {
    return [...this.cache.keys()];
  }
}
