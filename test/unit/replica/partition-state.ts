/** A LeaderAndIsr partition state for replica-manager tests: broker 1 leads `t-0` at epoch 1 unless told otherwise. */
import type { LeaderAndIsrPartitionState } from '../../../broker/metadata/index.js';

export function partitionState(s: Partial<LeaderAndIsrPartitionState>): LeaderAndIsrPartitionState {
  return {
    topic: 't',
    partition: 0,
    controllerEpoch: 1,
    leader: 1,
    leaderEpoch: 1,
    isr: [1],
    zkVersion: 0,
    replicas: [1, 2],
    addingReplicas: [],
    removingReplicas: [],
    isNew: false,
    ...s,
  };
}
