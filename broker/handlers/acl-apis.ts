/**
 * What the ACL handlers (CreateAcls, DescribeAcls, DeleteAcls) share: the authorizer they manage
 * (absent when `authorizer.class.name` is empty: they answer SECURITY_DISABLED, as Kafka) and the
 * wire ↔ binding translation.
 */
import type { AclAuthorizer, AclBinding, AclBindingFilter } from '../security/index.js';

export interface AclApiDeps {
  /** The broker's ACL authorizer, undefined without one. */
  readonly acls: () => AclAuthorizer | undefined;
}

export function filterOf(f: { resourceTypeFilter: number; resourceNameFilter: string | null; patternTypeFilter: number; principalFilter: string | null; hostFilter: string | null; operation: number; permissionType: number }): AclBindingFilter {
  return {
    resourceType: f.resourceTypeFilter,
    name: f.resourceNameFilter,
    patternType: f.patternTypeFilter,
    principal: f.principalFilter,
    host: f.hostFilter,
    operation: f.operation,
    permission: f.permissionType,
  };
}

export function wireEntry(b: AclBinding): { principal: string; host: string; operation: number; permissionType: number } {
  return { principal: b.entry.principal, host: b.entry.host, operation: b.entry.operation, permissionType: b.entry.permission };
}
