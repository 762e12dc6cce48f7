/**
 * Dispatch for the inter-broker listener: msgpack frames named by `api`, answered with a frame of
 * the same correlationId and `isResponse: true`. Garbage (an undecodable frame, or a response
 * sent to a server) closes the connection; a missing handler or a failing one is answered with an
 * error response so the caller fails fast with a typed error instead of timing out.
 *
 * Every internal API has a version range, as Kafka's APIs do: the sender puts its version in the
 * frame, and a version outside the receiver's range is refused with BRK_UNSUPPORTED_VERSION
 * before the handler runs, so a broker of another release fails the call with a typed error
 * instead of misreading the body. The default on both sides is v0 (`INTERNAL_API_V0`);
 * ReplicaFetch is at v0-v1. A new body shape raises the receiver's maxVersion first and the
 * sender's `version` once every broker runs the new release (or the sender falls back on
 * BRK_UNSUPPORTED_VERSION, as the replica fetcher does).
 */
import { decodeInternalFrame, encodeInternalFrame, encodeInternalFrameWithTail, TailedBody } from '../../protocol/index.js';
import { isRetriable } from '../../common/index.js';
import { BrokerError, toWireError } from '../errors.js';
import type { Logger } from '../logging.js';
import type { ConnectionInfo, InternalHandler, InternalRequestContext } from '../request-context.js';
import type { DispatchOutcome } from './framed-connection.js';
import { encodeRemoteError } from './remote-error.js';

/** The versions of one internal API a receiver accepts. */
export interface InternalApiVersions {
  readonly minVersion: number;
  readonly maxVersion: number;
}

export const INTERNAL_API_V0: InternalApiVersions = { minVersion: 0, maxVersion: 0 };

interface Registered {
  readonly handler: InternalHandler;
  readonly versions: InternalApiVersions;
}

export class InternalRouter {
  private readonly handlers = new Map<string, Registered>();
  private readonly log: Logger;

  constructor(logger: Logger) {
    this.log = logger;
  }

  register(api: string, handler: InternalHandler, versions: InternalApiVersions = INTERNAL_API_V0): void {
    if (this.handlers.has(api)) throw new Error(`an internal handler for ${api} is already registered`);
    if (!(Number.isInteger(versions.minVersion) && versions.minVersion >= 0 && versions.maxVersion >= versions.minVersion)) {
      throw new Error(`invalid version range ${versions.minVersion}..${versions.maxVersion} for internal api ${api}`);
    }
    this.handlers.set(api, { handler, versions });
  }

  apis(): string[] {
    return [...this.handlers.keys()].sort();
  }

  /** The version range registered for `api`, undefined when none is. */
  versions(api: string): InternalApiVersions | undefined {
    return this.handlers.get(api)?.versions;
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
        // A handler's raw tail (replica fetch records) leaves as the slices it read: no copy.
        if (body instanceof TailedBody) {
          const [head, ...tail] = encodeInternalFrameWithTail({ api, version, correlationId, isResponse: true, body: body.body }, body.tail);
          return { kind: 'respond', frame: head!, tail };
        }
        return { kind: 'respond', frame: encodeInternalFrame({ api, version, correlationId, isResponse: true, body }) };
      } catch (err) {
        this.log.error({ err, api, correlationId }, 'inter-broker response could not be encoded');
        return { kind: 'close', reason: `response to ${api} could not be encoded`, level: 'warn' };
      }
    };
    const registered = this.handlers.get(api);
    if (registered === undefined) {
      return respond(encodeRemoteError(new BrokerError('BRK_UNKNOWN_API', `no inter-broker handler for ${api}`)));
    }
    const { minVersion, maxVersion } = registered.versions;
    if (version < minVersion || version > maxVersion) {
      return respond(encodeRemoteError(new BrokerError('BRK_UNSUPPORTED_VERSION', `inter-broker ${api} v${version} is not supported (v${minVersion}-v${maxVersion})`)));
    }
    const ctx: InternalRequestContext = { ...conn, api, version, correlationId, receivedAtMs };
    try {
      return respond(await registered.handler(ctx, request.body));
    } catch (err) {
      const level = isRetriable(err) ? 'debug' : 'warn';
      this.log[level]({ err, api, correlationId, connectionId: conn.connectionId, wireError: toWireError(err) }, 'inter-broker handler failed');
      return respond(encodeRemoteError(err));
    }
  }
}
