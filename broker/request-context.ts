/**
 * What every request handler receives besides the decoded request: who is asking, on which
 * listener and connection, and a signal that fires when that connection goes away (so a handler
 * parked in a purgatory can give up). Also the handler contracts (Kafka and inter-broker) and the
 * one authorizer hook the router calls for every request (DESIGN §7: allow-all for now; ACLs will
 * plug in here without touching handlers).
 */
import type { Decoded, RequestBody, ResponseBody } from '../protocol/index.js';
import type { SecurityProtocol } from './config/index.js';

/** Kafka's principal for unauthenticated connections. */
export const ANONYMOUS_PRINCIPAL = 'User:ANONYMOUS';

export interface ConnectionInfo {
  /** Unique per broker process, e.g. `PLAINTEXT-9092-127.0.0.1:53122-7`. */
  readonly connectionId: string;
  readonly listenerName: string;
  readonly securityProtocol: SecurityProtocol;
  readonly clientAddress: string;
  readonly clientPort: number;
  /** Kafka's KafkaPrincipal string form: `User:alice`; `User:ANONYMOUS` before/without authentication; for mTLS the mapped certificate DN (`User:CN=alice,O=acme`). */
  readonly principal: string;
  /** Aborted when the connection closes (client gone, idle, broker stopping). */
  readonly signal: AbortSignal;
}

/**
 * What the listener keeps per connection: the principal changes once, when authentication
 * (TLS client certificate, SASL) completes; requests read the value current at their dispatch.
 */
export type MutableConnectionInfo = { -readonly [K in keyof ConnectionInfo]: ConnectionInfo[K] };

export interface RequestContext extends ConnectionInfo {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
  /** Wall-clock ms when the frame was fully read (for request latency and timeouts). */
  readonly receivedAtMs: number;
  /** This process's work on the request, for request_percentage (set by the router). */
  readonly requestTime?: RequestTime;
}

/**
 * The work a request has cost so far (decoding, the handler's synchronous parts; encoding once
 * done), in ns. A handler that checks request_percentage itself before it answers (Fetch, as
 * Kafka's does) notes what it charged, and only the rest is charged once the response is encoded.
 */
export interface RequestTime {
  nanos(): number;
  charged?: number;
}

/**
 * One Kafka API. `handle` resolves to the response body, or to `undefined` when the protocol has
 * no response (Produce with acks=0): the connection then writes nothing for this request but
 * still keeps later responses in order.
 */
export interface KafkaHandler<Req = any, Res = any> {
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
  handle(ctx: RequestContext, request: Req): Promise<Res | undefined>;
  /**
   * The body to send when `handle` throws, carrying `errorCode` in every error field (Kafka's
   * `AbstractRequest.getErrorResponse`). Without it a throwing handler closes the connection.
   */
  errorResponse?(ctx: RequestContext, request: Req, errorCode: number): Res;
}

/**
 * A handler typed by protocol/'s message bodies: `const h: ApiHandler<typeof ApiKey.Metadata> = …`.
 * The request is what the decoder produced: every field present, absent-in-version ones at their
 * default (`Decoded`), so handlers read it without casts.
 */
export type ApiHandler<K extends number> = KafkaHandler<Decoded<RequestBody<K>>, ResponseBody<K>> & { readonly apiKey: K };

export interface InternalRequestContext extends ConnectionInfo {
  readonly api: string;
  readonly version: number;
  readonly correlationId: number;
  readonly receivedAtMs: number;
}

/** An inter-broker (msgpack) API: resolves to the response body. */
export type InternalHandler<Req = any, Res = any> = (ctx: InternalRequestContext, body: Req) => Promise<Res>;

export type AuthorizationResult = 'ALLOWED' | 'DENIED';

/**
 * What the authorizer decided about one request (Kafka answers refusals inside the response, per
 * resource where the API has resources):
 * - 'ALLOWED': the handler runs on the request as is; 'DENIED': CLUSTER_AUTHORIZATION_FAILED;
 * - `deny`: the handler's error response carrying `errorCode` (a whole-request refusal: group,
 *   transactional id, cluster);
 * - `answer`: this response, without the handler;
 * - `narrow`: the handler runs on `request` (the authorized part) and `complete` turns its response
 *   into the answer (adding the refused resources with their error, hiding what may not be seen,
 *   filling authorized operations). `complete` may throw like a handler.
 */
export type AuthorizationVerdict =
  | AuthorizationResult
  | { readonly kind: 'deny'; readonly errorCode: number }
  | { readonly kind: 'answer'; readonly response: unknown }
  | { readonly kind: 'narrow'; readonly request: unknown; readonly complete: (response: any) => unknown };

/** Called once per decoded Kafka request, before its handler. */
export interface Authorizer {
  authorizeRequest(ctx: RequestContext, request: unknown): AuthorizationVerdict | Promise<AuthorizationVerdict>;
}

export const allowAllAuthorizer: Authorizer = {
  authorizeRequest: () => 'ALLOWED',
};
