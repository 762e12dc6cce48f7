/** A coordinator on fake timers and an in-memory offsets log, plus request builders. */
import {
  GroupCoordinator,
  InMemoryOffsetsStore,
  type GroupCoordinatorConfig,
  type JoinGroupRequest,
  type JoinGroupResult,
  type SyncGroupResult,
} from '../../../broker/group/index.js';
import { TestScheduler } from '../../helpers/test-scheduler.js';

export interface Harness {
  clock: TestScheduler;
  store: InMemoryOffsetsStore;
  coordinator: GroupCoordinator;
  restore(): void;
}

export const TEST_CONFIG: Partial<GroupCoordinatorConfig> = {
  groupInitialRebalanceDelayMs: 3000,
  groupMinSessionTimeoutMs: 1000,
  offsetsTopicNumPartitions: 4,
};

export async function startHarness(config: Partial<GroupCoordinatorConfig> = {}, store = new InMemoryOffsetsStore()): Promise<Harness> {
  const clock = new TestScheduler();
  let n = 0;
  const coordinator = new GroupCoordinator({
    store,
    config: { ...TEST_CONFIG, ...config },
    scheduler: clock,
    newMemberId: (prefix) => `${prefix}-${++n}`,
  });
  const partitions = coordinator.config.offsetsTopicNumPartitions;
  for (let p = 0; p < partitions; p++) await coordinator.onBecomeLeader(p);
  return { clock, store, coordinator, restore: () => clock.restore() };
}

export function joinRequest(groupId: string, overrides: Partial<JoinGroupRequest> = {}): JoinGroupRequest {
  return {
    groupId,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 30_000,
    memberId: '',
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.from(`sub-${overrides.clientId ?? 'c'}`) }],
    clientId: 'c',
    clientHost: '/127.0.0.1',
    requireKnownMemberId: false,
    ...overrides,
  };
}

/** Join `count` fresh members and let the initial delay pass; returns their join results. */
export async function formGroup(h: Harness, groupId: string, clientIds: string[], overrides: Partial<JoinGroupRequest> = {}): Promise<JoinGroupResult[]> {
  let done = false;
  const joins = Promise.all(clientIds.map((clientId) => h.coordinator.joinGroup(joinRequest(groupId, { clientId, ...overrides }))));
  void joins.then(() => (done = true));
  // Each newcomer during the initial delay extends it once more (as Kafka): tick until settled.
  for (let i = 0; i <= clientIds.length && !done; i++) await h.clock.tickAsync(h.coordinator.config.groupInitialRebalanceDelayMs);
  if (!done) throw new Error(`group ${groupId} did not form`);
  return joins;
}

/** Everyone syncs; the leader hands each member `assign-<memberId>`. */
export async function syncAll(h: Harness, groupId: string, joined: JoinGroupResult[]): Promise<SyncGroupResult[]> {
  const leader = joined.find((j) => j.memberId === j.leader);
  if (leader === undefined) throw new Error('no leader among the joined members');
  const assignments = leader.members.map((m) => ({ memberId: m.memberId, assignment: Buffer.from(`assign-${m.memberId}`) }));
  const followers = joined.filter((j) => j !== leader);
  const pending = followers.map((j) => h.coordinator.syncGroup({ groupId, generationId: j.generationId, memberId: j.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] }));
  const leaderSync = h.coordinator.syncGroup({ groupId, generationId: leader.generationId, memberId: leader.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments });
  const results = await Promise.all([leaderSync, ...pending]);
  const byMember = new Map<string, SyncGroupResult>();
  byMember.set(leader.memberId, results[0]!);
  followers.forEach((j, i) => byMember.set(j.memberId, results[i + 1]!));
  return joined.map((j) => byMember.get(j.memberId)!);
}

export function heartbeat(h: Harness, groupId: string, j: { memberId: string; generationId: number }, groupInstanceId: string | null = null): Promise<{ errorCode: number }> {
  return h.coordinator.heartbeat({ groupId, memberId: j.memberId, generationId: j.generationId, groupInstanceId });
}
