/** SASL PLAIN (RFC 4616): `[authzid] NUL authcid NUL passwd`, UTF-8. */

export interface PlainCredentials {
  readonly username: string;
  readonly password: string;
}

export function encodePlainToken(username: string, password: string): Buffer {
  return Buffer.from(`\u0000${username}\u0000${password}`, 'utf8');
}

/** Returns undefined when the token is not a PLAIN message; an authzid must equal the username (Kafka's rule). */
export function decodePlainToken(token: Buffer): (PlainCredentials & { readonly authzid: string }) | undefined {
  const parts = token.toString('utf8').split('\u0000');
  if (parts.length !== 3) return undefined;
  const [authzid, username, password] = parts as [string, string, string];
  if (username === '' || password === '') return undefined;
  return { authzid, username, password };
}
