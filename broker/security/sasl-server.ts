/**
 * The broker side of each SASL mechanism, per listener: PLAIN checks `user_<name>` entries of
 * `listener.name.<l>.plain.sasl.jaas.config`; SCRAM-SHA-256/512 check the credentials in
 * ZooKeeper (ScramCredentialCache). A mechanism server takes client tokens and returns server
 * tokens; an authentication failure (SecurityError BRK_SASL_AUTHENTICATION_FAILED) carries the message the client is told.
 */
import { timingSafeEqual } from 'node:crypto';
import { decodePlainToken, isScramMechanism, ScramError, ScramServer, type ScramCredentialLookup } from '../../protocol/index.js';
import type { BrokerConfig } from '../config/index.js';
import { authenticationFailed, securityConfigError, SecurityError } from './errors.js';
import { parseJaasConfig, plainUsers, type JaasEntry } from './jaas.js';


export interface SaslMechanismServer {
  /** The next server token; throws `authenticationFailed(reason)` when the client failed. */
  evaluate(token: Buffer): Buffer;
  readonly complete: boolean;
  /** The authenticated user name, once complete. */
  readonly user: string | undefined;
}

export interface ListenerSasl {
  readonly mechanisms: readonly string[];
  create(mechanism: string): SaslMechanismServer;
  /** connections.max.reauth.ms of the listener; 0 = sessions never expire. */
  readonly reauthMs: number;
}

class PlainServer implements SaslMechanismServer {
  complete = false;
  user: string | undefined;
  constructor(private readonly users: ReadonlyMap<string, string>) {}

  evaluate(token: Buffer): Buffer {
    const creds = decodePlainToken(token);
    if (creds === undefined) throw authenticationFailed('Invalid SASL/PLAIN response: expected 3 tokens, username and password non-empty');
    if (creds.authzid !== '' && creds.authzid !== creds.username) {
      throw authenticationFailed('Authentication failed: Client requested an authorization id that is different from username');
    }
    const expected = this.users.get(creds.username);
    const given = Buffer.from(creds.password, 'utf8');
    if (expected === undefined || !equalSecret(Buffer.from(expected, 'utf8'), given)) {
      throw authenticationFailed('Authentication failed: Invalid username or password');
    }
    this.complete = true;
    this.user = creds.username;
    return Buffer.alloc(0);
  }
}

function equalSecret(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

class ScramMechanismServer implements SaslMechanismServer {
  private readonly server: ScramServer;
  constructor(mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512', lookup: ScramCredentialLookup) {
    this.server = new ScramServer(mechanism, lookup);
  }

  get complete(): boolean {
    return this.server.complete;
  }

  get user(): string | undefined {
    return this.server.username;
  }

  evaluate(token: Buffer): Buffer {
    try {
      return this.server.evaluate(token);
    } catch (err) {
      if (err instanceof ScramError) throw authenticationFailed(err.message);
      throw err;
    }
  }
}

/** The JAAS entry of one mechanism on one listener, or undefined when not configured. */
export function listenerJaas(config: BrokerConfig, listener: string, mechanism: string): JaasEntry | undefined {
  const key = `listener.name.${listener.toLowerCase()}.${mechanism.toLowerCase()}.sasl.jaas.config`;
  const text = config.values.get(key)?.value;
  if (typeof text !== 'string' || text === '') return undefined;
  try {
    return parseJaasConfig(text);
  } catch (err) {
    if (err instanceof SecurityError) throw securityConfigError(`${key}: ${err.message}`);
    throw err;
  }
}

export function listenerSasl(config: BrokerConfig, listener: string, scram: ScramCredentialLookup): ListenerSasl {
  const mechanisms = config.listenerValue(listener, 'sasl.enabled.mechanisms') as readonly string[];
  const reauthMs = config.listenerValue(listener, 'connections.max.reauth.ms') as number;
  let plain: Map<string, string> | undefined;
  if (mechanisms.includes('PLAIN')) {
    const jaas = listenerJaas(config, listener, 'PLAIN');
    if (jaas === undefined) {
      throw securityConfigError(`listener ${listener} enables PLAIN but listener.name.${listener.toLowerCase()}.plain.sasl.jaas.config is not set`);
    }
    plain = plainUsers(jaas);
  }
  return {
    mechanisms,
    reauthMs,
    create: (mechanism) => {
      if (mechanism === 'PLAIN' && plain !== undefined) return new PlainServer(plain);
      if (isScramMechanism(mechanism)) return new ScramMechanismServer(mechanism, scram);
      throw new Error(`no SASL server for ${mechanism}`);
    },
  };
}
