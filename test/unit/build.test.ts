import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/zookeeper.js';

/** Scripts that run TypeScript through tsx on purpose: developer tools that load suites by name. */
const TSX_SCRIPTS = new Set(['bench.sh', 'compat.sh']);

describe('build > process entry points (scripts/lib/build.mjs)', () => {
  const scripts = readdirSync(join(REPO_ROOT, 'scripts')).filter((f) => f.endsWith('.sh'));
  const entries = execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'lib', 'build.mjs'), '--list'], { encoding: 'utf8' })
    .trim()
    .split('\n');

  it('every script runs its TypeScript from the bundle, and every bundled entry point has a script', () => {
    const used = new Set<string>();
    const throughTsx: string[] = [];
    for (const script of scripts) {
      const text = readFileSync(join(REPO_ROOT, 'scripts', script), 'utf8');
      for (const m of text.matchAll(/^\s*samsa_entry\s+(\S+)/gm)) used.add(m[1]!);
      if (/\btsx\b/.test(text.replace(/^\s*#.*$/gm, '')) && !TSX_SCRIPTS.has(script)) throughTsx.push(script);
    }
    expect(throughTsx, 'scripts that still start through tsx').to.deep.equal([]);
    expect([...used].filter((e) => !entries.includes(e)), 'entries missing from ENTRY_POINTS').to.deep.equal([]);
    expect(entries.filter((e) => !used.has(e)), 'ENTRY_POINTS no script runs').to.deep.equal([]);
  });
});
