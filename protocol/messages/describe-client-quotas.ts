/**
 * DescribeClientQuotas (key 48), v0–1 (KIP-546): quotas of the entities matching the filter
 * (matchType 0 = exact name, 1 = default entity, 2 = any). v1 is flexible.
 */
import type { MessageBody, MessageSpec } from '../schema/spec.js';

export const DescribeClientQuotasRequest = {
  name: 'DescribeClientQuotasRequest',
  apiKey: 48,
  type: 'request',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    {
      name: 'components',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'entityType', type: 'string', versions: '0+' },
        { name: 'matchType', type: 'int8', versions: '0+' },
        { name: 'match', type: 'string', versions: '0+', nullableVersions: '0+' },
      ],
    },
    { name: 'strict', type: 'bool', versions: '0+' },
  ],
} as const satisfies MessageSpec;
export type DescribeClientQuotasRequest = MessageBody<typeof DescribeClientQuotasRequest>;

export const DescribeClientQuotasResponse = {
  name: 'DescribeClientQuotasResponse',
  apiKey: 48,
  type: 'response',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    {
      name: 'entries',
      type: '[]',
      versions: '0+',
      nullableVersions: '0+',
      fields: [
        {
          name: 'entity',
          type: '[]',
          versions: '0+',
          fields: [
            { name: 'entityType', type: 'string', versions: '0+' },
            { name: 'entityName', type: 'string', versions: '0+', nullableVersions: '0+' },
          ],
        },
        {
          name: 'values',
          type: '[]',
          versions: '0+',
          fields: [
            { name: 'key', type: 'string', versions: '0+' },
            { name: 'value', type: 'float64', versions: '0+' },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;
export type DescribeClientQuotasResponse = MessageBody<typeof DescribeClientQuotasResponse>;
