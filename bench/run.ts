/** Entry point of `npm run bench -- <suite> [args]`: readable lines, then one final JSON line. */
import { SUITES } from './suites.js';

async function main(): Promise<number> {
  const [name, ...args] = process.argv.slice(2);
  const json = args.includes('--json');
  const log = (line: string): void => {
    if (!json) console.log(line);
    else console.error(line);
  };
  if (name === undefined || name === '--help' || !(name in SUITES)) {
    const names = Object.entries(SUITES).map(([n, s]) => `  ${n.padEnd(10)} ${s.describe}`);
    console.error(`usage: npm run bench -- <suite> [--json] [suite options]\nsuites:\n${names.join('\n') || '  (none yet)'}`);
    return name === undefined || name === '--help' ? 0 : 1;
  }
  const started = Date.now();
  const suite = await SUITES[name]!.load();
  const results = await suite({ args: args.filter((a) => a !== '--json'), log });
  console.log(JSON.stringify({ suite: name, date: new Date().toISOString(), elapsedMs: Date.now() - started, results }));
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
