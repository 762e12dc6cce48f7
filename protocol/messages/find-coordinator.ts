/** FindCoordinator (key 10), v0–3. keyType 0 = group, 1 = transaction (v1+); v3 is flexible. */
import type { MessageBody, MessageSpec } from '../schema/spec.js';

export const FindCoordinatorRequest = {
  name: 'FindCoordinatorRequest',
  apiKey: 10,
  type: 'request',
  validVersions: '0-3',
  flexibleVersions: '3+',
  fields: [
    { name: 'key', type: 'string', versions: '0-3' },
    { name: 'keyType', type: 'int8', versions: '1+', default: 0 },
  ],
} as const satisfies MessageSpec;
export type FindCoordinatorRequest = MessageBody<typeof FindCoordinatorRequest>;

export const FindCoordinatorResponse = {
  name: 'FindCoordinatorResponse',
  apiKey: 10,
  type: 'response',
  validVersions: '0-3',
  flexibleVersions: '3+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0-3' },
    { name: 'errorMessage', type: 'string', versions: '1-3', nullableVersions: '1-3', default: null },
    { name: 'nodeId', type: 'int32', versions: '0-3' },
    { name: 'host', type: 'string', versions: '0-3' },
    { name: 'port', type: 'int32', versions: '0-3' },
  ],
} as const satisfies MessageSpec;
export type FindCoordinatorResponse = MessageBody<typeof FindCoordinatorResponse>;
