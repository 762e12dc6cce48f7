/** Loads a hand-written hex fixture from test/fixtures/protocol (see its README). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'protocol');

export function loadHexFixture(name: string): Buffer {
  const text = readFileSync(join(DIR, `${name}.hex`), 'utf8');
  const hex = text
    .split('\n')
    .map((line) => line.replace(/#.*$/, ''))
    .join('')
    .replace(/\s+/g, '');
  if (!/^([0-9a-f]{2})*$/i.test(hex)) throw new Error(`fixture ${name} is not valid hex`);
  return Buffer.from(hex, 'hex');
}
