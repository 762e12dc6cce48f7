/** Entry point of `npm run bench -- <suite> [args]`: readable lines, then one final JSON line. */
import { loadSuite, suiteNames } from './suites.js';

async function main(): Promise<number> {
  const [name, ...args] = process.argv.slice(2);
  const json = args.includes('--json');
  const log = (line: string): void => (json ? console.error(line) : console.log(line));
  const names = suiteNames();
  if (name === undefined || name === '--help' || !names.includes(name)) {
    const lines: string[] = [];
    for (const n of names) lines.push(`  ${n.padEnd(10)} ${(await loadSuite(n)).describe}`);
    if (name !== undefined && name !== '--help') console.error(`unknown benchmark suite "${name}"`);
    console.error(`usage: npm run bench -- <suite> [--json] [suite options]\nsuites:\n${lines.join('\n') || '  (none yet)'}`);
    return name === undefined || name === '--help' ? 0 : 1;
  }
  const started = Date.now();
  const suite = await loadSuite(name);
  const results = await suite.run({ args: args.filter((a) => a !== '--json'), log });
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
