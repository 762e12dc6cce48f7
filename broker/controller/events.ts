/** The controller's events (Kafka's ControllerEvent), processed one at a time by the queue. */
import type { ErrorName } from '../../protocol/index.js';
import { BrokerError } from '../errors.js';
import type { LeaderAndIsrResponse } from '../metadata/index.js';
import type { AlterIsrPartition, AlterIsrPartitionResult } from './alter-isr.js';
import type { TopicPartition } from './context.js';
import type { OngoingReassignment, ReassignmentRequest } from './reassignment.js';

export type ElectionType = 'preferred' | 'unclean';

export type ControllerEvent =
  | { readonly type: 'Startup' }
  | { readonly type: 'Reelect' }
  | { readonly type: 'ControllerChange' }
  | { readonly type: 'Expire' }
  | { readonly type: 'RegisterBrokerAndReelect' }
  | { readonly type: 'BrokerChange' }
  | { readonly type: 'TopicChange' }
  | { readonly type: 'PartitionModifications'; readonly topic: string }
  | { readonly type: 'TopicDeletion' }
  | { readonly type: 'TopicDeletionStopReplicaResult'; readonly topic: string; readonly brokerId: number; readonly ok: boolean }
  | { readonly type: 'ConfigChange' }
  | { readonly type: 'PreferredReplicaElection' }
  | { readonly type: 'PartitionReassignment' }
  | { readonly type: 'AutoLeaderRebalance' }
  | {
      readonly type: 'ReassignPartitions';
      readonly requests: readonly ReassignmentRequest[];
      readonly resolve: (result: Map<string, ErrorName>) => void;
      readonly reject: (err: Error) => void;
    }
  | { readonly type: 'ListReassignments'; readonly resolve: (r: OngoingReassignment[]) => void; readonly reject: (err: Error) => void }
  | { readonly type: 'IsrChangeNotification' }
  | { readonly type: 'LogDirEventNotification' }
  /** A broker's answer to LeaderAndIsr: KAFKA_STORAGE_ERROR partitions are offline replicas. */
  | { readonly type: 'LeaderAndIsrResponse'; readonly brokerId: number; readonly brokerEpoch: bigint; readonly response: LeaderAndIsrResponse }
  | {
      readonly type: 'ControlledShutdown';
      readonly brokerId: number;
      readonly brokerEpoch: bigint;
      readonly resolve: (remaining: TopicPartition[]) => void;
      readonly reject: (err: Error) => void;
    }
  | {
      readonly type: 'ElectLeaders';
      readonly partitions: readonly TopicPartition[];
      readonly electionType: ElectionType;
      readonly resolve: (result: Map<string, ErrorName>) => void;
      readonly reject: (err: Error) => void;
    }
  | { readonly type: 'ResendMetadata'; readonly resolve: () => void; readonly reject: (err: Error) => void }
  | {
      readonly type: 'AlterIsr';
      readonly brokerId: number;
      readonly brokerEpoch: bigint;
      readonly partitions: readonly AlterIsrPartition[];
      readonly resolve: (result: AlterIsrPartitionResult[]) => void;
      readonly reject: (err: Error) => void;
    }
  | { readonly type: 'Shutdown' };

/** Errors the controller answers callers with (ControlledShutdown, ElectLeaders). */
export class ControllerError extends BrokerError<'BRK_NOT_CONTROLLER' | 'BRK_STALE_BROKER_EPOCH' | 'BRK_BROKER_NOT_AVAILABLE'> {
  override readonly name = 'ControllerError';
}

/** An event a caller waits on: it carries the caller's resolve/reject. */
export type ApiEvent = Extract<ControllerEvent, { readonly reject: (err: Error) => void }>;

export function isApiEvent(e: ControllerEvent): e is ApiEvent {
  return 'reject' in e;
}

export function rejectDropped(events: readonly ControllerEvent[], why: string): void {
  for (const e of events) if (isApiEvent(e)) e.reject(new ControllerError('BRK_NOT_CONTROLLER', why));
}
