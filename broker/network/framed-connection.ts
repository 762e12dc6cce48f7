/**
 * One accepted TCP connection carrying length-prefixed frames (Kafka or inter-broker msgpack).
 *
 * Rules (see broker/network/README.md):
 * - Frames are read through a FrameDecoder bounded by `socket.request.max.bytes`; a bad or
 *   oversized frame closes this connection only.
 * - At most `maxInFlight` requests are dispatched and unanswered at a time, and while the frames
 *   of those still being handled hold `MAX_IN_FLIGHT_BYTES` or more, no further one is dispatched
 *   (one always is when none is in flight); frames read beyond that wait undispatched and the
 *   socket stops reading (backpressure reaches the client's TCP window instead of our heap).
 *   Reading also stops while the socket's write buffer is above its high-water mark, and
 *   resumes on 'drain'.
 * - `ordered` connections (Kafka) write responses in request order even when handlers finish out
 *   of order; unordered ones (inter-broker, matched by correlationId) write as they finish.
 * - A dispatch outcome of `close` closes the connection once the responses before it are written.
 * - Idle connections (nothing read or written for `idleTimeoutMs`, nothing in flight) are closed.
 * - A throttled outcome (a client quota violated) mutes the connection once its response is
 *   written: nothing is read or dispatched until the throttle time has passed (KIP-219), so a
 *   client that ignores throttle_time_ms is held back all the same.
 */
import { setMaxListeners } from 'node:events';
import type { Socket } from 'node:net';
import { backgroundScheduler, systemScheduler, timerDelay } from '../../common/index.js';
import type { Logger } from '../logging.js';
import { FrameDecoder } from '../../protocol/index.js';

export type DispatchOutcome =
  /**
   * `closeAfter`: write this response, then close (a failed SASL authentication, as Kafka does).
   * `throttleMs`: a quota was violated; read nothing more for that long once written (KIP-219).
   * `tail`: more bytes of the same frame after `frame` (record slices as read from the log),
   * written after it in the same corked write (one writev), never copied into one buffer.
   */
  | { readonly kind: 'respond'; readonly frame: Buffer; readonly tail?: readonly Buffer[]; readonly closeAfter?: string; readonly throttleMs?: number }
  /** The protocol has no response for this request (Produce acks=0). */
  | { readonly kind: 'silent'; readonly throttleMs?: number }
  | { readonly kind: 'close'; readonly reason: string; readonly level?: 'debug' | 'info' | 'warn' };

export type Dispatch = (frame: Buffer, receivedAtMs: number) => Promise<DispatchOutcome>;

/**
 * Request bytes a connection may have in its handlers at once. A producer pipelining acks=all
 * writes (librdkafka allows a million requests in flight) otherwise runs the leader's log end
 * arbitrarily far ahead of its followers: every parked request keeps its frame alive, and a
 * follower more than the in-memory tail behind (storage/recent-tail.ts, 16 MiB) reads the file
 * into fresh buffers on every fetch. Kafka reads one request per connection at a time; this keeps
 * pipelining while bounding the lag it can cause at a fraction of that tail.
 */
export const MAX_IN_FLIGHT_BYTES = 4 * 1024 * 1024;

interface FramedConnectionOptions {
  readonly id: string;
  readonly socket: Socket;
  readonly maxFrameBytes: number;
  readonly maxInFlight: number;
  readonly idleTimeoutMs: number;
  readonly ordered: boolean;
  readonly logger: Logger;
  readonly onClose: (conn: FramedConnection) => void;
}

export interface ConnectionStats {
  readonly id: string;
  /** Dispatched and not yet written (or, unordered, not yet finished). */
  readonly inFlight: number;
  /** Read but not yet dispatched. */
  readonly queued: number;
  readonly readingPaused: boolean;
  readonly writableLength: number;
  readonly requests: number;
  readonly closed: boolean;
}

/** How long a closing connection may take to flush what was already written. */
const GRACEFUL_CLOSE_MS = 2000;

interface Slot {
  outcome: DispatchOutcome | undefined;
}

export class FramedConnection {
  readonly id: string;
  /** Aborted when the connection closes; handlers see it as `ctx.signal`. */
  readonly abortController = new AbortController();
  private readonly socket: Socket;
  private readonly decoder: FrameDecoder;
  private readonly opts: FramedConnectionOptions;
  private readonly log: Logger;
  private dispatch: Dispatch | undefined;
  private readonly waiting: Buffer[] = [];
  private readonly slots: Slot[] = [];
  private running = 0;
  /** Bytes of the frames whose handlers are still running. */
  private runningBytes = 0;
  private writeBlocked = false;
  private readingPaused = false;
  private corked = false;
  /** Muted by a quota until this timer fires. */
  private throttleTimer: unknown;
  private throttledUntilMs = 0;
  /** No more dispatching: the broker is stopping or a request asked to close. */
  private stopDispatch = false;
  /** The peer half-closed: nothing more will be read, but what was read is still answered. */
  private peerEnded = false;
  private closed = false;
  private requests = 0;
  private resolveClosed!: () => void;
  /** Resolves once the connection is closed (for whatever reason). */
  readonly closedPromise = new Promise<void>((resolve) => {
    this.resolveClosed = resolve;
  });

  constructor(options: FramedConnectionOptions) {
    this.opts = options;
    this.id = options.id;
    this.socket = options.socket;
    this.log = options.logger;
    this.decoder = new FrameDecoder({ maxFrameBytes: options.maxFrameBytes });
    // Every dispatched request may wait on the signal (a parked acks=all produce or fetch in a
    // purgatory), so up to maxInFlight listeners at once are expected, not a leak.
    setMaxListeners(options.maxInFlight + 1, this.abortController.signal);
  }

  /** Starts reading; `dispatch` should never throw, but a throw is treated as `close`. */
  start(dispatch: Dispatch): void {
    this.dispatch = dispatch;
    const s = this.socket;
    s.setNoDelay(true);
    const guarded =
      <A extends unknown[]>(fn: (...args: A) => void) =>
      (...args: A): void => {
        try {
          fn(...args);
        } catch (err) {
          this.fail(err);
        }
      };
    s.on('data', guarded((chunk: Buffer) => this.onData(chunk)));
    s.on(
      'drain',
      guarded(() => {
        this.writeBlocked = false;
        this.pump();
      }),
    );
    s.on(
      'end',
      guarded(() => {
        this.peerEnded = true;
        this.settle();
      }),
    );
    s.on('error', (err) => this.close(`socket error: ${err.message}`, 'debug', false));
    s.on('close', () => this.close('peer closed', 'debug', false));
    // A huge idle timeout must mean "never", not Node's "1 ms" for delays above 2^31-1.
    s.setTimeout(timerDelay(this.opts.idleTimeoutMs), () => {
      if (this.outstanding() === 0 && this.waiting.length === 0) {
        this.close(`idle for ${this.opts.idleTimeoutMs} ms`, 'debug', false);
      }
    });
  }

  get signal(): AbortSignal {
    return this.abortController.signal;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  stats(): ConnectionStats {
    return {
      id: this.id,
      inFlight: this.outstanding(),
      queued: this.waiting.length,
      readingPaused: this.readingPaused,
      writableLength: this.socket.writableLength,
      requests: this.requests,
      closed: this.closed,
    };
  }

  /**
   * Graceful close for broker shutdown: stop reading and dispatching (frames read but not yet
   * dispatched are dropped, as Kafka does), answer what is in flight until `deadlineMs` (wall
   * clock), then close.
   */
  async drain(deadlineMs: number): Promise<void> {
    this.stopDispatch = true;
    this.waiting.length = 0;
    this.updateReading();
    this.settle();
    if (this.closed) return;
    const timer = systemScheduler.setTimeout(() => this.close('drain deadline passed', 'info', false), deadlineMs - systemScheduler.now());
    await this.closedPromise;
    systemScheduler.clearTimeout(timer);
  }

  /**
   * `graceful` half-closes after the responses already written are flushed (bounded by a short
   * timer, since a peer that does not read would hold the socket forever); otherwise destroys.
   */
  close(reason: string, level: 'debug' | 'info' | 'warn' = 'debug', graceful = false): void {
    if (this.closed) return;
    this.closed = true;
    this.log[level]({ connectionId: this.id, reason, inFlight: this.outstanding(), requests: this.requests }, 'closing connection');
    this.waiting.length = 0;
    this.slots.length = 0;
    if (this.throttleTimer !== undefined) backgroundScheduler.clearTimeout(this.throttleTimer);
    this.throttleTimer = undefined;
    this.abortController.abort();
    const s = this.socket;
    if (graceful && s.writable && !s.destroyed) {
      const timer = backgroundScheduler.setTimeout(() => s.destroy(), GRACEFUL_CLOSE_MS);
      s.once('close', () => backgroundScheduler.clearTimeout(timer));
      s.end();
    } else {
      s.destroy();
    }
    this.resolveClosed();
    this.opts.onClose(this);
  }

  /** A bug in this class must cost one connection, never the process. */
  private fail(err: unknown): void {
    this.log.error({ err, connectionId: this.id }, 'connection state error');
    this.close(`internal error: ${(err as Error)?.message}`, 'warn', false);
  }

  private onData(chunk: Buffer): void {
    if (this.closed || this.stopDispatch) return;
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'unknown';
      this.close(`bad frame (${code}): ${(err as Error).message}`, 'warn', false);
      return;
    }
    for (const f of frames) this.waiting.push(f);
    this.pump();
  }

  private outstanding(): number {
    return this.opts.ordered ? this.slots.length : this.running;
  }

  /** Dispatches waiting frames within the limits, then decides whether to keep reading. */
  private pump(): void {
    while (
      !this.closed &&
      !this.stopDispatch &&
      !this.writeBlocked &&
      this.throttleTimer === undefined &&
      this.waiting.length > 0 &&
      this.outstanding() < this.opts.maxInFlight &&
      !this.bytesFull()
    ) {
      this.dispatchOne(this.waiting.shift()!);
    }
    this.updateReading();
  }

  private bytesFull(): boolean {
    return this.running > 0 && this.runningBytes >= MAX_IN_FLIGHT_BYTES;
  }

  private dispatchOne(frame: Buffer): void {
    this.requests++;
    this.running++;
    const bytes = frame.length;
    this.runningBytes += bytes;
    const slot: Slot = { outcome: undefined };
    if (this.opts.ordered) this.slots.push(slot);
    let pending: Promise<DispatchOutcome>;
    try {
      pending = this.dispatch!(frame, Date.now());
    } catch (err) {
      pending = Promise.resolve({ kind: 'close', reason: `dispatch threw: ${(err as Error).message}`, level: 'warn' });
    }
    pending
      .then(
        (outcome) => this.complete(slot, bytes, outcome),
        (err: unknown) => this.complete(slot, bytes, { kind: 'close', reason: `dispatch failed: ${(err as Error)?.message}`, level: 'warn' }),
      )
      .catch((err: unknown) => this.fail(err));
  }

  private complete(slot: Slot, bytes: number, outcome: DispatchOutcome): void {
    this.running--;
    this.runningBytes -= bytes;
    if (this.closed) return;
    // Requests after a fatal one are never started (the connection is going away).
    if (outcome.kind === 'close' || (outcome.kind === 'respond' && outcome.closeAfter !== undefined)) this.stopDispatch = true;
    if (this.opts.ordered) {
      slot.outcome = outcome;
      while (!this.closed && this.slots.length > 0 && this.slots[0]!.outcome !== undefined) {
        this.deliver(this.slots.shift()!.outcome!);
      }
    } else {
      this.deliver(outcome);
    }
    this.settle();
  }

  /** Closes once nothing is left to answer after a stop or the peer's end; else keeps pumping. */
  private settle(): void {
    if (this.closed) return;
    const nothingLeft = this.outstanding() === 0 && (this.stopDispatch || this.waiting.length === 0);
    if (nothingLeft && (this.stopDispatch || this.peerEnded)) {
      this.close(this.peerEnded ? 'peer finished sending' : 'stopped', 'debug', true);
      return;
    }
    this.pump();
  }

  private deliver(outcome: DispatchOutcome): void {
    switch (outcome.kind) {
      case 'respond':
        if (!this.socket.writable) return;
        this.corkUntilNextTick();
        if (!this.socket.write(outcome.frame)) this.writeBlocked = true;
        if (outcome.tail !== undefined) for (const t of outcome.tail) if (!this.socket.write(t)) this.writeBlocked = true;
        if (outcome.closeAfter !== undefined) this.close(outcome.closeAfter, 'info', true);
        else if (outcome.throttleMs !== undefined) this.mute(outcome.throttleMs);
        return;
      case 'silent':
        if (outcome.throttleMs !== undefined) this.mute(outcome.throttleMs);
        return;
      case 'close':
        this.close(outcome.reason, outcome.level ?? 'debug', true);
        return;
    }
  }

  /** Responses finished in the same tick (pipelined requests) leave in one write, not one each. */
  private corkUntilNextTick(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    process.nextTick(() => {
      this.corked = false;
      this.socket.uncork();
    });
  }

  /** Extends the mute to `ms` from now (a later, longer throttle wins). */
  private mute(ms: number): void {
    if (ms <= 0 || this.closed) return;
    const until = Date.now() + ms;
    if (until <= this.throttledUntilMs) return;
    this.throttledUntilMs = until;
    if (this.throttleTimer !== undefined) backgroundScheduler.clearTimeout(this.throttleTimer);
    this.throttleTimer = backgroundScheduler.setTimeout(() => {
      this.throttleTimer = undefined;
      if (!this.closed) this.settle();
    }, ms);
    this.updateReading();
  }

  private updateReading(): void {
    const pause =
      this.stopDispatch ||
      this.writeBlocked ||
      this.throttleTimer !== undefined ||
      this.waiting.length > 0 ||
      this.outstanding() >= this.opts.maxInFlight ||
      this.bytesFull();
    if (pause && !this.readingPaused) {
      this.readingPaused = true;
      this.socket.pause();
    } else if (!pause && this.readingPaused && !this.closed) {
      this.readingPaused = false;
      this.socket.resume();
    }
  }
}
