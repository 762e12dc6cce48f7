/** AlterUserScramCredentials (key 51), v0 (flexible, KIP-554): delete and upsert SCRAM credentials (salted on the client). */
import type { MessageBody, MessageSpec } from '../schema/spec.js';

export const AlterUserScramCredentialsRequest = {
  name: 'AlterUserScramCredentialsRequest',
  apiKey: 51,
  type: 'request',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    {
      name: 'deletions',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'mechanism', type: 'int8', versions: '0+' },
      ],
    },
    {
      name: 'upsertions',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'mechanism', type: 'int8', versions: '0+' },
        { name: 'iterations', type: 'int32', versions: '0+' },
        { name: 'salt', type: 'bytes', versions: '0+' },
        { name: 'saltedPassword', type: 'bytes', versions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSpec;
export type AlterUserScramCredentialsRequest = MessageBody<typeof AlterUserScramCredentialsRequest>;

export const AlterUserScramCredentialsResponse = {
  name: 'AlterUserScramCredentialsResponse',
  apiKey: 51,
  type: 'response',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'results',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'user', type: 'string', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSpec;
export type AlterUserScramCredentialsResponse = MessageBody<typeof AlterUserScramCredentialsResponse>;
