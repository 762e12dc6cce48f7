/**
 * AlterClientQuotas (key 49, KIP-546), v0–1: per entity, set or remove quota values; one result
 * per entry. An invalid entity, key or value fails that entry alone (INVALID_REQUEST with the
 * reason) and nothing of it is written; `validateOnly` checks without writing. Each written
 * entity is one znode update plus one /config/changes notification, which every broker applies
 * without restart.
 */
import { ApiKey, ErrorCode } from '../../protocol/index.js';
import type { QuotaAdmin } from '../quota/index.js';
import { toWireError } from '../errors.js';
import type { ApiHandler } from '../request-context.js';

export function createAlterClientQuotasHandler(deps: { readonly quotaAdmin: () => QuotaAdmin }): ApiHandler<typeof ApiKey.AlterClientQuotas> {
  return {
    apiKey: ApiKey.AlterClientQuotas,
    minVersion: 0,
    maxVersion: 1,
    handle: async (_ctx, request) => {
      const entries = [];
      for (const e of request.entries) {
        try {
          await deps.quotaAdmin().alter(e.entity, e.ops, request.validateOnly);
          entries.push({ errorCode: ErrorCode.NONE, errorMessage: null, entity: e.entity });
        } catch (err) {
          entries.push({ errorCode: toWireError(err), errorMessage: (err as Error).message, entity: e.entity });
        }
      }
      return { throttleTimeMs: 0, entries };
    },
    errorResponse: (_ctx, request, errorCode) => ({
      throttleTimeMs: 0,
      entries: request.entries.map((e) => ({ errorCode, errorMessage: null, entity: e.entity })),
    }),
  };
}
