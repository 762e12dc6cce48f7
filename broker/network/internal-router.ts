/**
 * Dispatch for the inter-broker listener: msgpack frames named by `api`, answered with a frame of
 * the same correlationId and `isResponse: true`. Garbage (an undecodable frame, or a response
 * sent to a server) closes the connection; a missing handler or a failing one is answered with an
 * error response so the caller fails fast with a typed error instead of timing out.
 */
import { decodeInternalFrame, encodeInternalFrame } from '../../protocol/index.js';
import { isRetriable } from '../../common/index.js';
import { BrokerError, toWireError } from '../errors.js';
import type { Logger } from '../logging.js';
import type { ConnectionInfo, InternalHandler, InternalRequestContext } from '../request-context.js';
import type { DispatchOutcome } from './framed-connection.js';
import { encodeRemoteError } from './remote-error.js';

export class InternalRouter {
  private readonly handlers = new Map<string, InternalHandler>();
  private readonly log: Logger;

  constructor(logger: Logger) {
    this.log = logger;
  }

  register(api: string, handler: InternalHandler): void {
    if (this.handlers.has(api)) throw new Error(`an internal handler for ${api} is already registered`);
    this.handlers.set(api, handler);
  }

  apis(): string[] {
    return [...this.handlers.keys()].sort();
  }

  async route(conn: ConnectionInfo, frame: Buffer, receivedAtMs: number): Promise<DispatchOutcome> {
    let request: ReturnType<typeof decodeInternalFrame>;
    try {
      request = decodeInternalFrame(frame);
    } catch (err) {
      return { kind: 'close', reason: `undecodable inter-broker frame: ${(err as Error).message}`, level: 'warn' };
    }
    if (request.isResponse) return { kind: 'close', reason: `unexpected response frame for ${request.api}`, level: 'warn' };
    const { api, version, correlationId } = request;
    const respond = (body: unknown): DispatchOutcome => {
      try {
        return { kind: 'respond', frame: encodeInternalFrame({ api, version, correlationId, isResponse: true, body }) };
      } catch (err) {
        this.log.error({ err, api, correlationId }, 'inter-broker response could not be encoded');
        return { kind: 'close', reason: `response to ${api} could not be encoded`, level: 'warn' };
      }
    };
    const handler = this.handlers.get(api);
    if (handler === undefined) {
      return respond(encodeRemoteError(new BrokerError('BRK_UNKNOWN_API', `no inter-broker handler for ${api}`)));
    }
    const ctx: InternalRequestContext = { ...conn, api, version, correlationId, receivedAtMs };
    try {
      return respond(await handler(ctx, request.body));
    } catch (err) {
      const level = isRetriable(err) ? 'debug' : 'warn';
      this.log[level]({ err, api, correlationId, connectionId: conn.connectionId, wireError: toWireError(err) }, 'inter-broker handler failed');
      return respond(encodeRemoteError(err));
    }
  }
}
