// Authorization (issue 17): the ACL model, Kafka's AclAuthorizer over ZooKeeper, and the router
// hook that checks every Kafka API against it.
export * from './acl.js';
export { AclCache, type AuthorizerSettings, type Caller } from './acl-cache.js';
export { AclAuthorizer, type AclAuthorizerOptions, type DeleteOutcome } from './acl-authorizer.js';
export { RequestAuthorizer, API_POLICIES, OPEN_APIS, aclHost, authzView, type RequestAuthorizerOptions } from './request-authorizer.js';
export { authorizeTransactionalId } from './policies/txn-policies.js';
export type { ApiPolicy, AuthzView } from './policies/kit.js';
export { brokerPlainUsers, passwordCheck, VerifiedPasswords, VERIFIED_PASSWORD_MAX_ENTRIES, VERIFIED_PASSWORD_TTL_MS, type PasswordCheck, type PasswordCheckOptions, type SaltPassword } from './password-check.js';
export { adminHttpTls, certificatePrincipal, tlsServerOptions, type ListenerTls } from './tls-config.js';
