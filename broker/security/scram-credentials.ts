/**
 * SCRAM credentials in ZooKeeper, in Kafka's exact format: `/config/users/<user>` holds
 * `{"version":1,"config":{"SCRAM-SHA-256":"salt=…,stored_key=…,server_key=…,iterations=4096"}}`,
 * and every change is announced by a `/config/changes/config_change_N` naming `users/<user>`.
 *
 * `ScramCredentialCache` is every broker's in-memory copy (Kafka's CredentialCache): loaded at
 * start, updated per notification, re-read whole after a new ZooKeeper session (notifications may
 * have been missed); the broker's one user/client config listener drives it
 * (broker/entity-config-changes.ts). `UserScramAdmin` serves Describe/AlterUserScramCredentials (KIP-554).
 */
import {
  configEntityPath,
  readChildrenOrEmpty,
  readEntityConfig,
  type CoordinationStore,
} from '../../coordination/index.js';
import {
  formatScramCredential,
  isScramMechanism,
  parseScramCredential,
  SCRAM_MECHANISMS,
  type ScramCredential,
  type ScramMechanism,
} from '../../protocol/index.js';
import type { TopicAdmin } from '../admin/index.js';
import type { Logger } from '../logging.js';

const USERS_PATH = '/config/users';

export class ScramCredentialCache {
  private readonly users = new Map<string, Map<ScramMechanism, ScramCredential>>();

  constructor(
    private readonly store: CoordinationStore,
    private readonly log: Logger,
  ) {}

  /** Told by the broker's one user/client config listener (broker/entity-config-changes.ts). */
  async onEntityChange(entityPath: string): Promise<void> {
    const parts = entityPath.split('/');
    if (parts.length === 2 && parts[0] === 'users') await this.reloadUser(parts[1]!);
  }

  lookup(mechanism: ScramMechanism, user: string): ScramCredential | undefined {
    return this.users.get(user)?.get(mechanism);
  }

  async reloadAll(): Promise<void> {
    const names = await readChildrenOrEmpty(this.store, USERS_PATH);
    for (const known of [...this.users.keys()]) if (!names.includes(known)) this.users.delete(known);
    for (const n of names) await this.reloadUser(n);
    this.log.info({ users: this.users.size }, 'SCRAM credentials loaded');
  }

  private async reloadUser(user: string): Promise<void> {
    const config = await readEntityConfig(this.store, 'users', user);
    const creds = new Map<ScramMechanism, ScramCredential>();
    for (const [k, v] of Object.entries(config)) {
      if (!isScramMechanism(k)) continue;
      try {
        creds.set(k, parseScramCredential(v));
      } catch (err) {
        this.log.warn({ user, mechanism: k, err }, 'ignoring an unreadable SCRAM credential');
      }
    }
    if (creds.size === 0) this.users.delete(user);
    else this.users.set(user, creds);
    this.log.debug({ user, mechanisms: [...creds.keys()] }, 'SCRAM credentials updated');
  }
}

export interface ScramUpsert {
  readonly user: string;
  readonly mechanism: ScramMechanism;
  readonly credential: ScramCredential;
}

export class UserScramAdmin {
  constructor(
    private readonly store: CoordinationStore,
    private readonly topicAdmin: TopicAdmin,
  ) {}

  /** Users with at least one SCRAM credential, with mechanism and iterations (never keys). */
  async describe(users: readonly string[] | null): Promise<Map<string, Array<{ mechanism: ScramMechanism; iterations: number }>>> {
    const names = users ?? (await readChildrenOrEmpty(this.store, USERS_PATH));
    const out = new Map<string, Array<{ mechanism: ScramMechanism; iterations: number }>>();
    for (const user of names) {
      const config = await readEntityConfig(this.store, 'users', user);
      const infos = SCRAM_MECHANISMS.filter((m) => config[m] !== undefined).map((m) => ({ mechanism: m, iterations: safeIterations(config[m]!) }));
      if (infos.length > 0) out.set(user, infos);
    }
    return out;
  }

  /** Applies one user's deletions and upserts in one znode write plus one notification. */
  async alterUser(user: string, deletions: readonly ScramMechanism[], upserts: readonly ScramUpsert[]): Promise<void> {
    const config = await readEntityConfig(this.store, 'users', user);
    for (const m of deletions) delete config[m];
    for (const u of upserts) config[u.mechanism] = formatScramCredential(u.credential);
    await this.topicAdmin.changeEntityConfig('users', user, config);
  }

  async hasCredential(user: string, mechanism: ScramMechanism): Promise<boolean> {
    const config = await readEntityConfig(this.store, 'users', user);
    return config[mechanism] !== undefined;
  }
}

function safeIterations(text: string): number {
  try {
    return parseScramCredential(text).iterations;
  } catch {
    return -1;
  }
}

export { USERS_PATH, configEntityPath };
