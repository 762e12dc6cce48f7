/** ListGroups (key 16), v0–4. v3 is flexible; v4 filters by group state and answers each group's state (KIP-518). */
import type { MessageBody, MessageSpec } from '../schema/spec.js';

export const ListGroupsRequest = {
  name: 'ListGroupsRequest',
  apiKey: 16,
  type: 'request',
  validVersions: '0-4',
  flexibleVersions: '3+',
  fields: [{ name: 'statesFilter', type: '[]string', versions: '4+' }],
} as const satisfies MessageSpec;
export type ListGroupsRequest = MessageBody<typeof ListGroupsRequest>;

export const ListGroupsResponse = {
  name: 'ListGroupsResponse',
  apiKey: 16,
  type: 'response',
  validVersions: '0-4',
  flexibleVersions: '3+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    {
      name: 'groups',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'groupId', type: 'string', versions: '0+' },
        { name: 'protocolType', type: 'string', versions: '0+' },
        { name: 'groupState', type: 'string', versions: '4+' },
      ],
    },
  ],
} as const satisfies MessageSpec;
export type ListGroupsResponse = MessageBody<typeof ListGroupsResponse>;
