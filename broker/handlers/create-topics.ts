/**
 * CreateTopics (key 19), answered by the controller only (clients send it to the controller id
 * from Metadata; others get NOT_CONTROLLER). Topics are written to ZooKeeper through the topic
 * admin (validated names, configs, assignments); then, like Kafka's DelayedCreatePartitions, the
 * answer waits up to `timeoutMs` until every new partition has a leader in this broker's
 * metadata cache and every live broker acknowledged the new partitions (REQUEST_TIMED_OUT if
 * not; see `allPartitionsLed`). v5 (KIP-525) answers, for each topic created or
 * validated, its partition count, replication factor and every topic config with its value and
 * source (as DescribeConfigs would, without synonyms); v5 is flexible. controller_mutation_rate
 * (KIP-599) is charged here, on the controller, with each topic's partitions once the topic is
 * validated and before it is written (given back if the write fails); from v6 a valid topic is
 * refused with THROTTLING_QUOTA_EXCEEDED while the quota is exceeded, before v6 it is created all
 * the same; both answer the throttle time.
 */
import { ApiKey, ErrorCode, errorInfo, type CreateTopicsRequest, type CreateTopicsResponse } from '../../protocol/index.js';
import { TopicAdminError } from '../admin/index.js';
import { messageOf } from '../../common/index.js';
import { toWireError } from '../errors.js';
import type { ApiHandler } from '../request-context.js';
import { type HandlerDeps, waitForMetadata } from './deps.js';
import { topicEntries } from './describe-configs.js';

type TopicResult = CreateTopicsResponse['topics'][number];

function uniform(request: CreateTopicsRequest, errorCode: number, message: string | null = null): CreateTopicsResponse {
  return { throttleTimeMs: 0, topics: request.topics.map((t) => ({ name: t.name, errorCode, errorMessage: message })) };
}

/** A topic refused by a strict controller_mutation_rate (KIP-599). */
export function throttled(name: string): { name: string; errorCode: number; errorMessage: string } {
  return { name, errorCode: ErrorCode.THROTTLING_QUOTA_EXCEEDED, errorMessage: errorInfo(ErrorCode.THROTTLING_QUOTA_EXCEEDED).message };
}

/**
 * Every partition has a leader in this broker's metadata cache (Kafka's DelayedCreatePartitions)
 * and, beyond Kafka, every broker acknowledged the controller's LeaderAndIsr and UpdateMetadata
 * for them, so the leader serves them and any broker's Metadata shows them.
 */
export function allPartitionsLed(deps: HandlerDeps, topic: string, count: number): boolean {
  if (deps.metadataPropagating?.(topic) ?? false) return false;
  const parts = deps.metadataCache.getTopic(topic);
  if (parts === undefined || parts.length < count) return false;
  return parts.every((p) => p.leader >= 0);
}

export function createCreateTopicsHandler(deps: HandlerDeps): ApiHandler<typeof ApiKey.CreateTopics> {
  const log = deps.logger.child({ module: 'handlers.create-topics' });
  return {
    apiKey: ApiKey.CreateTopics,
    minVersion: 0,
    maxVersion: 6,
    async handle(ctx, request) {
      if (!deps.isController()) return uniform(request, ErrorCode.NOT_CONTROLLER, `broker ${deps.brokerId} is not the controller`);
      const counts = new Map<string, number>();
      for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
      const validateOnly = request.validateOnly ?? false;
      // KIP-599: strict from v6 (topics over the quota refused), permissive before.
      const quota = deps.quotas?.controllerMutations(ctx, ctx.apiVersion >= 6);
      const created: { name: string; partitions: number; result: TopicResult }[] = [];
      const results = await Promise.all(
        request.topics.map(async (t): Promise<TopicResult> => {
          if ((counts.get(t.name) ?? 0) > 1) return { name: t.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Create topics request from client ${ctx.clientId ?? ''} contains multiple entries for topic ${t.name}` };
          const configs: Record<string, string> = {};
          for (const c of t.configs) if (c.value !== null) configs[c.name] = c.value;
          const assignment = new Map<number, number[]>(t.assignments.map((a) => [a.partitionIndex, [...a.brokerIds]]));
          const spec = { name: t.name, numPartitions: t.numPartitions, replicationFactor: t.replicationFactor, assignment, configs };
          let charged = 0;
          try {
            if (quota?.limited === true && !validateOnly) {
              // Kafka validates a topic before charging it: an invalid one gets its own error, not
              // THROTTLING_QUOTA_EXCEEDED, and costs nothing.
              charged = (await deps.topicAdmin.createTopic({ ...spec, validateOnly: true })).assignment.size;
              if (!quota.record(charged)) return throttled(t.name);
            }
            const r = await deps.topicAdmin.createTopic({ ...spec, validateOnly });
            const result: TopicResult = {
              name: t.name,
              errorCode: ErrorCode.NONE,
              errorMessage: null,
              numPartitions: r.assignment.size,
              replicationFactor: r.assignment.get(0)?.length ?? [...r.assignment.values()][0]?.length ?? -1,
              configs: topicEntries(deps.config, r.configs, { includeSynonyms: false, includeDocumentation: false }).map((e) => ({
                name: e.name,
                value: e.value,
                readOnly: e.readOnly,
                configSource: e.configSource ?? -1,
                isSensitive: e.isSensitive,
              })),
            };
            if (!validateOnly) {
              log.info({ topic: t.name, partitions: r.assignment.size, configs: r.configs }, 'created topic');
              created.push({ name: t.name, partitions: r.assignment.size, result });
            }
            return result;
          } catch (err) {
            if (charged > 0) quota?.unrecord(charged);
            if (!(err instanceof TopicAdminError)) log.warn({ err, topic: t.name }, 'creating topic failed');
            return { name: t.name, errorCode: toWireError(err), errorMessage: messageOf(err) };
          }
        }),
      );
      if (created.length > 0 && request.timeoutMs > 0) {
        const done = await waitForMetadata(deps, request.timeoutMs, () => created.every((c) => allPartitionsLed(deps, c.name, c.partitions)), ctx.signal);
        if (!done) {
          for (const c of created) {
            if (allPartitionsLed(deps, c.name, c.partitions)) continue;
            c.result.errorCode = ErrorCode.REQUEST_TIMED_OUT;
            c.result.errorMessage = `Topic ${c.name} was created but its leaders were not elected within ${request.timeoutMs} ms`;
          }
        }
      }
      return { throttleTimeMs: quota?.throttleTimeMs() ?? 0, topics: results };
    },
    errorResponse: (_ctx, request, errorCode) => uniform(request, errorCode),
  };
}
