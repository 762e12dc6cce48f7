// One consumer group: state, protocol, members with their partitions, committed offsets and lag
// per partition and in total (charted while the page is open); reset offsets (dry run first)
// and delete.
import { api, enc, get } from '../api.js';
import { LiveChart } from '../charts.js';
import { count, esc } from '../format.js';
import { action, figure, table } from '../ui.js';
import { HISTORY } from '../samples.js';

export function show(root, ctx, id) {
  const path = `/groups/${enc(id)}`;
  root.innerHTML = `
    <h1><a href="#/groups">Consumer groups</a> / <span data-testid="group-id">${esc(id)}</span></h1>
    <section class="figures" data-testid="group-summary"><p class="muted">loading…</p></section>
    <section class="charts"><div class="chart" data-chart="lag"></div></section>
    <section data-testid="members"></section>
    <section data-testid="offsets"></section>
    <h2>Reset offsets</h2>
    <form data-action="group:reset" class="panel">
      <label>Topic <input name="topic" required autocomplete="off"></label>
      <label>Partitions <input name="partitions" placeholder="all, or 0,1,2" autocomplete="off"></label>
      <label>To <select name="to"><option>earliest</option><option>latest</option><option>offset</option><option>timestamp</option><option>shift</option></select></label>
      <label>Value <input name="value" placeholder="offset, epoch ms or ±shift" autocomplete="off"></label>
      <button type="submit" name="mode" value="dry">Dry run</button>
      <button type="submit" name="mode" value="execute" data-testid="reset-execute" disabled>Execute</button>
      <output></output>
    </form>
    <section data-testid="reset-plan"></section>
    <h2>Delete</h2>
    <form data-action="group:delete" class="panel">
      <label>Type <code>${esc(id)}</code> to delete the group and its offsets <input name="confirm" autocomplete="off" required></label>
      <button type="submit" class="danger">Delete group</button><output></output>
    </form>`;

  const chart = new LiveChart(root.querySelector('[data-chart=lag]'), 'Total lag (records)', (v) => count(Math.round(v)));
  const lagT = new Array(HISTORY).fill(null);
  const lag = new Array(HISTORY).fill(null);
  let gone = false;

  async function refresh() {
    const g = await get(path);
    root.querySelector('[data-testid=group-summary]').innerHTML = [
      figure('state', g.state, 'group-state', false),
      figure('protocol', g.protocol || '–', 'group-protocol', false),
      figure('members', g.members.length, 'group-members', false),
      figure('total lag', g.totalLag, 'total-lag'),
    ].join('');
    root.querySelector('[data-testid=members]').innerHTML = table(
      'Members',
      ['member', 'client id', 'host', 'assigned partitions'],
      g.members.map((m) => [esc(m.memberId), esc(m.clientId), esc(m.clientHost), m.assignment.map((a) => `${esc(a.topic)}: ${a.partitions.join(', ')}`).join('<br>') || '–']),
    );
    root.querySelector('[data-testid=offsets]').innerHTML = table(
      'Committed offsets',
      ['topic', 'partition', 'committed', 'high watermark', 'lag'],
      g.offsets.map((o) => [esc(o.topic), String(o.partition), String(o.committedOffset), o.highWatermark === undefined ? '–' : String(o.highWatermark), o.lag === undefined ? '–' : `<span class="${Number(o.lag) > 0 ? 'warn' : ''}">${o.lag}</span>`]),
      'data-testid="offsets-table"',
    );
    lagT.shift();
    lagT.push(Date.now() / 1000);
    lag.shift();
    lag.push(Number(g.totalLag));
    chart.update(lagT, [{ label: 'total lag', values: lag }]);
    const topicInput = root.querySelector('[name=topic]');
    if (topicInput.value === '' && g.offsets.length > 0) topicInput.value = g.offsets[0].topic;
    root.dataset.loaded = 'true';
  }
  const fail = (err) => {
    if (err.status === 404) gone = true;
    root.querySelector('[data-testid=group-summary]').innerHTML = `<p class="bad">${esc(err.code)}: ${esc(err.message)}</p>`;
  };

  const reset = root.querySelector('[data-action="group:reset"]');
  const execute = reset.querySelector('[data-testid=reset-execute]');
  let planned = null;
  const request = (data) => {
    const body = { topic: String(data.get('topic')).trim(), to: String(data.get('to')) };
    const parts = String(data.get('partitions') ?? '').trim();
    if (parts !== '') body.partitions = parts.split(',').map((p) => Number(p.trim()));
    const value = String(data.get('value') ?? '').trim();
    if (value !== '') body.value = Number(value);
    return body;
  };
  // Execute only what the last dry run showed: any change to the form asks for a new dry run.
  reset.addEventListener('input', () => {
    planned = null;
    execute.disabled = true;
  });
  action(reset, async (data, submitter) => {
    const body = request(data);
    const dry = submitter?.value !== 'execute';
    if (!dry && JSON.stringify(body) !== planned) throw Object.assign(new Error('run a dry run of these settings first'), { code: 'NOT_CONFIRMED' });
    const r = await api('POST', `${path}/offsets`, { ...body, dryRun: dry });
    root.querySelector('[data-testid=reset-plan]').innerHTML = table(
      dry ? 'Dry run: nothing committed yet' : 'Committed',
      ['topic', 'partition', 'current', 'new'],
      r.partitions.map((p) => [esc(p.topic), String(p.partition), p.previousOffset === undefined ? '–' : String(p.previousOffset), String(p.newOffset)]),
    );
    planned = dry ? JSON.stringify(body) : null;
    if (!dry) await refresh().catch(fail);
    return dry ? 'dry run done: Execute commits these offsets' : 'offsets committed';
  }, () => (execute.disabled = planned === null));
  action(root.querySelector('[data-action="group:delete"]'), async (data) => {
    if (data.get('confirm') !== id) throw Object.assign(new Error('the name does not match'), { code: 'NOT_CONFIRMED' });
    await api('DELETE', path);
    gone = true;
    return 'deleted';
  });

  void refresh().catch(fail);
  return { update: () => (gone ? undefined : refresh().catch(fail)), leave: () => chart.destroy() };
}
