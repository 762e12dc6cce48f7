// Cluster: brokers (up/down, controller, ZooKeeper state), partition health figures, ongoing
// reassignments and elections, and live charts of traffic, latency and ISR changes.
import { LiveChart } from '../charts.js';
import { bytesRate, esc, ms, perSecond } from '../format.js';
import { figure, table } from '../ui.js';

const TOP_APIS = 6;

export function show(root, ctx) {
  root.innerHTML = `
    <h1>Cluster <span class="muted" data-testid="cluster-id"></span></h1>
    <section class="figures" data-testid="health" aria-label="Partition health"></section>
    <section data-testid="brokers"></section>
    <section data-testid="operations"></section>
    <h2>Live</h2>
    <section class="charts">
      <div class="chart" data-chart="bytesIn"></div>
      <div class="chart" data-chart="bytesOut"></div>
      <div class="chart" data-chart="messages"></div>
      <div class="chart" data-chart="latency"></div>
      <div class="chart" data-chart="isr"></div>
    </section>`;
  const charts = {
    bytesIn: new LiveChart(root.querySelector('[data-chart=bytesIn]'), 'Bytes in/s per broker', bytesRate),
    bytesOut: new LiveChart(root.querySelector('[data-chart=bytesOut]'), 'Bytes out/s per broker (consumers)', bytesRate),
    messages: new LiveChart(root.querySelector('[data-chart=messages]'), 'Messages in/out per second per broker', perSecond),
    latency: new LiveChart(root.querySelector('[data-chart=latency]'), 'Request latency p99 per API (ms)', ms),
    isr: new LiveChart(root.querySelector('[data-chart=isr]'), 'ISR shrinks / expands per sample', (v) => String(Math.round(v))),
  };

  function update(stats) {
    root.querySelector('[data-testid=cluster-id]').textContent = ctx.cluster?.clusterId ?? '';
    const up = stats.brokers.filter((b) => b.reachable).length;
    root.querySelector('[data-testid=health]').innerHTML = [
      figure('controller', stats.controllerId < 0 ? 'none' : `broker ${stats.controllerId}`, 'controller', false),
      figure('controller epoch', stats.controllerEpoch, 'controller-epoch', false),
      figure('brokers up', `${up} / ${stats.brokers.length}`, 'brokers-up', false),
      figure('topics', stats.topicCount, 'topic-count', false),
      figure('partitions', stats.partitionCount, 'partition-count', false),
      figure('offline', stats.offlinePartitions, 'offline'),
      figure('under-replicated', stats.underReplicatedPartitions, 'under-replicated'),
      figure('under min ISR', stats.underMinIsrPartitions, 'under-min-isr'),
    ].join('');

    const rows = stats.brokers.map((b) => {
      const info = ctx.brokerInfo.get(b.id);
      const state = b.reachable ? '<span class="ok">up</span>' : `<span class="bad" title="${esc(b.error)}">down</span>`;
      const endpoints = (info?.endpoints ?? []).map((e) => `${esc(e.listenerName)}://${esc(e.host)}:${e.port}`).join('<br>');
      const zk = b.sample?.metrics.zooKeeperState;
      return [
        `<span data-testid="broker-${b.id}">${b.id}</span>`,
        `<span data-testid="broker-${b.id}-state">${state}</span>`,
        b.id === stats.controllerId ? '<strong>controller</strong>' : '',
        esc(info?.rack ?? '–'),
        endpoints || '–',
        zk === undefined ? '–' : `<span class="${zk === 'CONNECTED' ? 'ok' : 'bad'}">${esc(zk)}</span>`,
        b.sample ? String(b.sample.leaderCount) : '–',
        b.sample ? String(b.sample.partitionCount) : '–',
      ];
    });
    root.querySelector('[data-testid=brokers]').innerHTML = table('Brokers', ['id', 'state', 'role', 'rack', 'endpoints', 'ZooKeeper', 'leaders', 'replicas'], rows);

    const moves = stats.reassignments.map((r) => {
      const done = r.addingReplicas.length === 0 ? 1 : r.addingInSync.length / r.addingReplicas.length;
      return [
        `<a href="#/topics/${encodeURIComponent(r.topic)}">${esc(r.topic)}</a>-${r.partition}`,
        r.replicas.join(', '),
        r.addingReplicas.join(', ') || '–',
        r.removingReplicas.join(', ') || '–',
        `<progress max="1" value="${done}" aria-label="in sync">${Math.round(done * 100)}%</progress> ${r.addingInSync.length}/${r.addingReplicas.length} in sync`,
      ];
    });
    root.querySelector('[data-testid=operations]').innerHTML =
      table('Reassignments in progress', ['partition', 'target replicas', 'adding', 'removing', 'progress'], moves) +
      `<p data-testid="elections">Leader elections: <strong class="${stats.offlinePartitions > 0 ? 'bad' : ''}">${stats.offlinePartitions}</strong> partitions waiting for a leader,
       <strong>${stats.preferredReplicaImbalance}</strong> led by a replica other than the preferred one (a preferred election moves them back; see each topic).</p>`;

    const h = ctx.history;
    const brokers = [...h.brokers.entries()].sort(([a], [b]) => a - b);
    charts.bytesIn.update(h.t, brokers.map(([id, s]) => ({ label: `broker ${id}`, values: s.bytesIn })));
    charts.bytesOut.update(h.t, brokers.map(([id, s]) => ({ label: `broker ${id}`, values: s.bytesOut })));
    charts.messages.update(h.t, brokers.flatMap(([id, s]) => [{ label: `${id} in`, values: s.messagesIn }, { label: `${id} out`, values: s.messagesOut }]));
    const busiest = [...h.latency.entries()]
      .map(([api, s]) => [api, s, s.p99.reduce((n, v) => n + (v === null ? 0 : 1), 0)])
      .sort((a, b) => b[2] - a[2] || a[0].localeCompare(b[0]))
      .slice(0, TOP_APIS)
      .sort((a, b) => a[0].localeCompare(b[0]));
    charts.latency.update(h.t, busiest.map(([api, s]) => ({ label: api, values: s.p99 })));
    charts.isr.update(h.t, [{ label: 'shrinks', values: h.isrShrinks }, { label: 'expands', values: h.isrExpands }]);
    root.dataset.loaded = 'true';
  }

  return { update, leave: () => Object.values(charts).forEach((c) => c.destroy()) };
}
