/** Errors of broker/quota/: codes of broker/'s one table (BROKER_ERRORS), all INVALID_REQUEST on the wire. */
import { BrokerError } from '../errors.js';

export type QuotaErrorCode = 'BRK_QUOTA_INVALID_ENTITY' | 'BRK_QUOTA_INVALID_KEY' | 'BRK_QUOTA_INVALID_VALUE';

export class QuotaError extends BrokerError<QuotaErrorCode> {
  override readonly name: string = 'QuotaError';
}
