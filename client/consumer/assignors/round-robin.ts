/**
 * Round-robin assignor (Kafka's RoundRobinAssignor): all subscribed partitions, sorted by topic
 * then partition, dealt one by one to the sorted members, skipping members not subscribed to
 * the partition's topic.
 */
import { cmp, sortMembers, toTopicPartitions, type Assignor, type GroupAssignment, type GroupMember } from './types.js';

export const roundRobinAssignor: Assignor = {
  name: 'roundrobin',
  supportedProtocols: ['eager'],
  assign(members: readonly GroupMember[], partitionsPerTopic: ReadonlyMap<string, number>): GroupAssignment {
    const pairs = new Map<string, Array<[string, number]>>(members.map((m) => [m.memberId, []]));
    const sorted = sortMembers(members);
    if (sorted.length === 0) return new Map();
    const topics = [...new Set(members.flatMap((m) => m.subscription.topics))].sort(cmp);
    let next = 0;
    for (const topic of topics) {
      const count = partitionsPerTopic.get(topic) ?? 0;
      for (let p = 0; p < count; p++) {
        // Someone subscribes to every topic in `topics`, so this ends within one lap.
        for (let tries = 0; tries < sorted.length; tries++) {
          const m = sorted[next % sorted.length]!;
          next++;
          if (m.subscription.topics.includes(topic)) {
            pairs.get(m.memberId)!.push([topic, p]);
            break;
          }
        }
      }
    }
    return new Map([...pairs].map(([id, list]) => [id, toTopicPartitions(list)]));
  },
};
