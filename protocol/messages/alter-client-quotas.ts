/** AlterClientQuotas (key 49), v0–1 (KIP-546): set or remove quota values per entity. v1 is flexible. */
import type { MessageBody, MessageSpec } from '../schema/spec.js';

const ENTITY = [
  { name: 'entityType', type: 'string', versions: '0+' },
  { name: 'entityName', type: 'string', versions: '0+', nullableVersions: '0+' },
] as const;

export const AlterClientQuotasRequest = {
  name: 'AlterClientQuotasRequest',
  apiKey: 49,
  type: 'request',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    {
      name: 'entries',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'entity', type: '[]', versions: '0+', fields: ENTITY },
        {
          name: 'ops',
          type: '[]',
          versions: '0+',
          fields: [
            { name: 'key', type: 'string', versions: '0+' },
            { name: 'value', type: 'float64', versions: '0+' },
            { name: 'remove', type: 'bool', versions: '0+' },
          ],
        },
      ],
    },
    { name: 'validateOnly', type: 'bool', versions: '0+' },
  ],
} as const satisfies MessageSpec;
export type AlterClientQuotasRequest = MessageBody<typeof AlterClientQuotasRequest>;

export const AlterClientQuotasResponse = {
  name: 'AlterClientQuotasResponse',
  apiKey: 49,
  type: 'response',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'entries',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
        { name: 'entity', type: '[]', versions: '0+', fields: ENTITY },
      ],
    },
  ],
} as const satisfies MessageSpec;
export type AlterClientQuotasResponse = MessageBody<typeof AlterClientQuotasResponse>;
