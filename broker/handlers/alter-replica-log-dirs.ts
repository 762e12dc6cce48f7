/**
 * AlterReplicaLogDirs (key 34, KIP-113): moves replicas of this broker to another of its log
 * directories. Each replica is answered by the replica manager's LogDirMover (replica/
 * log-dir-mover.ts): NONE once its future log exists and the copy has started (or it is already
 * there), LOG_DIR_NOT_FOUND for a path that is not in log.dirs, KAFKA_STORAGE_ERROR for an offline
 * directory, REPLICA_NOT_AVAILABLE for a replica not hosted here (its creation will use the
 * directory, as Kafka's preferred log dir). The move itself goes on in the background; progress
 * shows in DescribeLogDirs (isFutureKey, offsetLag).
 */
import { ApiKey, ErrorCode, type AlterReplicaLogDirsResponse } from '../../protocol/index.js';
import type { ApiHandler } from '../request-context.js';
import type { HandlerDeps } from './deps.js';

type TopicResult = AlterReplicaLogDirsResponse['results'][number];

export function createAlterReplicaLogDirsHandler(deps: Pick<HandlerDeps, 'replicaManager'>): ApiHandler<typeof ApiKey.AlterReplicaLogDirs> {
  return {
    apiKey: ApiKey.AlterReplicaLogDirs,
    minVersion: 0,
    maxVersion: 2,
    async handle(_ctx, request) {
      const results = new Map<string, TopicResult>();
      for (const d of request.dirs) {
        for (const t of d.topics) {
          let r = results.get(t.name);
          if (r === undefined) results.set(t.name, (r = { topicName: t.name, partitions: [] }));
          for (const partition of t.partitions) {
            r.partitions.push({ partitionIndex: partition, errorCode: await deps.replicaManager.logDirMover.alter(t.name, partition, d.path) });
          }
        }
      }
      return { throttleTimeMs: 0, results: [...results.values()] };
    },
    errorResponse: (_ctx, request, errorCode) => ({
      throttleTimeMs: 0,
      results: request.dirs.flatMap((d) => d.topics.map((t) => ({ topicName: t.name, partitions: t.partitions.map((partitionIndex) => ({ partitionIndex, errorCode })) }))),
    }),
  };
}
