// Formatting shared by the pages: escaping, sizes, rates, and record bytes as text, JSON or hex.

export function esc(v) {
  return String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
export function bytes(n) {
  if (n === null || n === undefined) return '–';
  let v = Number(n);
  let i = 0;
  while (Math.abs(v) >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? Math.round(v) : v.toFixed(1)} ${UNITS[i]}`;
}

export const bytesRate = (n) => (n === null || n === undefined ? '–' : `${bytes(n)}/s`);
export const perSecond = (n) => (n === null || n === undefined ? '–' : `${n >= 100 ? Math.round(n) : Number(n.toFixed(1))}/s`);
export const ms = (n) => (n === null || n === undefined ? '–' : `${n >= 10 ? Math.round(n) : Number(n.toFixed(2))} ms`);
export const count = (n) => (n === null || n === undefined ? '–' : Number(n).toLocaleString('en'));

function b64bytes(b64) {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/** base64 record bytes → text to show: 'text', 'json' (pretty when it parses) or 'hex'. */
export function showBytes(b64, mode) {
  if (b64 === null || b64 === undefined) return null;
  const raw = b64bytes(b64);
  if (mode === 'hex') return [...raw].map((x) => x.toString(16).padStart(2, '0')).join(' ');
  const text = decoder.decode(raw);
  if (mode === 'json') {
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      return text;
    }
  }
  return text;
}

export const time = (ms) => (ms === null || ms === undefined || Number(ms) < 0 ? '–' : new Date(Number(ms)).toISOString().replace('T', ' ').replace('Z', ''));
