/** DescribeCluster (key 60), v0 (flexible, KIP-700): brokers, controller and cluster id, without topic metadata. */
import type { MessageBody, MessageSpec } from '../schema/spec.js';

export const DescribeClusterRequest = {
  name: 'DescribeClusterRequest',
  apiKey: 60,
  type: 'request',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [{ name: 'includeClusterAuthorizedOperations', type: 'bool', versions: '0+' }],
} as const satisfies MessageSpec;
export type DescribeClusterRequest = MessageBody<typeof DescribeClusterRequest>;

export const DescribeClusterResponse = {
  name: 'DescribeClusterResponse',
  apiKey: 60,
  type: 'response',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'clusterId', type: 'string', versions: '0+' },
    { name: 'controllerId', type: 'int32', versions: '0+', default: -1 },
    {
      name: 'brokers',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'brokerId', type: 'int32', versions: '0+' },
        { name: 'host', type: 'string', versions: '0+' },
        { name: 'port', type: 'int32', versions: '0+' },
        { name: 'rack', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      ],
    },
    { name: 'clusterAuthorizedOperations', type: 'int32', versions: '0+', default: -2147483648 },
  ],
} as const satisfies MessageSpec;
export type DescribeClusterResponse = MessageBody<typeof DescribeClusterResponse>;
