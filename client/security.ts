/**
 * Client security: TLS (`ssl`) and SASL (`sasl`: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) for every
 * connection of a Producer, Consumer or Admin. SASL runs after ApiVersions, as Kafka's Java
 * client: SaslHandshake v1 names the mechanism, then SaslAuthenticate carries each token. With
 * a session lifetime from the broker (connections.max.reauth.ms, KIP-368) the connection
 * re-authenticates on its own before the session ends.
 */
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { encodePlainToken, ScramClient, type ScramMechanism } from '../protocol/index.js';
import { KafkaClientError } from './errors.js';
import { API, errorInfo } from './wire.js';

export type SaslMechanismName = 'PLAIN' | ScramMechanism;

export interface SaslOptions {
  readonly mechanism: SaslMechanismName;
  readonly username: string;
  readonly password: string;
}

/** `true` = TLS with Node's default CAs; an object = tls.connect options (ca, cert, key, servername, rejectUnauthorized…). */
export type SslOptions = boolean | TlsConnectionOptions;

export interface SecurityOptions {
  readonly ssl?: SslOptions;
  readonly sasl?: SaslOptions;
}

type Request = <T>(apiKey: number, version: number, body: unknown) => Promise<T>;

interface HandshakeResponse {
  errorCode: number;
  mechanisms: string[];
}
interface AuthenticateResponse {
  errorCode: number;
  errorMessage: string | null;
  authBytes: Buffer;
  sessionLifetimeMs?: bigint;
}

const failed = (label: string, message: string, _kafkaError?: string): KafkaClientError =>
  new KafkaClientError('CLI_AUTHENTICATION', `SASL authentication with ${label} failed: ${message}`, { broker: label });

/**
 * One SASL exchange on a connection whose ApiVersions are known. Resolves to the session
 * lifetime in ms (0: no limit).
 */
export async function saslAuthenticate(request: Request, authenticateVersion: number, sasl: SaslOptions, label: string): Promise<number> {
  const hs = await request<HandshakeResponse>(API.SaslHandshake, 1, { mechanism: sasl.mechanism });
  if (hs.errorCode !== 0) {
    throw failed(label, `${errorInfo(hs.errorCode).name}: the broker offers ${hs.mechanisms.join(', ') || 'no mechanism'}, not ${sasl.mechanism}`, errorInfo(hs.errorCode).name);
  }
  const round = async (token: Buffer): Promise<AuthenticateResponse> => {
    const res = await request<AuthenticateResponse>(API.SaslAuthenticate, authenticateVersion, { authBytes: token });
    if (res.errorCode !== 0) throw failed(label, res.errorMessage ?? errorInfo(res.errorCode).name, errorInfo(res.errorCode).name);
    return res;
  };
  let last: AuthenticateResponse;
  if (sasl.mechanism === 'PLAIN') {
    last = await round(encodePlainToken(sasl.username, sasl.password));
  } else {
    const scram = new ScramClient(sasl.mechanism, sasl.username, sasl.password);
    const first = await round(scram.first());
    let final: Buffer;
    try {
      final = scram.final(first.authBytes);
    } catch (err) {
      throw failed(label, (err as Error).message);
    }
    last = await round(final);
    try {
      scram.verifyServerFinal(last.authBytes);
    } catch (err) {
      throw failed(label, (err as Error).message);
    }
  }
  return Number(last.sessionLifetimeMs ?? 0n);
}

/** When to re-authenticate: Kafka's client picks 85–95% of the session lifetime. */
export function reauthenticateAfterMs(lifetimeMs: number, random: () => number = Math.random): number {
  return Math.floor(lifetimeMs * (0.85 + 0.1 * random()));
}
