/**
 * DeleteTopics (key 20), v0–5 (v4 flexible, v5 a per-topic error message), controller only. Marks topics for deletion in ZooKeeper; the controller
 * stops and deletes the replicas. Waits up to `timeoutMs` for the topics to leave the metadata
 * cache (REQUEST_TIMED_OUT otherwise, the deletion still goes on). controller_mutation_rate
 * (KIP-599) is charged with each topic's partitions; from v5 a topic over the quota is refused
 * with THROTTLING_QUOTA_EXCEEDED.
 */
import { ApiKey, ErrorCode, errorInfo, type DeleteTopicsRequest, type DeleteTopicsResponse } from '../../protocol/index.js';
import { toWireError } from '../errors.js';
import type { ApiHandler } from '../request-context.js';
import { type HandlerDeps, waitForMetadata } from './deps.js';

/** v5's per-topic message: Kafka's text for the error (ApiError without its own message). */
function messageFor(errorCode: number): string | null {
  return errorCode === ErrorCode.NONE ? null : errorInfo(errorCode).message;
}

function uniform(request: DeleteTopicsRequest, errorCode: number): DeleteTopicsResponse {
  return { throttleTimeMs: 0, responses: (request.topicNames ?? []).map((name) => ({ name, errorCode, errorMessage: messageFor(errorCode) })) };
}

export function createDeleteTopicsHandler(deps: HandlerDeps): ApiHandler<typeof ApiKey.DeleteTopics> {
  const log = deps.logger.child({ module: 'handlers.delete-topics' });
  return {
    apiKey: ApiKey.DeleteTopics,
    minVersion: 0,
    maxVersion: 5,
    async handle(ctx, request) {
      if (!deps.isController()) return uniform(request, ErrorCode.NOT_CONTROLLER);
      if (!deps.config.bool('delete.topic.enable')) return uniform(request, ErrorCode.TOPIC_DELETION_DISABLED);
      const names = [...new Set(request.topicNames ?? [])];
      // KIP-599: strict from v5, permissive before; charged with the topic's partitions.
      const quota = deps.quotas?.controllerMutations(ctx, ctx.apiVersion >= 5);
      const responses = await Promise.all(
        names.map(async (name) => {
          // Like Kafka: a topic the metadata does not show (never created, or already being
          // deleted) is unknown, even while its znodes are still being removed.
          if (!deps.metadataCache.hasTopic(name)) return { name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION as number };
          const charged = quota === undefined ? 0 : (deps.metadataCache.getTopic(name)?.length ?? 0);
          if (charged > 0 && !quota!.record(charged)) return { name, errorCode: ErrorCode.THROTTLING_QUOTA_EXCEEDED as number };
          try {
            await deps.topicAdmin.deleteTopic(name);
            log.info({ topic: name }, 'topic marked for deletion');
            return { name, errorCode: ErrorCode.NONE as number };
          } catch (err) {
            if (charged > 0) quota!.unrecord(charged);
            return { name, errorCode: toWireError(err) };
          }
        }),
      );
      const pending = responses.filter((r) => r.errorCode === ErrorCode.NONE);
      if (pending.length > 0 && request.timeoutMs > 0) {
        await waitForMetadata(deps, request.timeoutMs, () => pending.every((r) => !deps.metadataCache.hasTopic(r.name)), ctx.signal);
        for (const r of pending) if (deps.metadataCache.hasTopic(r.name)) r.errorCode = ErrorCode.REQUEST_TIMED_OUT;
      }
      return { throttleTimeMs: quota?.throttleTimeMs() ?? 0, responses: responses.map((r) => ({ ...r, errorMessage: messageFor(r.errorCode) })) };
    },
    errorResponse: (_ctx, request, errorCode) => uniform(request, errorCode),
  };
}
