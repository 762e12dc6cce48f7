/**
 * CreatePartitions (key 37), v0–3 (v2 flexible), controller only: grows a topic through the topic admin (manual
 * assignments validated), then waits up to `timeoutMs` for the new partitions' leaders.
 * controller_mutation_rate (KIP-599) is charged with the partitions added, once the increase is
 * validated (Kafka's order); from v3 a valid increase over the quota is refused with
 * THROTTLING_QUOTA_EXCEEDED.
 */
import { ApiKey, ErrorCode, type CreatePartitionsRequest, type CreatePartitionsResponse } from '../../protocol/index.js';
import { messageOf } from '../../common/index.js';
import { toWireError } from '../errors.js';
import type { ApiHandler } from '../request-context.js';
import { allPartitionsLed, throttled } from './create-topics.js';
import { type HandlerDeps, waitForMetadata } from './deps.js';

type Result = CreatePartitionsResponse['results'][number];

function uniform(request: CreatePartitionsRequest, errorCode: number, message: string | null = null): CreatePartitionsResponse {
  return { throttleTimeMs: 0, results: request.topics.map((t) => ({ name: t.name, errorCode, errorMessage: message })) };
}

export function createCreatePartitionsHandler(deps: HandlerDeps): ApiHandler<typeof ApiKey.CreatePartitions> {
  return {
    apiKey: ApiKey.CreatePartitions,
    minVersion: 0,
    maxVersion: 3,
    async handle(ctx, request) {
      if (!deps.isController()) return uniform(request, ErrorCode.NOT_CONTROLLER, `broker ${deps.brokerId} is not the controller`);
      const grown: { name: string; count: number; result: Result }[] = [];
      // KIP-599: strict from v3, permissive before; charged with the partitions added.
      const quota = deps.quotas?.controllerMutations(ctx, ctx.apiVersion >= 3);
      const results = await Promise.all(
        request.topics.map(async (t): Promise<Result> => {
          let charged = 0;
          try {
            // The topic admin numbers the new partitions after ZooKeeper's count: this broker's
            // metadata cache may not know a topic created a moment ago (CreateTopics, timeout 0).
            const assignment = t.assignments === null ? undefined : t.assignments.map((a) => [...a.brokerIds]);
            if (quota?.limited === true && !request.validateOnly) {
              // Kafka validates the increase before charging it: an invalid one gets its own error.
              charged = (await deps.topicAdmin.createPartitions(t.name, t.count, assignment, true)).size;
              if (!quota.record(charged)) return throttled(t.name);
            }
            await deps.topicAdmin.createPartitions(t.name, t.count, assignment, request.validateOnly);
            const result: Result = { name: t.name, errorCode: ErrorCode.NONE, errorMessage: null };
            if (!request.validateOnly) grown.push({ name: t.name, count: t.count, result });
            return result;
          } catch (err) {
            if (charged > 0) quota?.unrecord(charged);
            return { name: t.name, errorCode: toWireError(err), errorMessage: messageOf(err) };
          }
        }),
      );
      if (grown.length > 0 && request.timeoutMs > 0) {
        const ok = await waitForMetadata(deps, request.timeoutMs, () => grown.every((g) => allPartitionsLed(deps, g.name, g.count)), ctx.signal);
        if (!ok) for (const g of grown) if (!allPartitionsLed(deps, g.name, g.count)) g.result.errorCode = ErrorCode.REQUEST_TIMED_OUT;
      }
      return { throttleTimeMs: quota?.throttleTimeMs() ?? 0, results };
    },
    errorResponse: (_ctx, request, errorCode) => uniform(request, errorCode),
  };
}
