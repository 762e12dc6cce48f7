/**
 * The user and client entity configs of a broker (Kafka's ConfigHandlers for users and clients):
 * SCRAM credentials and client quotas both live under `/config/users` and `/config/clients`, so
 * they are loaded and kept current by one change listener (entity-config-changes.ts), started as
 * the broker's `user-and-client-configs` step. The quota sensors and the enforcer that throttles
 * requests against them are built here too, beside the quotas they read.
 */
import type { Logger } from 'pino';
import type { Clock } from '../common/index.js';
import type { CoordinationStore } from '../coordination/index.js';
import type { BrokerConfig } from './config/index.js';
import { EntityConfigChanges } from './entity-config-changes.js';
import { ClientQuotaManager, QuotaConfigs, QuotaEnforcer } from './quota/index.js';
import { ScramCredentialCache } from './security/scram-credentials.js';

export class UserAndClientConfigs {
  readonly scramCredentials: ScramCredentialCache;
  /** Client quotas as configured in ZooKeeper. */
  readonly quotaConfigs: QuotaConfigs;
  /** The sensors charged against the quotas. */
  readonly clientQuotas: ClientQuotaManager;
  readonly quotaEnforcer: QuotaEnforcer;
  private readonly changes: EntityConfigChanges;

  constructor(o: { store: CoordinationStore; config: BrokerConfig; clock: Clock; logger: Logger }) {
    this.scramCredentials = new ScramCredentialCache(o.store, o.logger.child({ module: 'scram-credentials' }));
    this.quotaConfigs = new QuotaConfigs(o.store, o.logger.child({ module: 'quotas' }));
    this.clientQuotas = new ClientQuotaManager({
      rate: { samples: o.config.int('quota.window.num'), windowMs: o.config.int('quota.window.size.seconds') * 1000 },
      clock: o.clock,
      lookup: this.quotaConfigs.lookup,
      changes: this.quotaConfigs,
    });
    this.quotaEnforcer = new QuotaEnforcer(this.clientQuotas);
    this.changes = new EntityConfigChanges(o.store, o.logger.child({ module: 'entity-config-changes' }), [this.scramCredentials, this.quotaConfigs]);
  }

  start(): Promise<void> {
    return this.changes.start();
  }

  stop(): void {
    this.changes.stop();
  }
}
