/** CreateAcls (key 30), v0–2. v1 adds the resource pattern type (default 3 = LITERAL); v2 is flexible. */
import type { MessageBody, MessageSpec } from '../schema/spec.js';

export const CreateAclsRequest = {
  name: 'CreateAclsRequest',
  apiKey: 30,
  type: 'request',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    {
      name: 'creations',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'resourceType', type: 'int8', versions: '0+' },
        { name: 'resourceName', type: 'string', versions: '0+' },
        { name: 'resourcePatternType', type: 'int8', versions: '1+', default: 3 },
        { name: 'principal', type: 'string', versions: '0+' },
        { name: 'host', type: 'string', versions: '0+' },
        { name: 'operation', type: 'int8', versions: '0+' },
        { name: 'permissionType', type: 'int8', versions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSpec;
export type CreateAclsRequest = MessageBody<typeof CreateAclsRequest>;

export const CreateAclsResponse = {
  name: 'CreateAclsResponse',
  apiKey: 30,
  type: 'response',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'results',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSpec;
export type CreateAclsResponse = MessageBody<typeof CreateAclsResponse>;
