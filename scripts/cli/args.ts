/**
 * A tiny argument parser for the Kafka-style tools: `--flag`, `--flag value`, `--flag=value`,
 * repeatable flags (`--config a=1 --config b=2`), and variadic ones that take every following
 * word up to the next `--flag` (`--producer-props acks=1 linger.ms=5`, as Kafka's argparse).
 * Positional words are kept in order for tools that take them (zookeeper-shell).
 */

export interface FlagSpec {
  name: string;
  /** Placeholder of the value, e.g. "<String: topic>"; absent = a boolean switch. */
  arg?: string;
  /** May be given more than once (values accumulate). */
  repeat?: boolean;
  /** Takes all following words until the next flag. Implies repeat. */
  variadic?: boolean;
  help: string;
}

export interface ToolSpec {
  /** The script name, e.g. "topics.sh". */
  name: string;
  summary: string;
  flags: FlagSpec[];
  /** Extra usage text after the flag table (examples, positional arguments). */
  usageTail?: string;
  /** Accept positional words (otherwise a bare word is a usage error). */
  positionals?: boolean;
}

/** A wrong command line: the tool prints the message and its usage, and exits with 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export class ParsedArgs {
  constructor(
    private readonly values: ReadonlyMap<string, string[]>,
    private readonly switches: ReadonlySet<string>,
    readonly positionals: readonly string[],
  ) {}

  has(name: string): boolean {
    return this.switches.has(name) || this.values.has(name);
  }

  /** The last value given for a flag (undefined when absent). */
  get(name: string): string | undefined {
    const v = this.values.get(name);
    return v === undefined ? undefined : v[v.length - 1];
  }

  all(name: string): string[] {
    return [...(this.values.get(name) ?? [])];
  }

  require(name: string, why = ''): string {
    const v = this.get(name);
    if (v === undefined) throw new UsageError(`missing required argument --${name}${why ? ` ${why}` : ''}`);
    return v;
  }

  int(name: string, fallback?: number): number | undefined {
    const v = this.get(name);
    if (v === undefined) return fallback;
    if (!/^-?\d+$/.test(v)) throw new UsageError(`--${name} wants an integer, got "${v}"`);
    return Number(v);
  }

  bigint(name: string): bigint | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    if (!/^-?\d+$/.test(v)) throw new UsageError(`--${name} wants an integer, got "${v}"`);
    return BigInt(v);
  }
}

export function parseArgs(spec: ToolSpec, argv: readonly string[]): ParsedArgs {
  const byName = new Map(spec.flags.map((f) => [f.name, f]));
  const values = new Map<string, string[]>();
  const switches = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (!word.startsWith('--') || word === '--') {
      if (!spec.positionals) throw new UsageError(`unexpected argument "${word}"`);
      positionals.push(word);
      continue;
    }
    const eq = word.indexOf('=');
    const name = word.slice(2, eq < 0 ? undefined : eq);
    const flag = byName.get(name);
    if (flag === undefined) throw new UsageError(`unknown option --${name}`);
    if (flag.arg === undefined) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      switches.add(name);
      continue;
    }
    const got = values.get(name) ?? [];
    if (got.length > 0 && !flag.repeat && !flag.variadic) throw new UsageError(`--${name} given more than once`);
    if (eq >= 0) {
      got.push(word.slice(eq + 1));
    } else {
      const start = got.length;
      while (i + 1 < argv.length && !(argv[i + 1]!.startsWith('--') && argv[i + 1]!.length > 2)) {
        got.push(argv[++i]!);
        if (!flag.variadic) break;
      }
      if (got.length === start) throw new UsageError(`--${name} needs a value ${flag.arg}`);
    }
    values.set(name, got);
  }
  return new ParsedArgs(values, switches, positionals);
}

export function usage(spec: ToolSpec): string {
  const rows = [...spec.flags, { name: 'help', help: 'Print this usage and exit.' } as FlagSpec].map((f) => [
    `--${f.name}${f.arg ? ` ${f.arg}` : ''}`,
    f.help + (f.repeat || f.variadic ? ' (repeatable)' : ''),
  ]);
  const width = Math.min(Math.max(...rows.map(([l]) => l!.length)) + 2, 44);
  const lines = [`Usage: ${spec.name} [options]`, '', spec.summary, '', 'Option'.padEnd(width) + 'Description', '------'.padEnd(width) + '-----------'];
  for (const [left, right] of rows) {
    if (left!.length + 2 > width) lines.push(left!, ' '.repeat(width) + right!);
    else lines.push(left!.padEnd(width) + right!);
  }
  if (spec.usageTail) lines.push('', spec.usageTail.trimEnd());
  return lines.join('\n') + '\n';
}

/** `k=v` words (each may hold several comma-separated pairs when `commas`) to a record. */
export function keyValues(words: readonly string[], what: string, commas = false): Record<string, string> {
  const out: Record<string, string> = {};
  for (const w of words) {
    for (const part of commas ? splitPairs(w) : [w]) {
      const eq = part.indexOf('=');
      if (eq <= 0) throw new UsageError(`${what} wants key=value, got "${part}"`);
      out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
    }
  }
  return out;
}

/** Kafka's configs.sh syntax: `a=1,b=[x,y]` (square brackets protect commas inside a value). */
function splitPairs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '[') depth++;
    if (ch === ']') depth = Math.max(0, depth - 1);
    if (ch === ',' && depth === 0) {
      if (cur.trim() !== '') out.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  if (cur.trim() !== '') out.push(cur);
  return out.map((p) => p.replace(/=\[(.*)\]$/, '=$1'));
}
