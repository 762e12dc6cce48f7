/**
 * AddPartitionsToTxn (key 24), v0–3: a transactional producer registers partitions before writing
 * to them. v2 may answer PRODUCER_FENCED; v3 is flexible. Names are the 2.8 ones: Kafka 3.6
 * renamed them (v3AndBelow…) only to make room for the broker-side batched v4, not described.
 */
import type { MessageBody, MessageSpec } from '../schema/spec.js';

export const AddPartitionsToTxnRequest = {
  name: 'AddPartitionsToTxnRequest',
  apiKey: 24,
  type: 'request',
  validVersions: '0-3',
  flexibleVersions: '3+',
  fields: [
    { name: 'transactionalId', type: 'string', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+' },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
    {
      name: 'topics',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]int32', versions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSpec;
export type AddPartitionsToTxnRequest = MessageBody<typeof AddPartitionsToTxnRequest>;

export const AddPartitionsToTxnResponse = {
  name: 'AddPartitionsToTxnResponse',
  apiKey: 24,
  type: 'response',
  validVersions: '0-3',
  flexibleVersions: '3+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'results',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        {
          name: 'results',
          type: '[]',
          versions: '0+',
          fields: [
            { name: 'partitionIndex', type: 'int32', versions: '0+' },
            { name: 'errorCode', type: 'int16', versions: '0+' },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;
export type AddPartitionsToTxnResponse = MessageBody<typeof AddPartitionsToTxnResponse>;
