/**
 * Log directory failures, controller side (KafkaController.processLogDirEventNotification and
 * processLeaderAndIsrResponseReceived). A broker whose log directory failed writes a child of
 * /log_dir_event_notification; the controller answers by sending that broker LeaderAndIsr for
 * every replica it hosts, and deletes the notification. The broker answers KAFKA_STORAGE_ERROR
 * for each replica in a failed directory; every LeaderAndIsr answer is compared with what the
 * controller knew, and replicas newly offline are treated like replicas of a dead broker: a
 * leader among them is replaced by another ISR member, followers leave the ISR (epoch bumped),
 * and no election picks them again until their broker restarts.
 */
import { ops, readLogDirEvents } from '../../coordination/index.js';
import type { LeaderAndIsrResponse } from '../metadata/index.js';
import type { ActiveController } from './active-controller.js';
import { tpKey } from '../../common/index.js';
import type { TopicPartition } from './context.js';

export class LogDirEvents {
  constructor(private readonly ac: ActiveController) {}

  private get ctx() {
    return this.ac.ctx;
  }

  /** Re-arms the child watch (failover, resync) and returns the pending notifications. */
  read() {
    return readLogDirEvents(this.ac.o.store, this.ac.watch({ type: 'LogDirEventNotification' }));
  }

  /** Failover: every live broker gets LeaderAndIsr for all its replicas anyway, so pending notifications only need deleting. */
  async deleteAtFailover(): Promise<void> {
    const pending = await this.read();
    if (pending.length > 0) await this.ac.writer.writeAll(pending.map((n) => [ops.remove(n.path)]));
  }

  async onNotification(): Promise<void> {
    const pending = await this.read();
    if (pending.length === 0) return;
    const brokers = [...new Set(pending.map((n) => n.brokerId))].filter((id) => this.ctx.isLive(id));
    this.ac.o.logger.warn({ brokers, notifications: pending.map((n) => n.name) }, 'log directory failure notified; asking the brokers which replicas are offline');
    const batch = this.ac.newBatch();
    for (const id of brokers) {
      for (const tp of this.ctx.partitionsOnBroker(id)) {
        if (this.ctx.leadership.has(tpKey(tp.topic, tp.partition)) && !this.ctx.topicsToDelete.has(tp.topic)) batch.addLeaderAndIsr([id], tp);
      }
    }
    this.ac.send(batch);
    await this.ac.writer.writeAll(pending.map((n) => [ops.remove(n.path)]));
  }

  /** Whether a LeaderAndIsr answer can change what the controller knows (else no event is queued). */
  worthAnEvent(brokerId: number, response: LeaderAndIsrResponse): boolean {
    return (this.ctx.replicasOnOfflineDirs.get(brokerId)?.size ?? 0) > 0 || response.partitionErrors.some((e) => e.errorCode === 'KAFKA_STORAGE_ERROR');
  }

  async onLeaderAndIsrResponse(brokerId: number, brokerEpoch: bigint, response: LeaderAndIsrResponse): Promise<void> {
    // An answer from an earlier incarnation of the broker says nothing about the current one.
    if (!this.ctx.isLive(brokerId) || this.ctx.brokerEpoch(brokerId) !== brokerEpoch || response.errorCode !== 'NONE') return;
    const known = this.ctx.replicasOnOfflineDirs.get(brokerId) ?? new Set<string>();
    const fresh: { tp: TopicPartition; brokerId: number }[] = [];
    for (const e of response.partitionErrors) {
      const k = tpKey(e.topic, e.partition);
      if (e.errorCode === 'KAFKA_STORAGE_ERROR') {
        if (!known.has(k)) fresh.push({ tp: { topic: e.topic, partition: e.partition }, brokerId });
        known.add(k);
      } else if (e.errorCode === 'NONE') {
        known.delete(k);
      }
    }
    if (known.size > 0) this.ctx.replicasOnOfflineDirs.set(brokerId, known);
    else this.ctx.replicasOnOfflineDirs.delete(brokerId);
    if (fresh.length === 0) return;
    this.ac.o.stateLog.warn(
      { controllerId: this.ac.id, controllerEpoch: this.ac.epoch, brokerId, replicas: fresh.map((r) => tpKey(r.tp.topic, r.tp.partition)) },
      'replicas in a failed log directory are offline',
    );
    const batch = this.ac.newBatch();
    try {
      await this.ac.ops.onOfflineReplicas(fresh, batch);
    } catch (err) {
      // Not acted on: forget them again, so the retried event finds them new.
      for (const r of fresh) known.delete(tpKey(r.tp.topic, r.tp.partition));
      throw err;
    }
    this.ac.send(batch);
  }

  /** The broker died or restarted: whatever failed was its previous life's. */
  forget(brokerIds: Iterable<number>): void {
    for (const id of brokerIds) this.ctx.replicasOnOfflineDirs.delete(id);
  }
}
