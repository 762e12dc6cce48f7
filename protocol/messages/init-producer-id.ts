/**
 * InitProducerId (key 22), v0–4: idempotent (transactionalId null) and transactional producers.
 * v2 is flexible; v3 lets a producer resume its own id/epoch after INVALID_PRODUCER_EPOCH (KIP-360);
 * v4 may answer PRODUCER_FENCED.
 */
import type { MessageBody, MessageSpec } from '../schema/spec.js';

export const InitProducerIdRequest = {
  name: 'InitProducerIdRequest',
  apiKey: 22,
  type: 'request',
  validVersions: '0-4',
  flexibleVersions: '2+',
  fields: [
    { name: 'transactionalId', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'transactionTimeoutMs', type: 'int32', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '3+', default: -1n },
    { name: 'producerEpoch', type: 'int16', versions: '3+', default: -1 },
  ],
} as const satisfies MessageSpec;
export type InitProducerIdRequest = MessageBody<typeof InitProducerIdRequest>;

export const InitProducerIdResponse = {
  name: 'InitProducerIdResponse',
  apiKey: 22,
  type: 'response',
  validVersions: '0-4',
  flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+', default: -1n },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
  ],
} as const satisfies MessageSpec;
export type InitProducerIdResponse = MessageBody<typeof InitProducerIdResponse>;
