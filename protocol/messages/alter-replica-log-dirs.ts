/** AlterReplicaLogDirs (key 34), v0–2: move replicas between the log directories of one broker. v2 is flexible. */
import type { MessageBody, MessageSpec } from '../schema/spec.js';

export const AlterReplicaLogDirsRequest = {
  name: 'AlterReplicaLogDirsRequest',
  apiKey: 34,
  type: 'request',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    {
      name: 'dirs',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'path', type: 'string', versions: '0+' },
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
    },
  ],
} as const satisfies MessageSpec;
export type AlterReplicaLogDirsRequest = MessageBody<typeof AlterReplicaLogDirsRequest>;

export const AlterReplicaLogDirsResponse = {
  name: 'AlterReplicaLogDirsResponse',
  apiKey: 34,
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
        { name: 'topicName', type: 'string', versions: '0+' },
        {
          name: 'partitions',
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
export type AlterReplicaLogDirsResponse = MessageBody<typeof AlterReplicaLogDirsResponse>;
