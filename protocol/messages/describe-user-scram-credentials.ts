/** DescribeUserScramCredentials (key 50), v0 (flexible, KIP-554): SCRAM mechanisms and iterations per user (users null = all). */
import type { MessageBody, MessageSpec } from '../schema/spec.js';

export const DescribeUserScramCredentialsRequest = {
  name: 'DescribeUserScramCredentialsRequest',
  apiKey: 50,
  type: 'request',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [{ name: 'users', type: '[]', versions: '0+', nullableVersions: '0+', fields: [{ name: 'name', type: 'string', versions: '0+' }] }],
} as const satisfies MessageSpec;
export type DescribeUserScramCredentialsRequest = MessageBody<typeof DescribeUserScramCredentialsRequest>;

export const DescribeUserScramCredentialsResponse = {
  name: 'DescribeUserScramCredentialsResponse',
  apiKey: 50,
  type: 'response',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    {
      name: 'results',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'user', type: 'string', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
        {
          name: 'credentialInfos',
          type: '[]',
          versions: '0+',
          fields: [
            { name: 'mechanism', type: 'int8', versions: '0+' },
            { name: 'iterations', type: 'int32', versions: '0+' },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;
export type DescribeUserScramCredentialsResponse = MessageBody<typeof DescribeUserScramCredentialsResponse>;
