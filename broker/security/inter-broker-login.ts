/**
 * How this broker dials other brokers' inter-broker listener: TLS (with its own keystore as the
 * client certificate, so an mTLS listener knows it) when that listener is SSL/SASL_SSL, and SASL
 * with `sasl.mechanism.inter.broker.protocol` and the `username`/`password` of that mechanism's
 * JAAS entry on the listener (`listener.name.<l>.<mechanism>.sasl.jaas.config`), as Kafka.
 */
import type { ConnectionOptions } from 'node:tls';
import { encodePlainToken, isScramMechanism, ScramClient } from '../../protocol/index.js';
import type { BrokerConfig } from '../config/index.js';
import { authenticationFailed, securityConfigError } from './errors.js';
import { loginCredentials } from './jaas.js';
import { listenerJaas } from './sasl-server.js';
import { listenerTls, tlsClientOptions } from './tls-config.js';

/** One SASL client exchange: `next(serverToken)` → the next client token, or undefined when done. */
export interface SaslClientSession {
  readonly mechanism: string;
  first(): Buffer;
  next(serverToken: Buffer): Buffer | undefined;
}

export interface InterBrokerSecurity {
  /** TLS options for a target host, when the inter-broker listener uses TLS. */
  readonly tls?: (host: string) => ConnectionOptions;
  /** A new SASL client exchange, when the inter-broker listener uses SASL. */
  readonly sasl?: () => SaslClientSession;
}

export function interBrokerSecurity(config: BrokerConfig): InterBrokerSecurity {
  const listener = config.interBrokerListenerName;
  const protocol = config.securityProtocolMap.get(listener) ?? 'PLAINTEXT';
  const out: { tls?: InterBrokerSecurity['tls']; sasl?: InterBrokerSecurity['sasl'] } = {};
  if (protocol === 'SSL' || protocol === 'SASL_SSL') {
    const tls = listenerTls(config, listener);
    out.tls = (host) => tlsClientOptions(tls, host);
  }
  if (protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL') {
    const mechanism = config.str('sasl.mechanism.inter.broker.protocol');
    const jaas = listenerJaas(config, listener, mechanism);
    const creds = jaas === undefined ? undefined : loginCredentials(jaas);
    if (creds === undefined) {
      throw securityConfigError(
        `the inter-broker listener ${listener} is ${protocol}: listener.name.${listener.toLowerCase()}.${mechanism.toLowerCase()}.sasl.jaas.config needs username="…" password="…" for brokers to log in`,
      );
    }
    out.sasl = () => saslClient(mechanism, creds.username, creds.password);
  }
  return out;
}

function saslClient(mechanism: string, username: string, password: string): SaslClientSession {
  if (mechanism === 'PLAIN') {
    return { mechanism, first: () => encodePlainToken(username, password), next: () => undefined };
  }
  if (!isScramMechanism(mechanism)) throw securityConfigError(`sasl.mechanism.inter.broker.protocol ${mechanism} is not supported`);
  const scram = new ScramClient(mechanism, username, password);
  let step = 0;
  return {
    mechanism,
    first: () => scram.first(),
    next: (token) => {
      step++;
      try {
        if (step === 1) return scram.final(token);
        scram.verifyServerFinal(token);
        return undefined;
      } catch (err) {
        throw authenticationFailed((err as Error).message);
      }
    },
  };
}
