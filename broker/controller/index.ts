// broker/controller: the controller (election, event queue, state machines, elections, control requests).
export { Controller, type ControllerMetrics, type ControllerOptions } from './controller.js';
export { ActiveController } from './active-controller.js';
export { ControllerChannelManager, type ControlTarget, type ControlTransport } from './channel.js';
export { ControllerContext, type TopicPartition, type Leadership } from './context.js';
export { ControllerError, type ControllerEvent, type ElectionType } from './events.js';
export { ControllerEventQueue } from './event-queue.js';
export {
  controlledShutdownPartitionLeaderElection,
  offlinePartitionLeaderElection,
  preferredReplicaPartitionLeaderElection,
  reassignPartitionLeaderElection,
  removeReplicasFromIsr,
  type ElectionResult,
} from './election-strategies.js';
export {
  isValidPartitionTransition,
  isValidReplicaTransition,
  type PartitionState,
  type ReplicaState,
} from './state-machines.js';
export { AssignmentError, assignReplicas, rackAlternatedBrokers, validateManualAssignment, type AssignOptions, type BrokerRack } from './assignment.js';
export { InProcessControlTransport, type RecordedControlRequest } from './in-process-transport.js';
export { type AlterIsrPartition, type AlterIsrPartitionResult } from './alter-isr.js';
export { Reassignments, type OngoingReassignment, type ReassignmentRequest } from './reassignment.js';
