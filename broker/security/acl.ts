/**
 * The ACL model of Kafka 2.8 (org.apache.kafka.common.acl / resource): resource types, pattern
 * types, operations and permission types with their wire codes and ZooKeeper words, a binding
 * (resource pattern + entry), the filters of DescribeAcls/DeleteAcls, and which operations each
 * resource type supports.
 */

import { AclOperation, AclPermission, PatternType, ResourceType, type AclOperationCode, type AclPermissionCode, type ResourceTypeCode } from '../../protocol/index.js';

export { AclOperation, AclPermission, PatternType, ResourceType, aclEnumName, type AclOperationCode, type AclPermissionCode, type PatternTypeCode, type ResourceTypeCode } from '../../protocol/index.js';

/** The one cluster resource's name (Kafka's `kafka-cluster`). */
export const CLUSTER_RESOURCE_NAME = 'kafka-cluster';
export const WILDCARD_RESOURCE = '*';
export const WILDCARD_PRINCIPAL = 'User:*';
export const WILDCARD_HOST = '*';

/** ZooKeeper path words (SecurityUtils.resourceTypeName) of the types with ACL nodes. */
const RESOURCE_TYPE_WORDS: Record<number, string> = {
  [ResourceType.TOPIC]: 'Topic', [ResourceType.GROUP]: 'Group', [ResourceType.CLUSTER]: 'Cluster',
  [ResourceType.TRANSACTIONAL_ID]: 'TransactionalId', [ResourceType.DELEGATION_TOKEN]: 'DelegationToken',
};
const OPERATION_WORDS: Record<number, string> = {
  [AclOperation.ALL]: 'All', [AclOperation.READ]: 'Read', [AclOperation.WRITE]: 'Write', [AclOperation.CREATE]: 'Create',
  [AclOperation.DELETE]: 'Delete', [AclOperation.ALTER]: 'Alter', [AclOperation.DESCRIBE]: 'Describe',
  [AclOperation.CLUSTER_ACTION]: 'ClusterAction', [AclOperation.DESCRIBE_CONFIGS]: 'DescribeConfigs',
  [AclOperation.ALTER_CONFIGS]: 'AlterConfigs', [AclOperation.IDEMPOTENT_WRITE]: 'IdempotentWrite',
};
const PERMISSION_WORDS: Record<number, string> = { [AclPermission.ALLOW]: 'Allow', [AclPermission.DENY]: 'Deny' };

export const resourceTypeWord = (code: number): string | undefined => RESOURCE_TYPE_WORDS[code];
export const operationWord = (code: number): string | undefined => OPERATION_WORDS[code];
export const permissionWord = (code: number): string | undefined => PERMISSION_WORDS[code];

function codeOf(words: Record<number, string>, word: string): number | undefined {
  const w = word.toLowerCase().replace(/_/g, '');
  for (const [code, name] of Object.entries(words)) if (name.toLowerCase() === w) return Number(code);
  return undefined;
}
/** Case-insensitive, with or without underscores (`TRANSACTIONAL_ID`, `TransactionalId`, `transactional-id` is not). */
export const resourceTypeFromWord = (w: string): ResourceTypeCode | undefined => codeOf(RESOURCE_TYPE_WORDS, w) as ResourceTypeCode | undefined;
export const operationFromWord = (w: string): AclOperationCode | undefined => codeOf(OPERATION_WORDS, w) as AclOperationCode | undefined;
export const permissionFromWord = (w: string): AclPermissionCode | undefined => codeOf(PERMISSION_WORDS, w) as AclPermissionCode | undefined;

export interface ResourcePattern {
  readonly resourceType: ResourceTypeCode;
  readonly name: string;
  readonly patternType: typeof PatternType.LITERAL | typeof PatternType.PREFIXED;
}

export interface AccessControlEntry {
  readonly principal: string;
  readonly host: string;
  readonly operation: AclOperationCode;
  readonly permission: typeof AclPermission.ALLOW | typeof AclPermission.DENY;
}

export interface AclBinding {
  readonly pattern: ResourcePattern;
  readonly entry: AccessControlEntry;
}

/** A DescribeAcls/DeleteAcls filter: ANY matches everything, null strings match any value. */
export interface AclBindingFilter {
  readonly resourceType: number;
  readonly name: string | null;
  readonly patternType: number;
  readonly principal: string | null;
  readonly host: string | null;
  readonly operation: number;
  readonly permission: number;
}

/** Operations each resource type supports (AclEntry.supportedOperations; All is always accepted). */
export const SUPPORTED_OPERATIONS: Record<number, readonly AclOperationCode[]> = {
  [ResourceType.TOPIC]: [AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE, AclOperation.DESCRIBE, AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS],
  [ResourceType.GROUP]: [AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE],
  [ResourceType.CLUSTER]: [AclOperation.CREATE, AclOperation.CLUSTER_ACTION, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS, AclOperation.IDEMPOTENT_WRITE, AclOperation.ALTER, AclOperation.DESCRIBE],
  [ResourceType.TRANSACTIONAL_ID]: [AclOperation.DESCRIBE, AclOperation.WRITE],
};

/** Why a binding cannot be stored (CreateAcls answers INVALID_REQUEST with this), or undefined. */
export function invalidBinding(b: AclBinding): string | undefined {
  const { pattern, entry } = b;
  if (SUPPORTED_OPERATIONS[pattern.resourceType] === undefined) return `resource type ${pattern.resourceType} cannot have ACLs`;
  if (pattern.patternType !== PatternType.LITERAL && pattern.patternType !== PatternType.PREFIXED) return 'the pattern type must be LITERAL or PREFIXED';
  if (pattern.name === '') return 'the resource name must not be empty';
  if (pattern.resourceType === ResourceType.CLUSTER && pattern.name !== CLUSTER_RESOURCE_NAME) return `the cluster resource is named ${CLUSTER_RESOURCE_NAME}`;
  if (pattern.patternType === PatternType.PREFIXED && pattern.name === WILDCARD_RESOURCE) return 'a PREFIXED pattern cannot be the wildcard *';
  if (!/^[^:\s]+:.+$/.test(entry.principal)) return `principal ${entry.principal} is not <type>:<name>`;
  if (entry.host === '') return 'the host must not be empty (use * for any host)';
  if (entry.permission !== AclPermission.ALLOW && entry.permission !== AclPermission.DENY) return 'the permission type must be ALLOW or DENY';
  if (entry.operation !== AclOperation.ALL && !SUPPORTED_OPERATIONS[pattern.resourceType]!.includes(entry.operation)) {
    return `operation ${operationWord(entry.operation) ?? entry.operation} is not supported on ${resourceTypeWord(pattern.resourceType)} resources`;
  }
  return undefined;
}

/** Why a filter is unusable (DescribeAcls/DeleteAcls answer INVALID_REQUEST), or undefined. */
export function invalidFilter(f: AclBindingFilter): string | undefined {
  if (f.resourceType === ResourceType.UNKNOWN) return 'unknown resource type';
  if (f.patternType === PatternType.UNKNOWN) return 'unknown pattern type';
  if (f.operation === AclOperation.UNKNOWN) return 'unknown operation';
  if (f.permission === AclPermission.UNKNOWN) return 'unknown permission type';
  return undefined;
}

/**
 * Kafka's AclBindingFilter.matches: ANY fields and null strings match anything; MATCH pattern
 * type matches the LITERAL binding of the name, the literal `*`, and PREFIXED bindings that are
 * a prefix of the name (ResourcePatternFilter.matches).
 */
export function filterMatches(f: AclBindingFilter, b: AclBinding): boolean {
  const p = b.pattern;
  if (f.resourceType !== ResourceType.ANY && f.resourceType !== p.resourceType) return false;
  if (f.patternType === PatternType.MATCH) {
    if (f.name !== null) {
      const ok = p.patternType === PatternType.LITERAL ? p.name === f.name || p.name === WILDCARD_RESOURCE : f.name.startsWith(p.name);
      if (!ok) return false;
    }
  } else {
    if (f.patternType !== PatternType.ANY && f.patternType !== p.patternType) return false;
    if (f.name !== null && f.name !== p.name) return false;
  }
  const e = b.entry;
  if (f.principal !== null && f.principal !== e.principal) return false;
  if (f.host !== null && f.host !== e.host) return false;
  if (f.operation !== AclOperation.ANY && f.operation !== e.operation) return false;
  if (f.permission !== AclPermission.ANY && f.permission !== e.permission) return false;
  return true;
}

export const bindingKey = (b: AclBinding): string =>
  `${b.pattern.patternType}|${b.pattern.resourceType}|${b.pattern.name}|${b.entry.principal}|${b.entry.host}|${b.entry.operation}|${b.entry.permission}`;
