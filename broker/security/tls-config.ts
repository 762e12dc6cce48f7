/**
 * TLS settings of one listener from Kafka's keys (broker-wide `ssl.*`, overridden by
 * `listener.name.<name>.ssl.*`). Samsa reads PEM only: `ssl.keystore.type=PEM` with either
 * `ssl.keystore.location` (one file holding the private key and the certificate chain) or the
 * inline `ssl.keystore.key` + `ssl.keystore.certificate.chain`; `ssl.truststore.type=PEM` with
 * `ssl.truststore.location` or `ssl.truststore.certificates`. The same settings serve as this
 * broker's client identity when it dials another broker's TLS inter-broker listener.
 */
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import type { ConnectionOptions, TLSSocket, TlsOptions } from 'node:tls';
import type { BrokerConfig } from '../config/index.js';
import { securityConfigError } from './errors.js';
import { rfc2253Name, SslPrincipalMapper } from './principal-mapping.js';


export type ClientAuth = 'none' | 'requested' | 'required';

export interface ListenerTls {
  readonly key: string;
  readonly cert: string;
  readonly passphrase: string | undefined;
  /** CA certificates trusted for peers (client certificates here, broker certificates as a client); undefined: Node's default CAs. */
  readonly ca: string | undefined;
  readonly clientAuth: ClientAuth;
  readonly minVersion: 'TLSv1.2' | 'TLSv1.3';
  readonly maxVersion: 'TLSv1.2' | 'TLSv1.3';
  readonly ciphers: string | undefined;
  readonly verifyHostname: boolean;
  readonly principalMapper: SslPrincipalMapper;
}

export function listenerTls(config: BrokerConfig, listener: string): ListenerTls {
  return tlsSettings((key) => config.listenerValue(listener, key), (key) => `${key} (listener ${listener})`, `listener ${listener}`);
}

/**
 * The HTTP admin API's TLS (`admin.http.ssl.*`), undefined without `admin.http.ssl.keystore.location`.
 * Protocols, cipher suites and principal mapping rules come from the broker-wide `ssl.*` keys.
 */
export function adminHttpTls(config: BrokerConfig): ListenerTls | undefined {
  if ((config.values.get('admin.http.ssl.keystore.location')?.value ?? '') === '') return undefined;
  const own = new Set(['ssl.keystore.location', 'ssl.keystore.type', 'ssl.key.password', 'ssl.truststore.location', 'ssl.truststore.type', 'ssl.client.auth']);
  return tlsSettings(
    (key) => (own.has(key) ? config.values.get(`admin.http.${key}`)?.value : config.values.get(key)?.value) ?? null,
    (key) => `admin.http.${key}`,
    'the HTTP admin API',
  );
}

function tlsSettings(get: (key: string) => unknown, where: (key: string) => string, scope: string): ListenerTls {
  const v = (key: string): string | null => {
    const x = get(key);
    return typeof x === 'string' && x !== '' ? x : null;
  };
  const read = (key: string, path: string): string => {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      throw securityConfigError(`cannot read ${where(key)} ${path}: ${(err as Error).message}`);
    }
  };
  const pemOnly = (typeKey: string): void => {
    if (v(typeKey) !== 'PEM') throw securityConfigError(`${where(typeKey)} is ${v(typeKey)}; Samsa reads PEM only (set ${typeKey}=PEM)`);
  };

  let key: string;
  let cert: string;
  const inlineKey = v('ssl.keystore.key');
  if (inlineKey !== null) {
    pemOnly('ssl.keystore.type');
    const chain = v('ssl.keystore.certificate.chain');
    if (chain === null) throw securityConfigError(`${where('ssl.keystore.key')} is set but ssl.keystore.certificate.chain is not`);
    key = inlineKey;
    cert = chain;
  } else {
    const location = v('ssl.keystore.location');
    if (location === null) throw securityConfigError(`${scope} uses TLS but has no ${where('ssl.keystore.location')} (or ssl.keystore.key)`);
    pemOnly('ssl.keystore.type');
    const pem = read('ssl.keystore.location', location);
    key = pemBlocks(pem, /-----BEGIN (?:ENCRYPTED |RSA |EC )?PRIVATE KEY-----[\s\S]*?-----END (?:ENCRYPTED |RSA |EC )?PRIVATE KEY-----/g);
    cert = pemBlocks(pem, /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
    if (key === '' || cert === '') throw securityConfigError(`${where('ssl.keystore.location')} ${location} must hold a PEM private key and certificate chain`);
  }

  let ca: string | undefined;
  const inlineCa = v('ssl.truststore.certificates');
  const caLocation = v('ssl.truststore.location');
  if (inlineCa !== null || caLocation !== null) {
    pemOnly('ssl.truststore.type');
    ca = inlineCa ?? read('ssl.truststore.location', caLocation!);
  }

  const clientAuth = (v('ssl.client.auth') ?? 'none') as ClientAuth;
  if (clientAuth !== 'none' && ca === undefined) {
    throw securityConfigError(`${where('ssl.client.auth')}=${clientAuth} needs ssl.truststore.location or ssl.truststore.certificates to verify client certificates`);
  }
  const protocols = (get('ssl.enabled.protocols') as readonly string[] | null) ?? ['TLSv1.2', 'TLSv1.3'];
  if (protocols.length === 0) throw securityConfigError(`${where('ssl.enabled.protocols')} is empty`);
  const sorted = [...protocols].sort() as Array<'TLSv1.2' | 'TLSv1.3'>;
  const ciphers = get('ssl.cipher.suites') as readonly string[] | null;
  return {
    key,
    cert,
    passphrase: v('ssl.key.password') ?? v('ssl.keystore.password') ?? undefined,
    ca,
    clientAuth,
    minVersion: sorted[0]!,
    maxVersion: sorted[sorted.length - 1]!,
    ciphers: ciphers !== null && ciphers.length > 0 ? ciphers.join(':') : undefined,
    verifyHostname: (v('ssl.endpoint.identification.algorithm') ?? '').toLowerCase() === 'https',
    principalMapper: new SslPrincipalMapper(v('ssl.principal.mapping.rules') ?? 'DEFAULT'),
  };
}

function pemBlocks(text: string, re: RegExp): string {
  return (text.match(re) ?? []).join('\n');
}

export function tlsServerOptions(t: ListenerTls): TlsOptions {
  return {
    key: t.key,
    cert: t.cert,
    passphrase: t.passphrase,
    ca: t.ca,
    requestCert: t.clientAuth !== 'none',
    rejectUnauthorized: t.clientAuth === 'required',
    minVersion: t.minVersion,
    maxVersion: t.maxVersion,
    ciphers: t.ciphers,
  };
}

/** This broker as a TLS client of another broker's inter-broker listener (mTLS with its own keystore). */
export function tlsClientOptions(t: ListenerTls, host: string): ConnectionOptions {
  return {
    key: t.key,
    cert: t.cert,
    passphrase: t.passphrase,
    ca: t.ca,
    rejectUnauthorized: true,
    servername: /^[\d.]+$|:/.test(host) ? undefined : host,
    // Only when switched off: an explicit `checkServerIdentity: undefined` replaces Node's default
    // and tls.connect throws ERR_INTERNAL_ASSERTION (Node 20).
    ...(t.verifyHostname ? {} : { checkServerIdentity: () => undefined }),
    minVersion: t.minVersion,
    maxVersion: t.maxVersion,
    ciphers: t.ciphers,
  };
}

/**
 * The principal of a verified client certificate: its subject DN (RFC 2253) through
 * ssl.principal.mapping.rules; undefined when none was sent or it did not verify.
 */
export function certificatePrincipal(socket: TLSSocket, mapper: SslPrincipalMapper): string | undefined {
  if (!socket.authorized) return undefined;
  const peer = socket.getPeerCertificate(false);
  if (peer === null || peer.raw === undefined) return undefined;
  return `User:${mapper.map(rfc2253Name(new X509Certificate(peer.raw).subject))}`;
}
