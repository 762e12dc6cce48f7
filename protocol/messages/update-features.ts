/**
 * UpdateFeatures (key 57), v0 (flexible, KIP-584): change finalized feature version levels; a
 * maxVersionLevel < 1 with allowDowngrade deletes the feature. v1's downgradeType (3.3) is not described.
 */
import type { MessageBody, MessageSpec } from '../schema/spec.js';

export const UpdateFeaturesRequest = {
  name: 'UpdateFeaturesRequest',
  apiKey: 57,
  type: 'request',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000 },
    {
      name: 'featureUpdates',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'feature', type: 'string', versions: '0+' },
        { name: 'maxVersionLevel', type: 'int16', versions: '0+' },
        { name: 'allowDowngrade', type: 'bool', versions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSpec;
export type UpdateFeaturesRequest = MessageBody<typeof UpdateFeaturesRequest>;

export const UpdateFeaturesResponse = {
  name: 'UpdateFeaturesResponse',
  apiKey: 57,
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
        { name: 'feature', type: 'string', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSpec;
export type UpdateFeaturesResponse = MessageBody<typeof UpdateFeaturesResponse>;
