/** SaslHandshake (key 17), v0–1: the client names its SASL mechanism; v1 continues with SaslAuthenticate frames. */
import type { MessageBody, MessageSpec } from '../schema/spec.js';

export const SaslHandshakeRequest = {
  name: 'SaslHandshakeRequest',
  apiKey: 17,
  type: 'request',
  validVersions: '0-1',
  flexibleVersions: 'none',
  fields: [{ name: 'mechanism', type: 'string', versions: '0+' }],
} as const satisfies MessageSpec;
export type SaslHandshakeRequest = MessageBody<typeof SaslHandshakeRequest>;

export const SaslHandshakeResponse = {
  name: 'SaslHandshakeResponse',
  apiKey: 17,
  type: 'response',
  validVersions: '0-1',
  flexibleVersions: 'none',
  fields: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'mechanisms', type: '[]string', versions: '0+' },
  ],
} as const satisfies MessageSpec;
export type SaslHandshakeResponse = MessageBody<typeof SaslHandshakeResponse>;
