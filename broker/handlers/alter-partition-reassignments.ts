/**
 * AlterPartitionReassignments (key 45, KIP-455), through
 * the controller's reassignment (broker/controller/reassignment.ts, the HTTP API's path): a
 * replica list starts a reassignment, null cancels one (NO_REASSIGNMENT_IN_PROGRESS when none);
 * ListPartitionReassignments (list-partition-reassignments.ts) shows the ongoing ones. Both are
 * controller APIs: another broker answers a top-level NOT_CONTROLLER (KafkaApis), and clients
 * retry on the controller.
 */
import { ApiKey, ErrorCode, type ErrorName, type AlterPartitionReassignmentsResponse } from '../../protocol/index.js';
import { messageOf, tpKey } from '../../common/index.js';
import type { Controller } from '../controller/index.js';
import { toWireError } from '../errors.js';
import type { ApiHandler } from '../request-context.js';

export interface ReassignmentDeps {
  readonly controller: () => Pick<Controller, 'reassignPartitions' | 'listPartitionReassignments' | 'isActive'> | undefined;
}

type AlterTopic = AlterPartitionReassignmentsResponse['responses'][number];

const MESSAGES: Partial<Record<ErrorName, string>> = {
  NO_REASSIGNMENT_IN_PROGRESS: 'no reassignment is in progress for this partition',
  REASSIGNMENT_IN_PROGRESS: 'a reassignment is already in progress: cancel it first',
  INVALID_REPLICA_ASSIGNMENT: 'the target replicas must be distinct, non-empty and live brokers',
  UNKNOWN_TOPIC_OR_PARTITION: 'The partition does not exist.',
};

export function activeController(deps: ReassignmentDeps) {
  const c = deps.controller();
  return c !== undefined && c.isActive ? c : undefined;
}

export function createAlterPartitionReassignmentsHandler(deps: ReassignmentDeps): ApiHandler<typeof ApiKey.AlterPartitionReassignments> {
  const uniform = (errorCode: number, errorMessage: string | null) => ({ throttleTimeMs: 0, errorCode, errorMessage, responses: [] });
  return {
    apiKey: ApiKey.AlterPartitionReassignments,
    minVersion: 0,
    maxVersion: 0,
    async handle(_ctx, request) {
      const controller = activeController(deps);
      if (controller === undefined) return uniform(ErrorCode.NOT_CONTROLLER, null);
      const asked = request.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, replicas: p.replicas === null ? null : [...p.replicas] })));
      try {
        const answers = await controller.reassignPartitions(asked);
        const responses: AlterTopic[] = request.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => {
            const name = answers.get(tpKey(t.name, p.partitionIndex)) ?? 'UNKNOWN_TOPIC_OR_PARTITION';
            return { partitionIndex: p.partitionIndex, errorCode: ErrorCode[name], errorMessage: name === 'NONE' ? null : (MESSAGES[name] ?? null) };
          }),
        }));
        return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, responses };
      } catch (err) {
        return uniform(toWireError(err), messageOf(err));
      }
    },
    errorResponse: (_ctx, _request, errorCode) => uniform(errorCode, null),
  };
}
