/** EndTxn (key 26), v0–3: commit (committed = true) or abort a transaction. v2 may answer PRODUCER_FENCED; v3 is flexible. */
import type { MessageBody, MessageSpec } from '../schema/spec.js';

export const EndTxnRequest = {
  name: 'EndTxnRequest',
  apiKey: 26,
  type: 'request',
  validVersions: '0-3',
  flexibleVersions: '3+',
  fields: [
    { name: 'transactionalId', type: 'string', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+' },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
    { name: 'committed', type: 'bool', versions: '0+' },
  ],
} as const satisfies MessageSpec;
export type EndTxnRequest = MessageBody<typeof EndTxnRequest>;

export const EndTxnResponse = {
  name: 'EndTxnResponse',
  apiKey: 26,
  type: 'response',
  validVersions: '0-3',
  flexibleVersions: '3+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
  ],
} as const satisfies MessageSpec;
export type EndTxnResponse = MessageBody<typeof EndTxnResponse>;
