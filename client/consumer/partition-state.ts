/** What the consumer tracks per assigned partition. */
export interface TopicPartition {
  topic: string;
  partition: number;
}

export type OffsetResetPolicy = 'earliest' | 'latest' | 'none';

export interface PartitionState {
  topic: string;
  partition: number;
  /** Next offset to return; undefined until reset. */
  position: bigint | undefined;
  /** An explicit seekToBeginning/End waiting to be resolved. */
  pendingReset: 'earliest' | 'latest' | undefined;
  paused: boolean;
  highWatermark: bigint;
  logStartOffset: bigint;
}
