/**
 * SaslHandshake (key 17) reaching the router: on a SASL listener the per-connection
 * authenticator (broker/security/kafka-authenticator.ts) answers it before the router, so here
 * the listener has no SASL (PLAINTEXT, SSL) and the answer is ILLEGAL_SASL_STATE, as Kafka's.
 */
import { ApiKey, ErrorCode } from '../../protocol/index.js';
import type { ApiHandler } from '../request-context.js';

export function createSaslHandshakeHandler(): ApiHandler<typeof ApiKey.SaslHandshake> {
  return {
    apiKey: ApiKey.SaslHandshake,
    minVersion: 0,
    maxVersion: 1,
    handle: async () => ({ errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] }),
    errorResponse: (_ctx, _request, errorCode) => ({ errorCode, mechanisms: [] }),
  };
}
