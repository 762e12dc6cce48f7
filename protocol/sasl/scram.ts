/**
 * SCRAM-SHA-256 / SCRAM-SHA-512 (RFC 5802, RFC 7677) as Kafka uses them (KIP-84): credential
 * derivation, the stored form of `/config/users/<user>` (`salt=…,stored_key=…,server_key=…,
 * iterations=…`), and both ends of the four-message exchange. Pure functions over node:crypto;
 * the broker's SASL server, the Samsa client and the CLI share them.
 */
import { createHash, createHmac, pbkdf2, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { ProtocolError } from '../errors.js';

export const SCRAM_MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type ScramMechanism = (typeof SCRAM_MECHANISMS)[number];

/** Kafka's bounds (ScramMechanism.minIterations; AlterUserScramCredentials refuses above 16384). */
export const SCRAM_MIN_ITERATIONS = 4096;
export const SCRAM_MAX_ITERATIONS = 16384;

/** KIP-554's mechanism numbers on the wire (0 is UNKNOWN). */
export const SCRAM_MECHANISM_TYPE: Readonly<Record<ScramMechanism, number>> = { 'SCRAM-SHA-256': 1, 'SCRAM-SHA-512': 2 };

export function scramMechanismOfType(type: number): ScramMechanism | undefined {
  return SCRAM_MECHANISMS.find((m) => SCRAM_MECHANISM_TYPE[m] === type);
}

export function isScramMechanism(name: string): name is ScramMechanism {
  return (SCRAM_MECHANISMS as readonly string[]).includes(name);
}

export interface ScramCredential {
  readonly salt: Buffer;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
  readonly iterations: number;
}

/** A failed exchange; `message` is safe to send to the peer. */
export class ScramError extends ProtocolError {
  constructor(message: string) {
    super('PRT_SCRAM', message);
  }
}

const HASH: Record<ScramMechanism, { alg: 'sha256' | 'sha512'; len: number }> = {
  'SCRAM-SHA-256': { alg: 'sha256', len: 32 },
  'SCRAM-SHA-512': { alg: 'sha512', len: 64 },
};

const hmac = (m: ScramMechanism, key: Buffer, text: string | Buffer): Buffer => createHmac(HASH[m].alg, key).update(text).digest();
const hash = (m: ScramMechanism, data: Buffer): Buffer => createHash(HASH[m].alg).update(data).digest();
const xor = (a: Buffer, b: Buffer): Buffer => Buffer.from(a.map((x, i) => x ^ b[i]!));

/** Hi(password, salt, i) of RFC 5802: PBKDF2 with the mechanism's HMAC. */
export function saltedPassword(m: ScramMechanism, password: string, salt: Buffer, iterations: number): Buffer {
  return pbkdf2Sync(Buffer.from(password.normalize('NFKC'), 'utf8'), salt, iterations, HASH[m].len, HASH[m].alg);
}

/** `saltedPassword` on libuv's thread pool: a server checking many passwords keeps its event loop free. */
export function saltedPasswordAsync(m: ScramMechanism, password: string, salt: Buffer, iterations: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pbkdf2(Buffer.from(password.normalize('NFKC'), 'utf8'), salt, iterations, HASH[m].len, HASH[m].alg, (err, key) => (err === null ? resolve(key) : reject(err)));
  });
}

/** The stored credential from a salted password (what AlterUserScramCredentials carries). */
export function credentialFromSaltedPassword(m: ScramMechanism, salted: Buffer, salt: Buffer, iterations: number): ScramCredential {
  const clientKey = hmac(m, salted, 'Client Key');
  return { salt, storedKey: hash(m, clientKey), serverKey: hmac(m, salted, 'Server Key'), iterations };
}

export function makeScramCredential(m: ScramMechanism, password: string, iterations = SCRAM_MIN_ITERATIONS, salt: Buffer = randomBytes(32)): ScramCredential {
  return credentialFromSaltedPassword(m, saltedPassword(m, password, salt, iterations), salt, iterations);
}

/** Kafka's ScramCredentialUtils.credentialToString. */
export function formatScramCredential(c: ScramCredential): string {
  return `salt=${c.salt.toString('base64')},stored_key=${c.storedKey.toString('base64')},server_key=${c.serverKey.toString('base64')},iterations=${c.iterations}`;
}

export function parseScramCredential(text: string): ScramCredential {
  const fields = new Map<string, string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new ScramError(`invalid SCRAM credential field "${part}"`);
    fields.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const need = (k: string): string => {
    const v = fields.get(k);
    if (v === undefined || v === '') throw new ScramError(`SCRAM credential lacks ${k}`);
    return v;
  };
  const iterations = Number(need('iterations'));
  if (!Number.isInteger(iterations) || iterations < 1) throw new ScramError(`invalid SCRAM iterations ${need('iterations')}`);
  return {
    salt: Buffer.from(need('salt'), 'base64'),
    storedKey: Buffer.from(need('stored_key'), 'base64'),
    serverKey: Buffer.from(need('server_key'), 'base64'),
    iterations,
  };
}

/** RFC 5802 saslname: ',' and '=' escaped. */
const encodeName = (n: string): string => n.replace(/=/g, '=3D').replace(/,/g, '=2C');
function decodeName(n: string): string {
  if (/=(?!2C|3D)/.test(n)) throw new ScramError(`invalid username encoding "${n}"`);
  return n.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    if (part.length < 2 || part[1] !== '=') throw new ScramError(`invalid SCRAM message "${message}"`);
    out.set(part[0]!, part.slice(2));
  }
  return out;
}

const nonce = (): string => randomBytes(24).toString('base64').replace(/[=,]/g, '');

/** The client end: first() → final(serverFirst) → verifyServerFinal(serverFinal). */
export class ScramClient {
  private clientFirstBare = '';
  private expectedServerSignature: Buffer | undefined;

  constructor(
    private readonly mechanism: ScramMechanism,
    private readonly username: string,
    private readonly password: string,
    /** Fixed only by tests (RFC 7677's example); random otherwise. */
    private readonly clientNonce: string = nonce(),
  ) {}

  first(): Buffer {
    this.clientFirstBare = `n=${encodeName(this.username)},r=${this.clientNonce}`;
    return Buffer.from(`n,,${this.clientFirstBare}`);
  }

  final(serverFirst: Buffer): Buffer {
    const text = serverFirst.toString('utf8');
    const a = attributes(text);
    if (a.has('e')) throw new ScramError(`server refused: ${a.get('e')}`);
    const r = a.get('r');
    const s = a.get('s');
    const i = Number(a.get('i'));
    if (r === undefined || !r.startsWith(this.clientNonce) || r.length === this.clientNonce.length) throw new ScramError('server nonce does not extend the client nonce');
    if (s === undefined || !Number.isInteger(i) || i < 1) throw new ScramError(`invalid server-first message "${text}"`);
    const salted = saltedPassword(this.mechanism, this.password, Buffer.from(s, 'base64'), i);
    const withoutProof = `c=biws,r=${r}`;
    const authMessage = `${this.clientFirstBare},${text},${withoutProof}`;
    const clientKey = hmac(this.mechanism, salted, 'Client Key');
    const signature = hmac(this.mechanism, hash(this.mechanism, clientKey), authMessage);
    this.expectedServerSignature = hmac(this.mechanism, hmac(this.mechanism, salted, 'Server Key'), authMessage);
    return Buffer.from(`${withoutProof},p=${xor(clientKey, signature).toString('base64')}`);
  }

  verifyServerFinal(serverFinal: Buffer): void {
    const a = attributes(serverFinal.toString('utf8'));
    if (a.has('e')) throw new ScramError(`server refused: ${a.get('e')}`);
    const v = Buffer.from(a.get('v') ?? '', 'base64');
    const expected = this.expectedServerSignature;
    if (expected === undefined || v.length !== expected.length || !timingSafeEqual(v, expected)) {
      throw new ScramError('invalid server signature');
    }
  }
}

export type ScramCredentialLookup = (mechanism: ScramMechanism, username: string) => ScramCredential | undefined;

/**
 * The server end, one exchange: `evaluate(clientFirst)` → server-first, `evaluate(clientFinal)` →
 * server-final with `complete` set. Any failure throws ScramError; an unknown user fails at the
 * proof, like a wrong password, so the answer does not tell which users exist.
 */
export class ScramServer {
  private state: 'first' | 'final' | 'done' = 'first';
  private user = '';
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private credential: ScramCredential | undefined;
  /** Set once the exchange succeeded. */
  username: string | undefined;

  constructor(
    private readonly mechanism: ScramMechanism,
    private readonly lookup: ScramCredentialLookup,
    /** The server's nonce part; fixed only by tests. */
    private readonly serverNonce: () => string = nonce,
  ) {}

  get complete(): boolean {
    return this.state === 'done';
  }

  evaluate(token: Buffer): Buffer {
    switch (this.state) {
      case 'first':
        return this.onClientFirst(token.toString('utf8'));
      case 'final':
        return this.onClientFinal(token.toString('utf8'));
      default:
        throw new ScramError('SCRAM exchange already complete');
    }
  }

  private onClientFirst(text: string): Buffer {
    // gs2-header: "n," or "y," (no channel binding), then an optional "a=authzid", then ",".
    const m = /^([ny]),(a=[^,]*)?,(.*)$/.exec(text);
    if (m === null) throw new ScramError('invalid client-first message (channel binding is not supported)');
    this.clientFirstBare = m[3]!;
    const a = attributes(this.clientFirstBare);
    const name = a.get('n');
    const clientNonce = a.get('r');
    if (name === undefined || name === '' || clientNonce === undefined || clientNonce === '') throw new ScramError('client-first message lacks n= or r=');
    this.user = decodeName(name);
    const authzid = m[2]?.slice(2);
    if (authzid !== undefined && authzid !== '' && decodeName(authzid) !== this.user) {
      throw new ScramError('authorization id differs from the username');
    }
    if (a.get('tokenauth') === 'true') throw new ScramError('delegation tokens are not supported');
    this.credential = this.lookup(this.mechanism, this.user);
    // An unknown user gets a fake salt so the exchange looks the same until the proof fails.
    const salt = this.credential?.salt ?? hash(this.mechanism, Buffer.from(`samsa-unknown-${this.user}`)).subarray(0, 16);
    const iterations = this.credential?.iterations ?? SCRAM_MIN_ITERATIONS;
    this.nonce = clientNonce + this.serverNonce();
    this.serverFirst = `r=${this.nonce},s=${salt.toString('base64')},i=${iterations}`;
    this.state = 'final';
    return Buffer.from(this.serverFirst);
  }

  private onClientFinal(text: string): Buffer {
    const pAt = text.lastIndexOf(',p=');
    if (pAt < 0) throw new ScramError('client-final message lacks a proof');
    const withoutProof = text.slice(0, pAt);
    const a = attributes(withoutProof);
    // Kafka's rule (ScramSaslServer): the final nonce must END with the server's. librdkafka ≤ 2.x
    // sends its client nonce once more in front, and Kafka accepts it; the proof covers what was sent.
    if (!(a.get('r') ?? '').endsWith(this.nonce)) throw new ScramError('Invalid client nonce in the final client message.');
    const c = a.get('c');
    if (c === undefined || !['biws', 'eSws'].includes(c)) {
      // "n,," or "y,," base64; an authzid header is accepted too when it is what the client sent first.
      const header = Buffer.from(c ?? '', 'base64').toString('utf8');
      if (!/^[ny],(a=[^,]*)?,$/.test(header)) throw new ScramError('invalid channel binding in client-final message');
    }
    const proof = Buffer.from(text.slice(pAt + 3), 'base64');
    const cred = this.credential;
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    if (cred === undefined || proof.length !== HASH[this.mechanism].len) throw new ScramError('Authentication failed: Invalid user credentials');
    const signature = hmac(this.mechanism, cred.storedKey, authMessage);
    const clientKey = xor(proof, signature);
    if (!timingSafeEqual(hash(this.mechanism, clientKey), cred.storedKey)) throw new ScramError('Authentication failed: Invalid user credentials');
    this.state = 'done';
    this.username = this.user;
    return Buffer.from(`v=${hmac(this.mechanism, cred.serverKey, authMessage).toString('base64')}`);
  }
}
