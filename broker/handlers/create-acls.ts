/**
 * CreateAcls (key 30), v0–2: stores each creation in ZooKeeper through the ACL authorizer; an
 * invalid one (unknown type, operation the resource type does not support, bad principal)
 * answers INVALID_REQUEST alone, the others are created.
 */
import { ApiKey, ErrorCode } from '../../protocol/index.js';
import { invalidBinding, type AclBinding } from '../security/index.js';
import type { ApiHandler } from '../request-context.js';
import type { AclApiDeps } from './acl-apis.js';

export function createCreateAclsHandler(deps: AclApiDeps): ApiHandler<typeof ApiKey.CreateAcls> {
  return {
    apiKey: ApiKey.CreateAcls,
    minVersion: 0,
    maxVersion: 2,
    async handle(_ctx, request) {
      const acls = deps.acls();
      if (acls === undefined) return { throttleTimeMs: 0, results: request.creations.map(() => ({ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No authorizer is configured on the broker' })) };
      const bindings: AclBinding[] = request.creations.map((c) => ({
        pattern: { resourceType: c.resourceType as AclBinding['pattern']['resourceType'], name: c.resourceName, patternType: c.resourcePatternType as AclBinding['pattern']['patternType'] },
        entry: { principal: c.principal, host: c.host, operation: c.operation as AclBinding['entry']['operation'], permission: c.permissionType as AclBinding['entry']['permission'] },
      }));
      const invalid = bindings.map(invalidBinding);
      const valid = bindings.filter((_, i) => invalid[i] === undefined);
      const outcomes = await acls.createAcls(valid);
      let j = 0;
      return {
        throttleTimeMs: 0,
        results: bindings.map((_, i) => {
          if (invalid[i] !== undefined) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: invalid[i]! };
          const err = outcomes[j++];
          return err === undefined ? { errorCode: ErrorCode.NONE, errorMessage: null } : { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: err.message };
        }),
      };
    },
    errorResponse: (_ctx, request, errorCode) => ({ throttleTimeMs: 0, results: request.creations.map(() => ({ errorCode, errorMessage: null })) }),
  };
}
