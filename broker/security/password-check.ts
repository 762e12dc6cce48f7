/**
 * Checks a user name and password against the same users as the Kafka SASL listeners, for the
 * HTTP admin API's Basic authentication: PLAIN users (`user_<name>` of every listener's PLAIN JAAS
 * config) and SCRAM users (the credential cache of ZooKeeper's `/config/users`). A SCRAM
 * credential keeps no password: the given one is salted with the stored salt and iterations
 * (PBKDF2) and its StoredKey compared, which is what a SCRAM client proves in its exchange.
 *
 * Basic auth sends the password with every request, and PBKDF2 at 4096 iterations costs ~4 ms:
 * it runs on libuv's thread pool (the event loop serves other requests meanwhile), and a success
 * is remembered for a while (`VerifiedPasswords`), so a client's repeated requests cost one hash.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { systemClock, type Clock } from '../../common/index.js';
import { credentialFromSaltedPassword, saltedPasswordAsync, SCRAM_MECHANISMS, type ScramCredential, type ScramCredentialLookup, type ScramMechanism } from '../../protocol/index.js';
import type { BrokerConfig } from '../config/index.js';
import { plainUsers } from './jaas.js';
import { listenerJaas } from './sasl-server.js';

export type PasswordCheck = (user: string, password: string) => Promise<boolean>;

/** PBKDF2 of a password with a credential's salt and iterations (the SaltedPassword of RFC 5802). */
export type SaltPassword = (m: ScramMechanism, password: string, salt: Buffer, iterations: number) => Promise<Buffer>;

/** How long a verified SCRAM password is taken on trust without hashing it again. */
export const VERIFIED_PASSWORD_TTL_MS = 5 * 60_000;
/** Verified passwords remembered at most (the oldest goes first). */
export const VERIFIED_PASSWORD_MAX_ENTRIES = 1024;

export interface PasswordCheckOptions {
  readonly clock?: Clock;
  readonly saltPassword?: SaltPassword;
  readonly ttlMs?: number;
  readonly maxEntries?: number;
}

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

/**
 * Successful SCRAM verifications, bounded and expiring. The key is the user, the mechanism, the
 * credential's salt, iterations and StoredKey, and an HMAC of the password under a key drawn at
 * start (the password itself is never kept): a credential that changes (AlterUserScramCredentials
 * draws a new salt) or goes away misses the cache, so an old password is refused at once. Failures
 * are not kept. Concurrent checks of the same key share one hash.
 */
export class VerifiedPasswords {
  private readonly secret = randomBytes(32);
  /** key → expiry (ms); Map order = insertion order, so the first entry is the oldest. */
  private readonly verified = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<boolean>>();
  private readonly clock: Clock;
  private readonly saltPassword: SaltPassword;
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  /** PBKDF2 runs so far (tests, to see that a hit costs none). */
  hashes = 0;

  constructor(o: PasswordCheckOptions = {}) {
    this.clock = o.clock ?? systemClock;
    this.saltPassword = o.saltPassword ?? saltedPasswordAsync;
    this.ttlMs = o.ttlMs ?? VERIFIED_PASSWORD_TTL_MS;
    this.maxEntries = o.maxEntries ?? VERIFIED_PASSWORD_MAX_ENTRIES;
  }

  get size(): number {
    return this.verified.size;
  }

  async verify(m: ScramMechanism, user: string, password: string, stored: ScramCredential): Promise<boolean> {
    const pw = createHmac('sha256', this.secret).update(password, 'utf8').digest('base64');
    const key = JSON.stringify([user, m, stored.salt.toString('base64'), stored.iterations, stored.storedKey.toString('base64'), pw]);
    const expiry = this.verified.get(key);
    if (expiry !== undefined) {
      if (expiry > this.clock.now()) return true;
      this.verified.delete(key);
    }
    const pending = this.inFlight.get(key);
    if (pending !== undefined) return pending;
    const check = this.hash(m, password, stored).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, check);
    const ok = await check;
    if (ok) this.remember(key);
    return ok;
  }

  private async hash(m: ScramMechanism, password: string, stored: ScramCredential): Promise<boolean> {
    this.hashes++;
    const salted = await this.saltPassword(m, password, stored.salt, stored.iterations);
    return equalSecret(credentialFromSaltedPassword(m, salted, stored.salt, stored.iterations).storedKey, stored.storedKey);
  }

  private remember(key: string): void {
    this.verified.delete(key);
    while (this.verified.size >= this.maxEntries) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(key, this.clock.now() + this.ttlMs);
  }
}

export function passwordCheck(plain: ReadonlyMap<string, readonly string[]>, scram: ScramCredentialLookup, verified = new VerifiedPasswords()): PasswordCheck {
  return async (user, password) => {
    const given = Buffer.from(password, 'utf8');
    if ((plain.get(user) ?? []).some((pw) => equalSecret(Buffer.from(pw, 'utf8'), given))) return true;
    for (const m of SCRAM_MECHANISMS) {
      const stored = scram(m, user);
      if (stored !== undefined && (await verified.verify(m, user, password, stored))) return true;
    }
    return false;
  };
}

function equalSecret(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
