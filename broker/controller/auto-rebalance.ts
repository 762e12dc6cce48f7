/**
 * Automatic preferred-leader rebalance (KafkaController.checkAndTriggerAutoLeaderRebalance):
 * per broker, imbalance = partitions that prefer it (assignment head) but are led by someone
 * else, over all partitions that prefer it. Above leader.imbalance.per.broker.percentage, those
 * partitions get a preferred election, unless a reassignment is running or the topic is being
 * deleted; the preferred replica must be live and in the ISR (the strategy checks).
 */
import { tpKey } from '../../common/index.js';
import type { ActiveController } from './active-controller.js';
import type { TopicPartition } from './context.js';

export function partitionsToRebalance(ac: ActiveController, imbalancePercentage: number): TopicPartition[] {
  const ctx = ac.ctx;
  if (ctx.reassigning.size > 0) return [];
  const byPreferred = new Map<number, { total: number; off: TopicPartition[] }>();
  for (const tp of ctx.allPartitions()) {
    if (ctx.topicsToDelete.has(tp.topic)) continue;
    const preferred = ctx.replicas(tp.topic, tp.partition)[0];
    if (preferred === undefined) continue;
    const entry = byPreferred.get(preferred) ?? { total: 0, off: [] };
    entry.total++;
    const leader = ctx.leadership.get(tpKey(tp.topic, tp.partition))?.state.leader;
    if (leader !== preferred) entry.off.push(tp);
    byPreferred.set(preferred, entry);
  }
  const out: TopicPartition[] = [];
  for (const [broker, { total, off }] of byPreferred) {
    if (!ctx.isLive(broker) || ctx.shuttingDown.has(broker) || off.length === 0) continue;
    if ((off.length * 100) / total > imbalancePercentage) out.push(...off);
  }
  return out;
}
