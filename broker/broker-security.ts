/**
 * Wiring of authorization into a broker: with `authorizer.class.name` set to Kafka's
 * AclAuthorizer, the ACL cache is loaded from ZooKeeper and kept current, and the router's hook
 * checks every Kafka request against it (broker/security); empty leaves the allow-all hook, as
 * Kafka without an authorizer.
 */
import type { Logger } from 'pino';
import type { CoordinationStore, ZkSessionOptions } from '../coordination/index.js';
import { ConfigError, type BrokerConfig } from './config/index.js';
import type { MetadataCache } from './metadata/index.js';
import type { RequestRouter } from './network/request-router.js';
import { AclAuthorizer, RequestAuthorizer } from './security/index.js';

export interface SecurityWiring {
  readonly config: BrokerConfig;
  readonly store: CoordinationStore;
  readonly metadataCache: MetadataCache;
  readonly router: RequestRouter;
  readonly logger: Logger;
}

/**
 * The broker's ZooKeeper identity and znode ACLs: `zookeeper.digest.username`/`password` make the
 * session authenticate with the digest scheme; `zookeeper.set.acl=true` creates every znode with
 * Kafka's secure ACLs (only that identity writes). As Kafka refuses set.acl without a login, so
 * does Samsa: the ACLs would name no one.
 */
export function zookeeperSecurity(config: BrokerConfig): Pick<ZkSessionOptions, 'digest' | 'secureAcls'> {
  const username = config.str('zookeeper.digest.username');
  const password = config.optionalStr('zookeeper.digest.password');
  const secureAcls = config.bool('zookeeper.set.acl');
  if (username === '') {
    if (secureAcls) throw new ConfigError('CFG_INCONSISTENT', 'zookeeper.set.acl=true needs the identity the ACLs name: set zookeeper.digest.username and zookeeper.digest.password', { key: 'zookeeper.set.acl' });
    return {};
  }
  if (password === null) throw new ConfigError('CFG_MISSING_REQUIRED', 'zookeeper.digest.username is set without zookeeper.digest.password', { key: 'zookeeper.digest.password' });
  return { digest: { username, password }, secureAcls };
}

/** `super.users`: `;`-separated principals (Kafka's format), blanks ignored. */
export function parseSuperUsers(value: string): Set<string> {
  return new Set(value.split(';').map((s) => s.trim()).filter((s) => s !== ''));
}

export async function startAuthorizer(o: SecurityWiring): Promise<AclAuthorizer | undefined> {
  if (o.config.str('authorizer.class.name') === '') return undefined;
  const acls = new AclAuthorizer({
    store: o.store,
    logger: o.logger,
    superUsers: parseSuperUsers(o.config.str('super.users')),
    allowEveryoneIfNoAclFound: o.config.bool('allow.everyone.if.no.acl.found'),
  });
  await acls.start();
  o.router.setAuthorizer(new RequestAuthorizer({
    acls,
    topicExists: (topic) => o.metadataCache.hasTopic(topic),
    autoCreateTopics: o.config.bool('auto.create.topics.enable'),
  }));
  return acls;
}
