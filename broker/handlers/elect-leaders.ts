/**
 * ElectLeaders (key 43, KIP-183/KIP-460): PREFERRED (0) or UNCLEAN (1, v1+) elections through
 * the controller's ElectLeaders event (the path the HTTP API and leader-election.sh take).
 * As Kafka's KafkaController.electLeaders: a partition already led by its preferred replica
 * (preferred) or by a live replica (unclean) is ELECTION_NOT_NEEDED; a preferred replica that is
 * down or out of the ISR is PREFERRED_LEADER_NOT_AVAILABLE; no live replica at all is
 * ELIGIBLE_LEADERS_NOT_AVAILABLE; a broker that is not the controller answers NOT_CONTROLLER per
 * partition. Null partitions = every partition, and then ELECTION_NOT_NEEDED ones are left out
 * (KafkaApis.handleElectReplicaLeader). Like Kafka's DelayedElectLeader, the answer waits up to
 * timeoutMs (in the metadata purgatory) for this broker's metadata to show the new leaders (else REQUEST_TIMED_OUT).
 */
import { ApiKey, ErrorCode, type ErrorName, type ElectLeadersResponse } from '../../protocol/index.js';
import { messageOf, parseTpKey, tpKey } from '../../common/index.js';
import type { Controller, ElectionType } from '../controller/index.js';
import { toWireError } from '../errors.js';
import type { ApiHandler } from '../request-context.js';
import { type HandlerDeps, waitForMetadata } from './deps.js';

export interface ElectLeadersDeps extends HandlerDeps {
  readonly controller: () => Pick<Controller, 'electLeaders' | 'isActive'> | undefined;
}

const ELECTION_TYPES: Record<number, ElectionType> = { 0: 'preferred', 1: 'unclean' };

type TopicResult = ElectLeadersResponse['replicaElectionResults'][number];

function group(results: ReadonlyMap<string, { code: number; message: string | null }>): TopicResult[] {
  const byTopic = new Map<string, TopicResult>();
  for (const [k, r] of results) {
    const { topic, partition } = parseTpKey(k);
    let t = byTopic.get(topic);
    if (t === undefined) byTopic.set(topic, (t = { topic, partitionResult: [] }));
    t.partitionResult.push({ partitionId: partition, errorCode: r.code, errorMessage: r.message });
  }
  return [...byTopic.values()];
}

export function createElectLeadersHandler(deps: ElectLeadersDeps): ApiHandler<typeof ApiKey.ElectLeaders> {
  const cache = deps.metadataCache;
  return {
    apiKey: ApiKey.ElectLeaders,
    minVersion: 0,
    maxVersion: 2,
    async handle(ctx, request) {
      const all = request.topicPartitions === null;
      const asked =
        request.topicPartitions === null
          ? cache.topicNames().flatMap((topic) => (cache.getTopic(topic) ?? []).map((p) => ({ topic, partition: p.partition })))
          : request.topicPartitions.flatMap((t) => [...new Set(t.partitions)].map((partition) => ({ topic: t.topic, partition })));
      const type = ELECTION_TYPES[request.electionType ?? 0];
      const results = new Map<string, { code: number; message: string | null }>();
      const setAll = (code: number, message: string | null): void => asked.forEach((tp) => results.set(tpKey(tp.topic, tp.partition), { code, message }));
      const controller = deps.controller();
      if (type === undefined) {
        return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, replicaElectionResults: [] };
      }
      if (controller === undefined || !controller.isActive) {
        setAll(ErrorCode.NOT_CONTROLLER, null);
      } else {
        try {
          const answers = await controller.electLeaders(asked, type);
          const elected: { topic: string; partition: number }[] = [];
          for (const tp of asked) {
            const k = tpKey(tp.topic, tp.partition);
            const name: ErrorName = answers.get(k) ?? 'UNKNOWN_TOPIC_OR_PARTITION';
            if (name === 'NONE') elected.push(tp);
            results.set(k, { code: ErrorCode[name], message: name === 'NONE' ? null : messageFor(name, tp.topic, tp.partition) });
          }
          const led = (tp: { topic: string; partition: number }): boolean => {
            const p = cache.getPartition(tp.topic, tp.partition);
            return p !== undefined && p.leader >= 0 && (type === 'unclean' || p.leader === p.replicas[0]);
          };
          if (elected.length > 0 && !(await waitForMetadata(deps, request.timeoutMs, () => elected.every(led), ctx.signal))) {
            for (const tp of elected.filter((x) => !led(x))) results.set(tpKey(tp.topic, tp.partition), { code: ErrorCode.REQUEST_TIMED_OUT, message: 'the new leader was not known in time' });
          }
        } catch (err) {
          setAll(toWireError(err), messageOf(err));
        }
      }
      if (all) for (const [k, r] of results) if (r.code === ErrorCode.ELECTION_NOT_NEEDED) results.delete(k);
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, replicaElectionResults: group(results) };
    },
    errorResponse: (_ctx, _request, errorCode) => ({ throttleTimeMs: 0, errorCode, replicaElectionResults: [] }),
  };
}

function messageFor(name: ErrorName, topic: string, partition: number): string | null {
  switch (name) {
    case 'UNKNOWN_TOPIC_OR_PARTITION':
      return 'The partition does not exist.';
    case 'PREFERRED_LEADER_NOT_AVAILABLE':
      return `Failed to elect leader for partition ${topic}-${partition} under strategy PreferredReplicaPartitionLeaderElectionStrategy`;
    case 'ELIGIBLE_LEADERS_NOT_AVAILABLE':
      return `Failed to elect leader for partition ${topic}-${partition} under strategy OfflinePartitionLeaderElectionStrategy(true)`;
    default:
      return null;
  }
}
