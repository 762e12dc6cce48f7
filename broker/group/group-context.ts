/** What the membership and offset logic needs from the coordinator that hosts it. */
import type { Logger } from '../logging.js';
import type { GroupCoordinatorConfig } from './config.js';
import type { GroupMetadata } from './group-metadata.js';
import type { OffsetsRecord, TxnProducer } from './offsets-store.js';
import type { Scheduler } from '../../common/index.js';

export interface GroupContext {
  readonly config: GroupCoordinatorConfig;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  newMemberId(prefix: string): string;
  /**
   * Arm a named timer of this group (replacing one of the same name). Its callback runs in the
   * group's queue, and only while this very group object is still loaded.
   */
  setTimer(group: GroupMetadata, name: string, delayMs: number, fn: () => Promise<void> | void): void;
  clearTimer(group: GroupMetadata, name: string): void;
  /** Durable append to the group's offsets partition: NONE, or the Kafka error code to answer. */
  append(group: GroupMetadata, records: OffsetsRecord[], forOffsetCommit: boolean): Promise<number>;
  /** An offset commit's append (plain, or transactional for `txn`): the error code and, on NONE, the batch's base offset. */
  appendOffsets(group: GroupMetadata, records: OffsetsRecord[], txn?: TxnProducer): Promise<{ errorCode: number; baseOffset: bigint }>;
  /** Forget a group that became Dead (deleted or expired). */
  removeGroup(group: GroupMetadata): void;
}
