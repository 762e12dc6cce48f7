// Messages of a topic: browse a partition from an offset or a timestamp, key/value/headers
// shown as text, JSON or hex; produce a test message.
import { api, enc, get } from '../api.js';
import { esc, showBytes, time } from '../format.js';
import { action, table } from '../ui.js';

export function show(root, ctx, name, query) {
  const path = `/topics/${enc(name)}`;
  root.innerHTML = `
    <h1><a href="#/topics">Topics</a> / <a href="#/topics/${enc(name)}">${esc(name)}</a> / messages</h1>
    <form data-action="messages:browse" class="panel">
      <label>Partition <select name="partition" data-testid="partition"></select></label>
      <label>From <select name="kind"><option value="offset">offset</option><option value="timestamp">time</option></select></label>
      <label>Offset or time <input name="from" value="${esc(query.get('offset') ?? '0')}" autocomplete="off" placeholder="0 or 2024-01-01T00:00:00Z"></label>
      <label>Records <input name="limit" type="number" min="1" max="500" value="50"></label>
      <label>Show as <select name="format" data-testid="format"><option value="text">text</option><option value="json">JSON</option><option value="hex">hex</option></select></label>
      <button type="submit">Read</button><output></output>
    </form>
    <section data-testid="messages"></section>
    <h2>Produce a test message</h2>
    <form data-action="messages:produce" class="panel">
      <label>Partition <select name="partition"></select></label>
      <label>Key <input name="key" autocomplete="off" placeholder="none"></label>
      <label class="wide">Value <textarea name="value" rows="3"></textarea></label>
      <label class="wide">Headers (key=value per line) <textarea name="headers" rows="2"></textarea></label>
      <button type="submit">Produce</button><output data-testid="produced"></output>
    </form>`;

  const browse = root.querySelector('[data-action="messages:browse"]');
  const produce = root.querySelector('[data-action="messages:produce"]');
  let page = null;

  function render() {
    if (page === null) return;
    const format = browse.elements.format.value;
    const cell = (b64) => (b64 === null ? '<span class="muted">null</span>' : `<pre>${esc(showBytes(b64, format))}</pre>`);
    const rows = page.messages.map((m) => [
      String(m.offset),
      esc(time(m.timestamp)),
      cell(m.key),
      cell(m.value),
      m.headers.length === 0 ? '–' : m.headers.map((h) => `${esc(h.key)}: ${h.value === null ? 'null' : esc(showBytes(h.value, format))}`).join('<br>'),
    ]);
    root.querySelector('[data-testid=messages]').innerHTML = table(
      `Partition ${page.partition}: offsets ${page.logStartOffset}–${page.highWatermark} readable, ${page.messages.length} shown from ${page.from}`,
      ['offset', 'timestamp (UTC)', 'key', 'value', 'headers'],
      rows,
      'data-testid="messages-table"',
    );
  }

  async function read(partition, kind, from, limit) {
    const q = new URLSearchParams({ limit: String(limit) });
    if (kind === 'timestamp') {
      const at = /^\d+$/.test(from) ? Number(from) : Date.parse(from);
      if (Number.isNaN(at)) throw Object.assign(new Error(`"${from}" is not a time`), { code: 'INVALID_REQUEST' });
      q.set('timestamp', String(at));
    } else q.set('offset', from === '' ? '0' : from);
    page = await get(`${path}/partitions/${partition}/messages?${q}`);
    render();
    return `${page.messages.length} records`;
  }

  action(browse, (data) => read(data.get('partition'), data.get('kind'), String(data.get('from')).trim(), Number(data.get('limit'))));
  browse.elements.format.addEventListener('change', render);
  action(produce, async (data) => {
    const headers = String(data.get('headers') ?? '')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.length > 0)
      .map((l) => {
        const i = l.indexOf('=');
        return i < 0 ? { key: l, value: null } : { key: l.slice(0, i).trim(), value: l.slice(i + 1) };
      });
    const key = String(data.get('key') ?? '');
    const partition = Number(data.get('partition'));
    const r = await api('POST', `${path}/messages`, { partition, key: key === '' ? null : key, value: String(data.get('value') ?? ''), headers });
    browse.elements.partition.value = String(partition);
    browse.elements.kind.value = 'offset';
    browse.elements.from.value = String(r.offset);
    await read(partition, 'offset', String(r.offset), Number(browse.elements.limit.value));
    return `written at offset ${r.offset} of partition ${r.partition}`;
  });

  void get(path)
    .then((t) => {
      const options = t.partitions.map((p) => `<option value="${p.partition}">${p.partition}</option>`).join('');
      browse.elements.partition.innerHTML = options;
      produce.elements.partition.innerHTML = options;
      const p = query.get('partition');
      if (p !== null) browse.elements.partition.value = p;
      root.dataset.loaded = 'true';
      return read(browse.elements.partition.value || '0', 'offset', browse.elements.from.value, 50);
    })
    .catch((err) => {
      root.querySelector('[data-testid=messages]').innerHTML = `<p class="bad">${esc(err.code)}: ${esc(err.message)}</p>`;
    });
  return {};
}
