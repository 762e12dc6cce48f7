/** ListTransactions (key 66), v0 (Kafka 3.0, KIP-664): transactional ids known to a coordinator, filtered by state and producer id. */
import type { MessageBody, MessageSpec } from '../schema/spec.js';

export const ListTransactionsRequest = {
  name: 'ListTransactionsRequest',
  apiKey: 66,
  type: 'request',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'stateFilters', type: '[]string', versions: '0+' },
    { name: 'producerIdFilters', type: '[]int64', versions: '0+' },
  ],
} as const satisfies MessageSpec;
export type ListTransactionsRequest = MessageBody<typeof ListTransactionsRequest>;

export const ListTransactionsResponse = {
  name: 'ListTransactionsResponse',
  apiKey: 66,
  type: 'response',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'unknownStateFilters', type: '[]string', versions: '0+' },
    {
      name: 'transactionStates',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'transactionalId', type: 'string', versions: '0+' },
        { name: 'producerId', type: 'int64', versions: '0+' },
        { name: 'transactionState', type: 'string', versions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSpec;
export type ListTransactionsResponse = MessageBody<typeof ListTransactionsResponse>;
