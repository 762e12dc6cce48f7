/**
 * SASL on a Kafka listener (SASL_PLAINTEXT, SASL_SSL): the per-connection state machine in front
 * of the request router (Kafka's SaslServerAuthenticator).
 *
 *   handshake ──SaslHandshake v1──▶ authenticate ──SaslAuthenticate…──▶ authenticated
 *       └─────SaslHandshake v0──▶ raw-token (size-prefixed SASL tokens, no Kafka header) ─┘
 *
 * Before authentication only ApiVersions, SaslHandshake and SaslAuthenticate are served;
 * anything else closes the connection. A failed authentication answers
 * SASL_AUTHENTICATION_FAILED with the reason (v1 flow) and closes. With
 * `connections.max.reauth.ms`, SaslAuthenticate v1+ tells the client its session lifetime; the
 * client re-authenticates with a new SaslHandshake + SaslAuthenticate on the same connection
 * (KIP-368, same principal required), and a request arriving after the session expired closes
 * the connection.
 */
import { ApiKey, decodeRequest, decodeRequestHeader, encodeResponse, ErrorCode } from '../../protocol/index.js';
import type { DispatchOutcome } from '../network/framed-connection.js';
import type { FrameRouter } from '../network/listener.js';
import type { Logger } from '../logging.js';
import type { MutableConnectionInfo } from '../request-context.js';
import { authenticationFailed, isAuthenticationFailure } from './errors.js';
import type { ListenerSasl, SaslMechanismServer } from './sasl-server.js';

type State = 'handshake' | 'raw-token' | 'authenticate' | 'authenticated' | 'reauthenticate';

const closeWith = (reason: string, level: 'debug' | 'info' | 'warn' = 'info'): DispatchOutcome => ({ kind: 'close', reason, level });

export class KafkaSaslAuthenticator {
  private state: State = 'handshake';
  private mechanismName = '';
  private server: SaslMechanismServer | undefined;
  private sessionExpiresAtMs = Infinity;

  constructor(
    private readonly info: MutableConnectionInfo,
    private readonly sasl: ListenerSasl,
    private readonly next: FrameRouter,
    private readonly now: () => number,
    private readonly log: Logger,
    private readonly onAuthenticated: (outcome: 'success' | 'failure') => void = () => undefined,
  ) {}

  get authenticated(): boolean {
    return this.state === 'authenticated' || this.state === 'reauthenticate';
  }

  route: FrameRouter = (_conn, frame, receivedAtMs) => {
    if (this.state === 'raw-token') return Promise.resolve(this.rawToken(frame));
    let header: ReturnType<typeof decodeRequestHeader>;
    try {
      header = decodeRequestHeader(frame);
    } catch (err) {
      return Promise.resolve(closeWith(`unparsable request header: ${(err as Error).message}`, 'warn'));
    }
    const { apiKey, apiVersion, correlationId } = header;
    if (apiKey === ApiKey.SaslHandshake) return Promise.resolve(this.handshake(frame, apiVersion, correlationId, header.bodyOffset));
    if (apiKey === ApiKey.SaslAuthenticate) return Promise.resolve(this.authenticate(frame, apiVersion, correlationId, header.bodyOffset));
    if (apiKey === ApiKey.ApiVersions && this.state !== 'authenticate') return this.next(this.info, frame, receivedAtMs);
    if (!this.authenticated) {
      return Promise.resolve(closeWith(`request (api key ${apiKey}) before SASL authentication completed (state ${this.state})`, 'info'));
    }
    if (this.now() >= this.sessionExpiresAtMs) {
      return Promise.resolve(closeWith(`SASL session of ${this.info.principal} expired (connections.max.reauth.ms) without re-authentication`, 'info'));
    }
    return this.next(this.info, frame, receivedAtMs);
  };

  private handshake(frame: Buffer, version: number, correlationId: number, offset: number): DispatchOutcome {
    const reauth = this.state === 'authenticated';
    if (this.state !== 'handshake' && !reauth) return closeWith(`SaslHandshake in state ${this.state}`);
    if (version > 1 || (reauth && version < 1)) return closeWith(`SaslHandshake v${version} not allowed here`);
    let mechanism: string;
    try {
      mechanism = decodeRequest(ApiKey.SaslHandshake, version, frame, offset).mechanism;
    } catch (err) {
      return closeWith(`undecodable SaslHandshake: ${(err as Error).message}`, 'warn');
    }
    const respond = (errorCode: number): Buffer =>
      encodeResponse(ApiKey.SaslHandshake, version, correlationId, { errorCode, mechanisms: [...this.sasl.mechanisms] });
    if (!this.sasl.mechanisms.includes(mechanism) || (reauth && mechanism !== this.mechanismName)) {
      this.failed(`unsupported SASL mechanism ${mechanism}`);
      return { kind: 'respond', frame: respond(ErrorCode.UNSUPPORTED_SASL_MECHANISM), closeAfter: `unsupported SASL mechanism ${mechanism}` };
    }
    this.mechanismName = mechanism;
    this.server = this.sasl.create(mechanism);
    this.state = reauth ? 'reauthenticate' : version === 0 ? 'raw-token' : 'authenticate';
    return { kind: 'respond', frame: respond(ErrorCode.NONE) };
  }

  /** Handshake v0: the tokens travel size-prefixed, without a Kafka header (Kafka ≤ 0.10.1 clients, librdkafka with v0). */
  private rawToken(frame: Buffer): DispatchOutcome {
    let reply: Buffer;
    try {
      reply = this.server!.evaluate(frame);
    } catch (err) {
      this.failed((err as Error).message);
      return closeWith(`SASL ${this.mechanismName} authentication failed (raw token flow): ${(err as Error).message}`);
    }
    if (this.server!.complete) this.succeeded();
    const out = Buffer.allocUnsafe(4 + reply.length);
    out.writeInt32BE(reply.length, 0);
    reply.copy(out, 4);
    return { kind: 'respond', frame: out };
  }

  private authenticate(frame: Buffer, version: number, correlationId: number, offset: number): DispatchOutcome {
    if (this.state !== 'authenticate' && this.state !== 'reauthenticate') return closeWith(`SaslAuthenticate in state ${this.state}`);
    if (version > 2) return closeWith(`SaslAuthenticate v${version} is not supported`);
    let token: Buffer;
    try {
      token = decodeRequest(ApiKey.SaslAuthenticate, version, frame, offset).authBytes;
    } catch (err) {
      return closeWith(`undecodable SaslAuthenticate: ${(err as Error).message}`, 'warn');
    }
    const respond = (body: { errorCode: number; errorMessage: string | null; authBytes: Buffer; sessionLifetimeMs: bigint }): Buffer =>
      encodeResponse(ApiKey.SaslAuthenticate, version, correlationId, body);
    let reply: Buffer;
    try {
      reply = this.server!.evaluate(token);
      if (this.server!.complete && this.state === 'reauthenticate' && `User:${this.server!.user}` !== this.info.principal) {
        throw authenticationFailed(`Cannot change principals during re-authentication from ${this.info.principal} to User:${this.server!.user}`);
      }
    } catch (err) {
      const message = isAuthenticationFailure(err) ? err.message : 'Authentication failed';
      if (!isAuthenticationFailure(err)) this.log.error({ err }, 'SASL mechanism server failed');
      this.failed(message);
      return {
        kind: 'respond',
        frame: respond({ errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: message, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0n }),
        closeAfter: `SASL ${this.mechanismName} authentication failed: ${message}`,
      };
    }
    let lifetimeMs = 0;
    if (this.server!.complete) lifetimeMs = this.succeeded();
    return { kind: 'respond', frame: respond({ errorCode: ErrorCode.NONE, errorMessage: null, authBytes: reply, sessionLifetimeMs: BigInt(lifetimeMs) }) };
  }

  private succeeded(): number {
    const user = this.server!.user!;
    const reauth = this.state === 'reauthenticate';
    this.info.principal = `User:${user}`;
    this.state = 'authenticated';
    const reauthMs = this.sasl.reauthMs;
    this.sessionExpiresAtMs = reauthMs > 0 ? this.now() + reauthMs : Infinity;
    this.log.debug({ connectionId: this.info.connectionId, principal: this.info.principal, mechanism: this.mechanismName, reauth }, 'SASL authentication succeeded');
    this.onAuthenticated('success');
    return reauthMs;
  }

  private failed(reason: string): void {
    this.log.info(
      { connectionId: this.info.connectionId, client: `${this.info.clientAddress}:${this.info.clientPort}`, mechanism: this.mechanismName, reason },
      'SASL authentication failed',
    );
    this.onAuthenticated('failure');
  }
}
