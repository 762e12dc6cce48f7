/**
 * The router's authorizer hook with ACLs: one policy per Kafka API (policies/*.ts, one table),
 * each asking the AclAuthorizer about the request's principal and client host. APIs a client
 * needs before it has an identity (ApiVersions, SaslHandshake, SaslAuthenticate) are open; an API
 * with no policy is refused (CLUSTER_AUTHORIZATION_FAILED), so a new API cannot slip through
 * unchecked. Super users skip every policy.
 */
import { ApiKey } from '../../protocol/index.js';
import type { Authorizer, AuthorizationVerdict, RequestContext } from '../request-context.js';
import { CLUSTER_RESOURCE_NAME, ResourceType, type AclOperationCode, type ResourceTypeCode } from './acl.js';
import type { AclAuthorizer } from './acl-authorizer.js';
import type { Caller } from './acl-cache.js';
import { ADMIN_POLICIES } from './policies/admin-policies.js';
import { DATA_POLICIES } from './policies/data-policies.js';
import { GROUP_POLICIES } from './policies/group-policies.js';
import { operationsBits, type ApiPolicy, type AuthzView } from './policies/kit.js';
import { TXN_POLICIES } from './policies/txn-policies.js';

/** Every API's policy; test/unit/security checks each served API has one. */
export const API_POLICIES: ReadonlyMap<number, ApiPolicy> = new Map([...DATA_POLICIES, ...ADMIN_POLICIES, ...GROUP_POLICIES, ...TXN_POLICIES]);
export const OPEN_APIS: ReadonlySet<number> = new Set([ApiKey.ApiVersions, ApiKey.SaslHandshake, ApiKey.SaslAuthenticate]);

export interface RequestAuthorizerOptions {
  readonly acls: AclAuthorizer;
  readonly topicExists: (topic: string) => boolean;
  readonly autoCreateTopics: boolean;
}

/** Kafka matches hosts by address; Node reports IPv4 clients of a dual-stack socket as `::ffff:a.b.c.d`. */
export function aclHost(clientAddress: string): string {
  return clientAddress.startsWith('::ffff:') && clientAddress.includes('.') ? clientAddress.slice(7) : clientAddress;
}

export function authzView(o: RequestAuthorizerOptions, caller: Caller, apiVersion: number): AuthzView {
  const can = (op: AclOperationCode, type: ResourceTypeCode, name: string): boolean => o.acls.authorize(caller, op, type, name);
  return {
    apiVersion,
    can,
    canCluster: (op) => can(op, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME),
    canAnyOfType: (op, type) => o.acls.authorizeByResourceType(caller, op, type),
    operations: (type, name) => operationsBits(type, (op) => can(op, type, name)),
    topicExists: o.topicExists,
    autoCreateTopics: o.autoCreateTopics,
  };
}

export class RequestAuthorizer implements Authorizer {
  constructor(private readonly o: RequestAuthorizerOptions) {}

  authorizeRequest(ctx: RequestContext, request: unknown): AuthorizationVerdict {
    if (OPEN_APIS.has(ctx.apiKey)) return 'ALLOWED';
    if (this.o.acls.isSuperUser(ctx.principal)) return 'ALLOWED';
    const policy = API_POLICIES.get(ctx.apiKey);
    if (policy === undefined) return 'DENIED';
    return policy(request, authzView(this.o, { principal: ctx.principal, host: aclHost(ctx.clientAddress) }, ctx.apiVersion));
  }
}
