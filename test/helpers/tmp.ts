/** Temporary directories for tests, removed at the end of the run unless SAMSA_KEEP_TMP is set. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const created: string[] = [];

export function tmpDir(prefix = 'samsa-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export function removeTmpDirs(): void {
  if (process.env['SAMSA_KEEP_TMP']) return;
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

process.once('exit', removeTmpDirs);
