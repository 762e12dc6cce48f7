/** SaslAuthenticate (key 36), v0–2: one SASL round trip; v1 adds the session lifetime (KIP-368), v2 is flexible. */
import type { MessageBody, MessageSpec } from '../schema/spec.js';

export const SaslAuthenticateRequest = {
  name: 'SaslAuthenticateRequest',
  apiKey: 36,
  type: 'request',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [{ name: 'authBytes', type: 'bytes', versions: '0+' }],
} as const satisfies MessageSpec;
export type SaslAuthenticateRequest = MessageBody<typeof SaslAuthenticateRequest>;

export const SaslAuthenticateResponse = {
  name: 'SaslAuthenticateResponse',
  apiKey: 36,
  type: 'response',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'authBytes', type: 'bytes', versions: '0+' },
    { name: 'sessionLifetimeMs', type: 'int64', versions: '1+', default: 0n },
  ],
} as const satisfies MessageSpec;
export type SaslAuthenticateResponse = MessageBody<typeof SaslAuthenticateResponse>;
