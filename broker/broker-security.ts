/**
 * Wiring of authorization into a broker: with `authorizer.class.name` set to Kafka's
 * AclAuthorizer, the ACL cache is loaded from ZooKeeper and kept current, and the router's hook
 * checks every Kafka request against it (broker/security); empty leaves the allow-all hook, as
 * Kafka without an authorizer.
 */
import type { Logger } from 'pino';
import type { CoordinationStore } from '../coordination/index.js';
import type { BrokerConfig } from './config/index.js';
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
