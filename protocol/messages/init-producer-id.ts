/** InitProducerId (key 22), v0–1: idempotent (transactionalId null) and transactional producers. */
import type { MessageBody, MessageSpec } from '../schema/spec.js';

export const InitProducerIdRequest = {
  name: 'InitProducerIdRequest',
  apiKey: 22,
  type: 'request',
  validVersions: '0-1',
  flexibleVersions: '2+',
  fields: [
    { name: 'transactionalId', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'transactionTimeoutMs', type: 'int32', versions: '0+' },
  ],
} as const satisfies MessageSpec;
export type InitProducerIdRequest = MessageBody<typeof InitProducerIdRequest>;

export const InitProducerIdResponse = {
  name: 'InitProducerIdResponse',
  apiKey: 22,
  type: 'response',
  validVersions: '0-1',
  flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+', default: -1n },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
  ],
} as const satisfies MessageSpec;
export type InitProducerIdResponse = MessageBody<typeof InitProducerIdResponse>;
