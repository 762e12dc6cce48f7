/**
 * One follower fetcher per source broker (num.replica.fetchers = 1): every partition this broker
 * follows whose leader is that broker is fetched in one long-polling `ReplicaFetch`. A partition
 * enters in the `truncating` state: the leader is asked where our latest epoch ended
 * (`LeaderEpochEndOffset`) and the log is cut at the divergence point (truncation.ts) before the
 * first fetch. Fetched bytes are appended verbatim in one `appendAsFollower` per partition; the
 * follower's HW becomes min(leader HW, own log end offset). Removal waits for the response being
 * applied, so once `removePartitions` resolves nothing more is written by this fetcher.
 * Fetches run in a KIP-227 session with the leader (replica-fetch-session.ts): after the first
 * full request only changed partitions travel, and only changed ones come back.
 * `ReplicaFetch` goes at the newest version (records as the frame's raw tail); a leader that
 * refuses it (an older release, during a rolling upgrade) is asked in v0 until the connection to
 * it is lost (a restart may have upgraded it).
 */
import type { Logger } from 'pino';
import { ErrorCode } from '../../protocol/index.js';
import { type Scheduler, sleep, tpKey } from '../../common/index.js';
import type { BrokerEndpoint, InterBrokerTransport } from '../network/index.js';
import type { Partition } from './partition.js';
import type { ReplicationMetrics } from './replica-manager-options.js';
import {
  LEADER_EPOCH_END_OFFSET_API,
  REPLICA_FETCH_API,
  REPLICA_FETCH_LATEST_VERSION,
  decodeReplicaFetchResponse,
  type EpochEndOffsetResponse,
  type ReplicaFetchPartitionResult,
  type ReplicaFetchRequest,
  type ReplicaFetchResponse,
} from './replica-fetch-protocol.js';
import { ReplicaFetchSessionHandler } from './replica-fetch-session.js';
import { truncationOffset } from './truncation.js';

export interface FetcherSettings {
  readonly maxWaitMs: number;
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly partitionMaxBytes: number;
  readonly backoffMs: number;
  readonly socketTimeoutMs: number;
}

export interface FetcherDeps {
  readonly brokerId: number;
  readonly brokerEpoch: () => bigint;
  readonly transport: InterBrokerTransport;
  readonly endpoint: (brokerId: number) => BrokerEndpoint | undefined;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly settings: FetcherSettings;
  /** Follower data landed (the follower's HW may have moved). */
  readonly onFollowerProgress: (p: Partition) => void;
  readonly metrics?: Pick<ReplicationMetrics, 'onReplicationAppend'>;
}

interface FetchState {
  readonly p: Partition;
  readonly leaderEpoch: number;
  fetchOffset: bigint;
  truncating: boolean;
  delayUntil: number;
  /** The fetch round that last asked for this partition, and at which offset. */
  sentIn?: number;
  sentOffset?: bigint;
}

export class ReplicaFetcher {
  private readonly states = new Map<string, FetchState>();
  /** KIP-227 session with the source broker: idle fetches name only what changed. */
  private readonly session = new ReplicaFetchSessionHandler();
  /** The ReplicaFetch version the source broker accepts (lowered once on BRK_UNSUPPORTED_VERSION). */
  private fetchVersion: number = REPLICA_FETCH_LATEST_VERSION;
  private stopped = false;
  private fetchRound = 0;
  private busy: Promise<void> = Promise.resolve();
  private wake: (() => void) | undefined;
  private readonly loop: Promise<void>;
  private readonly log: Logger;
  private stopWaiting!: () => void;
  private readonly stopPromise = new Promise<'stopped'>((resolve) => (this.stopWaiting = () => resolve('stopped')));

  constructor(
    readonly sourceBrokerId: number,
    private readonly d: FetcherDeps,
  ) {
    this.log = d.logger.child({ fetcher: sourceBrokerId });
    this.loop = this.run().catch((err: unknown) => this.log.error({ err }, 'replica fetcher stopped on an error'));
  }

  get partitionCount(): number {
    return this.states.size;
  }

  addPartition(p: Partition, leaderEpoch: number): void {
    this.states.set(p.key, { p, leaderEpoch, fetchOffset: p.log.logEndOffset, truncating: true, delayUntil: 0 });
    this.wake?.();
  }

  /** Stops fetching these partitions; resolves once no response for them is being applied. */
  async removePartitions(keys: readonly string[]): Promise<void> {
    for (const k of keys) this.states.delete(k);
    await this.busy;
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    this.states.clear();
    this.wake?.();
    this.stopWaiting();
    await this.loop;
  }

  /** Sleeps up to `ms`, or until a partition is added / the fetcher stops. */
  private async sleep(ms: number): Promise<void> {
    const woken = new AbortController();
    this.wake = () => woken.abort();
    await sleep(this.d.scheduler, Math.max(1, ms), woken.signal);
    this.wake = undefined;
  }

  private async run(): Promise<void> {
    const s = this.d.settings;
    // Bounded by `stopped`: every round sends one request (bounded by its timeout) or sleeps.
    while (!this.stopped) {
      if (this.states.size === 0) {
        await this.sleep(1_000);
        continue;
      }
      const ep = this.d.endpoint(this.sourceBrokerId);
      if (ep === undefined) {
        await this.sleep(s.backoffMs);
        continue;
      }
      const now = this.d.scheduler.now();
      const ready = [...this.states.values()].filter((st) => st.delayUntil <= now);
      if (ready.length === 0) {
        const next = Math.min(...[...this.states.values()].map((st) => st.delayUntil));
        await this.sleep(next - now);
        continue;
      }
      const truncating = ready.filter((st) => st.truncating);
      if (truncating.length > 0) {
        await this.guard(() => this.truncate(ep, truncating));
        continue;
      }
      await this.guard(() => this.fetch(ep, ready));
    }
  }

  /** Runs one round; a failure (leader unreachable, timeout) backs off. */
  private async guard(phase: () => Promise<void>): Promise<void> {
    try {
      await phase();
    } catch (err) {
      if (!this.stopped) {
        this.log.warn({ err: (err as Error).message }, 'replica fetch failed; backing off');
        await this.sleep(this.d.settings.backoffMs);
      }
    }
  }

  /** Writes to logs happen only here: removal waits for the write in progress, never for the network. */
  private async applying(work: () => Promise<void>): Promise<void> {
    let release!: () => void;
    const prev = this.busy;
    this.busy = new Promise<void>((r) => (release = r));
    try {
      await prev;
      await work();
    } finally {
      release();
    }
  }

  /** A request to the leader, abandoned when the fetcher stops (a paused leader must not hold us). */
  private async ask(ep: BrokerEndpoint, api: string, body: unknown, timeoutMs: number, version = 0): Promise<unknown> {
    const sent = this.d.transport.send(ep, api, body, { timeoutMs, version });
    sent.catch(() => undefined);
    const r = await Promise.race([sent, this.stopPromise]);
    if (r === 'stopped') throw new Error('fetcher stopped');
    return r;
  }

  /** An older leader refused our version: ask in v0. A lost connection: try the newest again. */
  private negotiate(err: unknown): void {
    const code = err as { code?: string; remoteCode?: string } | undefined;
    if (code?.remoteCode === 'BRK_UNSUPPORTED_VERSION' && this.fetchVersion > 0) {
      this.log.info({ version: this.fetchVersion }, 'the leader does not accept this ReplicaFetch version; fetching in v0');
      this.fetchVersion = 0;
    } else if (code?.code === 'BRK_CONNECTION_CLOSED' || code?.code === 'BRK_BROKER_UNREACHABLE') {
      this.fetchVersion = REPLICA_FETCH_LATEST_VERSION;
    }
  }

  private current(st: FetchState): boolean {
    return this.states.get(st.p.key) === st && !this.stopped;
  }

  private async truncate(ep: BrokerEndpoint, states: FetchState[]): Promise<void> {
    const asking: FetchState[] = [];
    await this.applying(async () => {
      for (const st of states) {
        if (!this.current(st)) continue;
        if (st.p.log.latestEpoch === undefined) {
          // No epochs (empty log or pre-v2 data): Kafka's old rule, the high watermark.
          await st.p.log.truncateTo(st.p.log.highWatermark);
          this.startFetching(st);
        } else asking.push(st);
      }
    });
    if (asking.length === 0) return;
    const body = {
      replicaId: this.d.brokerId,
      partitions: asking.map((st) => ({ topic: st.p.topic, partition: st.p.partition, currentLeaderEpoch: st.leaderEpoch, leaderEpoch: st.p.log.latestEpoch ?? -1 })),
    };
    const answer = (await this.ask(ep, LEADER_EPOCH_END_OFFSET_API, body, this.d.settings.socketTimeoutMs)) as EpochEndOffsetResponse;
    await this.applying(() => this.applyEpochEnds(asking, answer));
  }

  private async applyEpochEnds(asking: FetchState[], answer: EpochEndOffsetResponse): Promise<void> {
    // By key: thousands of partitions ask at once after a leader change (a find per answer was N²).
    const byKey = new Map(asking.map((x) => [x.p.key, x]));
    for (const r of answer.partitions) {
      const st = byKey.get(tpKey(r.topic, r.partition));
      if (st === undefined || !this.current(st)) continue;
      if (r.errorCode !== ErrorCode.NONE) {
        st.delayUntil = this.d.scheduler.now() + this.d.settings.backoffMs;
        continue;
      }
      const log = st.p.log;
      const decision = truncationOffset({ leaderEpoch: r.leaderEpoch, endOffset: BigInt(r.endOffset) }, (e) => log.endOffsetForEpoch(e), log.logEndOffset, log.highWatermark);
      if (decision.offset < log.logEndOffset) {
        this.log.info({ topic: r.topic, partition: r.partition, leaderEpoch: r.leaderEpoch, leaderEndOffset: String(r.endOffset), logEndOffset: String(log.logEndOffset), truncateTo: String(decision.offset) }, 'truncating to the leader epoch boundary');
        await log.truncateTo(decision.offset);
      }
      if (decision.final) this.startFetching(st);
    }
  }

  private startFetching(st: FetchState): void {
    st.truncating = false;
    st.fetchOffset = st.p.log.logEndOffset;
  }

  private async fetch(ep: BrokerEndpoint, states: FetchState[]): Promise<void> {
    const s = this.d.settings;
    const round = ++this.fetchRound;
    const sent = states.map((st) => {
      st.sentIn = round;
      st.sentOffset = st.fetchOffset;
      return { st, offset: st.fetchOffset };
    });
    const session = this.session.build(
      sent.map(({ st, offset }) => ({
        topic: st.p.topic,
        partition: st.p.partition,
        currentLeaderEpoch: st.leaderEpoch,
        fetchOffset: offset,
        logStartOffset: st.p.log.logStartOffset,
        partitionMaxBytes: s.partitionMaxBytes,
        highWatermark: st.p.log.highWatermark,
      })),
    );
    const req: ReplicaFetchRequest = {
      replicaId: this.d.brokerId,
      brokerEpoch: this.d.brokerEpoch(),
      maxWaitMs: s.maxWaitMs,
      minBytes: s.minBytes,
      maxBytes: s.maxBytes,
      sessionId: session.sessionId,
      sessionEpoch: session.sessionEpoch,
      partitions: session.partitions,
      forgotten: session.forgotten,
    };
    let answer: ReplicaFetchResponse;
    try {
      answer = decodeReplicaFetchResponse(await this.ask(ep, REPLICA_FETCH_API, req, s.maxWaitMs + s.socketTimeoutMs, this.fetchVersion));
    } catch (err) {
      this.session.handleError();
      this.negotiate(err);
      throw err;
    }
    this.session.handleResponse(answer);
    if ((answer.errorCode ?? ErrorCode.NONE) !== ErrorCode.NONE) {
      this.log.info({ errorCode: answer.errorCode, sessionId: req.sessionId }, 'replica fetch session refused; the next fetch is full');
      return;
    }
    if (answer.partitions.some((r) => r.errorCode === ErrorCode.STALE_BROKER_EPOCH)) {
      // This process is an older incarnation than the registration the leader knows (its session
      // expired and it has not re-registered yet, or another process holds the id): back off.
      this.log.warn({ brokerEpoch: String(req.brokerEpoch) }, 'the leader refused our replica fetch: stale broker epoch');
    }
    // Each answer finds its partition by key (a fetch names thousands; scanning them per answer
    // was quadratic) and is applied only to the state this round asked for, at the offset asked.
    await this.applying(async () => {
      for (const r of answer.partitions) {
        const st = this.states.get(tpKey(r.topic, r.partition));
        if (st === undefined || this.stopped || st.sentIn !== round || st.fetchOffset !== st.sentOffset || st.truncating) continue;
        await this.apply(st, r);
      }
    });
  }

  private async apply(st: FetchState, r: ReplicaFetchPartitionResult): Promise<void> {
    const log = st.p.log;
    if (r.errorCode === ErrorCode.NONE) {
      if (r.records.length > 0) {
        try {
          await log.appendAsFollower(Buffer.isBuffer(r.records) ? r.records : Buffer.from(r.records));
          this.d.metrics?.onReplicationAppend(st.p.topic, r.records.length);
        } catch (err) {
          // Bytes that do not continue our log: find the divergence point again before fetching.
          this.log.error({ err, topic: st.p.topic, partition: st.p.partition, fetchOffset: String(st.fetchOffset) }, 'follower append failed; truncating again');
          st.truncating = true;
          st.delayUntil = this.d.scheduler.now() + this.d.settings.backoffMs;
          return;
        }
        st.fetchOffset = log.logEndOffset;
      }
      const leaderHw = BigInt(r.highWatermark);
      log.updateHighWatermark(leaderHw < log.logEndOffset ? leaderHw : log.logEndOffset);
      const leaderStart = BigInt(r.logStartOffset);
      if (leaderStart > log.logStartOffset && leaderStart <= log.highWatermark) await log.advanceLogStartOffset(leaderStart);
      this.d.onFollowerProgress(st.p);
      return;
    }
    if (r.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
      const leaderEnd = BigInt(r.logEndOffset);
      const leaderStart = BigInt(r.logStartOffset);
      if (st.fetchOffset > leaderEnd) {
        // Only after an unclean election can a follower be ahead of its leader.
        this.log.warn({ topic: st.p.topic, partition: st.p.partition, fetchOffset: String(st.fetchOffset), leaderEndOffset: String(leaderEnd) }, 'follower ahead of the leader; truncating to its end');
        await log.truncateTo(leaderEnd);
      } else {
        this.log.warn({ topic: st.p.topic, partition: st.p.partition, fetchOffset: String(st.fetchOffset), leaderLogStartOffset: String(leaderStart) }, 'follower behind the leader\'s log start; starting over there');
        await log.truncateFullyAndStartAt(leaderStart);
      }
      st.fetchOffset = log.logEndOffset;
      return;
    }
    // FENCED_LEADER_EPOCH (a newer LeaderAndIsr is on its way), UNKNOWN_LEADER_EPOCH /
    // NOT_LEADER_OR_FOLLOWER (the leader has not heard yet): retry after the backoff.
    st.delayUntil = this.d.scheduler.now() + this.d.settings.backoffMs;
  }
}
