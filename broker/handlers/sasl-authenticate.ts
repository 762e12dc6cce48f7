/**
 * SaslAuthenticate (key 36) reaching the router: the listener has no SASL (the authenticator
 * answers it on SASL listeners), so ILLEGAL_SASL_STATE, as Kafka's.
 */
import { ApiKey, ErrorCode } from '../../protocol/index.js';
import type { ApiHandler } from '../request-context.js';

export function createSaslAuthenticateHandler(): ApiHandler<typeof ApiKey.SaslAuthenticate> {
  const body = (errorCode: number) => ({
    errorCode,
    errorMessage: 'SaslAuthenticate on a listener without SASL (or after authentication)',
    authBytes: Buffer.alloc(0),
    sessionLifetimeMs: 0n,
  });
  return {
    apiKey: ApiKey.SaslAuthenticate,
    minVersion: 0,
    maxVersion: 2,
    handle: async () => body(ErrorCode.ILLEGAL_SASL_STATE),
    errorResponse: (_ctx, _request, errorCode) => body(errorCode),
  };
}
