/**
 * Checks a user name and password against the same users as the Kafka SASL listeners, for the
 * HTTP admin API's Basic authentication: PLAIN users (`user_<name>` of every listener's PLAIN JAAS
 * config) and SCRAM users (the credential cache of ZooKeeper's `/config/users`). A SCRAM
 * credential keeps no password: the given one is salted with the stored salt and iterations
 * (PBKDF2) and its StoredKey compared, which is what a SCRAM client proves in its exchange.
 */
import { timingSafeEqual } from 'node:crypto';
import { credentialFromSaltedPassword, saltedPassword, SCRAM_MECHANISMS, type ScramCredentialLookup } from '../../protocol/index.js';
import type { BrokerConfig } from '../config/index.js';
import { plainUsers } from './jaas.js';
import { listenerJaas } from './sasl-server.js';

export type PasswordCheck = (user: string, password: string) => boolean;

/** PLAIN users of every listener that has a PLAIN JAAS config (a user on two listeners with two passwords accepts either). */
export function brokerPlainUsers(config: BrokerConfig): Map<string, string[]> {
  const users = new Map<string, string[]>();
  for (const l of config.listeners) {
    const jaas = listenerJaas(config, l.name, 'PLAIN');
    if (jaas === undefined) continue;
    for (const [user, pw] of plainUsers(jaas)) users.set(user, [...(users.get(user) ?? []), pw]);
  }
  return users;
}

export function passwordCheck(plain: ReadonlyMap<string, readonly string[]>, scram: ScramCredentialLookup): PasswordCheck {
  return (user, password) => {
    const given = Buffer.from(password, 'utf8');
    if ((plain.get(user) ?? []).some((pw) => equalSecret(Buffer.from(pw, 'utf8'), given))) return true;
    for (const m of SCRAM_MECHANISMS) {
      const stored = scram(m, user);
      if (stored === undefined) continue;
      const derived = credentialFromSaltedPassword(m, saltedPassword(m, password, stored.salt, stored.iterations), stored.salt, stored.iterations);
      if (equalSecret(derived.storedKey, stored.storedKey)) return true;
    }
    return false;
  };
}

function equalSecret(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
