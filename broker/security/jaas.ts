/**
 * Kafka's `sasl.jaas.config` value: one JAAS login module entry,
 * `org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="pw" user_alice="pw";`
 * Values are quoted (with backslash escapes) or bare tokens; the trailing `;` is required.
 */
export interface JaasEntry {
  readonly loginModule: string;
  readonly flag: string;
  readonly options: ReadonlyMap<string, string>;
}

import { securityConfigError as JaasConfigError } from './errors.js';

const FLAGS = ['required', 'requisite', 'sufficient', 'optional'];

export function parseJaasConfig(text: string): JaasEntry {
  let i = 0;
  const s = text.trim();
  const skipSpace = (): void => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  const token = (): string => {
    const start = i;
    while (i < s.length && /[^\s=;"]/.test(s[i]!)) i++;
    return s.slice(start, i);
  };
  skipSpace();
  const loginModule = token();
  skipSpace();
  const flag = token();
  if (loginModule === '' || !FLAGS.includes(flag)) {
    throw JaasConfigError(`JAAS config must start with "<LoginModule class> required|requisite|sufficient|optional" (got "${s.slice(0, 60)}")`);
  }
  const options = new Map<string, string>();
  for (;;) {
    skipSpace();
    if (i >= s.length) throw JaasConfigError('JAAS config must end with ";"');
    if (s[i] === ';') {
      i++;
      skipSpace();
      if (i < s.length) throw JaasConfigError('JAAS config has more than one login module entry; a sasl.jaas.config holds exactly one');
      return { loginModule, flag, options };
    }
    const key = token();
    skipSpace();
    if (key === '' || s[i] !== '=') throw JaasConfigError(`JAAS option "${key || s.slice(i, i + 20)}" is not of the form key=value`);
    i++;
    skipSpace();
    let value: string;
    if (s[i] === '"') {
      i++;
      let v = '';
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length) i++;
        v += s[i];
        i++;
      }
      if (i >= s.length) throw JaasConfigError(`JAAS option ${key} has an unterminated quoted value`);
      i++;
      value = v;
    } else {
      value = token();
    }
    options.set(key, value);
  }
}

/** PLAIN's broker-side users: every `user_<name>="<password>"` option (Kafka's PlainServerCallbackHandler). */
export function plainUsers(entry: JaasEntry): Map<string, string> {
  const users = new Map<string, string>();
  for (const [k, v] of entry.options) if (k.startsWith('user_') && k.length > 5) users.set(k.slice(5), v);
  return users;
}

/** The `username`/`password` a broker logs in with as a client (inter-broker), when present. */
export function loginCredentials(entry: JaasEntry): { username: string; password: string } | undefined {
  const username = entry.options.get('username');
  const password = entry.options.get('password');
  return username !== undefined && password !== undefined ? { username, password } : undefined;
}
