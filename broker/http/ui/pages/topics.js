// Topics: the list with partitions, replication factor, size and traffic, and a create form.
import { api, get } from '../api.js';
import { bytes, bytesRate, esc, perSecond } from '../format.js';
import { action, table } from '../ui.js';

/** `key=value` lines → { key: value }. */
export function parseConfigLines(text) {
  const out = {};
  for (const line of text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0)) {
    const i = line.indexOf('=');
    if (i <= 0) throw Object.assign(new Error(`"${line}" is not key=value`), { code: 'INVALID_REQUEST' });
    out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

export function show(root, ctx) {
  root.innerHTML = `
    <h1>Topics</h1>
    <details class="panel" data-testid="create-topic">
      <summary>Create a topic</summary>
      <form data-action="topic:create">
        <label>Name <input name="name" required pattern="[a-zA-Z0-9._\\-]+" maxlength="249" autocomplete="off"></label>
        <label>Partitions <input name="partitions" type="number" min="1" placeholder="broker default"></label>
        <label>Replication factor <input name="replicationFactor" type="number" min="1" placeholder="broker default"></label>
        <label class="wide">Configs (key=value per line) <textarea name="configs" rows="2" placeholder="retention.ms=86400000"></textarea></label>
        <button type="submit">Create</button>
        <output></output>
      </form>
    </details>
    <p><label>Filter <input type="search" data-testid="topic-filter" autocomplete="off"></label>
       <label class="inline"><input type="checkbox" data-testid="show-internal"> internal topics</label></p>
    <section data-testid="topic-list"><p class="muted">loading…</p></section>`;

  let listing = [];
  const filter = root.querySelector('[data-testid=topic-filter]');
  const internal = root.querySelector('[data-testid=show-internal]');

  function render() {
    const stats = ctx.stats;
    const sizes = new Map();
    for (const b of stats?.brokers ?? []) for (const [t, n] of Object.entries(b.sample?.topicSizes ?? {})) sizes.set(t, (sizes.get(t) ?? 0) + n);
    const rates = ctx.history.topicRates;
    const words = filter.value.trim().toLowerCase();
    const rows = listing
      .filter((t) => internal.checked || !t.internal)
      .filter((t) => words === '' || t.name.toLowerCase().includes(words))
      .map((t) => {
        const r = rates.get(t.name);
        return [
          `<a href="#/topics/${encodeURIComponent(t.name)}" data-testid="topic-link">${esc(t.name)}</a>`,
          String(t.partitions ?? '–'),
          String(t.replicationFactor ?? '–'),
          bytes(sizes.get(t.name) ?? 0),
          bytesRate(r?.bytesIn ?? null),
          bytesRate(r?.bytesOut ?? null),
          perSecond(r?.messagesIn ?? null),
          perSecond(r?.messagesOut ?? null),
        ];
      });
    root.querySelector('[data-testid=topic-list]').innerHTML = table(`${rows.length} topics`, ['topic', 'partitions', 'RF', 'size (leaders)', 'bytes in', 'bytes out', 'messages in', 'messages out'], rows, 'data-testid="topics-table"');
    root.dataset.loaded = 'true';
  }

  async function refresh() {
    listing = (await get('/topics')).topics;
    render();
  }

  filter.addEventListener('input', render);
  internal.addEventListener('change', render);
  action(root.querySelector('[data-action="topic:create"]'), async (data) => {
    const body = { name: String(data.get('name')).trim() };
    if (data.get('partitions')) body.partitions = Number(data.get('partitions'));
    if (data.get('replicationFactor')) body.replicationFactor = Number(data.get('replicationFactor'));
    const configs = parseConfigLines(String(data.get('configs') ?? ''));
    if (Object.keys(configs).length > 0) body.configs = configs;
    const created = await api('POST', '/topics', body);
    await refresh();
    return `created ${created.name}: ${created.partitions} partitions, replication factor ${created.replicationFactor}`;
  });
  void refresh().catch(() => {});
  return { update: () => refresh().catch(() => {}) };
}
