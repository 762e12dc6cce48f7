// One topic: per-partition leader, replicas (out-of-sync ones marked), ISR, leader epoch and the
// leader's log figures; configs with their source; actions (add partitions, edit configs,
// preferred election, delete after typing the name); live traffic of the topic.
import { api, enc, get } from '../api.js';
import { LiveChart } from '../charts.js';
import { bytes, bytesRate, esc, perSecond } from '../format.js';
import { action, table } from '../ui.js';

export function show(root, ctx, name) {
  const path = `/topics/${enc(name)}`;
  root.innerHTML = `
    <h1><a href="#/topics">Topics</a> / <span data-testid="topic-name">${esc(name)}</span></h1>
    <p><a class="button" href="#/topics/${enc(name)}/messages" data-testid="browse-messages">Browse and produce messages</a></p>
    <section data-testid="partitions"><p class="muted">loading…</p></section>
    <section class="charts">
      <div class="chart" data-chart="bytes"></div>
      <div class="chart" data-chart="messages"></div>
    </section>
    <h2>Actions</h2>
    <section class="actions">
      <form data-action="topic:partitions" class="panel">
        <label>Partitions in total <input name="totalCount" type="number" min="1" required></label>
        <button type="submit">Add partitions</button><output></output>
      </form>
      <form data-action="topic:election" class="panel">
        <span>Move leadership back to each partition's preferred replica</span>
        <button type="submit">Preferred election</button><output></output>
      </form>
      <form data-action="topic:delete" class="panel">
        <label>Type <code>${esc(name)}</code> to delete the topic <input name="confirm" autocomplete="off" required></label>
        <button type="submit" class="danger">Delete topic</button><output></output>
      </form>
    </section>
    <h2>Configs</h2>
    <form data-action="topic:config" class="panel">
      <label>Key <input name="key" required list="config-keys" autocomplete="off"></label>
      <label>Value <input name="value" placeholder="empty: back to the default" autocomplete="off"></label>
      <button type="submit">Set</button><output></output>
      <datalist id="config-keys"></datalist>
    </form>
    <section data-testid="configs"></section>`;

  const charts = {
    bytes: new LiveChart(root.querySelector('[data-chart=bytes]'), 'Bytes in/out per second', bytesRate),
    messages: new LiveChart(root.querySelector('[data-chart=messages]'), 'Messages in/out per second', perSecond),
  };
  let gone = false;

  async function refreshPartitions() {
    const [topic, figures] = await Promise.all([get(path), get(`${path}/offsets`)]);
    const byPartition = new Map(figures.partitions.map((f) => [f.partition, f]));
    const down = new Set((ctx.stats?.brokers ?? []).filter((b) => !b.reachable).map((b) => b.id));
    const rows = topic.partitions.map((p) => {
      const f = byPartition.get(p.partition);
      const replicas = p.replicas
        .map((r) => (p.isr.includes(r) && !down.has(r) ? `<span>${r}</span>` : `<span class="bad" title="out of sync">${r}✗</span>`))
        .join(' ');
      const leader = p.leader < 0 || down.has(p.leader) ? `<span class="bad">${p.leader < 0 ? 'none' : `${p.leader} (down)`}</span>` : String(p.leader);
      return [String(p.partition), leader, replicas, p.isr.join(', '), String(p.leaderEpoch), f ? String(f.logStartOffset) : '–', f ? String(f.highWatermark) : '–', f ? String(f.logEndOffset) : '–', f ? bytes(f.sizeBytes) : '–'];
    });
    root.querySelector('[data-testid=partitions]').innerHTML = table(
      `${topic.partitions.length} partitions${topic.markedForDeletion ? ' — marked for deletion' : ''}`,
      ['partition', 'leader', 'replicas', 'ISR', 'leader epoch', 'log start', 'high watermark', 'log end', 'size'],
      rows,
      'data-testid="partitions-table"',
    );
    root.querySelector('[name=totalCount]').min = String(topic.partitions.length + 1);
    root.dataset.loaded = 'true';
  }

  async function refreshConfigs() {
    const { configs } = await get(`${path}/configs`);
    const rows = configs.map((c) => [
      `<code>${esc(c.name)}</code>`,
      c.source === 'topic' ? `<strong data-testid="override">${esc(c.value)}</strong>` : esc(c.value ?? '–'),
      c.source === 'topic' ? '<strong>override</strong>' : 'default',
    ]);
    root.querySelector('[data-testid=configs]').innerHTML = table('Configs', ['key', 'value', 'source'], rows, 'data-testid="configs-table"');
    root.querySelector('#config-keys').innerHTML = configs.map((c) => `<option value="${esc(c.name)}">`).join('');
  }

  const fail = (err) => {
    if (err.status === 404) {
      gone = true;
      root.querySelector('[data-testid=partitions]').innerHTML = `<p class="bad">Topic ${esc(name)} does not exist (any more).</p>`;
    }
  };

  action(root.querySelector('[data-action="topic:partitions"]'), async (data) => {
    const r = await api('POST', `${path}/partitions`, { totalCount: Number(data.get('totalCount')) });
    await refreshPartitions();
    return `now ${r.totalCount} partitions`;
  });
  action(root.querySelector('[data-action="topic:election"]'), async () => {
    const r = await api('POST', `${path}/elections/preferred`);
    const moved = r.partitions.filter((p) => p.error === null).length;
    const other = r.partitions.filter((p) => p.error !== null && p.error !== 'ELECTION_NOT_NEEDED');
    return `${moved} leaders moved${other.length > 0 ? `; ${other.map((p) => `${p.partition}: ${p.error}`).join(', ')}` : ''}`;
  });
  action(root.querySelector('[data-action="topic:delete"]'), async (data) => {
    if (data.get('confirm') !== name) throw Object.assign(new Error('the name does not match'), { code: 'NOT_CONFIRMED' });
    await api('DELETE', path);
    gone = true; // no more polling of a topic on its way out (each poll would be a 404)
    return 'marked for deletion';
  });
  action(root.querySelector('[data-action="topic:config"]'), async (data) => {
    const key = String(data.get('key')).trim();
    const value = String(data.get('value') ?? '');
    await api('PATCH', `${path}/config`, { configs: { [key]: value === '' ? null : value } });
    await refreshConfigs();
    return value === '' ? `${key} back to its default` : `${key} = ${value}`;
  });

  void refreshPartitions().catch(fail);
  void refreshConfigs().catch(fail);

  return {
    async update() {
      if (gone) return;
      await refreshPartitions().catch(fail);
      const s = ctx.history.topics.get(name);
      const t = ctx.history.t;
      const none = t.map(() => null);
      charts.bytes.update(t, [{ label: 'in', values: s?.bytesIn ?? none }, { label: 'out', values: s?.bytesOut ?? none }]);
      charts.messages.update(t, [{ label: 'in', values: s?.messagesIn ?? none }, { label: 'out', values: s?.messagesOut ?? none }]);
    },
    leave: () => Object.values(charts).forEach((c) => c.destroy()),
  };
}
