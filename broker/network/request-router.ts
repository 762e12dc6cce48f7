/**
 * Kafka request routing: header → handler lookup → version check → decode → authorizer hook →
 * handler → encoded response. Every failure becomes a DispatchOutcome (never a throw), following
 * Kafka's rules:
 * - unparsable header, unknown api key, unsupported version (except ApiVersions) or an
 *   undecodable body: close the connection;
 * - ApiVersions at a version we do not support: answer in v0 format with UNSUPPORTED_VERSION and
 *   our ApiVersions range (KIP-511), so clients can retry at a lower version;
 * - a handler that throws: the handler's error response when it has one, else close.
 */
import { ApiKey, ErrorCode, decodeRequest, decodeRequestHeader, encodeResponseChunks, errorInfo } from '../../protocol/index.js';
import { BrokerError, toWireError } from '../errors.js';
import { apiVersionsBody, type HandlerRegistry } from '../handlers/index.js';
import type { Logger } from '../logging.js';
import { allowAllAuthorizer, type Authorizer, type ConnectionInfo, type RequestContext, type RequestTime } from '../request-context.js';
import type { DispatchOutcome } from './framed-connection.js';

export interface RequestRouterOptions {
  readonly registry: HandlerRegistry;
  readonly logger: Logger;
  readonly authorizer?: Authorizer;
}

/** Request counts and failures, for metrics and tests. */
export interface RouterStats {
  requests: number;
  closes: number;
  handlerErrors: number;
}

/** One finished request, for metrics (Kafka's RequestsPerSec / TotalTimeMs per api). */
export interface RequestEvent {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly listenerName: string;
  /** From the frame being read to the response being ready (not yet written). */
  readonly durationMs: number;
  readonly outcome: DispatchOutcome['kind'];
}

export type RequestObserver = (event: RequestEvent) => void;

/** What a finished request cost, for the client quotas (broker/quota). */
export interface RequestCost {
  readonly apiKey: number;
  readonly principal: string;
  readonly clientId: string | null;
  /** The whole request frame. */
  readonly requestBytes: number;
  /** Decoding, the handler's synchronous part and encoding: work, not time parked in a purgatory. */
  readonly requestNanos: number;
  /** The part of requestNanos the handler already charged (RequestTime.charged); undefined when it charged none. */
  readonly chargedNanos?: number;
}

/**
 * Answers how long (ms) the client must be throttled for a finished request: the response carries
 * it in throttle_time_ms (when the version has the field) and the connection reads nothing more
 * for that long after sending it (KIP-219). `response` is undefined when none is sent.
 */
export type RequestThrottler = (cost: RequestCost, request: unknown, response: unknown) => number;

const close = (reason: string, level: 'debug' | 'info' | 'warn' = 'warn'): DispatchOutcome => ({ kind: 'close', reason, level });

export class RequestRouter {
  readonly registry: HandlerRegistry;
  readonly stats: RouterStats = { requests: 0, closes: 0, handlerErrors: 0 };
  private readonly log: Logger;
  private authorizer: Authorizer;
  private observer: RequestObserver | undefined;
  private throttler: RequestThrottler | undefined;

  constructor(options: RequestRouterOptions) {
    this.registry = options.registry;
    this.log = options.logger;
    this.authorizer = options.authorizer ?? allowAllAuthorizer;
  }

  /** The one authorization hook (DESIGN §7); allow-all until ACLs exist. */
  setAuthorizer(authorizer: Authorizer): void {
    this.authorizer = authorizer;
  }

  /** The client quotas' hook; without one nothing is throttled. */
  setThrottler(throttler: RequestThrottler | undefined): void {
    this.throttler = throttler;
  }

  /** Called once per routed request; a throwing observer is logged, never fatal. */
  setRequestObserver(observer: RequestObserver | undefined): void {
    this.observer = observer;
  }

  async route(conn: ConnectionInfo, frame: Buffer, receivedAtMs: number): Promise<DispatchOutcome> {
    this.stats.requests++;
    const outcome = await this.routeUnsafe(conn, frame, receivedAtMs).catch((err: unknown) => {
      this.log.error({ err, connectionId: conn.connectionId }, 'request routing failed');
      return close(`internal error: ${(err as Error)?.message}`);
    });
    if (outcome.kind === 'close') this.stats.closes++;
    if (this.observer !== undefined && frame.length >= 4) {
      try {
        this.observer({
          apiKey: frame.readInt16BE(0),
          apiVersion: frame.readInt16BE(2),
          listenerName: conn.listenerName,
          durationMs: Date.now() - receivedAtMs,
          outcome: outcome.kind,
        });
      } catch (err) {
        this.log.warn({ err }, 'request observer failed');
      }
    }
    return outcome;
  }

  private async routeUnsafe(conn: ConnectionInfo, frame: Buffer, receivedAtMs: number): Promise<DispatchOutcome> {
    let header: ReturnType<typeof decodeRequestHeader>;
    try {
      header = decodeRequestHeader(frame);
    } catch (err) {
      return close(`unparsable request header: ${(err as Error).message}`);
    }
    const { apiKey, apiVersion, correlationId } = header;
    const handler = this.registry.get(apiKey);
    const range = this.registry.range(apiKey);
    if (handler === undefined || range === undefined) return close(`unknown or unserved api key ${apiKey}`);
    if (apiVersion < range.minVersion || apiVersion > range.maxVersion) {
      if (apiKey === ApiKey.ApiVersions) {
        return this.encode(apiKey, 0, correlationId, apiVersionsBody(ErrorCode.UNSUPPORTED_VERSION, [range]));
      }
      return close(`api key ${apiKey} version ${apiVersion} is outside ${range.minVersion}..${range.maxVersion}`);
    }

    const decodeStart = process.hrtime.bigint();
    let request: unknown;
    try {
      request = decodeRequest(apiKey, apiVersion, frame, header.bodyOffset);
    } catch (err) {
      return close(`undecodable request (api ${apiKey} v${apiVersion}, correlation ${correlationId}): ${(err as Error).message}`);
    }

    let requestNanos = 0;
    const requestTime: RequestTime = { nanos: () => requestNanos };
    const ctx: RequestContext = {
      requestTime,
      connectionId: conn.connectionId,
      listenerName: conn.listenerName,
      securityProtocol: conn.securityProtocol,
      clientAddress: conn.clientAddress,
      clientPort: conn.clientPort,
      principal: conn.principal,
      signal: conn.signal,
      apiKey,
      apiVersion,
      correlationId,
      clientId: header.clientId ?? null,
      receivedAtMs,
    };

    requestNanos = Number(process.hrtime.bigint() - decodeStart);
    // Only the synchronous part of handling is the request's CPU cost; awaited I/O (replication, purgatory) is not.
    const handle = (req: unknown): Promise<unknown> => {
      const handleStart = process.hrtime.bigint();
      const pending = handler.handle(ctx, req);
      requestNanos += Number(process.hrtime.bigint() - handleStart);
      return pending;
    };
    let body: unknown;
    try {
      const verdict = await this.authorizer.authorizeRequest(ctx, request);
      if (verdict === 'ALLOWED') {
        body = await handle(request);
      } else if (verdict === 'DENIED' || verdict.kind === 'deny') {
        const code = verdict === 'DENIED' ? ErrorCode.CLUSTER_AUTHORIZATION_FAILED : verdict.errorCode;
        return this.errorOutcome(ctx, handler, request, code, `request denied by the authorizer (${errorInfo(code).name})`);
      } else if (verdict.kind === 'answer') {
        body = verdict.response;
      } else {
        body = verdict.complete(await handle(verdict.request));
      }
    } catch (err) {
      if (err instanceof BrokerError && err.code === 'BRK_CLOSE_CONNECTION') return close(err.message, 'info');
      this.stats.handlerErrors++;
      const errorCode = toWireError(err);
      const level = errorCode === ErrorCode.UNKNOWN_SERVER_ERROR ? 'error' : 'debug';
      this.log[level]({ err, apiKey, apiVersion, correlationId, connectionId: conn.connectionId }, 'handler failed');
      return this.errorOutcome(ctx, handler, request, errorCode, `handler for api ${apiKey} failed: ${(err as Error)?.message}`);
    }
    if (body === undefined) {
      const throttleMs = this.throttle(ctx, frame.length, requestNanos, requestTime.charged, request, body);
      return throttleMs > 0 ? { kind: 'silent', throttleMs } : { kind: 'silent' };
    }
    // Encoding is work done for this request too; a throttled response is encoded again with its throttle time.
    const encodeStart = process.hrtime.bigint();
    const outcome = this.encode(apiKey, apiVersion, correlationId, body);
    requestNanos += Number(process.hrtime.bigint() - encodeStart);
    const throttleMs = this.throttle(ctx, frame.length, requestNanos, requestTime.charged, request, body);
    if (throttleMs <= 0 || outcome.kind !== 'respond') return outcome;
    if (typeof body === 'object' && body !== null && 'throttleTimeMs' in body) {
      const b = body as { throttleTimeMs: number };
      b.throttleTimeMs = Math.max(b.throttleTimeMs, throttleMs);
      const throttled = this.encode(apiKey, apiVersion, correlationId, body);
      return throttled.kind === 'respond' ? { ...throttled, throttleMs } : throttled;
    }
    return { ...outcome, throttleMs };
  }

  /** A throwing throttler costs the quota, never the request. */
  private throttle(ctx: RequestContext, requestBytes: number, requestNanos: number, chargedNanos: number | undefined, request: unknown, body: unknown): number {
    if (this.throttler === undefined) return 0;
    try {
      const cost: RequestCost = { apiKey: ctx.apiKey, principal: ctx.principal, clientId: ctx.clientId, requestBytes, requestNanos, ...(chargedNanos === undefined ? {} : { chargedNanos }) };
      return this.throttler(cost, request, body);
    } catch (err) {
      this.log.warn({ err, apiKey: ctx.apiKey }, 'quota accounting failed');
      return 0;
    }
  }

  private errorOutcome(
    ctx: RequestContext,
    handler: NonNullable<ReturnType<HandlerRegistry['get']>>,
    request: unknown,
    errorCode: number,
    closeReason: string,
  ): DispatchOutcome {
    if (handler.errorResponse === undefined) return close(closeReason);
    try {
      return this.encode(ctx.apiKey, ctx.apiVersion, ctx.correlationId, handler.errorResponse(ctx, request, errorCode));
    } catch (err) {
      this.log.error({ err, apiKey: ctx.apiKey, error: errorInfo(errorCode).name }, 'error response could not be built');
      return close(closeReason);
    }
  }

  private encode(apiKey: number, apiVersion: number, correlationId: number, body: unknown): DispatchOutcome {
    try {
      // Record sets (Fetch) stay the buffers read from the log: the frame leaves as its parts, one writev.
      const [frame, ...tail] = encodeResponseChunks(apiKey, apiVersion, correlationId, body as never);
      return tail.length === 0 ? { kind: 'respond', frame: frame! } : { kind: 'respond', frame: frame!, tail };
    } catch (err) {
      // A handler produced a body the codec refuses: a broker bug, not the client's fault.
      this.log.error({ err, apiKey, apiVersion, correlationId }, 'response could not be encoded');
      return close(`response to api ${apiKey} v${apiVersion} could not be encoded`);
    }
  }
}
