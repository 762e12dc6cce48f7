/**
 * DescribeClientQuotas (key 48, KIP-546), v0–1: the quota entities in ZooKeeper that match the
 * filter, with their values. A bad filter (unknown entity type, a component twice, an exact match
 * without a name) is INVALID_REQUEST with the reason.
 */
import { ApiKey, ErrorCode } from '../../protocol/index.js';
import { componentsOfEntity, type QuotaAdmin } from '../quota/index.js';
import { toWireError } from '../errors.js';
import type { ApiHandler } from '../request-context.js';

export function createDescribeClientQuotasHandler(deps: { readonly quotaAdmin: () => QuotaAdmin }): ApiHandler<typeof ApiKey.DescribeClientQuotas> {
  return {
    apiKey: ApiKey.DescribeClientQuotas,
    minVersion: 0,
    maxVersion: 1,
    handle: async (_ctx, request) => {
      try {
        const found = await deps.quotaAdmin().describe(request.components, request.strict);
        return {
          throttleTimeMs: 0,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          entries: found.map(({ entity, values }) => ({
            entity: componentsOfEntity(entity),
            values: Object.entries(values).map(([key, value]) => ({ key, value })),
          })),
        };
      } catch (err) {
        return { throttleTimeMs: 0, errorCode: toWireError(err), errorMessage: (err as Error).message, entries: null };
      }
    },
    errorResponse: (_ctx, _request, errorCode) => ({ throttleTimeMs: 0, errorCode, errorMessage: null, entries: null }),
  };
}
