/**
 * One connection from this broker to another broker's inter-broker listener. Lazy: it connects
 * on the first request, and after a failure waits out an exponential backoff before the next
 * attempt. Requests are matched to responses by correlationId (responses may come out of order);
 * each has its own timeout. When the connection drops, every request sent on it fails with a
 * retriable BRK_CONNECTION_CLOSED (the caller decides whether resending is safe); requests that
 * never got a connection fail with a retriable BRK_BROKER_UNREACHABLE.
 */
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { InterBrokerSecurity } from '../security/inter-broker-login.js';
import { INTERNAL_SASL_AUTHENTICATE, INTERNAL_SASL_HANDSHAKE } from '../security/internal-authenticator.js';
import { FrameDecoder, TailedBody, decodeInternalFrame, encodeInternalFrame } from '../../protocol/index.js';
import { BrokerError } from '../errors.js';
import type { Logger } from '../logging.js';
import { decodeRemoteError } from './remote-error.js';
import { backoffMs, type Scheduler, type TimerHandle } from '../../common/index.js';

export interface ChannelOptions {
  readonly brokerId: number;
  readonly host: string;
  readonly port: number;
  readonly connectTimeoutMs: number;
  readonly reconnectBackoffMs: number;
  readonly reconnectBackoffMaxMs: number;
  readonly maxFrameBytes: number;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** TLS and SASL toward the inter-broker listener (none: plaintext). */
  readonly security?: InterBrokerSecurity;
}

interface PendingRequest {
  readonly correlationId: number;
  readonly api: string;
  readonly frame: Buffer;
  readonly resolve: (body: unknown) => void;
  readonly reject: (err: Error) => void;
  timer: TimerHandle | undefined;
}

type State = 'idle' | 'connecting' | 'authenticating' | 'connected' | 'closed';

export class InterBrokerChannel {
  private readonly opts: ChannelOptions;
  private readonly log: Logger;
  private state: State = 'idle';
  private socket: Socket | undefined;
  /** Written to the socket, awaiting a response. */
  private readonly inFlight = new Map<number, PendingRequest>();
  /** Waiting for a connection. */
  private readonly queued: PendingRequest[] = [];
  private nextCorrelationId = 0;
  private failures = 0;
  private nextAttemptAt = 0;
  private attemptTimer: TimerHandle | undefined;
  private connectTimer: TimerHandle | undefined;
  private corked = false;

  constructor(options: ChannelOptions) {
    this.opts = options;
    this.log = options.logger.child({ targetBrokerId: options.brokerId });
  }

  get host(): string {
    return this.opts.host;
  }

  get port(): number {
    return this.opts.port;
  }

  get isConnected(): boolean {
    return this.state === 'connected';
  }

  get pendingCount(): number {
    return this.inFlight.size + this.queued.length;
  }

  request(api: string, version: number, body: unknown, timeoutMs: number): Promise<unknown> {
    if (this.state === 'closed') {
      return Promise.reject(new BrokerError('BRK_CLIENT_CLOSED', `inter-broker channel to broker ${this.opts.brokerId} is closed`));
    }
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = (this.nextCorrelationId + 1) | 0;
    let frame: Buffer;
    try {
      frame = encodeInternalFrame({ api, version, correlationId, isResponse: false, body });
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<unknown>((resolve, reject) => {
      const p: PendingRequest = { correlationId, api, frame, resolve, reject, timer: undefined };
      p.timer = this.opts.scheduler.setTimeout(() => this.timeOut(p, timeoutMs), timeoutMs);
      if (this.state === 'connected') this.write(p);
      else {
        this.queued.push(p);
        this.ensureConnecting();
      }
    });
  }

  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.clearTimer('attemptTimer');
    this.clearTimer('connectTimer');
    this.socket?.destroy();
    this.socket = undefined;
    const err = (): BrokerError => new BrokerError('BRK_CLIENT_CLOSED', `inter-broker client closed (broker ${this.opts.brokerId})`);
    this.failAll([...this.inFlight.values(), ...this.queued.splice(0)], err);
    this.inFlight.clear();
  }

  private ensureConnecting(): void {
    if (this.state !== 'idle' || this.attemptTimer !== undefined) return;
    const wait = this.nextAttemptAt - this.opts.scheduler.now();
    if (wait > 0) {
      this.attemptTimer = this.opts.scheduler.setTimeout(() => {
        this.attemptTimer = undefined;
        if (this.state === 'idle' && this.queued.length > 0) this.connect();
      }, wait);
    } else {
      this.connect();
    }
  }

  private connect(): void {
    this.state = 'connecting';
    const { host, port } = this.opts;
    const tls = this.opts.security?.tls;
    const decoder = new FrameDecoder({ maxFrameBytes: this.opts.maxFrameBytes });
    // Plaintext: the kernel reads replica fetch answers straight into each frame's own buffer
    // (Node's onread), no 64 KiB chunks gathered and copied. TLS sockets emit 'data'.
    const socket: Socket =
      tls === undefined
        ? connect({ host, port, onread: { buffer: () => decoder.readTarget(), callback: (n: number) => this.onRead(socket, () => decoder.commitRead(n)) } })
        : tlsConnect({ host, port, ...tls(host) });
    this.socket = socket;
    let lastError: Error | undefined;
    socket.setNoDelay(true);
    this.connectTimer = this.opts.scheduler.setTimeout(() => {
      this.connectTimer = undefined;
      socket.destroy(new Error(`connect timed out after ${this.opts.connectTimeoutMs} ms`));
    }, this.opts.connectTimeoutMs);
    socket.once(tls === undefined ? 'connect' : 'secureConnect', () => {
      if (this.state !== 'connecting' || this.socket !== socket) return;
      if (this.opts.security?.sasl === undefined) {
        this.clearTimer('connectTimer');
        this.established(socket);
        return;
      }
      // SASL before any request; the connect timer also bounds the exchange.
      this.state = 'authenticating';
      this.authenticate(socket).then(
        () => {
          this.clearTimer('connectTimer');
          if (this.state === 'authenticating' && this.socket === socket) this.established(socket);
        },
        (err: Error) => {
          this.log.warn({ host, port, reason: err.message }, 'inter-broker SASL authentication failed');
          socket.destroy(err);
        },
      );
    });
    if (tls !== undefined) socket.on('data', (chunk: Buffer) => this.onRead(socket, () => decoder.push(chunk)));
    socket.on('error', (err) => {
      lastError = err;
    });
    socket.once('close', () => this.onClose(socket, lastError));
  }

  private established(socket: Socket): void {
    this.state = 'connected';
    this.failures = 0;
    this.log.debug({ host: this.opts.host, port: this.opts.port }, 'inter-broker connection established');
    if (this.socket === socket) for (const p of this.queued.splice(0)) this.write(p);
  }

  /** The msgpack SASL exchange (broker/security/internal-authenticator.ts is the other end). */
  private async authenticate(socket: Socket): Promise<void> {
    const session = this.opts.security!.sasl!();
    const call = (api: string, body: unknown): Promise<Record<string, unknown>> =>
      new Promise((resolve, reject) => {
        const correlationId = this.nextCorrelationId;
        this.nextCorrelationId = (this.nextCorrelationId + 1) | 0;
        const frame = encodeInternalFrame({ api, version: 0, correlationId, isResponse: false, body });
        const p: PendingRequest = { correlationId, api, frame, resolve: (b) => resolve((b ?? {}) as Record<string, unknown>), reject, timer: undefined };
        this.inFlight.set(correlationId, p);
        socket.write(frame);
      });
    const hs = await call(INTERNAL_SASL_HANDSHAKE, { mechanism: session.mechanism });
    if (typeof hs['error'] === 'string') throw new Error(`broker ${this.opts.brokerId}: ${hs['error']}`);
    let token: Buffer | undefined = session.first();
    while (token !== undefined) {
      const res = await call(INTERNAL_SASL_AUTHENTICATE, { authBytes: token });
      if (typeof res['error'] === 'string') throw new Error(`broker ${this.opts.brokerId} refused: ${res['error']}`);
      const reply = res['authBytes'] instanceof Uint8Array ? Buffer.from(res['authBytes']) : Buffer.alloc(0);
      if (res['complete'] === true) {
        session.next(reply);
        return;
      }
      token = session.next(reply);
    }
  }

  private write(p: PendingRequest): void {
    this.inFlight.set(p.correlationId, p);
    const socket = this.socket!;
    // Requests issued in the same tick (a controller fan-out, many fetchers) share one write.
    if (!this.corked) {
      this.corked = true;
      socket.cork();
      process.nextTick(() => {
        this.corked = false;
        socket.uncork();
      });
    }
    socket.write(p.frame);
  }

  /** Always true: keep reading (Node's onread callback pauses the socket on false). */
  private onRead(socket: Socket, decode: () => Buffer[]): boolean {
    if (socket !== this.socket) return true;
    let frames: Buffer[];
    try {
      frames = decode();
    } catch (err) {
      this.log.warn({ err }, 'bad frame from broker; dropping the connection');
      socket.destroy(err as Error);
      return true;
    }
    for (const f of frames) {
      let msg: ReturnType<typeof decodeInternalFrame>;
      try {
        msg = decodeInternalFrame(f);
      } catch (err) {
        this.log.warn({ err }, 'undecodable frame from broker; dropping the connection');
        socket.destroy(err as Error);
        return true;
      }
      const p = this.inFlight.get(msg.correlationId);
      if (!msg.isResponse || p === undefined) {
        // Late answers to timed-out requests are expected; anything else is noise worth a line.
        this.log.debug({ correlationId: msg.correlationId, api: msg.api }, 'ignoring unmatched frame');
        continue;
      }
      this.inFlight.delete(msg.correlationId);
      this.clearRequestTimer(p);
      const remote = decodeRemoteError(msg.body);
      if (remote !== undefined) p.reject(remote);
      // The raw tail stays a view of the received frame; the api's codec cuts it up.
      else p.resolve(msg.tail === undefined ? msg.body : new TailedBody(msg.body, [msg.tail]));
    }
    return true;
  }

  private onClose(socket: Socket, lastError: Error | undefined): void {
    this.clearTimer('connectTimer');
    if (socket !== this.socket || this.state === 'closed') return;
    const wasConnected = this.state === 'connected';
    this.socket = undefined;
    this.state = 'idle';
    this.failures++;
    // After a connection that worked, the first retry waits only the base backoff.
    const backoff = backoffMs({ initialMs: this.opts.reconnectBackoffMs, maxMs: this.opts.reconnectBackoffMaxMs }, wasConnected ? 0 : this.failures - 1);
    this.nextAttemptAt = this.opts.scheduler.now() + backoff;
    const target = `broker ${this.opts.brokerId} at ${this.opts.host}:${this.opts.port}`;
    const why = lastError?.message ?? 'connection closed';
    this.log[wasConnected ? 'info' : 'debug']({ reason: why, failures: this.failures }, 'inter-broker connection lost');
    const sent = [...this.inFlight.values()];
    this.inFlight.clear();
    this.failAll(sent, () => new BrokerError('BRK_CONNECTION_CLOSED', `connection to ${target} closed before a response (${why})`, { cause: lastError }));
    if (!wasConnected) {
      this.failAll(this.queued.splice(0), () => new BrokerError('BRK_BROKER_UNREACHABLE', `cannot connect to ${target}: ${why}`, { cause: lastError }));
    } else if (this.queued.length > 0) {
      this.ensureConnecting();
    }
  }

  private timeOut(p: PendingRequest, timeoutMs: number): void {
    p.timer = undefined;
    const wasSent = this.inFlight.delete(p.correlationId);
    const at = this.queued.indexOf(p);
    if (at >= 0) this.queued.splice(at, 1);
    if (!wasSent && at < 0) return;
    p.reject(new BrokerError('BRK_REQUEST_TIMEOUT', `${p.api} to broker ${this.opts.brokerId} timed out after ${timeoutMs} ms`));
  }

  private failAll(requests: PendingRequest[], make: () => Error): void {
    for (const p of requests) {
      this.clearRequestTimer(p);
      p.reject(make());
    }
  }

  private clearRequestTimer(p: PendingRequest): void {
    if (p.timer !== undefined) this.opts.scheduler.clearTimeout(p.timer);
    p.timer = undefined;
  }

  private clearTimer(which: 'attemptTimer' | 'connectTimer'): void {
    const t = this[which];
    if (t !== undefined) this.opts.scheduler.clearTimeout(t);
    this[which] = undefined;
  }
}
