/**
 * SASL on the inter-broker (msgpack) listener. The msgpack frames have no Kafka header, so the
 * exchange is two internal apis a connecting broker sends before anything else:
 *
 *   { api: 'SaslHandshake',    body: { mechanism } }  →  { mechanisms, error? }
 *   { api: 'SaslAuthenticate', body: { authBytes } }  →  { authBytes, complete, error? }  (repeated)
 *
 * Any other frame before authentication closes the connection, so LeaderAndIsr, StopReplica,
 * replica fetches… are never served to an unauthenticated peer. A failure is answered with
 * `error` (the dialing broker logs it) and closes. The mechanisms are the listener's
 * `sasl.enabled.mechanisms`; brokers dial with `sasl.mechanism.inter.broker.protocol` and the
 * `username`/`password` of that mechanism's JAAS entry (InterBrokerSaslLogin).
 */
import { decodeInternalFrame, encodeInternalFrame } from '../../protocol/index.js';
import type { DispatchOutcome } from '../network/framed-connection.js';
import type { FrameRouter } from '../network/listener.js';
import type { Logger } from '../logging.js';
import type { MutableConnectionInfo } from '../request-context.js';
import { authenticationFailed, isAuthenticationFailure } from './errors.js';
import type { ListenerSasl, SaslMechanismServer } from './sasl-server.js';

export const INTERNAL_SASL_HANDSHAKE = 'SaslHandshake';
export const INTERNAL_SASL_AUTHENTICATE = 'SaslAuthenticate';

export class InternalSaslAuthenticator {
  private server: SaslMechanismServer | undefined;
  private authenticated = false;
  private mechanism = '';

  constructor(
    private readonly info: MutableConnectionInfo,
    private readonly sasl: ListenerSasl,
    private readonly next: FrameRouter,
    _now: () => number,
    private readonly log: Logger,
    private readonly onAuthenticated: (outcome: 'success' | 'failure') => void = () => undefined,
  ) {}

  route: FrameRouter = (_conn, frame, receivedAtMs) => {
    if (this.authenticated) return this.next(this.info, frame, receivedAtMs);
    let msg: ReturnType<typeof decodeInternalFrame>;
    try {
      msg = decodeInternalFrame(frame);
    } catch (err) {
      return Promise.resolve({ kind: 'close', reason: `undecodable inter-broker frame: ${(err as Error).message}`, level: 'warn' });
    }
    const respond = (body: Record<string, unknown>, closeAfter?: string): DispatchOutcome => ({
      kind: 'respond',
      frame: encodeInternalFrame({ api: msg.api, version: msg.version, correlationId: msg.correlationId, isResponse: true, body }),
      closeAfter,
    });
    const body = (msg.body ?? {}) as Record<string, unknown>;
    if (msg.api === INTERNAL_SASL_HANDSHAKE && this.server === undefined) {
      const mechanism = String(body['mechanism'] ?? '');
      if (!this.sasl.mechanisms.includes(mechanism)) {
        this.fail(`unsupported SASL mechanism ${mechanism}`);
        return Promise.resolve(respond({ mechanisms: [...this.sasl.mechanisms], error: `unsupported SASL mechanism ${mechanism}` }, 'unsupported SASL mechanism'));
      }
      this.mechanism = mechanism;
      this.server = this.sasl.create(mechanism);
      return Promise.resolve(respond({ mechanisms: [...this.sasl.mechanisms] }));
    }
    if (msg.api === INTERNAL_SASL_AUTHENTICATE && this.server !== undefined) {
      const raw = body['authBytes'];
      const token = raw instanceof Uint8Array ? Buffer.from(raw) : Buffer.alloc(0);
      try {
        const reply = this.server.evaluate(token);
        if (this.server.complete) {
          this.authenticated = true;
          this.info.principal = `User:${this.server.user}`;
          this.log.debug({ connectionId: this.info.connectionId, principal: this.info.principal }, 'inter-broker SASL authentication succeeded');
          this.onAuthenticated('success');
        }
        return Promise.resolve(respond({ authBytes: reply, complete: this.server.complete }));
      } catch (err) {
        const message = isAuthenticationFailure(err) ? err.message : 'Authentication failed';
        this.fail(message);
        return Promise.resolve(respond({ error: message }, `inter-broker SASL authentication failed: ${message}`));
      }
    }
    return Promise.resolve({ kind: 'close', reason: `inter-broker ${msg.api} before SASL authentication`, level: 'warn' });
  };

  private fail(reason: string): void {
    this.log.warn({ connectionId: this.info.connectionId, client: `${this.info.clientAddress}:${this.info.clientPort}`, mechanism: this.mechanism, reason }, 'inter-broker SASL authentication failed');
    this.onAuthenticated('failure');
  }
}
