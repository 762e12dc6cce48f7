/**
 * ACL administration (Kafka's Admin createAcls / describeAcls / deleteAcls): any broker answers,
 * since every broker writes and caches the same ZooKeeper ACLs. Codes are protocol/'s ACL enums.
 */
import type { CreateAclsResponse, DeleteAclsResponse, DescribeAclsResponse } from '../../protocol/index.js';
import type { Cluster } from '../cluster.js';
import { brokerError } from '../errors.js';
import { API, errorInfo } from '../wire.js';

export interface AclBindingSpec {
  resourceType: number;
  resourceName: string;
  patternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

/** Null strings and ANY codes match anything; patternType MATCH (2) finds what applies to a name. */
export interface AclFilterSpec {
  resourceType: number;
  resourceName: string | null;
  patternType: number;
  principal: string | null;
  host: string | null;
  operation: number;
  permissionType: number;
}

const ACL_API_VERSION = 1;

export async function createAcls(cluster: Cluster, bindings: readonly AclBindingSpec[]): Promise<void> {
  const res = await cluster.withAnyBroker((c) => c.send<CreateAclsResponse>(API.CreateAcls, {
    creations: bindings.map((b) => ({ resourceType: b.resourceType, resourceName: b.resourceName, resourcePatternType: b.patternType, principal: b.principal, host: b.host, operation: b.operation, permissionType: b.permissionType })),
  }, { version: ACL_API_VERSION }));
  const failed = res.results.find((r) => r.errorCode !== 0);
  if (failed !== undefined) throw brokerError(errorInfo(failed.errorCode), `create ACLs${failed.errorMessage ? `: ${failed.errorMessage}` : ''}`);
}

export async function describeAcls(cluster: Cluster, filter: AclFilterSpec): Promise<AclBindingSpec[]> {
  const res = await cluster.withAnyBroker((c) => c.send<DescribeAclsResponse>(API.DescribeAcls, wireFilter(filter), { version: ACL_API_VERSION }));
  if (res.errorCode !== 0) throw brokerError(errorInfo(res.errorCode), `describe ACLs${res.errorMessage ? `: ${res.errorMessage}` : ''}`);
  return res.resources.flatMap((r) => r.acls.map((a) => ({
    resourceType: r.resourceType, resourceName: r.resourceName, patternType: r.patternType ?? 3, principal: a.principal, host: a.host, operation: a.operation, permissionType: a.permissionType,
  })));
}

/** Per filter, the ACLs it deleted. */
export async function deleteAcls(cluster: Cluster, filters: readonly AclFilterSpec[]): Promise<AclBindingSpec[][]> {
  const res = await cluster.withAnyBroker((c) => c.send<DeleteAclsResponse>(API.DeleteAcls, { filters: filters.map(wireFilter) }, { version: ACL_API_VERSION }));
  return res.filterResults.map((r) => {
    if (r.errorCode !== 0) throw brokerError(errorInfo(r.errorCode), `delete ACLs${r.errorMessage ? `: ${r.errorMessage}` : ''}`);
    return r.matchingAcls.map((a) => ({ resourceType: a.resourceType, resourceName: a.resourceName, patternType: a.patternType ?? 3, principal: a.principal, host: a.host, operation: a.operation, permissionType: a.permissionType }));
  });
}

function wireFilter(f: AclFilterSpec) {
  return { resourceTypeFilter: f.resourceType, resourceNameFilter: f.resourceName, patternTypeFilter: f.patternType, principalFilter: f.principal, hostFilter: f.host, operation: f.operation, permissionType: f.permissionType };
}
