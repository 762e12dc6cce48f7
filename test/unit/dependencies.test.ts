import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/zookeeper.js';

// semver ships no types and is used only here; the two functions we call.
const semver = createRequire(import.meta.url)('semver') as {
  minVersion(range: string): { version: string } | null;
  satisfies(version: string, range: string): boolean;
};

interface LockPackage {
  version?: string;
  engines?: { node?: string } | string[];
  optionalDependencies?: Record<string, string>;
  dependencies?: Record<string, string>;
}

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockPackage>;
};
const entries = Object.entries(lock.packages).filter(([path]) => path !== '');

describe('dependencies > package-lock.json', () => {
  it('every locked package runs on the oldest Node the project declares', () => {
    const oldest = semver.minVersion(pkg.engines.node)?.version;
    expect(oldest, `package.json engines.node ${pkg.engines.node}`).to.be.a('string');
    const refusing = entries
      .filter(([, p]) => p.engines && !Array.isArray(p.engines) && p.engines.node)
      .filter(([, p]) => !semver.satisfies(oldest!, (p.engines as { node: string }).node))
      .map(([path, p]) => `${path}@${p.version} wants node ${(p.engines as { node: string }).node}`);
    expect(refusing, `packages that refuse node ${oldest}`).to.deep.equal([]);
  });

  it("every optional dependency of a locked package is itself locked (npm ci refuses the lock otherwise)", () => {
    const locked = new Set(entries.map(([path]) => path));
    const missing: string[] = [];
    for (const [path, p] of entries) {
      for (const name of Object.keys(p.optionalDependencies ?? {})) {
        // npm resolves a dependency in the nearest node_modules up the tree.
        const candidates: string[] = [];
        let base = path;
        for (;;) {
          candidates.push(`${base}/node_modules/${name}`);
          const cut = base.lastIndexOf('/node_modules/');
          if (cut < 0) break;
          base = base.slice(0, cut);
        }
        candidates.push(`node_modules/${name}`);
        if (!candidates.some((c) => locked.has(c))) missing.push(`${path} -> ${name}`);
      }
    }
    expect(missing).to.deep.equal([]);
  });

  it('direct dependencies are pinned to exact versions', () => {
    const loose = Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })
      .filter(([, v]) => !/^\d+\.\d+\.\d+$/.test(v))
      .map(([n, v]) => `${n}@${v}`);
    expect(loose).to.deep.equal([]);
  });
});
