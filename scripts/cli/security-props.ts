/**
 * `--command-config <file>`: Kafka client security properties for every CLI tool, mapped onto
 * the Samsa client's `ssl`/`sasl` options:
 *
 *   security.protocol=SASL_SSL                 PLAINTEXT | SSL | SASL_PLAINTEXT | SASL_SSL
 *   sasl.mechanism=SCRAM-SHA-512               PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512
 *   sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="…";
 *   ssl.truststore.type=PEM                    with ssl.truststore.location (PEM CA file) or ssl.truststore.certificates
 *   ssl.keystore.type=PEM                      with ssl.keystore.location (key + chain) or ssl.keystore.key/.certificate.chain (mTLS)
 *   ssl.key.password=…                         an encrypted key's password
 *   ssl.endpoint.identification.algorithm=     empty: no host name check (default https)
 *
 * Unknown keys are refused so that a typo does not silently connect without security.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { SaslMechanismName, SecurityOptions } from '../../client/index.js';
import { parseProperties } from '../../broker/index.js';
import { loginCredentials, parseJaasConfig } from '../../broker/security/jaas.js';
import { UsageError } from './args.js';

const KNOWN = new Set([
  'security.protocol', 'sasl.mechanism', 'sasl.jaas.config', 'ssl.truststore.type', 'ssl.truststore.location', 'ssl.truststore.certificates',
  'ssl.truststore.password', 'ssl.keystore.type', 'ssl.keystore.location', 'ssl.keystore.password', 'ssl.keystore.key',
  'ssl.keystore.certificate.chain', 'ssl.key.password', 'ssl.endpoint.identification.algorithm', 'ssl.protocol', 'ssl.enabled.protocols',
]);
const MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];

export function loadClientSecurity(file: string): SecurityOptions {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --command-config ${file}: ${(err as Error).message}`);
  }
  const props = new Map(parseProperties(text, file).map((e) => [e.key, e.value]));
  return clientSecurityFromProperties(props, file);
}

export function clientSecurityFromProperties(props: ReadonlyMap<string, string>, source: string): SecurityOptions {
  for (const k of props.keys()) if (!KNOWN.has(k)) throw new UsageError(`${source}: unknown client security property "${k}" (known: ${[...KNOWN].join(', ')})`);
  const protocol = (props.get('security.protocol') ?? 'PLAINTEXT').toUpperCase();
  if (!['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(protocol)) throw new UsageError(`${source}: security.protocol ${protocol} is not PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL`);
  const out: { ssl?: ConnectionOptions; sasl?: SecurityOptions['sasl'] } = {};
  if (protocol === 'SSL' || protocol === 'SASL_SSL') out.ssl = tlsOptions(props, source);
  if (protocol.startsWith('SASL_')) {
    const mechanism = props.get('sasl.mechanism') ?? 'GSSAPI';
    if (!MECHANISMS.includes(mechanism)) throw new UsageError(`${source}: sasl.mechanism ${mechanism} is not supported (${MECHANISMS.join(', ')})`);
    const jaas = props.get('sasl.jaas.config');
    if (jaas === undefined) throw new UsageError(`${source}: ${protocol} needs sasl.jaas.config with username and password`);
    const creds = loginCredentials(parseJaasConfig(jaas));
    if (creds === undefined) throw new UsageError(`${source}: sasl.jaas.config needs username="…" password="…"`);
    out.sasl = { mechanism: mechanism as SaslMechanismName, ...creds };
  }
  return out;
}

function tlsOptions(props: ReadonlyMap<string, string>, source: string): ConnectionOptions {
  const read = (key: string): string => {
    const path = props.get(key)!;
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      throw new UsageError(`${source}: cannot read ${key} ${path}: ${(err as Error).message}`);
    }
  };
  const o: ConnectionOptions = {};
  if (props.has('ssl.truststore.location') || props.has('ssl.truststore.certificates')) {
    if (props.get('ssl.truststore.type') !== 'PEM') throw new UsageError(`${source}: set ssl.truststore.type=PEM (only PEM truststores are read)`);
    o.ca = props.get('ssl.truststore.certificates') ?? read('ssl.truststore.location');
  }
  if (props.has('ssl.keystore.location') || props.has('ssl.keystore.key')) {
    if (props.get('ssl.keystore.type') !== 'PEM') throw new UsageError(`${source}: set ssl.keystore.type=PEM (only PEM keystores are read)`);
    const pem = props.get('ssl.keystore.key') !== undefined ? `${props.get('ssl.keystore.key')}\n${props.get('ssl.keystore.certificate.chain') ?? ''}` : read('ssl.keystore.location');
    o.key = (pem.match(/-----BEGIN (?:ENCRYPTED |RSA |EC )?PRIVATE KEY-----[\s\S]*?-----END (?:ENCRYPTED |RSA |EC )?PRIVATE KEY-----/g) ?? []).join('\n');
    o.cert = (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []).join('\n');
    const pass = props.get('ssl.key.password') ?? props.get('ssl.keystore.password');
    if (pass !== undefined) o.passphrase = pass;
  }
  if ((props.get('ssl.endpoint.identification.algorithm') ?? 'https') === '') o.checkServerIdentity = () => undefined;
  return o;
}
