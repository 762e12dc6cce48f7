/**
 * One TCP connection to one broker. On connect it runs the ApiVersions handshake (v3 first; on
 * UNSUPPORTED_VERSION the broker answers in v0 format with its own ApiVersions range, and we
 * retry at min(ours - 1, its max), as Kafka's NetworkClient does), then negotiates each API at
 * min(our max, broker max). Requests are pipelined: written as they come, matched to responses
 * by correlation id, each with its own timeout. A request timeout, a protocol error or a socket
 * error closes the connection and fails every pending request (a late answer could otherwise be
 * mistaken for a later request's).
 *
 * Concurrency contract: one event loop; a Connection is owned by the cluster's pool.
 */
import { Socket, createConnection } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { reauthenticateAfterMs, saslAuthenticate, type SecurityOptions } from './security.js';
import type { Scheduler, TimerHandle } from '../common/index.js';
import { systemScheduler } from '../common/index.js';
import { KafkaClientError, brokerError } from './errors.js';
import type { ApiVersionsResponse } from './api-types.js';
import { API, CLIENT_API_VERSIONS, FrameDecoder, decodeResponseFrame, encodeRequestFrame, errorInfo, peekCorrelationId } from './wire.js';

export interface ConnectionOptions extends SecurityOptions {
  host: string;
  port: number;
  clientId: string;
  /** Label for errors and logs: the nodeId, or host:port for bootstrap connections. */
  label?: string;
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
  maxFrameBytes?: number;
  scheduler?: Scheduler;
  /** Skip the ApiVersions handshake and assume these ranges (tests). */
  assumeVersions?: ReadonlyMap<number, VersionRange>;
  /** Told of every response carrying a throttle time (a broker quota was violated). */
  onThrottle?: (event: ThrottleEvent) => void;
}

export interface ThrottleEvent {
  readonly broker: string;
  readonly apiKey: number;
  readonly throttleTimeMs: number;
}

export interface VersionRange {
  min: number;
  max: number;
}

export interface SendOptions {
  /** Force a version (else: negotiated). */
  version?: number;
  /** false for Produce with acks=0: the broker sends nothing back. */
  expectResponse?: boolean;
  timeoutMs?: number;
}

interface Pending {
  apiKey: number;
  version: number;
  resolve: (body: unknown) => void;
  reject: (err: KafkaClientError) => void;
  timer: TimerHandle;
}

const SOFTWARE_NAME = 'samsa-client';
const SOFTWARE_VERSION = '0.1.0';

export class Connection {
  readonly host: string;
  readonly port: number;
  readonly label: string;
  private socket: Socket | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextCorrelationId = 0;
  private brokerVersions = new Map<number, VersionRange>();
  private connecting: Promise<void> | undefined;
  private closedError: KafkaClientError | undefined;
  private readonly scheduler: Scheduler;
  private readonly requestTimeoutMs: number;
  private readonly closeListeners: Array<(err: KafkaClientError) => void> = [];
  private reauthTimer: TimerHandle | undefined;
  /** A broker quota asked us to send nothing more before this time (KIP-219, as Kafka's NetworkClient). */
  private throttledUntilMs = 0;

  constructor(private readonly opts: ConnectionOptions) {
    this.host = opts.host;
    this.port = opts.port;
    this.label = opts.label ?? `${opts.host}:${opts.port}`;
    this.scheduler = opts.scheduler ?? systemScheduler;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
  }

  get connected(): boolean {
    return this.socket !== undefined && this.closedError === undefined && this.connecting === undefined;
  }

  get closed(): boolean {
    return this.closedError !== undefined;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** The broker's advertised range for an API, if it has one. */
  brokerRange(apiKey: number): VersionRange | undefined {
    return this.brokerVersions.get(apiKey);
  }

  onClose(listener: (err: KafkaClientError) => void): void {
    this.closeListeners.push(listener);
  }

  connect(): Promise<void> {
    if (this.closedError !== undefined) return Promise.reject(this.closedError);
    if (this.socket !== undefined && this.connecting === undefined) return Promise.resolve();
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async open(): Promise<void> {
    await this.openSocket();
    if (this.opts.assumeVersions !== undefined) {
      this.brokerVersions = new Map(this.opts.assumeVersions);
      return;
    }
    try {
      await this.handshake();
    } catch (err) {
      throw this.fail('CLI_CONNECTION', `ApiVersions handshake with ${this.label} failed`, err);
    }
    if (this.opts.sasl !== undefined) await this.authenticate();
  }

  /** SASL after ApiVersions; an authentication failure closes the connection with that error. */
  private async authenticate(): Promise<void> {
    const sasl = this.opts.sasl!;
    let lifetimeMs: number;
    try {
      lifetimeMs = await saslAuthenticate((k, v, b) => this.request(k, v, b), this.negotiate(API.SaslAuthenticate), sasl, this.label);
    } catch (err) {
      if (err instanceof KafkaClientError && err.code === 'CLI_AUTHENTICATION') {
        this.fail('CLI_CONNECTION', err.message, err);
        throw err;
      }
      throw this.fail('CLI_CONNECTION', `SASL authentication with ${this.label} failed`, err);
    }
    if (lifetimeMs > 0) {
      // KIP-368: re-authenticate on this connection before the broker's session ends.
      this.reauthTimer = this.scheduler.setTimeout(() => {
        this.reauthTimer = undefined;
        if (this.closedError === undefined) void this.authenticate().catch(() => undefined);
      }, reauthenticateAfterMs(lifetimeMs));
    }
  }

  private openSocket(): Promise<void> {
    return new Promise((resolve, reject) => {
      const ssl = this.opts.ssl;
      const socket =
        ssl === undefined || ssl === false
          ? createConnection({ host: this.host, port: this.port })
          : tlsConnect({ host: this.host, port: this.port, servername: /^[\d.]+$|:/.test(this.host) ? undefined : this.host, ...(ssl === true ? {} : ssl) });
      socket.setNoDelay(true);
      const timer = this.scheduler.setTimeout(() => {
        socket.destroy();
        reject(this.fail('CLI_CONNECTION', `connect to ${this.label} timed out`));
      }, this.opts.connectTimeoutMs ?? 10_000);
      socket.once(ssl === undefined || ssl === false ? 'connect' : 'secureConnect', () => {
        this.scheduler.clearTimeout(timer);
        resolve();
      });
      // `on`, not `once`: a second 'error' without a listener would crash the process.
      socket.on('error', (err) => {
        this.scheduler.clearTimeout(timer);
        reject(this.fail('CLI_CONNECTION', `connection to ${this.label} failed: ${err.message}`, err));
      });
      socket.once('close', () => this.fail('CLI_CONNECTION', `connection to ${this.label} closed`));
      const decoder = new FrameDecoder({ maxFrameBytes: this.opts.maxFrameBytes ?? 100 * 1024 * 1024 });
      socket.on('data', (chunk: Buffer) => {
        let frames: Buffer[];
        try {
          frames = decoder.push(chunk);
        } catch (cause) {
          this.fail('CLI_PROTOCOL', `bad frame from ${this.label}`, cause);
          return;
        }
        for (const frame of frames) this.onFrame(frame);
      });
      this.socket = socket;
    });
  }

  private async handshake(): Promise<void> {
    let version = CLIENT_API_VERSIONS.get(API.ApiVersions)!.max;
    // Bounded: each round strictly lowers the version.
    for (;;) {
      const res = await this.request<ApiVersionsResponse>(API.ApiVersions, version, {
        clientSoftwareName: SOFTWARE_NAME,
        clientSoftwareVersion: SOFTWARE_VERSION,
      });
      if (res.errorCode === 35 && version > 0) {
        const theirs = res.apiKeys.find((k) => k.apiKey === API.ApiVersions);
        version = Math.min(version - 1, theirs?.maxVersion ?? 0);
        continue;
      }
      if (res.errorCode !== 0) throw brokerError(errorInfo(res.errorCode), 'ApiVersions', this.label);
      this.brokerVersions = new Map(res.apiKeys.map((k) => [k.apiKey, { min: k.minVersion, max: k.maxVersion }]));
      return;
    }
  }

  /** The version to use for an API: min(our max, broker max), or CLI_UNSUPPORTED_VERSION. */
  negotiate(apiKey: number): number {
    const ours = CLIENT_API_VERSIONS.get(apiKey);
    const theirs = this.brokerVersions.get(apiKey);
    if (ours === undefined || theirs === undefined) {
      throw new KafkaClientError('CLI_UNSUPPORTED_VERSION', `broker ${this.label} does not support API ${apiKey}`, { broker: this.label });
    }
    const v = Math.min(ours.max, theirs.max);
    if (v < ours.min || v < theirs.min) {
      throw new KafkaClientError(
        'CLI_UNSUPPORTED_VERSION',
        `no common version for API ${apiKey}: ours ${ours.min}..${ours.max}, broker ${this.label} ${theirs.min}..${theirs.max}`,
        { broker: this.label },
      );
    }
    return v;
  }

  /** Send a request (connecting first if needed) and resolve with the decoded response body. */
  async send<T>(apiKey: number, body: unknown, options: SendOptions = {}): Promise<T> {
    if (!this.connected) await this.connect();
    const wait = this.throttledUntilMs - this.scheduler.now();
    if (wait > 0) await new Promise<void>((resolve) => this.scheduler.setTimeout(resolve, wait));
    const version = options.version ?? this.negotiate(apiKey);
    return this.request<T>(apiKey, version, body, options);
  }

  private request<T>(apiKey: number, version: number, body: unknown, options: SendOptions = {}): Promise<T> {
    const socket = this.socket;
    if (this.closedError !== undefined || socket === undefined) {
      return Promise.reject(this.closedError ?? new KafkaClientError('CLI_CONNECTION', `not connected to ${this.label}`, { retriable: true }));
    }
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = (this.nextCorrelationId + 1) & 0x7fffffff;
    let frame: Buffer;
    try {
      frame = encodeRequestFrame(apiKey, version, correlationId, this.opts.clientId, body);
    } catch (cause) {
      return Promise.reject(new KafkaClientError('CLI_PROTOCOL', `cannot encode API ${apiKey} v${version}`, { cause }));
    }
    if (options.expectResponse === false) {
      socket.write(frame);
      return Promise.resolve(undefined as T);
    }
    return new Promise<T>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
      const timer = this.scheduler.setTimeout(() => {
        this.fail('CLI_REQUEST_TIMEOUT', `API ${apiKey} v${version} to ${this.label} timed out after ${timeoutMs} ms`);
      }, timeoutMs);
      this.pending.set(correlationId, { apiKey, version, resolve: resolve as (b: unknown) => void, reject, timer });
      socket.write(frame);
    });
  }

  private onFrame(frame: Buffer): void {
    let correlationId: number;
    try {
      correlationId = peekCorrelationId(frame);
    } catch (cause) {
      this.fail('CLI_PROTOCOL', `short response frame from ${this.label}`, cause);
      return;
    }
    const p = this.pending.get(correlationId);
    if (p === undefined) {
      this.fail('CLI_PROTOCOL', `unexpected correlation id ${correlationId} from ${this.label}`);
      return;
    }
    this.pending.delete(correlationId);
    this.scheduler.clearTimeout(p.timer);
    let body: unknown;
    try {
      body = decodeResponseFrame(p.apiKey, p.version, frame);
    } catch (cause) {
      // ApiVersions v3 refused by an old broker comes back in v0 format (KIP-511).
      if (p.apiKey === API.ApiVersions && p.version > 0) {
        try {
          body = decodeResponseFrame(p.apiKey, 0, frame);
        } catch {
          body = undefined;
        }
      }
      if (body === undefined) {
        p.reject(new KafkaClientError('CLI_PROTOCOL', `cannot decode API ${p.apiKey} v${p.version} from ${this.label}`, { cause }));
        this.fail('CLI_PROTOCOL', `undecodable response from ${this.label}`, cause);
        return;
      }
    }
    this.noteThrottle(p.apiKey, body);
    p.resolve(body);
  }

  private noteThrottle(apiKey: number, body: unknown): void {
    const t = (body as { throttleTimeMs?: unknown } | undefined)?.throttleTimeMs;
    if (typeof t !== 'number' || t <= 0) return;
    this.throttledUntilMs = Math.max(this.throttledUntilMs, this.scheduler.now() + t);
    this.opts.onThrottle?.({ broker: this.label, apiKey, throttleTimeMs: t });
  }

  /** Close the connection and fail whatever is pending. Idempotent; returns the close reason. */
  private fail(code: 'CLI_CONNECTION' | 'CLI_REQUEST_TIMEOUT' | 'CLI_PROTOCOL' | 'CLI_CLOSED', message: string, cause?: unknown): KafkaClientError {
    if (this.closedError !== undefined) return this.closedError;
    const err = new KafkaClientError(code, message, { retriable: code !== 'CLI_CLOSED', cause, broker: this.label });
    this.closedError = err;
    if (this.reauthTimer !== undefined) this.scheduler.clearTimeout(this.reauthTimer);
    this.reauthTimer = undefined;
    this.socket?.destroy();
    for (const p of this.pending.values()) {
      this.scheduler.clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
    for (const l of this.closeListeners) l(err);
    return err;
  }

  close(): void {
    this.fail('CLI_CLOSED', `connection to ${this.label} closed by the client`);
  }
}
