/**
 * A strict reader of the Prometheus text exposition format (0.0.4), for tests: it throws on
 * anything a Prometheus server would refuse or misread (bad names, bad escapes, samples without
 * a TYPE, repeated families or series, histogram buckets that are not cumulative).
 */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  readonly help: string | undefined;
  readonly samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const seenSeries = new Set<string>();
  const helps = new Map<string, string>();
  if (text.length > 0 && !text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const where = `line ${i + 1}: ${JSON.stringify(line)}`;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (m === null) return; // plain comment
      const [, kind, name, rest = ''] = m;
      if (!METRIC_NAME.test(name!)) throw new Error(`${where}: bad metric name`);
      if (kind === 'HELP') {
        if (helps.has(name!)) throw new Error(`${where}: second HELP`);
        helps.set(name!, unescapeHelp(rest, where));
        return;
      }
      if (!TYPES.has(rest)) throw new Error(`${where}: bad type`);
      if (families.has(name!)) throw new Error(`${where}: second TYPE for ${name}`);
      families.set(name!, { name: name!, type: rest as Family['type'], help: helps.get(name!), samples: [] });
      return;
    }
    const sample = parseSample(line, where);
    const family = familyOf(sample.name, families);
    if (family === undefined) throw new Error(`${where}: sample before/without its TYPE`);
    const key = `${sample.name}{${Object.entries(sample.labels).sort().map(([k, v]) => `${k}=${v}`).join(',')}}`;
    if (seenSeries.has(key)) throw new Error(`${where}: duplicate series ${key}`);
    seenSeries.add(key);
    family.samples.push(sample);
  });
  for (const f of families.values()) {
    if (f.help === undefined && helps.has(f.name)) (f as { help: string | undefined }).help = helps.get(f.name);
    if (f.type === 'histogram') checkHistogram(f);
  }
  return families;
}

function familyOf(sampleName: string, families: Map<string, Family>): Family | undefined {
  const direct = families.get(sampleName);
  if (direct !== undefined) return direct;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!sampleName.endsWith(suffix)) continue;
    const f = families.get(sampleName.slice(0, -suffix.length));
    if (f !== undefined && (f.type === 'histogram' || (f.type === 'summary' && suffix !== '_bucket'))) return f;
  }
  return undefined;
}

function parseSample(line: string, where: string): Sample {
  let i = 0;
  while (i < line.length && /[a-zA-Z0-9_:]/.test(line[i]!)) i++;
  const name = line.slice(0, i);
  if (!METRIC_NAME.test(name)) throw new Error(`${where}: bad sample name`);
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    while (line[i] !== '}') {
      const eq = line.indexOf('=', i);
      if (eq < 0) throw new Error(`${where}: label without =`);
      const label = line.slice(i, eq).trim();
      if (!LABEL_NAME.test(label)) throw new Error(`${where}: bad label name ${label}`);
      if (label in labels) throw new Error(`${where}: repeated label ${label}`);
      if (line[eq + 1] !== '"') throw new Error(`${where}: label value not quoted`);
      let j = eq + 2;
      let value = '';
      for (;;) {
        const c = line[j];
        if (c === undefined) throw new Error(`${where}: unterminated label value`);
        if (c === '"') break;
        if (c === '\\') {
          const n = line[j + 1];
          if (n === '\\') value += '\\';
          else if (n === '"') value += '"';
          else if (n === 'n') value += '\n';
          else throw new Error(`${where}: bad escape \\${n}`);
          j += 2;
          continue;
        }
        value += c;
        j++;
      }
      labels[label] = value;
      i = j + 1;
      if (line[i] === ',') i++;
      else if (line[i] !== '}') throw new Error(`${where}: expected , or }`);
    }
    i++;
  }
  if (line[i] !== ' ') throw new Error(`${where}: expected a space before the value`);
  const parts = line.slice(i + 1).split(' ');
  if (parts.length > 2) throw new Error(`${where}: trailing garbage`);
  const value = parseValue(parts[0]!, where);
  if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) throw new Error(`${where}: bad timestamp`);
  return { name, labels, value };
}

function parseValue(s: string, where: string): number {
  // Prometheus reads values with Go's ParseFloat: inf/infinity/nan in any case.
  if (/^\+?inf(inity)?$/i.test(s)) return Infinity;
  if (/^-inf(inity)?$/i.test(s)) return -Infinity;
  if (/^nan$/i.test(s)) return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) throw new Error(`${where}: bad value ${s}`);
  return Number(s);
}

function unescapeHelp(s: string, where: string): string {
  return s.replace(/\\(.)/g, (_, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    throw new Error(`${where}: bad HELP escape \\${c}`);
  });
}

function checkHistogram(f: Family): void {
  const series = new Map<string, { buckets: Array<[number, number]>; count?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (s.name.endsWith('_bucket')) {
      if (le === undefined) throw new Error(`${f.name}: bucket without le`);
      entry.buckets.push([parseValue(le, f.name), s.value]);
    } else if (s.name.endsWith('_count')) entry.count = s.value;
  }
  for (const [key, { buckets, count }] of series) {
    const last = buckets.at(-1);
    if (last === undefined || last[0] !== Infinity) throw new Error(`${f.name}${key}: no +Inf bucket`);
    for (let k = 1; k < buckets.length; k++) {
      if (buckets[k]![0] <= buckets[k - 1]![0] || buckets[k]![1] < buckets[k - 1]![1]) throw new Error(`${f.name}${key}: buckets not cumulative`);
    }
    if (count !== last[1]) throw new Error(`${f.name}${key}: _count ${count} != +Inf bucket ${last[1]}`);
  }
}

/** The value of one series, or undefined when absent. */
export function valueOf(families: Map<string, Family>, sampleName: string, labels: Record<string, string> = {}): number | undefined {
  for (const f of families.values()) {
    for (const s of f.samples) {
      if (s.name !== sampleName) continue;
      if (Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value;
    }
  }
  return undefined;
}
