/**
 * Java `.properties` reader (the subset Kafka operators write): `key=value`, `key: value` and
 * `key value`, `#`/`!` comments, backslash line continuations and the usual escapes. Every entry
 * keeps its line number so that validation errors can point at it.
 */
import { ConfigError } from './errors.js';

export interface PropertyEntry {
  key: string;
  value: string;
  line: number;
}

export function parseProperties(text: string, source: string): PropertyEntry[] {
  const entries: PropertyEntry[] = [];
  const seen = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const startLine = i + 1;
    let logical = lines[i]!.replace(/^\s+/, '');
    if (logical === '' || logical.startsWith('#') || logical.startsWith('!')) continue;
    while (endsWithContinuation(logical) && i + 1 < lines.length) {
      logical = logical.slice(0, -1) + lines[++i]!.replace(/^\s+/, '');
    }
    const { key, value } = splitEntry(logical);
    if (key === '') {
      throw new ConfigError('CFG_SYNTAX', `${source}:${startLine}: empty key in "${logical}"`, {
        source,
        line: startLine,
      });
    }
    const previous = seen.get(key);
    if (previous !== undefined) {
      throw new ConfigError(
        'CFG_SYNTAX',
        `${source}:${startLine}: "${key}" is set twice (first at line ${previous}); keep one`,
        { key, source, line: startLine },
      );
    }
    seen.set(key, startLine);
    entries.push({ key: unescape(key), value: unescape(value), line: startLine });
  }
  return entries;
}

function endsWithContinuation(line: string): boolean {
  let backslashes = 0;
  for (let j = line.length - 1; j >= 0 && line[j] === '\\'; j--) backslashes++;
  return backslashes % 2 === 1;
}

function splitEntry(line: string): { key: string; value: string } {
  let j = 0;
  while (j < line.length) {
    const c = line[j]!;
    if (c === '\\') {
      j += 2;
      continue;
    }
    if (c === '=' || c === ':' || c === ' ' || c === '\t') break;
    j++;
  }
  const key = line.slice(0, j);
  let rest = line.slice(j).replace(/^[ \t]+/, '');
  if (rest.startsWith('=') || rest.startsWith(':')) rest = rest.slice(1).replace(/^[ \t]+/, '');
  return { key, value: rest.replace(/[ \t]+$/, '') };
}

function unescape(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_m, esc: string) => {
    if (esc.length === 5) return String.fromCharCode(parseInt(esc.slice(1), 16));
    switch (esc) {
      case 't':
        return '\t';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 'f':
        return '\f';
      default:
        return esc;
    }
  });
}
