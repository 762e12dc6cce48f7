import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { REPO_ROOT } from '../helpers/zookeeper.js';

/**
 * broker/README.md's Architecture section draws the produce and fetch paths hop by hop, naming
 * files, classes, methods, internal APIs and config keys. Every name it gives must exist, so the
 * drawing cannot drift from the code unnoticed.
 */
const SOURCE_DIRS = ['common', 'protocol', 'storage', 'coordination', 'broker', 'client'];

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) sourceFiles(p, out);
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

function architectureNames(): string[] {
  const readme = readFileSync(join(REPO_ROOT, 'broker', 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Architecture');
  expect(start, 'broker/README.md has an Architecture section').to.be.greaterThan(-1);
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  return [...new Set([...section.matchAll(/`([^`]+)`/g)].map((m) => m[1]!))];
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A declaration of `name` (function, method, property, const) in `text`. */
function declares(text: string, name: string): boolean {
  const n = escape(name);
  return new RegExp(`(function\\s+${n}\\b|^\\s*(?:(?:public|private|protected|readonly|static|async|override|get)\\s+)*${n}\\??\\s*[(<:=]|const\\s+${n}\\s*=)`, 'm').test(text);
}

describe('architecture > the produce and fetch paths in broker/README.md', () => {
  const files = SOURCE_DIRS.flatMap((d) => sourceFiles(join(REPO_ROOT, d)));
  const texts = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));

  it('every hop it names exists: files, Class.method, functions, internal APIs, config keys', () => {
    const missing: string[] = [];
    const names = architectureNames();
    expect(names.length).to.be.greaterThan(30);
    for (const name of names) {
      let ok: boolean;
      if (name.endsWith('.ts')) {
        // A path from the repository root, or (a later mention) the tail of one.
        ok = name.includes('/') ? existsSync(join(REPO_ROOT, name)) || files.some((f) => f.endsWith(`/${name}`)) : files.some((f) => basename(f) === name);
      } else if (/^\.[a-z]+$/.test(name)) {
        // A segment file suffix.
        ok = [...texts.values()].some((t) => t.includes(`'${name}'`));
      } else if (/^[A-Z]\w*\.\w+$/.test(name)) {
        const [cls, member] = name.split('.') as [string, string];
        const owner = [...texts].find(([, t]) => new RegExp(`export (?:abstract )?class ${cls}\\b`).test(t));
        ok = owner !== undefined && declares(owner[1], member);
      } else if (/^[A-Z]\w*$/.test(name)) {
        // An internal (msgpack) API name.
        ok = [...texts.values()].some((t) => t.includes(`'${name}'`));
      } else if (/^[a-z]+(\.[a-z]+)+$/.test(name)) {
        // A config key.
        ok = [...texts.values()].some((t) => t.includes(`'${name}'`));
      } else if (/^[a-z]\w*$/.test(name)) {
        ok = [...texts.values()].some((t) => declares(t, name));
      } else {
        ok = false;
      }
      if (!ok) missing.push(name);
    }
    expect(missing, 'names in the Architecture section with nothing behind them').to.deep.equal([]);
  });
});
