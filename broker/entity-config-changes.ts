/**
 * The broker's one listener for user and client entity configs on `/config/changes` (Kafka's
 * ConfigHandlers for users and clients behind one ZkNodeChangeNotificationListener): SCRAM
 * credentials and client quotas both live in `/config/users/...` and `/config/clients/...`, so one
 * notification is handed to every subscriber, and a new ZooKeeper session reloads them all
 * (notifications may have been missed meanwhile).
 */
import { ConfigChangeListener, type CoordinationStore } from '../coordination/index.js';
import type { Logger } from './logging.js';

export interface EntityConfigSubscriber {
  /** `users/alice`, `users/alice/clients/app`, `clients/<default>`. */
  onEntityChange(entityPath: string): Promise<void>;
  reloadAll(): Promise<void>;
}

export class EntityConfigChanges {
  private listener: ConfigChangeListener | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly store: CoordinationStore,
    private readonly log: Logger,
    private readonly subscribers: readonly EntityConfigSubscriber[],
  ) {}

  async start(): Promise<void> {
    this.listener = new ConfigChangeListener({
      store: this.store,
      logger: this.log,
      onChange: async (entity) => {
        if (!entity.startsWith('users/') && !entity.startsWith('clients/')) return;
        for (const s of this.subscribers) await s.onEntityChange(entity);
      },
    });
    await this.listener.start();
    await this.reloadAll();
    this.unsubscribe = this.store.addSessionListener({
      newSession: () => void this.reloadAll().catch((err: unknown) => this.log.warn({ err }, 'reloading user and client configs failed')),
    });
  }

  stop(): void {
    this.listener?.stop();
    this.unsubscribe?.();
  }

  private async reloadAll(): Promise<void> {
    for (const s of this.subscribers) await s.reloadAll();
  }
}
