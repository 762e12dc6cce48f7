/**
 * Range assignor (Kafka's RangeAssignor): per topic, the sorted subscribers split the
 * partitions into contiguous ranges; the first `partitions % consumers` get one extra.
 */
import { sortMembers, toTopicPartitions, type Assignor, type GroupAssignment, type GroupMember } from './types.js';

export const rangeAssignor: Assignor = {
  name: 'range',
  supportedProtocols: ['eager'],
  assign(members: readonly GroupMember[], partitionsPerTopic: ReadonlyMap<string, number>): GroupAssignment {
    const pairs = new Map<string, Array<[string, number]>>(members.map((m) => [m.memberId, []]));
    const sorted = sortMembers(members);
    const topics = new Set(members.flatMap((m) => m.subscription.topics));
    for (const topic of topics) {
      const count = partitionsPerTopic.get(topic);
      if (count === undefined) continue;
      const consumers = sorted.filter((m) => m.subscription.topics.includes(topic));
      const per = Math.floor(count / consumers.length);
      const extra = count % consumers.length;
      consumers.forEach((m, i) => {
        const start = per * i + Math.min(i, extra);
        const length = per + (i < extra ? 1 : 0);
        const list = pairs.get(m.memberId)!;
        for (let p = start; p < start + length; p++) list.push([topic, p]);
      });
    }
    return new Map([...pairs].map(([id, list]) => [id, toTopicPartitions(list)]));
  },
};
