/** The errors of broker/security/: authentication failures and unusable security settings. */
import { BrokerError } from '../errors.js';

export type SecurityErrorCode = 'BRK_SASL_AUTHENTICATION_FAILED' | 'BRK_SECURITY_CONFIG';

export class SecurityError extends BrokerError<SecurityErrorCode> {
  override readonly name: string = 'SecurityError';
}

/** A failed authentication; its message is what the client is told. */
export const authenticationFailed = (message: string): SecurityError => new SecurityError('BRK_SASL_AUTHENTICATION_FAILED', message);
export const securityConfigError = (message: string): SecurityError => new SecurityError('BRK_SECURITY_CONFIG', message);
export const isAuthenticationFailure = (err: unknown): err is SecurityError => err instanceof SecurityError && err.code === 'BRK_SASL_AUTHENTICATION_FAILED';
