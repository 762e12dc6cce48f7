/**
 * The consumer-group Kafka APIs (FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup,
 * OffsetCommit, OffsetFetch, DescribeGroups, ListGroups, DeleteGroups, OffsetDelete, TxnOffsetCommit) as one bundle the
 * composition root registers. Each handler translates wire versions to the GroupCoordinator
 * engine (broker/group/) and back; none holds state of its own.
 */
import type { Logger } from 'pino';
import type { GroupCoordinator } from '../group/index.js';
import type { MetadataCache } from '../metadata/index.js';
import type { KafkaHandler, RequestContext } from '../request-context.js';
import { createDeleteGroupsHandler } from './delete-groups.js';
import { createDescribeGroupsHandler } from './describe-groups.js';
import { createFindCoordinatorHandler } from './find-coordinator.js';
import { createHeartbeatHandler } from './heartbeat.js';
import { createJoinGroupHandler } from './join-group.js';
import { createLeaveGroupHandler } from './leave-group.js';
import { createListGroupsHandler } from './list-groups.js';
import { createOffsetCommitHandler } from './offset-commit.js';
import { createOffsetDeleteHandler } from './offset-delete.js';
import { createOffsetFetchHandler } from './offset-fetch.js';
import { createSyncGroupHandler } from './sync-group.js';
import { createTxnOffsetCommitHandler } from './txn-offset-commit.js';

export interface GroupApiDeps {
  /** This broker (logs). */
  readonly brokerId: number;
  readonly coordinator: GroupCoordinator;
  /** Leaders of `__consumer_offsets` partitions and broker endpoints per listener. */
  readonly metadata: MetadataCache;
  /**
   * Makes sure `__consumer_offsets` exists (creating it with offsets.topic.num.partitions and
   * offsets.topic.replication.factor when missing). Resolves once it exists or its creation was
   * requested; rejects when it cannot be created now (e.g. fewer live brokers than the
   * replication factor). FindCoordinator answers COORDINATOR_NOT_AVAILABLE either way until the
   * partition has a live leader. `offsetsTopicEnsurer` (broker/group) builds one.
   */
  readonly ensureOffsetsTopic: () => Promise<void>;
  /**
   * The listener whose endpoints a client must be given; defaults to the one it connected on
   * (`ctx.listenerName`), as Kafka answers.
   */
  readonly clientListenerName?: (ctx: RequestContext) => string;
  /** Where transactional ids live (FindCoordinator key type 1); absent: COORDINATOR_NOT_AVAILABLE. */
  readonly transactionPlacement?: CoordinatorPlacement;
  readonly logger?: Logger;
}

/** How FindCoordinator finds the coordinator of a key: the leader of `partitionFor(key)` of `topic`. */
export interface CoordinatorPlacement {
  readonly topic: string;
  partitionFor(key: string): number;
  /** Creates the internal topic on first use (see offsetsTopicEnsurer / internalTopicEnsurer). */
  ensureTopic(): Promise<void>;
}

/** Client address as Kafka reports it in member descriptions (`InetAddress.toString`). */
export function clientHostOf(ctx: RequestContext): string {
  return `/${ctx.clientAddress}`;
}

export function groupApiHandlers(deps: GroupApiDeps): KafkaHandler[] {
  return [
    createFindCoordinatorHandler(deps),
    createJoinGroupHandler(deps),
    createSyncGroupHandler(deps),
    createHeartbeatHandler(deps),
    createLeaveGroupHandler(deps),
    createOffsetCommitHandler(deps),
    createOffsetFetchHandler(deps),
    createDescribeGroupsHandler(deps),
    createListGroupsHandler(deps),
    createDeleteGroupsHandler(deps),
    createOffsetDeleteHandler(deps),
    createTxnOffsetCommitHandler(deps),
  ];
}
