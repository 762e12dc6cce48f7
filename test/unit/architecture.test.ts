import { expect } from 'chai';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkImportRules, MODULE_RULES } from '../helpers/import-rules.js';
import { tmpDir } from '../helpers/tmp.js';
import { REPO_ROOT } from '../helpers/zookeeper.js';

describe('architecture > module rooms', () => {
  it('every module has an index.ts and a README', () => {
    for (const m of Object.keys(MODULE_RULES)) {
      expect(existsSync(join(REPO_ROOT, m, 'index.ts')), `${m}/index.ts`).to.equal(true);
      expect(existsSync(join(REPO_ROOT, m, 'README.md')), `${m}/README.md`).to.equal(true);
    }
  });

  it('no module imports across a forbidden boundary', () => {
    const violations = checkImportRules(REPO_ROOT);
    expect(violations.map((v) => `${v.file}: ${v.specifier}: ${v.reason}`)).to.deep.equal([]);
  });

  it('the check catches forbidden, deep and impure imports', () => {
    const root = tmpDir();
    for (const m of Object.keys(MODULE_RULES)) mkdirSync(join(root, m));
    writeFileSync(join(root, 'protocol', 'a.ts'), "import { x } from '../storage/index.js';\nimport { readFileSync } from 'node:fs';\n");
    writeFileSync(join(root, 'storage', 'b.ts'), "export { y } from '../protocol/record-batch.js';\nimport type { z } from '../protocol/index.js';\n");
    writeFileSync(join(root, 'client', 'c.ts'), "const m = await import('../broker/index.js');\n");
    const reasons = checkImportRules(root).map((v) => `${v.file} ${v.reason}`);
    expect(reasons).to.have.length(4);
    expect(reasons.join('\n')).to.contain('protocol/ may not import storage/')
      .and.contain('protocol/ must not use node:fs')
      .and.contain('through protocol/index.ts')
      .and.contain('client/ may not import broker/');
  });
});
