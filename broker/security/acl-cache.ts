/**
 * The in-memory ACLs (AclAuthorizer's aclCache) and the decision over them, kept apart from
 * ZooKeeper so it is a pure function of what was loaded. Decision, as Kafka 2.8's
 * AclAuthorizer.authorizeAction: a super user is allowed; the ACLs that apply to a resource are
 * its literal ones, the literal wildcard `*` of its type and every PREFIXED pattern that is a
 * prefix of its name; with none, `allow.everyone.if.no.acl.found` decides; otherwise a matching
 * DENY for the operation (or All) refuses, else a matching ALLOW for the operation or one that
 * implies it is needed. Describe is implied by Read, Write, Delete and Alter; DescribeConfigs by
 * AlterConfigs. An entry matches when its principal is the caller's or `User:*` and its host the
 * caller's or `*`.
 */
import {
  AclOperation,
  AclPermission,
  PatternType,
  WILDCARD_HOST,
  WILDCARD_PRINCIPAL,
  WILDCARD_RESOURCE,
  type AccessControlEntry,
  type AclBinding,
  type AclOperationCode,
  type ResourcePattern,
  type ResourceTypeCode,
} from './acl.js';

export interface AuthorizerSettings {
  /** `super.users`: principals allowed everything. */
  readonly superUsers: ReadonlySet<string>;
  readonly allowEveryoneIfNoAclFound: boolean;
}

export interface Caller {
  readonly principal: string;
  readonly host: string;
}

const IMPLIED_BY: Partial<Record<number, readonly AclOperationCode[]>> = {
  [AclOperation.DESCRIBE]: [AclOperation.DESCRIBE, AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER],
  [AclOperation.DESCRIBE_CONFIGS]: [AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS],
};

export const patternKey = (p: ResourcePattern): string => `${p.patternType}|${p.resourceType}|${p.name}`;

function entryMatches(e: AccessControlEntry, caller: Caller, ops: readonly number[], permission: number): boolean {
  return e.permission === permission
    && (e.principal === caller.principal || e.principal === WILDCARD_PRINCIPAL)
    && (e.operation === AclOperation.ALL || ops.includes(e.operation))
    && (e.host === caller.host || e.host === WILDCARD_HOST);
}

export class AclCache {
  private readonly byPattern = new Map<string, { pattern: ResourcePattern; entries: readonly AccessControlEntry[] }>();

  constructor(private readonly settings: AuthorizerSettings) {}

  /** Replaces what is known of one resource pattern (empty: it has no ACLs any more). */
  set(pattern: ResourcePattern, entries: readonly AccessControlEntry[]): void {
    if (entries.length === 0) this.byPattern.delete(patternKey(pattern));
    else this.byPattern.set(patternKey(pattern), { pattern, entries });
  }

  get(pattern: ResourcePattern): readonly AccessControlEntry[] {
    return this.byPattern.get(patternKey(pattern))?.entries ?? [];
  }

  clear(): void {
    this.byPattern.clear();
  }

  bindings(): AclBinding[] {
    const out: AclBinding[] = [];
    for (const { pattern, entries } of this.byPattern.values()) for (const entry of entries) out.push({ pattern, entry });
    return out;
  }

  isSuperUser(principal: string): boolean {
    return this.settings.superUsers.has(principal);
  }

  /** Every entry that applies to the named resource (literal, wildcard, prefixes). */
  applicable(resourceType: ResourceTypeCode, name: string): AccessControlEntry[] {
    const out: AccessControlEntry[] = [...this.get({ resourceType, name, patternType: PatternType.LITERAL })];
    if (name !== WILDCARD_RESOURCE) out.push(...this.get({ resourceType, name: WILDCARD_RESOURCE, patternType: PatternType.LITERAL }));
    for (const { pattern, entries } of this.byPattern.values()) {
      if (pattern.patternType === PatternType.PREFIXED && pattern.resourceType === resourceType && name.startsWith(pattern.name)) out.push(...entries);
    }
    return out;
  }

  authorize(caller: Caller, operation: AclOperationCode, resourceType: ResourceTypeCode, name: string): boolean {
    if (this.isSuperUser(caller.principal)) return true;
    const acls = this.applicable(resourceType, name);
    if (acls.length === 0) return this.settings.allowEveryoneIfNoAclFound;
    if (acls.some((e) => entryMatches(e, caller, [operation], AclPermission.DENY))) return false;
    const allowOps = IMPLIED_BY[operation] ?? [operation];
    return acls.some((e) => entryMatches(e, caller, allowOps, AclPermission.ALLOW));
  }

  /**
   * Kafka's authorizeByResourceType (KIP-679), used by InitProducerId without a transactional id:
   * could the caller do `operation` on SOME resource of the type? True when an ALLOW for it exists
   * on a pattern that no DENY of the caller covers (a literal DENY on `*` covers everything; a
   * DENY prefix covers the literals and longer prefixes it starts).
   */
  authorizeByResourceType(caller: Caller, operation: AclOperationCode, resourceType: ResourceTypeCode): boolean {
    if (this.isSuperUser(caller.principal)) return true;
    const denied: ResourcePattern[] = [];
    const allowed: ResourcePattern[] = [];
    for (const { pattern, entries } of this.byPattern.values()) {
      if (pattern.resourceType !== resourceType) continue;
      if (entries.some((e) => entryMatches(e, caller, [operation], AclPermission.DENY))) denied.push(pattern);
      if (entries.some((e) => entryMatches(e, caller, [operation], AclPermission.ALLOW))) allowed.push(pattern);
    }
    const covers = (d: ResourcePattern, a: ResourcePattern): boolean =>
      (d.patternType === PatternType.LITERAL && d.name === WILDCARD_RESOURCE)
      || (d.patternType === PatternType.LITERAL && a.patternType === PatternType.LITERAL && d.name === a.name)
      || (d.patternType === PatternType.PREFIXED && a.name.startsWith(d.name) && a.name !== WILDCARD_RESOURCE);
    if (allowed.length === 0) {
      // No ACL at all for the type: the no-ACL rule applies to every resource of it.
      return this.settings.allowEveryoneIfNoAclFound && denied.length === 0 && ![...this.byPattern.values()].some((v) => v.pattern.resourceType === resourceType);
    }
    return allowed.some((a) => !denied.some((d) => covers(d, a)));
  }
}
