/**
 * Brokers coming and going, controller side (KafkaController.processBrokerChange with
 * onBrokerFailure and onBrokerStartup): a broker whose registration vanished loses its
 * leaderships and ISR memberships; a broker that registered, or registered again with a new
 * broker epoch (a bounce the controller may have missed between two reads), gets the metadata
 * and LeaderAndIsr for its replicas, and any ISR membership left from its previous life is
 * dropped before it is trusted again.
 */
import { tpKey } from '../../common/index.js';
import { readBrokers, type RegisteredBroker } from '../../coordination/index.js';
import type { ActiveController } from './active-controller.js';

export class BrokerChanges {
  constructor(private readonly ac: ActiveController) {}

  private get ctx() {
    return this.ac.ctx;
  }

  async onBrokerChange(): Promise<void> {
    const current = await readBrokers(this.ac.o.store, this.ac.watch({ type: 'BrokerChange' }));
    const dead = new Set<number>();
    const started: number[] = [];
    const bounced: number[] = [];
    for (const [id, known] of this.ctx.liveBrokers) {
      const now = current.get(id);
      if (now === undefined) dead.add(id);
      else if (now.brokerEpoch !== known.brokerEpoch) bounced.push(id);
    }
    for (const id of current.keys()) if (!this.ctx.liveBrokers.has(id)) started.push(id);
    if (dead.size === 0 && started.length === 0 && bounced.length === 0) return;
    this.ac.o.logger.info({ newBrokers: started, deadBrokers: [...dead], bouncedBrokers: bounced }, 'broker change');

    // A bounced broker (same id, new epoch) is handled as a failure followed by a start-up.
    const failed = new Set([...dead, ...bounced]);
    for (const id of failed) {
      this.ctx.liveBrokers.delete(id);
      this.ctx.shuttingDown.delete(id);
      this.ac.channel.removeBroker(id);
    }
    this.ac.logDirs.forget(failed);
    if (failed.size > 0) {
      // Kafka's order: the partitions left without a leader are elected and told first, so
      // clients wait for those writes only; the ISR shrinks of all the others follow.
      const elections = this.ac.newBatch();
      await this.ac.ops.onReplicasOffline(failed, elections, { leaderlessOnly: true });
      this.ac.send(elections);
      const batch = this.ac.newBatch();
      await this.ac.ops.onReplicasOffline(failed, batch);
      this.ac.send(batch);
      this.ac.admin.markDeletionIneligible(failed);
    }
    const joined = [...started, ...bounced];
    if (joined.length > 0) await this.onBrokerStartup(joined, current);
  }

  private async onBrokerStartup(ids: readonly number[], current: ReadonlyMap<number, RegisteredBroker>): Promise<void> {
    for (const id of ids) {
      this.ctx.liveBrokers.set(id, current.get(id)!);
      this.ac.addToChannel(id);
    }
    const batch = this.ac.newBatch();
    batch.addUpdateMetadata(this.ctx.liveOrShuttingDownIds(), []);
    const joined = new Set(ids);
    // A broker this controller saw die left every ISR then, unless that write failed or it was
    // the last member: what is left is from its previous life, not proof it still has the data.
    const staleIn = this.ctx.allPartitions().filter((tp) => this.ctx.leadership.get(tpKey(tp.topic, tp.partition))?.state.isr.some((r) => joined.has(r)));
    if (staleIn.length > 0) await this.ac.ops.dropStaleIsrMembers(staleIn, (_tp, r) => joined.has(r), batch);
    for (const tp of this.ctx.allPartitions()) {
      const replicas = this.ctx.replicas(tp.topic, tp.partition);
      const mine = replicas.filter((r) => joined.has(r));
      if (mine.length === 0 || this.ctx.topicsToDelete.has(tp.topic)) continue;
      for (const r of mine) this.ac.ops.transitionReplica(tp, r, 'OnlineReplica');
      if (this.ctx.leadership.has(tpKey(tp.topic, tp.partition))) batch.addLeaderAndIsr(mine, tp);
    }
    await this.ac.bringPartitionsOnline(batch);
    this.ac.send(batch);
    await this.ac.admin.retryDeletions();
    await this.ac.reassignments.maybeComplete();
  }
}
