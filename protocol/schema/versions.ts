/** Kafka's version-range syntax ('none', '3', '0+', '1-4') as a predicate. */
export interface VersionRange {
  min: number;
  max: number;
}

const cache = new Map<string, VersionRange>();

export function parseVersionRange(spec: string): VersionRange {
  const hit = cache.get(spec);
  if (hit !== undefined) return hit;
  let range: VersionRange;
  if (spec === 'none') range = { min: 1, max: 0 };
  else if (spec.endsWith('+')) range = { min: Number(spec.slice(0, -1)), max: Number.MAX_SAFE_INTEGER };
  else if (spec.includes('-')) {
    const [a, b] = spec.split('-');
    range = { min: Number(a), max: Number(b) };
  } else range = { min: Number(spec), max: Number(spec) };
  if (Number.isNaN(range.min) || Number.isNaN(range.max)) throw new Error(`invalid version range "${spec}"`);
  cache.set(spec, range);
  return range;
}

export function inVersionRange(version: number, spec: string | undefined): boolean {
  if (spec === undefined) return false;
  const r = parseVersionRange(spec);
  return version >= r.min && version <= r.max;
}
