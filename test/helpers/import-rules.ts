/**
 * The module rooms of DESIGN §2 as a mechanical check: which top-level module may import which,
 * that cross-module imports go through the target's index.ts, and which npm/node packages the
 * pure modules may not touch.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

export const MODULE_RULES: Record<string, readonly string[]> = {
  common: [],
  protocol: ['common'],
  storage: ['common', 'protocol'],
  coordination: ['common'],
  broker: ['common', 'protocol', 'storage', 'coordination'],
  client: ['common', 'protocol'],
};

const IMPURE = ['node:fs', 'node:fs/promises', 'node:net', 'node:http', 'node:child_process', 'pino', 'fastify', 'node-zookeeper-client'];

/** Packages a module must not import (common and protocol are pure: no I/O, no logging). */
export const FORBIDDEN_PACKAGES: Record<string, readonly string[]> = {
  common: IMPURE,
  protocol: IMPURE,
  storage: ['node:net', 'fastify', 'node-zookeeper-client'],
  coordination: ['fastify'],
  client: ['node:fs', 'node:fs/promises', 'fastify', 'node-zookeeper-client'],
};

const IMPORT_RE = /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;

export interface Violation {
  file: string;
  specifier: string;
  reason: string;
}

function listTs(dir: string): string[] {
  const out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === 'node_modules') continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listTs(full));
    else if (name.endsWith('.ts')) out.push(full);
  }
  return out;
}

export function checkImportRules(root: string): Violation[] {
  const violations: Violation[] = [];
  for (const [module, allowed] of Object.entries(MODULE_RULES)) {
    for (const file of listTs(join(root, module))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(IMPORT_RE)) {
        const spec = m[1] ?? m[2] ?? m[3];
        if (spec === undefined) continue;
        const rel = relative(root, file);
        if (!spec.startsWith('.')) {
          if (FORBIDDEN_PACKAGES[module]?.includes(spec)) {
            violations.push({ file: rel, specifier: spec, reason: `${module}/ must not use ${spec}` });
          }
          continue;
        }
        const target = relative(root, resolve(dirname(file), spec));
        const targetModule = target.split(sep)[0]!;
        if (targetModule === module) continue;
        if (!(targetModule in MODULE_RULES)) {
          violations.push({ file: rel, specifier: spec, reason: `${module}/ must not import from ${targetModule}/` });
        } else if (!allowed.includes(targetModule)) {
          violations.push({ file: rel, specifier: spec, reason: `${module}/ may not import ${targetModule}/ (allowed: ${allowed.join(', ') || 'nothing'})` });
        } else if (target !== join(targetModule, 'index.js') && target !== join(targetModule, 'index.ts')) {
          violations.push({ file: rel, specifier: spec, reason: `import ${targetModule}/ through ${targetModule}/index.ts, not ${target}` });
        }
      }
    }
  }
  return violations;
}
