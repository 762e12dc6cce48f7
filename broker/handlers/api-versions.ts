/**
 * ApiVersions (key 18): the handshake every client sends first. The answer lists what the
 * registry serves (never a hand-kept table). The unsupported-version case (KIP-511: answer in v0
 * format with UNSUPPORTED_VERSION and our own ApiVersions range) is handled by the router, since
 * such a request cannot be decoded at its version.
 */
import { ApiKey, ErrorCode } from '../../protocol/index.js';
import type { KafkaHandler, RequestContext } from '../request-context.js';
import type { ApiVersionRange } from './index.js';

interface ApiVersionsResponseBody {
  errorCode: number;
  apiKeys: { apiKey: number; minVersion: number; maxVersion: number }[];
  throttleTimeMs: number;
}

export function apiVersionsBody(errorCode: number, ranges: readonly ApiVersionRange[]): ApiVersionsResponseBody {
  return {
    errorCode,
    apiKeys: ranges.map((r) => ({ apiKey: r.apiKey, minVersion: r.minVersion, maxVersion: r.maxVersion })),
    throttleTimeMs: 0,
  };
}

export function createApiVersionsHandler(advertised: () => readonly ApiVersionRange[]): KafkaHandler<unknown, ApiVersionsResponseBody> {
  return {
    apiKey: ApiKey.ApiVersions,
    minVersion: 0,
    maxVersion: 3,
    handle: async (_ctx: RequestContext) => apiVersionsBody(ErrorCode.NONE, advertised()),
    errorResponse: (_ctx, _request, errorCode) => apiVersionsBody(errorCode, advertised()),
  };
}
