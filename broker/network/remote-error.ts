/**
 * Errors crossing the inter-broker link. A failing internal handler answers with a body holding
 * only an error marker; the client turns it back into a BrokerError that keeps the remote code,
 * its retriability and its Kafka error, so the caller can decide exactly as if it had failed
 * locally.
 */
import { isRetriable, messageOf, ModuleError } from '../../common/index.js';
import { isErrorName } from '../../protocol/index.js';
import { BrokerError, kafkaErrorName } from '../errors.js';

const MARKER = '__samsaError';

interface RemoteErrorBody {
  readonly [MARKER]: { code: string; message: string; retriable: boolean; kafkaError: string };
}

export function encodeRemoteError(err: unknown): RemoteErrorBody {
  const code = err instanceof ModuleError ? err.code : 'BRK_INTERNAL';
  return { [MARKER]: { code, message: messageOf(err), retriable: isRetriable(err), kafkaError: kafkaErrorName(err) } };
}

export class RemoteError extends BrokerError<'BRK_REMOTE_ERROR'> {
  override readonly name = 'RemoteError';
  /** The error code on the remote broker (e.g. `BRK_STALE_CONTROLLER_EPOCH`). */
  readonly remoteCode: string;

  constructor(remoteCode: string, message: string, retriable: boolean, kafkaError: string) {
    super('BRK_REMOTE_ERROR', message, { retriable, kafkaError: isErrorName(kafkaError) ? kafkaError : 'UNKNOWN_SERVER_ERROR' });
    this.remoteCode = remoteCode;
  }
}

/** The RemoteError a response body carries, or undefined for a normal body. */
export function decodeRemoteError(body: unknown): RemoteError | undefined {
  if (typeof body !== 'object' || body === null || !(MARKER in body)) return undefined;
  const e = (body as Partial<RemoteErrorBody>)[MARKER];
  if (typeof e !== 'object' || e === null) return undefined;
  return new RemoteError(String(e.code), String(e.message), e.retriable === true, String(e.kafkaError));
}
