/**
 * AlterIsr (KIP-497): partition leaders ask the controller to change an ISR instead of writing
 * ZooKeeper themselves, so the controller and every MetadataCache learn ISR changes at once.
 * The leader epoch does not change; the write is fenced and conditional on the znode version the
 * leader last saw (`currentIsrVersion`). Replicas added to the ISR must be on live brokers that
 * are not shutting down (INELIGIBLE_REPLICA otherwise).
 */
import { tpKey } from '../../common/index.js';
import type { ErrorName } from '../../protocol/index.js';
import { encodePartitionState, ops, partitionStatePath } from '../../coordination/index.js';
import type { ActiveController } from './active-controller.js';
import type { TopicPartition } from './context.js';
import { ControllerError } from './events.js';

export interface AlterIsrPartition {
  readonly topic: string;
  readonly partition: number;
  readonly leaderEpoch: number;
  readonly newIsr: readonly number[];
  /** zk version of the partition state the leader's ISR is based on. */
  readonly currentIsrVersion: number;
}

export interface AlterIsrPartitionResult {
  readonly topic: string;
  readonly partition: number;
  readonly errorCode: ErrorName;
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  readonly currentIsrVersion: number;
}

export async function alterIsr(ac: ActiveController, brokerId: number, brokerEpoch: bigint, partitions: readonly AlterIsrPartition[]): Promise<AlterIsrPartitionResult[]> {
  const ctx = ac.ctx;
  if (!ctx.isLive(brokerId) || (brokerEpoch !== -1n && ctx.brokerEpoch(brokerId) !== brokerEpoch)) {
    throw new ControllerError('BRK_STALE_BROKER_EPOCH', `AlterIsr from broker ${brokerId} with epoch ${brokerEpoch}, current ${ctx.brokerEpoch(brokerId)}`);
  }
  const results = new Map<string, AlterIsrPartitionResult>();
  const toWrite: Array<{ req: AlterIsrPartition; zkVersion: number }> = [];
  for (const req of partitions) {
    const k = tpKey(req.topic, req.partition);
    const cur = ctx.leadership.get(k);
    const replicas = ctx.replicas(req.topic, req.partition);
    const answer = (errorCode: ErrorName): void => {
      results.set(k, {
        topic: req.topic,
        partition: req.partition,
        errorCode,
        leader: cur?.state.leader ?? -1,
        leaderEpoch: cur?.state.leaderEpoch ?? -1,
        isr: cur?.state.isr ?? [],
        currentIsrVersion: cur?.zkVersion ?? -1,
      });
    };
    if (cur === undefined || replicas.length === 0 || ctx.topicsToDelete.has(req.topic)) answer('UNKNOWN_TOPIC_OR_PARTITION');
    else if (req.leaderEpoch !== cur.state.leaderEpoch) answer('FENCED_LEADER_EPOCH');
    else if (cur.state.leader !== brokerId) answer('NOT_LEADER_OR_FOLLOWER');
    else if (sameSet(req.newIsr, cur.state.isr)) answer('NONE');
    else if (req.currentIsrVersion !== cur.zkVersion) answer('INVALID_UPDATE_VERSION');
    else if (req.newIsr.length === 0 || !req.newIsr.includes(brokerId) || req.newIsr.some((r) => !replicas.includes(r))) answer('INVALID_REQUEST');
    // A joining replica must be live, not in a failed log directory (what KIP-841 later made
    // Kafka check) and not in controlled shutdown: a shutting-down broker still fetches the
    // partitions it just stopped leading; let back in, it would hold their HW (and acks=all)
    // until its death is noticed.
    else if (req.newIsr.some((r) => !cur.state.isr.includes(r) && (!ctx.isReplicaOnline(r, req.topic, req.partition) || ctx.shuttingDown.has(r)))) answer('INELIGIBLE_REPLICA');
    else toWrite.push({ req, zkVersion: cur.zkVersion });
  }
  if (toWrite.length > 0) {
    const states = toWrite.map(({ req }) => {
      const cur = ctx.leadership.get(tpKey(req.topic, req.partition))!;
      return { leader: cur.state.leader, leaderEpoch: cur.state.leaderEpoch, isr: [...req.newIsr], controllerEpoch: ac.epoch };
    });
    const written = await ac.writer.writeAll(
      toWrite.map(({ req, zkVersion }, i) => [ops.setData(partitionStatePath(req.topic, req.partition), encodePartitionState(states[i]!), zkVersion)]),
    );
    const changed: TopicPartition[] = [];
    written.forEach((r, i) => {
      const { req } = toWrite[i]!;
      const k = tpKey(req.topic, req.partition);
      const state = states[i]!;
      if (r.ok) {
        const set = r.results[0];
        const zkVersion = set?.op === 'setData' ? set.stat.version : toWrite[i]!.zkVersion + 1;
        ctx.leadership.set(k, { state, zkVersion });
        changed.push({ topic: req.topic, partition: req.partition });
        ac.o.stateLog.info({ controllerEpoch: ac.epoch, topic: req.topic, partition: req.partition, leader: state.leader, leaderEpoch: state.leaderEpoch, isr: state.isr, zkVersion }, 'ISR changed by AlterIsr');
        results.set(k, { topic: req.topic, partition: req.partition, errorCode: 'NONE', leader: state.leader, leaderEpoch: state.leaderEpoch, isr: state.isr, currentIsrVersion: zkVersion });
      } else {
        const cur = ctx.leadership.get(k)!;
        results.set(k, { topic: req.topic, partition: req.partition, errorCode: r.error.code === 'CRD_BAD_VERSION' ? 'INVALID_UPDATE_VERSION' : 'UNKNOWN_SERVER_ERROR', leader: cur.state.leader, leaderEpoch: cur.state.leaderEpoch, isr: cur.state.isr, currentIsrVersion: cur.zkVersion });
      }
    });
    if (changed.length > 0) {
      const batch = ac.newBatch();
      batch.addUpdateMetadata(ctx.liveOrShuttingDownIds(), changed);
      ac.send(batch);
      // A target replica joining the ISR may be what a reassignment waits for.
      await ac.reassignments.maybeComplete(changed.filter((tp) => ctx.reassigning.has(tpKey(tp.topic, tp.partition))));
    }
  }
  return partitions.map((p) => results.get(tpKey(p.topic, p.partition))!);
}

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
