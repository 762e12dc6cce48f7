/**
 * Every broker watches `/config/changes` (Kafka's ZkConfigManager on brokers): a notification
 * `config_change_N` naming `topics/<t>` makes the replica manager re-read `/config/topics/<t>`
 * and apply it to the topic's logs; `brokers/<id>` or `brokers/<default>` (dynamic broker configs)
 * goes to `onBrokerConfigChange`, before any topic. Notifications are processed once, in sequence order; a new
 * ZooKeeper session re-arms the watch and re-reads everything hosted (changes may have been
 * missed while disconnected).
 */
import type { Logger } from 'pino';
import { backgroundScheduler } from '../../common/index.js';
import { CONFIG_CHANGES_PATH, type CoordinationStore, decodeConfigChange, getDataOrNull, readChildrenOrEmpty } from '../../coordination/index.js';
import type { ReplicaManager } from './replica-manager.js';

const seqOf = (name: string): number => Number(name.slice(name.lastIndexOf('_') + 1));

export class ConfigChangeWatcher {
  private lastSeen = -1;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly store: CoordinationStore,
    private readonly replicaManager: ReplicaManager,
    private readonly log: Logger,
    /** Told when `brokers/<id>` or `brokers/<default>` changed (and after a new session): dynamic broker configs. */
    private readonly onBrokerConfigChange?: () => Promise<void>,
  ) {}

  async start(): Promise<void> {
    // Changes written before this broker started are already in the configs it reads at
    // LeaderAndIsr time: start after the newest notification.
    const children = await readChildrenOrEmpty(this.store, CONFIG_CHANGES_PATH, this.watcher);
    for (const c of children) this.lastSeen = Math.max(this.lastSeen, seqOf(c));
    this.unsubscribe = this.store.addSessionListener({
      newSession: () => this.schedule(true),
    });
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
  }

  private watcher = (): void => this.schedule(false);

  /** One pass at a time, in order. */
  private schedule(reloadAll: boolean): void {
    if (this.stopped) return;
    this.running = this.running.then(() => this.process(reloadAll)).catch((err: unknown) => {
      this.log.warn({ err }, 'processing config change notifications failed; retrying shortly');
      backgroundScheduler.setTimeout(() => this.schedule(reloadAll), 1000);
    });
  }

  private async process(reloadAll: boolean): Promise<void> {
    if (this.stopped) return;
    const children = await readChildrenOrEmpty(this.store, CONFIG_CHANGES_PATH, this.watcher);
    const topics = new Set<string>();
    let brokers = reloadAll;
    if (reloadAll) for (const t of this.replicaManager.topicConfigs.topics()) topics.add(t);
    for (const c of children.filter((x) => seqOf(x) > this.lastSeen).sort((a, b) => seqOf(a) - seqOf(b))) {
      this.lastSeen = Math.max(this.lastSeen, seqOf(c));
      const node = await getDataOrNull(this.store, `${CONFIG_CHANGES_PATH}/${c}`);
      if (node === null) continue;
      const entity = decodeConfigChange(node.data, `${CONFIG_CHANGES_PATH}/${c}`);
      if (entity.startsWith('topics/')) topics.add(entity.slice('topics/'.length));
      if (entity.startsWith('brokers/')) brokers = true;
    }
    // Broker defaults first: topic settings are computed on top of them.
    if (brokers) await this.onBrokerConfigChange?.();
    for (const t of topics) await this.replicaManager.reloadTopicConfig(t);
  }
}
