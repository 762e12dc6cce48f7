/**
 * `ssl.principal.mapping.rules` (KIP-371): a comma-separated list of `DEFAULT` and
 * `RULE:pattern/replacement/[LU]` rules tried in order on a certificate's distinguished name
 * (RFC 2253 form, e.g. `CN=alice,OU=eng,O=acme`). The first rule whose pattern matches the
 * whole name gives the user name; `DEFAULT` keeps the name as is. No match is an authentication
 * failure, as in Kafka.
 */
import { authenticationFailed, securityConfigError } from './errors.js';

type Rule = { kind: 'default' } | { kind: 'rule'; pattern: RegExp; replacement: string; caseFold: '' | 'L' | 'U' };

export class SslPrincipalMapper {
  private readonly rules: readonly Rule[];

  constructor(text: string) {
    this.rules = parseRules(text);
  }

  map(distinguishedName: string): string {
    for (const r of this.rules) {
      if (r.kind === 'default') return distinguishedName;
      if (!r.pattern.test(distinguishedName)) continue;
      const out = distinguishedName.replace(r.pattern, r.replacement);
      return r.caseFold === 'L' ? out.toLowerCase() : r.caseFold === 'U' ? out.toUpperCase() : out;
    }
    throw authenticationFailed(`no ssl.principal.mapping.rules rule matches "${distinguishedName}"`);
  }
}

/** Reads up to the next unescaped '/', un-escaping "\/". */
function untilSlash(s: string, from: number): { text: string; next: number } {
  let text = '';
  let i = from;
  while (i < s.length && s[i] !== '/') {
    if (s[i] === '\\' && s[i + 1] === '/') {
      text += '/';
      i += 2;
    } else text += s[i++];
  }
  if (i >= s.length) throw securityConfigError(`unterminated rule in ssl.principal.mapping.rules: "${s.slice(from - 5)}"`);
  return { text, next: i + 1 };
}

function parseRules(text: string): Rule[] {
  const s = text.trim();
  const rules: Rule[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && /[\s,]/.test(s[i]!)) i++;
    if (i >= s.length) break;
    if (s.startsWith('DEFAULT', i)) {
      rules.push({ kind: 'default' });
      i += 'DEFAULT'.length;
    } else if (s.startsWith('RULE:', i)) {
      const p = untilSlash(s, i + 5);
      const r = untilSlash(s, p.next);
      i = r.next;
      let caseFold: '' | 'L' | 'U' = '';
      if (s[i] === 'L' || s[i] === 'U') caseFold = s[i++] as 'L' | 'U';
      let pattern: RegExp;
      try {
        pattern = new RegExp(`^(?:${p.text})$`);
      } catch (err) {
        throw securityConfigError(`invalid pattern "${p.text}" in ssl.principal.mapping.rules: ${(err as Error).message}`);
      }
      rules.push({ kind: 'rule', pattern, replacement: r.text, caseFold });
    } else {
      throw securityConfigError(`ssl.principal.mapping.rules: expected DEFAULT or RULE:pattern/replacement/[LU] at "${s.slice(i, i + 30)}"`);
    }
    while (i < s.length && /\s/.test(s[i]!)) i++;
    if (i < s.length && s[i] !== ',') throw securityConfigError(`ssl.principal.mapping.rules: unexpected "${s.slice(i, i + 30)}"`);
  }
  if (rules.length === 0) throw securityConfigError('ssl.principal.mapping.rules is empty (use DEFAULT)');
  return rules;
}

/**
 * A certificate subject as Java's X500Principal.getName() writes it (RFC 2253): the most
 * specific RDN first, comma-separated. `subjectLines` is Node's X509Certificate#subject
 * (one `K=V` per line, in certificate order).
 */
export function rfc2253Name(subjectLines: string): string {
  return subjectLines
    .split('\n')
    .filter((l) => l !== '')
    .reverse()
    .map((l) => {
      const eq = l.indexOf('=');
      const v = l.slice(eq + 1).replace(/([,+"\\<>;])/g, '\\$1');
      return `${l.slice(0, eq)}=${v}`;
    })
    .join(',');
}
