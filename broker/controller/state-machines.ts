/**
 * Kafka's partition and replica state machines (PartitionStateMachine / ReplicaStateMachine) as
 * transition tables: which state may follow which. The controller checks every transition here
 * and logs it to the state-change logger; an invalid one is a bug, logged and refused.
 */
export type PartitionState = 'NonExistentPartition' | 'NewPartition' | 'OnlinePartition' | 'OfflinePartition';

const PARTITION_PREVIOUS: Record<PartitionState, readonly PartitionState[]> = {
  NonExistentPartition: ['OfflinePartition'],
  NewPartition: ['NonExistentPartition'],
  OnlinePartition: ['NewPartition', 'OnlinePartition', 'OfflinePartition'],
  OfflinePartition: ['NewPartition', 'OnlinePartition', 'OfflinePartition'],
};

export function isValidPartitionTransition(from: PartitionState, to: PartitionState): boolean {
  return PARTITION_PREVIOUS[to].includes(from);
}

export type ReplicaState =
  | 'NonExistentReplica'
  | 'NewReplica'
  | 'OnlineReplica'
  | 'OfflineReplica'
  | 'ReplicaDeletionStarted'
  | 'ReplicaDeletionSuccessful'
  | 'ReplicaDeletionIneligible';

const REPLICA_PREVIOUS: Record<ReplicaState, readonly ReplicaState[]> = {
  NonExistentReplica: ['ReplicaDeletionSuccessful'],
  NewReplica: ['NonExistentReplica'],
  OnlineReplica: ['NewReplica', 'OnlineReplica', 'OfflineReplica', 'ReplicaDeletionIneligible'],
  OfflineReplica: ['NewReplica', 'OnlineReplica', 'OfflineReplica', 'ReplicaDeletionIneligible'],
  ReplicaDeletionStarted: ['OfflineReplica'],
  ReplicaDeletionSuccessful: ['ReplicaDeletionStarted'],
  ReplicaDeletionIneligible: ['OfflineReplica', 'ReplicaDeletionStarted'],
};

export function isValidReplicaTransition(from: ReplicaState, to: ReplicaState): boolean {
  return REPLICA_PREVIOUS[to].includes(from);
}
