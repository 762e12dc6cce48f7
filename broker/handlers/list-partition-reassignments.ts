/**
 * ListPartitionReassignments (key 46, KIP-455): the controller's ongoing reassignments (topics
 * null = all) with their full replica set and the adding/removing replicas; NOT_CONTROLLER
 * (top level) from any other broker.
 */
import { ApiKey, ErrorCode } from '../../protocol/index.js';
import { messageOf, tpKey } from '../../common/index.js';
import { toWireError } from '../errors.js';
import type { ApiHandler } from '../request-context.js';
import { activeController, type ReassignmentDeps } from './alter-partition-reassignments.js';

export function createListPartitionReassignmentsHandler(deps: ReassignmentDeps): ApiHandler<typeof ApiKey.ListPartitionReassignments> {
  const uniform = (errorCode: number, errorMessage: string | null) => ({ throttleTimeMs: 0, errorCode, errorMessage, topics: [] });
  return {
    apiKey: ApiKey.ListPartitionReassignments,
    minVersion: 0,
    maxVersion: 0,
    async handle(_ctx, request) {
      const controller = activeController(deps);
      if (controller === undefined) return uniform(ErrorCode.NOT_CONTROLLER, null);
      try {
        const wanted = request.topics === null ? undefined : new Set(request.topics.flatMap((t) => t.partitionIndexes.map((p) => tpKey(t.name, p))));
        const byTopic = new Map<string, { name: string; partitions: { partitionIndex: number; replicas: number[]; addingReplicas: number[]; removingReplicas: number[] }[] }>();
        for (const r of await controller.listPartitionReassignments()) {
          if (wanted !== undefined && !wanted.has(tpKey(r.topic, r.partition))) continue;
          let t = byTopic.get(r.topic);
          if (t === undefined) byTopic.set(r.topic, (t = { name: r.topic, partitions: [] }));
          t.partitions.push({ partitionIndex: r.partition, replicas: [...r.replicas], addingReplicas: [...r.addingReplicas], removingReplicas: [...r.removingReplicas] });
        }
        return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, topics: [...byTopic.values()] };
      } catch (err) {
        return uniform(toWireError(err), messageOf(err));
      }
    },
    errorResponse: (_ctx, _request, errorCode) => uniform(errorCode, null),
  };
}
