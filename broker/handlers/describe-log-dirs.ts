/**
 * DescribeLogDirs (key 35): this broker's log directories and, per directory, the replicas it
 * holds (topics null = all): partitionSize is the log's bytes on disk, offsetLag
 * max(highWatermark − logEndOffset, 0) as Kafka's ReplicaManager.getLogEndOffsetLag for a
 * current replica; a future log of a move between directories (AlterReplicaLogDirs) is listed in
 * its destination with isFutureKey true and offsetLag = current log end offset − its own. Any broker
 * answers for itself; the admin client asks each broker it wants to know about.
 */
import { dirname, resolve } from 'node:path';
import { ApiKey, ErrorCode, type DescribeLogDirsResponse } from '../../protocol/index.js';
import type { ApiHandler } from '../request-context.js';
import type { HandlerDeps } from './deps.js';

type DirResult = DescribeLogDirsResponse['results'][number];
type TopicResult = DirResult['topics'][number];

export function createDescribeLogDirsHandler(deps: Pick<HandlerDeps, 'config' | 'replicaManager'>): ApiHandler<typeof ApiKey.DescribeLogDirs> {
  return {
    apiKey: ApiKey.DescribeLogDirs,
    minVersion: 0,
    maxVersion: 2,
    async handle(_ctx, request) {
      const wanted = request.topics === null ? undefined : new Map(request.topics.map((t) => [t.topic, new Set(t.partitions)]));
      const dirs = new Map<string, Map<string, TopicResult>>(deps.config.logDirs.map((d) => [resolve(d), new Map()]));
      for (const p of deps.replicaManager.allPartitions()) {
        if (wanted !== undefined && !(wanted.get(p.topic)?.has(p.partition) ?? false)) continue;
        const log = p.log;
        if (log.isClosed || log.isOffline) continue;
        const topics = dirs.get(resolve(dirname(log.dir)));
        if (topics === undefined) continue;
        let t = topics.get(p.topic);
        if (t === undefined) topics.set(p.topic, (t = { name: p.topic, partitions: [] }));
        const lag = log.highWatermark - log.logEndOffset;
        t.partitions.push({ partitionIndex: p.partition, partitionSize: BigInt(log.size), offsetLag: lag > 0n ? lag : 0n, isFutureKey: false });
        const future = deps.replicaManager.logManager.futureLog(p.topic, p.partition);
        const futureTopics = future === undefined || future.isClosed ? undefined : dirs.get(resolve(dirname(future.dir)));
        if (future === undefined || futureTopics === undefined) continue;
        let ft = futureTopics.get(p.topic);
        if (ft === undefined) futureTopics.set(p.topic, (ft = { name: p.topic, partitions: [] }));
        const futureLag = log.logEndOffset - future.logEndOffset;
        ft.partitions.push({ partitionIndex: p.partition, partitionSize: BigInt(future.size), offsetLag: futureLag > 0n ? futureLag : 0n, isFutureKey: true });
      }
      // Kafka: a failed (offline) directory is KAFKA_STORAGE_ERROR, without replicas.
      const offline = new Set(deps.replicaManager.logManager.offlineLogDirs().map((d) => resolve(d)));
      const results: DirResult[] = [...dirs].map(([logDir, topics]) =>
        offline.has(logDir) ? { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, logDir, topics: [] } : { errorCode: ErrorCode.NONE, logDir, topics: [...topics.values()] },
      );
      return { throttleTimeMs: 0, results };
    },
    errorResponse: () => ({ throttleTimeMs: 0, results: [] }),
  };
}
