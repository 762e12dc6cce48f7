/** DescribeAcls (key 29), v0–2: the ACLs matching one filter, from the authorizer's cache, grouped by resource pattern. */
import { ApiKey, ErrorCode, type DescribeAclsResponse } from '../../protocol/index.js';
import { invalidFilter, type AclBinding } from '../security/index.js';
import type { ApiHandler } from '../request-context.js';
import { filterOf, wireEntry, type AclApiDeps } from './acl-apis.js';

const fail = (errorCode: number, errorMessage: string | null): DescribeAclsResponse => ({ throttleTimeMs: 0, errorCode, errorMessage, resources: [] });

export function createDescribeAclsHandler(deps: AclApiDeps): ApiHandler<typeof ApiKey.DescribeAcls> {
  return {
    apiKey: ApiKey.DescribeAcls,
    minVersion: 0,
    maxVersion: 2,
    async handle(_ctx, request) {
      const acls = deps.acls();
      if (acls === undefined) return fail(ErrorCode.SECURITY_DISABLED, 'No authorizer is configured on the broker');
      const filter = filterOf(request);
      const invalid = invalidFilter(filter);
      if (invalid !== undefined) return fail(ErrorCode.INVALID_REQUEST, invalid);
      const groups = new Map<string, AclBinding[]>();
      for (const b of acls.acls(filter)) {
        const k = `${b.pattern.resourceType}|${b.pattern.patternType}|${b.pattern.name}`;
        groups.set(k, [...(groups.get(k) ?? []), b]);
      }
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        resources: [...groups.values()].map((bs) => ({
          resourceType: bs[0]!.pattern.resourceType,
          resourceName: bs[0]!.pattern.name,
          patternType: bs[0]!.pattern.patternType,
          acls: bs.map(wireEntry),
        })),
      };
    },
    errorResponse: (_ctx, _request, errorCode) => fail(errorCode, null),
  };
}
