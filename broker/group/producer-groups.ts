/**
 * Which groups hold pending transactional offsets of which producer (Kafka's
 * GroupMetadataManager.openGroupsForProducer): a transaction marker on `__consumer_offsets`
 * names a producer, not groups, and this is how the coordinator finds the groups to complete
 * without walking every loaded group.
 */
import type { GroupMetadata } from './group-metadata.js';

export class ProducerGroups {
  private readonly byProducer = new Map<bigint, Set<string>>();

  add(producerId: bigint, groupId: string): void {
    const set = this.byProducer.get(producerId) ?? new Set<string>();
    set.add(groupId);
    this.byProducer.set(producerId, set);
  }

  remove(producerId: bigint, groupId: string): void {
    const set = this.byProducer.get(producerId);
    if (set === undefined) return;
    set.delete(groupId);
    if (set.size === 0) this.byProducer.delete(producerId);
  }

  /** Every producer with pending offsets in `group` (a group loaded or taken away). */
  addGroup(group: GroupMetadata): void {
    for (const producerId of group.pendingTxnOffsets.keys()) this.add(producerId, group.groupId);
  }

  removeGroup(group: GroupMetadata): void {
    for (const producerId of group.pendingTxnOffsets.keys()) this.remove(producerId, group.groupId);
  }

  groupsOf(producerId: bigint): string[] {
    return [...(this.byProducer.get(producerId) ?? [])];
  }
}
