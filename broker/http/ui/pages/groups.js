// Consumer groups of the whole cluster.
import { get } from '../api.js';
import { esc } from '../format.js';
import { table } from '../ui.js';

export function show(root) {
  root.innerHTML = `<h1>Consumer groups</h1><section data-testid="group-list"><p class="muted">loading…</p></section>`;
  async function refresh() {
    const { groups } = await get('/groups');
    const rows = groups.map((g) => [`<a href="#/groups/${encodeURIComponent(g.groupId)}" data-testid="group-link">${esc(g.groupId)}</a>`, esc(g.state), esc(g.protocolType || '–')]);
    root.querySelector('[data-testid=group-list]').innerHTML = table(`${groups.length} groups`, ['group', 'state', 'protocol type'], rows, 'data-testid="groups-table"');
    root.dataset.loaded = 'true';
  }
  const fail = (err) => {
    root.querySelector('[data-testid=group-list]').innerHTML = `<p class="bad">${esc(err.code)}: ${esc(err.message)}</p>`;
  };
  void refresh().catch(fail);
  return { update: () => refresh().catch(fail) };
}
