/**
 * Dynamic broker configs on a running broker (Kafka's DynamicBrokerConfig + BrokerConfigHandler):
 * reads `/config/brokers/<default>` and `/config/brokers/<id>` at start-up (before the logs open)
 * and on every `brokers/…` change notification, layers them over server.properties
 * (broker/config's DynamicBrokerConfig) and applies what changed: the log defaults and
 * min.insync.replicas / message.max.bytes through the topic settings of every hosted topic (open
 * logs are updated in place), unclean.leader.election.enable through the controller's getter.
 * Kept apart from broker.ts so the composition root stays one screen of start order.
 */
import type { Logger } from 'pino';
import { type CoordinationStore, DEFAULT_CONFIG_ENTITY, readEntityConfig } from '../coordination/index.js';
import { type BrokerConfig, DynamicBrokerConfig } from './config/index.js';
import type { ReplicaManager, TopicConfigs } from './replica/index.js';

export interface LiveBrokerConfigOptions {
  readonly store: CoordinationStore;
  readonly config: BrokerConfig;
  readonly brokerId: () => number;
  readonly logger: Logger;
  /** The running parts new values are pushed to (undefined before they start). */
  readonly topicConfigs: () => TopicConfigs | undefined;
  readonly replicaManager: () => ReplicaManager | undefined;
}

export class LiveBrokerConfig {
  readonly dynamic: DynamicBrokerConfig;
  private readonly log: Logger;

  constructor(private readonly o: LiveBrokerConfigOptions) {
    this.dynamic = new DynamicBrokerConfig(o.config);
    this.log = o.logger;
  }

  get current(): BrokerConfig {
    return this.dynamic.current;
  }

  /** Reads both layers; returns the keys whose effective value changed. */
  async load(): Promise<string[]> {
    const [defaults, mine] = await Promise.all([
      readEntityConfig(this.o.store, 'brokers', DEFAULT_CONFIG_ENTITY),
      readEntityConfig(this.o.store, 'brokers', String(this.o.brokerId())),
    ]);
    return this.dynamic.update(defaults, mine, (key, reason) => this.log.warn({ key, reason }, 'ignoring a stored dynamic broker config'));
  }

  /** A `brokers/…` notification (or a new session): re-read, and apply when something changed. */
  async reload(): Promise<void> {
    const changed = await this.load();
    if (changed.length === 0) return;
    const values = Object.fromEntries(changed.map((k) => [k, this.current.values.get(k)?.text ?? null]));
    this.log.info({ changed: values }, 'applying dynamic broker configs');
    // New broker defaults first, then every hosted topic's settings reach its open logs.
    this.o.topicConfigs()?.setBrokerConfig(this.current);
    const rm = this.o.replicaManager();
    if (rm === undefined) return;
    for (const topic of new Set(rm.allPartitions().map((p) => p.topic))) await rm.reloadTopicConfig(topic);
  }
}
