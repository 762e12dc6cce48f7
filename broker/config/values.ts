/**
 * Parsing and checking one value against its definition. Messages always name the key, say
 * where the value came from, and state what would have been accepted.
 */
import { ConfigError, describeSource } from './errors.js';
import { type ConfigDef, type ConfigValue, INT_MAX, LONG_MAX_TEXT } from './types.js';

interface ValueOrigin {
  source?: string;
  line?: number;
}

export function parseValue(def: ConfigDef, text: string, origin: ValueOrigin): ConfigValue {
  const where = describeSource(origin.source, origin.line);
  const refuse = (allowed: string): never => {
    throw new ConfigError(
      'CFG_INVALID_VALUE',
      `Invalid value "${text}" for configuration "${def.key}" (${where}): ${allowed}`,
      { key: def.key, source: origin.source, line: origin.line },
    );
  };
  const value = convert(def, text.trim(), refuse);
  if (value !== null) checkValue(def, value, refuse);
  return value;
}

function convert(def: ConfigDef, text: string, refuse: (allowed: string) => never): ConfigValue {
  switch (def.type) {
    case 'int':
    case 'long': {
      if (!/^[-+]?\d+$/.test(text)) refuse(`expected ${describeAllowed(def)}`);
      const big = BigInt(text);
      const limit = def.type === 'int' ? BigInt(INT_MAX) : BigInt(LONG_MAX_TEXT);
      if (big > limit || big < -limit - 1n) refuse(`expected ${describeAllowed(def)}`);
      // Long.MAX_VALUE is Kafka's "never"; a JS number keeps it as the largest safe integer.
      return big > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(big);
    }
    case 'double': {
      const n = Number(text);
      if (text === '' || !Number.isFinite(n)) refuse(`expected ${describeAllowed(def)}`);
      return n;
    }
    case 'boolean': {
      const lower = text.toLowerCase();
      if (lower !== 'true' && lower !== 'false') refuse('expected true or false');
      return lower === 'true';
    }
    case 'list':
      return text === '' ? [] : text.split(',').map((s) => s.trim()).filter((s) => s !== '');
    case 'string':
    case 'password':
      return text;
  }
}

function checkValue(def: ConfigDef, value: ConfigValue, refuse: (allowed: string) => never): void {
  if (typeof value === 'number') {
    if ((def.min !== undefined && value < def.min) || (def.max !== undefined && value > def.max)) {
      refuse(`expected ${describeAllowed(def)}`);
    }
  }
  if (def.oneOf !== undefined) {
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) {
      if (!def.oneOf.includes(String(item))) refuse(`expected one of ${def.oneOf.join(', ')}`);
    }
  }
  const problem = def.check?.(value);
  if (problem !== undefined) refuse(problem);
}

function describeAllowed(def: ConfigDef): string {
  const kind =
    def.type === 'int' || def.type === 'long'
      ? 'an integer'
      : def.type === 'double'
        ? 'a number'
        : def.type === 'boolean'
          ? 'true or false'
          : def.type === 'list'
            ? 'a comma-separated list'
            : 'a string';
  if (def.oneOf !== undefined) return `${kind}, one of ${def.oneOf.join(', ')}`;
  if (def.min !== undefined && def.max !== undefined) return `${kind} in [${def.min}, ${def.max}]`;
  if (def.min !== undefined) return `${kind} >= ${def.min}`;
  if (def.max !== undefined) return `${kind} <= ${def.max}`;
  return kind;
}

/** The text Kafka would show for a value (DescribeConfigs, `--describe`). */
export function formatValue(def: ConfigDef, value: ConfigValue): string | null {
  if (value === null) return null;
  if (Array.isArray(value)) return value.join(',');
  if (def.type === 'long' && value === Number.MAX_SAFE_INTEGER) return LONG_MAX_TEXT;
  return String(value);
}
