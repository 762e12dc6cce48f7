/** DeleteAcls (key 31), v0–2: per filter, the ACLs it matched and removed from ZooKeeper. */
import { ApiKey, ErrorCode } from '../../protocol/index.js';
import { invalidFilter } from '../security/index.js';
import type { ApiHandler } from '../request-context.js';
import { filterOf, wireEntry, type AclApiDeps } from './acl-apis.js';

export function createDeleteAclsHandler(deps: AclApiDeps): ApiHandler<typeof ApiKey.DeleteAcls> {
  return {
    apiKey: ApiKey.DeleteAcls,
    minVersion: 0,
    maxVersion: 2,
    async handle(_ctx, request) {
      const acls = deps.acls();
      if (acls === undefined) {
        return { throttleTimeMs: 0, filterResults: request.filters.map(() => ({ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No authorizer is configured on the broker', matchingAcls: [] })) };
      }
      const filters = request.filters.map(filterOf);
      const invalid = filters.map(invalidFilter);
      const outcomes = await acls.deleteAcls(filters.filter((_, i) => invalid[i] === undefined));
      let j = 0;
      return {
        throttleTimeMs: 0,
        filterResults: filters.map((_, i) => {
          if (invalid[i] !== undefined) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: invalid[i]!, matchingAcls: [] };
          const o = outcomes[j++]!;
          return {
            errorCode: o.error === undefined ? ErrorCode.NONE : ErrorCode.UNKNOWN_SERVER_ERROR,
            errorMessage: o.error?.message ?? null,
            matchingAcls: o.deleted.map((b) => ({
              errorCode: ErrorCode.NONE,
              errorMessage: null,
              resourceType: b.pattern.resourceType,
              resourceName: b.pattern.name,
              patternType: b.pattern.patternType,
              ...wireEntry(b),
            })),
          };
        }),
      };
    },
    errorResponse: (_ctx, request, errorCode) => ({ throttleTimeMs: 0, filterResults: request.filters.map(() => ({ errorCode, errorMessage: null, matchingAcls: [] })) }),
  };
}
