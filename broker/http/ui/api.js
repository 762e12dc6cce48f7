// Calls to the broker's admin API (same origin). Every failure becomes an ApiError with the
// API's { error: { code, message } }. 401 and 403 are kept apart so that, once the admin API is
// secured, the app can ask for a login (401) or hide an action the user may not take (403).

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

const listeners = { unauthorized: [], forbidden: [] };

/** `on('unauthorized' | 'forbidden', fn)`: the app's hooks for a secured admin API. */
export function on(event, fn) {
  listeners[event].push(fn);
}

// Offsets are int64: integers beyond 2^53 are kept as strings instead of being rounded.
const BIG = /([:\[,]\s*)(-?\d{16,})(?=\s*[,\]}])/g;
function parseJson(text) {
  return JSON.parse(text.replace(BIG, (m, pre, digits) => (Number.isSafeInteger(Number(digits)) ? m : `${pre}"${digits}"`)));
}

export async function api(method, path, body) {
  const init = { method, headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    throw new ApiError(0, 'UNREACHABLE', `The broker did not answer (${err.message})`);
  }
  const text = await res.text();
  let parsed;
  try {
    parsed = text.length > 0 ? parseJson(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const e = parsed?.error ?? { code: `HTTP_${res.status}`, message: text.slice(0, 200) || res.statusText };
    const err = new ApiError(res.status, e.code, e.message, e.details);
    if (res.status === 401) listeners.unauthorized.forEach((fn) => fn(err));
    if (res.status === 403) listeners.forbidden.forEach((fn) => fn(err, method, path));
    throw err;
  }
  return parsed;
}

export const get = (path) => api('GET', path);
export const enc = encodeURIComponent;
