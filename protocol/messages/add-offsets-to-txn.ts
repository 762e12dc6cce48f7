/** AddOffsetsToTxn (key 25), v0–3: adds a group's offsets partition to a transaction. v2 may answer PRODUCER_FENCED; v3 is flexible. */
import type { MessageBody, MessageSpec } from '../schema/spec.js';

export const AddOffsetsToTxnRequest = {
  name: 'AddOffsetsToTxnRequest',
  apiKey: 25,
  type: 'request',
  validVersions: '0-3',
  flexibleVersions: '3+',
  fields: [
    { name: 'transactionalId', type: 'string', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+' },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
    { name: 'groupId', type: 'string', versions: '0+' },
  ],
} as const satisfies MessageSpec;
export type AddOffsetsToTxnRequest = MessageBody<typeof AddOffsetsToTxnRequest>;

export const AddOffsetsToTxnResponse = {
  name: 'AddOffsetsToTxnResponse',
  apiKey: 25,
  type: 'response',
  validVersions: '0-3',
  flexibleVersions: '3+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
  ],
} as const satisfies MessageSpec;
export type AddOffsetsToTxnResponse = MessageBody<typeof AddOffsetsToTxnResponse>;
